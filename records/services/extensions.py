"""More time for a problem's rectification: asked for by the unit, decided by whoever
decides the plan (flows/extensions.py says who)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Unit, User
from records import dates, permissions
from records.audit import audit
from records.models import ExtensionRequest, Opinion, Problem

from .problems import Status, opinion_on, require_status, required_text


def problem_request_extension(*, problem: Problem, by: User, new_date: datetime.date | None,
                              reason: str, unit: Unit | None = None,
                              current: datetime.date | None = None) -> ExtensionRequest:
    """The unit asks, before the deadline, for more time; the plan's approver decides. For a
    joint problem ``unit`` names the part to extend and ``current`` its deadline."""
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
    request = ExtensionRequest.objects.create(problem=problem, requested_by=by, reason=reason,
                                              unit=unit, current_date=current,
                                              new_date=new_date)
    audit(actor=by, action="problem.extension_request", target=problem,
          new_date=new_date.isoformat(), unit=unit.code if unit else None)
    return request


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
