"""The approval actions people know from DingTalk and OA systems, for every flow:
withdraw (撤回), transfer (转办) and copy to (抄送).

Each runs under the flow's row lock, like a task page, so a withdrawal racing the
reviewer's decision, or two transfers of one task, end with exactly one winner;
the loser gets a clear message and nothing is changed.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts import chain
from accounts.models import Post, User
from records import notifications, permissions
from records.audit import audit
from records.models import CopyTo, Notification, Opinion, Problem, QuarterlyReport
from records.services import problems
from records.services import reports as services

from . import routing
from .actions import TaskConflict, flow_key, own_open_task

# the step a withdrawal cancels → the step it goes back to
WITHDRAWABLE = {
    ("quarterlyreport", "review"): "draft",
    ("rectification", "approve_plan"): "analyse",
    ("rectification", "verify"): "rectify",
}


def _flow_of(record: Model):
    from .quarterly import QuarterlyReportFlow
    from .rectification import RectificationFlow

    return QuarterlyReportFlow if isinstance(record, QuarterlyReport) else RectificationFlow


def _detail_url(record: Model) -> str:
    name = "reports:detail" if isinstance(record, QuarterlyReport) else "problems:detail"
    return reverse(name, args=[record.pk])


def _open_tasks(record: Model):
    return Task.objects.filter(process_id=record.process_id, flow_task_type="HUMAN",
                               status__in=(STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED))


# ---------------------------------------------------------------- withdraw (撤回)

def _submitter_ids(record: Model, back_step: str) -> set[int]:
    """Who submitted what is under review: the owner of the last finished drafting task
    (and the person they acted for)."""
    tasks = Task.objects.filter(process_id=record.process_id, flow_task_type="HUMAN",
                                status=STATUS.DONE).order_by("-finished", "-pk")
    for task in tasks:
        if task.flow_task.name == back_step:
            return {pk for pk in (task.owner_id, task.data.get("on_behalf_of")) if pk}
    return set()


def withdraw_refusal(user: User, record: Model) -> tuple[Task | None, str]:
    """The task a withdrawal would cancel, and why ``user`` may not withdraw ("" if they may)."""
    if record.process_id is None or not record.is_open:
        return None, _("There is nothing under review to withdraw.")
    task = next((t for t in _open_tasks(record).order_by("-created")
                 if flow_key(t) in WITHDRAWABLE), None)
    if task is None:
        return None, _("There is nothing under review to withdraw.")
    back = WITHDRAWABLE[flow_key(task)]
    if isinstance(record, Problem) and back == "rectify" and record.co_units.exists():
        return task, _("The units' parts of a joint rectification cannot be withdrawn; the "
                       "verifier can send it back.")
    if user.pk not in _submitter_ids(record, back):
        return task, _("Only the person who submitted it can withdraw it.")
    if record.review_level or task.data.get("transferred"):
        return task, _("A reviewer has already acted on it; it can no longer be withdrawn.")
    return task, ""


def can_withdraw(user: User, record: Model) -> bool:
    return user.is_authenticated and not withdraw_refusal(user, record)[1]


def withdraw(*, record: Model, by: User, reason: str = "") -> Task:
    """Take a submitted item back before its reviewer acts; it returns to the drafter.
    Returns the new drafting task."""
    flow_class = _flow_of(record)
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
        if isinstance(record, QuarterlyReport):
            services.report_withdraw(report=record, by=by, reason=reason, task=task)
        else:
            problems.problem_withdraw(problem=record, by=by, reason=reason, task=task)
        activation = task.flow_task.activation_class(task)
        activation.cancel()
        back = getattr(flow_class.instance, WITHDRAWABLE[flow_key(task)])
        new = back.activation_class.create(back, activation, task.token)
        notifications.notify(
            recipients=[reviewer], kind=Notification.Kind.WITHDRAWN, record=record,
            title=_("%(record)s was withdrawn by %(name)s") % {"record": record, "name": by},
            body=reason, url=_detail_url(record))
    return new.task


# ---------------------------------------------------------------- transfer (转办)

def _transfer_roles(task: Task) -> list[str]:
    flow, step = flow_key(task)
    return settings.DUTYCHAIN_TRANSFER.get(f"{flow}.{step}", [])


def transfer_candidates(task: Task, record: Model, tasks: list[Task] | None = None
                        ) -> list[User]:
    """Everyone whose post today qualifies for the task's step, without a conflict of
    interest, other than its owner (``tasks``: the process's human tasks, when the caller
    has them already): the people around the record's bureau (accounts.chain.people_around,
    which the copy-to list reads too), and the holders of the record's own unit's posts."""
    roles = _transfer_roles(task)
    if not roles:
        return []
    # a unit's own posts (its head, its liaisons) qualify for its records only
    unit_roles = [role for role in roles if role in (Post.Role.HEAD, Post.Role.LIAISON)]
    around = [role for role in roles if role not in unit_roles]
    people = {person.pk: person
              for person in (chain.people_around(record.unit, around) if around else [])}
    for role in unit_roles:
        people.update((person.pk, person) for person in chain.holders(record.unit, role))
    conflicted = routing.conflicts(record, tasks) \
        if flow_key(task)[1] not in routing.DRAFTING_STEPS else {}
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
        kw = {"report": record} if isinstance(record, QuarterlyReport) else {"problem": record}
        Opinion.objects.create(**kw, task=task, author=by, kind=Opinion.Kind.TRANSFER,
                               text=reason)
        permissions.grant_view(record, [to])
        if isinstance(record, Problem):
            Problem.objects.filter(pk=record.pk).update(assignee=to)
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


def default_copies(record: Model, step: str, decision: str) -> list[User]:
    """Who a step's decision is copied to by configuration (DUTYCHAIN_COPY_TO)."""
    key = routing.step_key(record, step)
    roles = settings.DUTYCHAIN_COPY_TO.get(key, {}).get(decision, [])
    return [u for role in roles for u in _role_people(role, record) if u is not None]


def copy_to(*, record: Model, recipients: Iterable[User], by: User | None, task: Task | None,
            step: str = "") -> list[CopyTo]:
    """Copy ``record`` to people for their information: they may read it, and are told."""
    kw = {"report": record} if isinstance(record, QuarterlyReport) else {"problem": record}
    people = {u for u in recipients if u is not None and u.is_active and u != by}
    if not people:
        return []
    already = set(CopyTo.objects.filter(**kw, task=task, recipient__in=people)
                  .values_list("recipient_id", flat=True)) if task else set()
    copies = CopyTo.objects.bulk_create([
        CopyTo(**kw, recipient=u, by=by, task=task, step=step)
        for u in sorted(people, key=lambda u: u.pk) if u.pk not in already])
    if copies:
        permissions.grant_view(record, [c.recipient for c in copies])
        audit(actor=by, action="record.copy_to", target=record, step=step,
                       to=sorted(c.recipient.username for c in copies))
        notifications.notify(
            recipients=[c.recipient for c in copies], kind=Notification.Kind.COPIED,
            record=record, title=_("Copied to you: %(record)s") % {"record": record},
            body=_("%(name)s copied it to you for your information.")
            % {"name": by or _("The system")}, url=_detail_url(record))
    return copies
