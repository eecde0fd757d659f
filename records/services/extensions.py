"""More time for a problem's rectification: asked for by the unit, decided by whoever
decides the plan (flows/extensions.py says who)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.models import Unit, User
from records import dates, kinds, permissions
from records.audit import audit
from records.deadlines import extension_decide_by
from records.models import ExtensionRequest, Notification, Opinion, Problem
from records.notifications import notify

from .problems import Status, opinion_on, require_status, required_text


def problem_request_extension(*, problem: Problem, by: User, new_date: datetime.date | None,
                              reason: str, decider: User, acting: User | None = None,
                              unit: Unit | None = None,
                              current: datetime.date | None = None) -> ExtensionRequest:
    """The unit asks, before the deadline, for more time; the plan's approver (``decider``,
    the post holder; ``acting``: whoever acts for them today) decides, told at once and
    with the request in their inbox until it is decided. For a joint problem ``unit``
    names the part to extend and ``current`` its deadline."""
    require_status(problem, Status.RECTIFYING)
    current = current if unit is not None else problem.due_date
    today = timezone.localdate()
    if current and today > current:
        raise ValidationError(_("The deadline has passed; an extension must be asked for "
                                "before it."))
    if new_date is None or (current and new_date <= current):
        raise ValidationError({"new_date": _("The new deadline must be after the current one "
                                             "(%(date)s).") % {"date": current}})
    dates.check_ahead(new_date, "new_date")
    reason = required_text(reason, "reason", _("Say why more time is needed."),
                           ExtensionRequest)
    if problem.extensions.filter(decision=ExtensionRequest.Decision.PENDING, unit=unit).exists():
        raise ValidationError(_("An extension request is already waiting for a decision."))
    request = ExtensionRequest.objects.create(
        problem=problem, requested_by=by, reason=reason, unit=unit, current_date=current,
        new_date=new_date, decider=decider, decide_by=extension_decide_by(today, current))
    audit(actor=by, action="problem.extension_request", target=problem,
          new_date=new_date.isoformat(), unit=unit.code if unit else None,
          decider=decider.username, acting=acting.username if acting else None,
          decide_by=request.decide_by.isoformat())
    extension_tell_decider(request=request, decider=decider, acting=acting)
    return request


def extension_tell_decider(*, request: ExtensionRequest, decider: User,
                           acting: User | None = None) -> None:
    """Tell whoever decides ``request`` that it waits for them (and the absent post holder
    they act for)."""
    problem = request.problem
    title = _("Extension request to decide: %(problem)s") % {"problem": problem}
    body = _("%(unit)s asks to move the deadline from %(current)s to %(new)s: %(reason)s "
             "Decide by %(due)s.") % {
        "unit": request.unit or problem.unit, "current": request.current_date,
        "new": request.new_date, "reason": request.reason, "due": request.decide_by}
    url = kinds.kind_of(problem).url(problem)
    with override(settings.LANGUAGE_CODE):
        notify(recipients=[acting or decider], kind=Notification.Kind.EXTENSION, record=problem,
               title=title[:200], body=body, url=url, deadline=request.decide_by)
        if acting is not None and acting.pk != decider.pk:
            notify(recipients=[decider], kind=Notification.Kind.EXTENSION, record=problem,
                   title=(_("%(title)s (%(acting)s acts for you)")
                          % {"title": title, "acting": acting})[:200],
                   body=body, url=url, deadline=request.decide_by)


def extension_follow_chain(*, request: ExtensionRequest, decider: User,
                           acting: User | None = None) -> bool:
    """The chain changed under a pending request: it goes to today's decider (told at once).
    Returns whether it moved."""
    if request.decider_id == decider.pk or request.decision != ExtensionRequest.Decision.PENDING:
        return False
    previous = request.decider
    request.decider = decider
    request.save(update_fields=["decider"])
    audit(actor=None, action="problem.extension_reassign", target=request.problem,
          extension=request.pk, from_user=previous.username if previous else None,
          to_user=decider.username, reason="chain changed")
    extension_tell_decider(request=request, decider=decider, acting=acting)
    return True


@transaction.atomic
def problem_decide_extension(*, request: ExtensionRequest, by: User, grant: bool,
                             opinion: str = "", on_behalf_of: User | None = None
                             ) -> ExtensionRequest:
    """The plan's approver (flows/extensions.py says who, recusal applied) grants or refuses;
    both stay in the history. A granted extension of the whole problem moves its deadline; one
    of a unit's part moves that part's (flows/extensions.py)."""
    problem = Problem.objects.select_for_update().get(pk=request.problem_id)
    request.refresh_from_db()
    if request.decision != ExtensionRequest.Decision.PENDING:
        raise ValidationError(_("This request was already decided."))
    if not grant:
        required_text(opinion, "opinion", _("Say why the extension is refused."), Opinion,
                      "text")
    request.decision = (ExtensionRequest.Decision.GRANTED if grant
                        else ExtensionRequest.Decision.REFUSED)
    request.decided_by, request.decided_at = by, timezone.now()
    request.save()
    opinion_on(problem, by, Opinion.Kind.GRANT if grant else Opinion.Kind.REFUSE, opinion,
             on_behalf_of=on_behalf_of)
    permissions.grant_view(problem, [by])  # an acting decider keeps sight of what they decided
    if grant and request.unit_id is None and problem.status == Status.RECTIFYING:
        # the approved date stays as it was: statistics count the original deadline
        problem.planned_date = problem.due_date = request.new_date
        problem.save(update_fields=["planned_date", "due_date"])
    audit(actor=by, action="problem.extension_" + request.decision, target=problem,
          new_date=request.new_date.isoformat(),
          unit=request.unit.code if request.unit_id else None,
          on_behalf_of=on_behalf_of.username if on_behalf_of else None)
    return request
