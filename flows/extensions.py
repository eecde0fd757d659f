"""Extension requests (延期申请): asked on a rectification step, decided by whoever would
decide the plan today — the same routing and recusal as the plan (flows/routing.py), so
that the person concerned never decides their own deadline.

A joint problem's units each ask for their own part (the part's deadline moves, and the
problem's deadline is the earliest of the parts still being written); a single problem's
unit asks for the whole.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from accounts import chain
from accounts.models import Delegation, User
from records import kinds
from records.models import ExtensionRequest, Problem
from records.services import extensions as extension_services
from records.services import problems

from . import countersign, routing, selectors
from .models import CountersignPart


def decider(problem: Problem) -> routing.Level:
    """Who decides an extension of ``problem`` today: the last level of its plan's review
    by today's chain, recusal applied (the secretary when the supervising leader is the
    person concerned)."""
    return routing.review_levels(problem, _plan_review(problem))[-1]


def _plan_review(problem: Problem):
    """The node whose step decides the plan, and so its extensions (flows/steps.py)."""
    return next(node for node in kinds.kind_of(problem).flow.nodes()
                if getattr(getattr(node, "step", None), "decides_extensions", False))


def can_decide(user: User, problem: Problem) -> bool:
    """The decider, or the post holder they act for."""
    if not user.is_authenticated:
        return False
    try:
        level = decider(problem)
    except chain.ChainGap:
        return False
    return user.pk in {level.user.pk, (level.assignee.on_behalf_of or level.user).pk}


def pending_for(user: User, problem: Problem) -> list[ExtensionRequest]:
    """The requests of ``problem`` waiting for ``user``'s decision (none unless they decide)."""
    if not can_decide(user, problem):
        return []
    return list(problem.extensions.filter(decision=ExtensionRequest.Decision.PENDING)
                .select_related("requested_by", "unit").order_by("requested_at", "pk"))


def _decider_of(problem: Problem) -> tuple[User, User | None]:
    """The post holder who decides ``problem``'s extensions today, and whoever acts for
    them (None when they act themselves)."""
    level = decider(problem)
    holder = level.assignee.on_behalf_of or level.user
    return holder, (level.user if level.user.pk != holder.pk else None)


def request(*, problem: Problem, by: User, task, new_date: datetime.date | None,
            reason: str) -> ExtensionRequest:
    """The unit (a joint problem: the unit whose part ``task`` is) asks for more time; today's
    decider hears of it at once and finds it in their inbox."""
    part = countersign.part_of(task) if task is not None else None
    try:
        holder, acting = _decider_of(problem)
    except chain.ChainGap as gap:
        raise ValidationError(_("Nobody can decide an extension now: %(gap)s") % {"gap": gap}
                              ) from None
    if part is not None:
        return extension_services.problem_request_extension(
            problem=problem, by=by, new_date=new_date, reason=reason, unit=part.unit,
            current=part.due_date, decider=holder, acting=acting)
    return extension_services.problem_request_extension(
        problem=problem, by=by, new_date=new_date, reason=reason, decider=holder,
        acting=acting)


def awaiting_decision(user: User) -> list[ExtensionRequest]:
    """The pending extension requests ``user`` decides today (as the post holder, or acting
    for them under a delegation valid today), the earliest due first: their inbox's items,
    in one query. The stored decider follows the chain (deciders_follow_chain, run when the
    chart changes); the decision itself checks again at the moment it is taken."""
    if not user.is_authenticated:
        return []
    # for whom they act today: a delegation to them, or to someone acting for them (two hops
    # read in the same query; the decision itself follows chains of any length)
    delegations = Delegation.objects.on(chain.today())
    for_them = delegations.filter(acting=user).values("absent_id")
    second_hop = delegations.filter(acting_id__in=for_them).values("absent_id")
    return list(ExtensionRequest.objects.filter(
        Q(decider=user) | Q(decider_id__in=for_them) | Q(decider_id__in=second_hop),
        decision=ExtensionRequest.Decision.PENDING)
        .select_related("problem__unit", "unit", "requested_by", "decider")
        .order_by("decide_by", "requested_at", "pk"))


def deciders_follow_chain(unit_ids: list[int]) -> int:
    """The chain changed for these units: pending requests of their problems go to today's
    decider. Returns how many moved."""
    moved = 0
    for pending in ExtensionRequest.objects.filter(
            decision=ExtensionRequest.Decision.PENDING,
            problem__unit_id__in=unit_ids).select_related("problem__unit", "unit", "decider"):
        try:
            holder, acting = _decider_of(pending.problem)
        except chain.ChainGap:
            continue  # nobody decides it now: it stays with whom it was (the gap is reported)
        moved += extension_services.extension_follow_chain(request=pending, decider=holder,
                                                           acting=acting)
    return moved


def decide(*, extension: ExtensionRequest, by: User, grant: bool, opinion: str = ""
           ) -> ExtensionRequest:
    """Grant or refuse, checked at the moment it is taken: ``by`` must decide it today."""
    with transaction.atomic():
        problem = Problem.objects.select_for_update().get(pk=extension.problem_id)
        if not can_decide(by, problem):
            raise PermissionDenied(_("Only whoever decides this problem's plan today decides "
                                     "its extensions."))
        level = decider(problem)
        behalf = level.assignee.on_behalf_of if by.pk == level.user.pk else None
        decided = extension_services.problem_decide_extension(request=extension, by=by, grant=grant,
                                                    opinion=opinion, on_behalf_of=behalf)
        if grant and decided.unit_id is not None:
            CountersignPart.objects.filter(
                process_id=problem.process_id, unit_id=decided.unit_id,
                status=CountersignPart.Status.PENDING).update(due_date=decided.new_date)
            refresh_due_date(problem, reason="part extended")
    return decided


def refresh_due_date(problem: Problem, reason: str) -> None:
    """A joint problem is due when the earliest of its parts still being written is."""
    due = (CountersignPart.objects.filter(process_id=problem.process_id,
                                          status=CountersignPart.Status.PENDING,
                                          due_date__isnull=False)
           .order_by("due_date").values_list("due_date", flat=True).first())
    if due is not None:
        problems.problem_set_due_date(problem=problem, due=due, reason=reason)


# -- reading a problem and its requests, for the pages and the API -------------------------

def visible_problem_or_404(user, pk) -> Problem:
    return selectors.visible_or_404(user, Problem, pk, related=("registered_by", "assignee"))


@selectors.also_sees(Problem)
def _decides_pending_extension(user, problem) -> bool:
    """An acting decider whose delegation began after the plan was approved holds no grant
    yet."""
    return (user.is_authenticated
            and problem.extensions.filter(decision=ExtensionRequest.Decision.PENDING).exists()
            and can_decide(user, problem))


def pending_extension_or_404(user, problem, pk) -> ExtensionRequest:
    """The pending request ``pk`` (or, without one, the only pending request) of
    ``problem`` that ``user`` decides; 404 otherwise."""
    pending = pending_for(user, problem)
    if pk not in (None, ""):
        pending = [request for request in pending if str(request.pk) == str(pk)]
    if len(pending) != 1:
        raise Http404(_("There is no extension request for you to decide."))
    return pending[0]
