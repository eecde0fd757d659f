"""The approval actions people know from DingTalk and OA systems, for every flow:
withdraw (撤回), transfer (转办) and copy to (抄送).

Each runs under the flow's row lock, like a task page, so a withdrawal racing the
reviewer's decision, or two transfers of one task, end with exactly one winner;
the loser gets a clear message and nothing is changed.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts import chain
from accounts.models import Post, User
from records import kinds, notifications, permissions
from records.audit import audit
from records.models import Notification, Opinion
from records.services import copies

from . import countersign, routing, steps
from .actions import TaskConflict, own_open_task


def _detail_url(record: Model) -> str:
    return kinds.kind_of(record).url(record)


def _withdraw_to(task: Task) -> str:
    """The step a withdrawal of ``task`` goes back to ("" when it cannot be withdrawn)."""
    step = steps.of(task.flow_task)
    return step.withdraw_to if step is not None else ""


def _open_tasks(record: Model):
    return Task.objects.filter(process_id=record.process_id, flow_task_type="HUMAN",
                               status__in=(STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED))


# ---------------------------------------------------------------- withdraw (撤回)

def _last_drafting_task(record: Model) -> Task | None:
    """The last finished task of a step whose owner wrote what is under review."""
    tasks = Task.objects.filter(process_id=record.process_id, flow_task_type="HUMAN",
                                status=STATUS.DONE).order_by("-finished", "-pk")
    return next((task for task in tasks
                 if getattr(steps.of(task.flow_task), "drafting", False)), None)


def withdraw_refusal(user: User, record: Model) -> tuple[Task | None, str]:
    """The task a withdrawal would cancel, and why ``user`` may not withdraw ("" if they may)."""
    if record.process_id is None or not record.is_open:
        return None, _("There is nothing under review to withdraw.")
    task = next((t for t in _open_tasks(record).order_by("-created") if _withdraw_to(t)),
                None)
    if task is None:
        return None, _("There is nothing under review to withdraw.")
    drafted = _last_drafting_task(record)
    if drafted is not None and drafted.data.get(countersign.PART_KEY):
        return task, _("The units' parts of a joint rectification cannot be withdrawn; the "
                       "verifier can send it back.")
    if drafted is None or drafted.flow_task.name != _withdraw_to(task) or user.pk not in {
            drafted.owner_id, drafted.data.get("on_behalf_of")}:
        return task, _("Only the person who submitted it can withdraw it.")
    if record.review_level or task.data.get("transferred"):
        return task, _("A reviewer has already acted on it; it can no longer be withdrawn.")
    return task, ""


def can_withdraw(user: User, record: Model) -> bool:
    return user.is_authenticated and not withdraw_refusal(user, record)[1]


def withdraw(*, record: Model, by: User, reason: str = "") -> Task:
    """Take a submitted item back before its reviewer acts; it returns to the drafter.
    Returns the new drafting task."""
    flow_class = kinds.kind_of(record).flow_class
    with flow_class.lock(record.process_id), transaction.atomic():
        record = type(record).objects.select_for_update().get(pk=record.pk)
        task, refusal = withdraw_refusal(by, record)
        if refusal:
            raise ValidationError(refusal)
        task = Task.objects.get(pk=task.pk)
        if task.status not in (STATUS.NEW, STATUS.ASSIGNED):
            raise TaskConflict(_("The reviewer has already acted on it; it can no longer be "
                                 "withdrawn."))
        reviewer = task.owner
        steps.of(task.flow_task).withdraw(**{kinds.kind_of(record).arg: record}, by=by,
                                          reason=reason, task=task)
        activation = task.flow_task.activation_class(task)
        activation.cancel()
        back = getattr(flow_class.instance, _withdraw_to(task))
        new = back.activation_class.create(back, activation, task.token)
        notifications.notify(
            recipients=[reviewer], kind=Notification.Kind.WITHDRAWN, record=record,
            title=_("%(record)s was withdrawn by %(name)s") % {"record": record, "name": by},
            body=reason, url=_detail_url(record))
    return new.task


# ---------------------------------------------------------------- transfer (转办)

def transfer_candidates(task: Task, record: Model, tasks: list[Task] | None = None
                        ) -> list[User]:
    """Everyone whose post today qualifies for the task's step, without a conflict of
    interest, other than its owner (``tasks``: the process's human tasks, when the caller
    has them already): the people around the record's bureau (accounts.chain.people_around,
    which the copy-to list reads too), and the holders of the record's own unit's posts."""
    roles = steps.transfer_roles(task.flow_task)
    if not roles:
        return []
    # a unit's own posts (its head, its liaisons) qualify for its records only
    unit_roles = [role for role in roles if role in (Post.Role.HEAD, Post.Role.LIAISON)]
    around = [role for role in roles if role not in unit_roles]
    people = {person.pk: person
              for person in (chain.people_around(record.unit, around) if around else [])}
    for role in unit_roles:
        people.update((person.pk, person) for person in chain.holders(record.unit, role))
    conflicted = {} if steps.of(task.flow_task).drafting else routing.conflicts(record, tasks)
    return sorted((u for u in people.values() if u.pk != task.owner_id and u.pk not in conflicted),
                  key=lambda u: (u.name, u.username))


def transfer(*, task_pk: int, by: User, to: User | None, reason: str) -> Task:
    """The owner hands an open task to someone else whose post qualifies, with a reason."""
    task = Task.objects.filter(pk=task_pk, owner_id=by.pk, flow_task_type="HUMAN").first()
    if task is None:
        raise Http404(_("No such task."))
    reason = (reason or "").strip()
    with own_open_task(task, by) as (task, record):
        if not reason:
            raise ValidationError({"reason": _("Give the reason for the transfer.")})
        if to is None:
            raise ValidationError({"to": _("Choose who takes the task over.")})
        if to not in transfer_candidates(task, record):
            raise ValidationError({"to": _("%(name)s cannot take this step over: it needs "
                                           "someone whose post qualifies for it and who has no "
                                           "conflict of interest.") % {"name": to}})
        task.data.setdefault("held_by", []).append({
            "from": by.pk, "to": to.pk, "at": timezone.now().isoformat(), "reason": reason,
            "on_behalf_of": task.data.get("on_behalf_of")})
        task.data["transferred"] = True
        task.data["on_behalf_of"] = None
        task.owner = to
        task.save(update_fields=["owner", "data"])
        Opinion.objects.create(record=record, task=task, author=by,
                               kind=Opinion.Kind.TRANSFER, text=reason)
        permissions.grant_view(record, [to])
        kinds.kind_of(record).follow_assignee(record, None, to)
        audit(actor=by, action="task.transfer", target=record, task=task.pk,
                       step=task.flow_task.name, from_user=by.username, to_user=to.username,
                       reason=reason)
        notifications.notify(
            recipients=[to], kind=Notification.Kind.TRANSFERRED, record=record,
            title=_("%(name)s transferred a task to you: %(record)s")
            % {"name": by, "record": record}, body=reason, url=_detail_url(record))
    return task


# ---------------------------------------------------------------- copy to (抄送)

def _role_people(role: str, record: Model) -> list[User | None]:
    if role == "secretary":
        return [chain.secretary()]
    if role == "committee":
        return list(chain.discipline_committee())
    if role == "stationed":
        return chain.holders(None, Post.Role.STATIONED)
    if role == "supervisor":
        return [chain.supervisor_of(record.unit)]
    raise ValueError(f"unknown copy-to role {role!r}")


def default_copies(record: Model, node, decision: str) -> list[User]:
    """Who a step's decision is copied to by its step (flows/steps.py, settings applied)."""
    return [u for role in steps.copy_roles(node, decision)
            for u in _role_people(role, record) if u is not None]


def copy_to(*, record: Model, recipients: Iterable[User], by: User | None, task: Task | None,
            step: str = "") -> list:
    """Copy ``record`` to people for their information (records.services.copies)."""
    return copies.record_copy_to(record=record, recipients=recipients, by=by, task=task,
                                 step=step)
