"""Who acts on a review or verification step: the chain's answer, level by level
(逐级审核), corrected for recusal (回避).

Nobody reviews or verifies an item they drafted or submitted, or one that concerns
them as the person involved; the step goes to the next person up the chain (the
supervising leader, then the secretary) and the reason is kept on the task. Which
review steps go level by level is configuration (``DUTYCHAIN_LEVEL_REVIEW``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Model
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts import chain
from accounts.models import Unit, User
from records import kinds
from records.models import Problem

from . import steps


@dataclass(frozen=True)
class Level:
    """One reviewer: who acts (maybe for someone), and whom they replace by recusal."""

    assignee: chain.Assignee
    recused: User | None = None
    reason: str = ""

    @property
    def user(self) -> User:
        return self.assignee.user

    def as_data(self) -> dict:
        """What a task keeps of it (task.data["recused"]), for its history."""
        if self.recused is None:
            return {}
        return {"user": self.recused.pk, "name": str(self.recused), "reason": self.reason}


def node_of(record: Model, step):
    """The flow node of a review step: given as the node, or by its name in the record's
    flow."""
    if isinstance(step, str):
        return getattr(kinds.kind_of(record).flow_class, step)
    return step


def conflicts(record, tasks: list[Task] | None = None
              ) -> dict[int, str]:
    """The people who may not review or verify ``record``, each with the reason (``tasks``:
    the process's human tasks, when the caller has them already)."""
    found: dict[int, str] = {}

    def add(user_id, reason):
        if user_id:
            found.setdefault(user_id, reason)

    drafted = _("drafted or submitted it")
    if record.process_id:
        if tasks is None:
            done = Task.objects.filter(process_id=record.process_id, flow_task_type="HUMAN",
                                       status=STATUS.DONE).only("flow_task", "owner_id", "data")
        else:
            done = [task for task in tasks if task.status == STATUS.DONE]
        for task in done:
            if getattr(steps.of(task.flow_task), "drafting", False):
                add(task.owner_id, drafted)
                add(task.data.get("on_behalf_of"), drafted)
    for user_id in sorted(record.drafter_ids()):
        add(user_id, drafted)
    names = record.concerned_names()
    if names:
        for user_id in User.objects.filter(name__in=names, is_active=True).values_list(
                "pk", flat=True):
            add(user_id, _("is the person concerned"))
    return found


def _level(holder: User, conflicted: dict[int, str], what: str) -> tuple[chain.Assignee, str]:
    """The holder's assignee, and why they may not act ("" when they may)."""
    assignee = chain.assignee_for(holder, what)
    for person in (holder, assignee.user):
        if person.pk in conflicted:
            return assignee, conflicted[person.pk]
    return assignee, ""


def _recuse(holders: list[User], fallbacks: list[User], conflicted: dict[int, str],
            what: str) -> list[Level]:
    """The holders in order, each conflicted one skipped; if the last is conflicted, the
    first fallback without a conflict takes the last place."""
    levels: list[Level] = []
    pending: tuple[User, str] | None = None
    for position, holder in enumerate(holders):
        last = position == len(holders) - 1
        assignee, reason = _level(holder, conflicted, what)
        if reason:
            pending = pending or (holder, reason)
            if not last:
                continue
            for fallback in fallbacks:
                assignee, reason = _level(fallback, conflicted, what)
                if not reason:
                    break
            else:
                raise chain.ChainGap(
                    _("Everyone who could act on this step has a conflict of interest "
                      "(%(name)s %(reason)s).") % {"name": holder, "reason": pending[1]})
        recused, why = pending if pending else (None, "")
        if levels and levels[-1].user.pk == assignee.user.pk:
            continue  # the same person on two levels in a row acts once
        levels.append(Level(assignee, recused, why))
        pending = None
    return levels


def review_holders(unit: Unit, node) -> list[User]:
    """The post holders who review an item of ``unit`` at the review step ``node``, in
    order: level by level when the step says so (flows/steps.py)."""
    holders = []
    if steps.level_review(node):
        node = unit.parent
        while node is not None and node.kind != Unit.Kind.BUREAU:
            head = chain.head_of(node)
            if head is not None:
                holders.append(head)
            node = node.parent
    leader = chain.supervisor_of(unit)
    if leader is None:
        raise chain.ChainGap(_("%(unit)s has no supervising leader on %(day)s.")
                             % {"unit": unit, "day": chain.today()})
    return [*holders, leader]


def review_levels(record, step, tasks: list[Task] | None = None) -> list[Level]:
    """Every level of the review step ``step`` (its node, or its name) for ``record`` by
    today's chain, recusal applied."""
    secretary = chain.secretary()
    return _recuse(review_holders(record.unit, node_of(record, step)),
                   [secretary] if secretary else [], conflicts(record, tasks),
                   _("%(unit)s has no supervising leader on %(day)s.")
                   % {"unit": record.unit, "day": chain.today()})


def current_level(record, step) -> tuple[int, list[Level]]:
    levels = review_levels(record, step)
    return min(record.review_level, len(levels) - 1), levels


def verifier(problem: Problem, tasks: list[Task] | None = None) -> Level:
    """The committee member who registered the problem, else the longest-serving; by
    recusal another committee member, then the secretary."""
    committee = chain.discipline_committee()
    first = [m for m in committee if m.pk == problem.registered_by_id]
    holders = first + [m for m in committee if m.pk != problem.registered_by_id]
    if not holders:
        raise chain.ChainGap(_("Nobody holds a discipline committee post."))
    conflicted = conflicts(problem, tasks)
    first_reason = ""
    for holder in holders:
        assignee, reason = _level(holder, conflicted, "")
        if not reason:
            recused = holders[0] if holder is not holders[0] else None
            return Level(assignee, recused, first_reason)
        first_reason = first_reason or reason
    secretary = chain.secretary()
    levels = _recuse([holders[0]], [secretary] if secretary else [], conflicted,
                     _("Nobody holds a discipline committee post."))
    return levels[-1]
