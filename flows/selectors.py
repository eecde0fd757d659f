"""Reads for flow pages, each a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import User
from records.models import Opinion, Problem, QuarterlyReport

from .models import CountersignPart

OPEN_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


@dataclass
class HistoryEntry:
    task: Task
    step: str
    owner: User | None
    on_behalf_of: User | None
    created: object
    finished: object
    is_open: bool
    opinion: Opinion | None
    # a countersign participant's part (flows.countersign), with its unit, text and status
    part: CountersignPart | None = None


def history(record: QuarterlyReport | Problem) -> list[HistoryEntry]:
    """Every human step of the record's process in order, with who acted and their opinion."""
    if record.process_id is None:
        return []
    tasks = list(
        Task.objects.filter(process_id=record.process_id, flow_task_type="HUMAN")
        .select_related("owner").order_by("created", "pk")
    )
    opinions = {o.task_id: o for o in record.opinions.filter(task__isnull=False)
                .select_related("author", "on_behalf_of")}
    behalf_ids = {t.data.get("on_behalf_of") for t in tasks if t.data.get("on_behalf_of")}
    behalf = User.objects.in_bulk(behalf_ids) if behalf_ids else {}
    part_tasks = [t.pk for t in tasks if t.data.get("countersign_part")]
    parts = ({p.task_id: p for p in CountersignPart.objects.filter(task_id__in=part_tasks)
              .select_related("unit")} if part_tasks else {})
    return [
        HistoryEntry(
            task=task,
            step=str(task.flow_task.task_title),
            owner=task.owner,
            on_behalf_of=behalf.get(task.data.get("on_behalf_of")),
            created=task.created,
            finished=task.finished,
            is_open=task.status in OPEN_STATUSES,
            opinion=opinions.get(task.pk),
            part=parts.get(task.pk),
        )
        for task in tasks
    ]


def open_task_of(record: QuarterlyReport | Problem, user: User) -> Task | None:
    """The open task of this record that ``user`` owns, if any."""
    if record.process_id is None or not user.is_authenticated:
        return None
    return (
        Task.objects.filter(process_id=record.process_id, owner=user, status__in=OPEN_STATUSES)
        .order_by("-created").first()
    )


def task_url(task: Task) -> str:
    return task.flow_task.reverse("execute", args=[task.process_id, task.pk])
