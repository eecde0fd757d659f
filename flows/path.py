"""The path ahead of an open item: the steps still to come, who will act on each (by
today's chain, level by level, recusal applied) and their deadlines.

The step in progress shows its real owner and deadline; later steps are what the
chain would give them if they started today, with deadlines counted in working days
from the one before (marked as estimates).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task

from accounts import chain
from accounts.models import User
from records.deadlines import working_days
from records.models import Problem, QuarterlyReport
from records.workdays import add_working_days

from . import countersign, routing
from .selectors import OPEN_STATUSES, human_tasks


@dataclass
class Step:
    title: str
    person: User | None = None
    on_behalf_of: User | None = None
    due: datetime.date | None = None
    is_current: bool = False
    estimated: bool = False
    note: str = ""
    name: str = ""
    # the current step's review level (逐级审核), as set when its task was assigned
    level: int = 1
    levels: int = 1
    # a countersign part's task (flows.countersign), when the current step is one
    part: int | None = None


def _after(day: datetime.date | None, key: str) -> datetime.date:
    start = max(day or timezone.localdate(), timezone.localdate())
    return add_working_days(start, working_days(key))


def _levels(record, step: str, title: str, first: int, due: datetime.date | None,
            days_key: str, tasks: list[Task]) -> tuple[list[Step], datetime.date | None]:
    try:
        levels = routing.review_levels(record, step, tasks)
    except chain.ChainGap as gap:
        return [Step(title, note=str(gap))], due
    steps = []
    for number, level in enumerate(levels[first:], start=first + 1):
        due = _after(due, days_key)
        label = title if len(levels) == 1 else _("%(step)s (level %(n)s of %(total)s)") % {
            "step": title, "n": number, "total": len(levels)}
        note = (_("%(name)s recused: %(reason)s") % {"name": level.recused, "reason": level.reason}
                if level.recused else "")
        steps.append(Step(label, level.user, level.assignee.on_behalf_of, due, estimated=True,
                          note=note))
    return steps, due


def _unit_head(record, title: str, due: datetime.date | None, estimated=True) -> Step:
    return _unit_head_of(record.unit, title, due, estimated)


def _unit_head_of(unit, title: str, due: datetime.date | None, estimated=True) -> Step:
    try:
        assignee = chain.unit_head_assignee(unit)
    except chain.ChainGap as gap:
        return Step(title, due=due, note=str(gap), estimated=estimated)
    return Step(title, assignee.user, assignee.on_behalf_of, due, estimated=estimated)


def _current(record, tasks: list[Task]) -> Step | None:
    task = max((t for t in tasks if t.status in OPEN_STATUSES), key=lambda t: t.created,
               default=None)
    if task is None:
        return None
    behalf = task.data.get("on_behalf_of")
    title = str(task.flow_task.task_title)
    if task.data.get("levels", 1) > 1:
        title = _("%(step)s (level %(n)s of %(total)s)") % {
            "step": title, "n": task.data["level"], "total": task.data["levels"]}
    recused = task.data.get("recused") or {}
    note = (_("%(name)s recused: %(reason)s") % {"name": recused["name"],
                                                  "reason": recused["reason"]}
            if recused else "")
    due = record.step_due_date if isinstance(record, QuarterlyReport) else record.due_date
    return Step(title, task.owner, User.objects.filter(pk=behalf).first() if behalf else None,
                due, is_current=True, note=note, name=task.flow_task.name,
                level=task.data.get("level", 1), levels=task.data.get("levels", 1),
                part=task.data.get(countersign.PART_KEY))


def _parts(record, tasks: list[Task], current: Step) -> list[Step]:
    """A countersign step: every unit still to write its part, each with whoever writes it
    (the task's owner, or by today's chain for a part not yet open) and its deadline."""
    open_tasks = {t.pk: t for t in tasks if t.status in OPEN_STATUSES}
    parts = countersign.parts_of(record.process_id, current.name)
    steps = []
    for part in parts:
        if part.status != countersign.Status.PENDING:
            continue
        title = _("%(step)s: %(unit)s") % {"step": current.title, "unit": part.unit}
        task = open_tasks.get(part.task_id)
        if task is not None:
            steps.append(Step(title, task.owner, part.on_behalf_of, part.due_date,
                              is_current=True, name=current.name, part=part.pk))
            continue
        step = _unit_head_of(part.unit, title, part.due_date or record.planned_date)
        step.name, step.part = current.name, part.pk
        steps.append(step)
    return steps or [current]


def path_ahead(record: QuarterlyReport | Problem, tasks: list[Task] | None = None
               ) -> list[Step]:
    """The step in progress, then every step still to come, in order ([] when done;
    ``tasks``: human_tasks(record), when the page has them already)."""
    if not record.is_open or record.process_id is None:
        return []
    tasks = human_tasks(record) if tasks is None else tasks
    current = _current(record, tasks)
    if current is None:
        return []
    steps = [current]
    due = current.due
    if current.part:
        steps = _parts(record, tasks, current)
        due = max((step.due for step in steps if step.due), default=due)
    if isinstance(record, QuarterlyReport):
        if current.name == "draft":
            more, due = _levels(record, "review", _("Review"), 0, due, "report_review", tasks)
        elif current.level >= current.levels:
            more = []  # the last level is deciding now: no need to resolve the chain again
        else:
            more, due = _levels(record, "review", _("Review"), record.review_level + 1, due,
                                "report_review", tasks)
        steps += more
        copies = _("copied to the secretary") if _copies_secretary() else ""
        steps.append(Step(_("Archived"), note=copies))
        return steps
    name = current.name
    if name == "analyse":
        more, due = _levels(record, "approve_plan", _("Approve the plan"), 0, due,
                            "problem_plan_review", tasks)
        steps += more
    elif name == "approve_plan" and current.level < current.levels:
        more, due = _levels(record, "approve_plan", _("Approve the plan"),
                            record.review_level + 1, due, "problem_plan_review", tasks)
        steps += more
    if name in ("analyse", "approve_plan"):
        steps.append(_unit_head(record, _("Rectify"), None))
        steps[-1].note = _("by the planned completion date")
        co_units = list(record.co_units.all())
        if co_units:
            steps[-1].note = _("each unit writes its part (countersign): %(units)s") % {
                "units": "、".join(str(u) for u in [record.unit, *co_units])}
        due = record.planned_date
    if name not in ("verify",):
        try:
            level = routing.verifier(record, tasks)
            steps.append(Step(_("Verify and close out"), level.user, level.assignee.on_behalf_of,
                              _after(due, "problem_verify"), estimated=True,
                              note=_("%(name)s recused: %(reason)s") % {
                                  "name": level.recused, "reason": level.reason}
                              if level.recused else ""))
        except chain.ChainGap as gap:
            steps.append(Step(_("Verify and close out"), note=str(gap)))
    steps.append(Step(_("File with the stationed group"), note=_("automatic after close-out")))
    return steps


def _copies_secretary() -> bool:
    return "secretary" in settings.DUTYCHAIN_COPY_TO.get("quarterlyreport.review", {}).get(
        "sign_off", [])
