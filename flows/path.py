"""The path ahead of an open item: the steps still to come, who will act on each (by
today's chain, level by level, recusal applied) and their deadlines.

It walks the flow's own graph from the step in progress: at a gateway it takes the way
forward — the one branch that does not lead back to where the item is now, or, when
several do not, the branch the gateway's condition chooses for this item today (several
units involved → their parts). The step in progress shows its real owner and deadline;
later steps are what the chain would give them if they started today, with deadlines
counted by each step's rule from the one before (flows/steps.py), marked as estimates.
After the last step people act on, the path shows how it ends (archived, filed).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from types import SimpleNamespace

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow.workflow import flow as viewflow_nodes
from viewflow.workflow.models import Task

from accounts import chain
from accounts.models import User
from records.selectors import OPEN_STATUSES

from . import countersign, routing, steps
from .nodes import ChainView
from .selectors import human_tasks

COPY_ROLE_NAMES = {"secretary": gettext_lazy("the secretary"),
                   "committee": gettext_lazy("the discipline committee"),
                   "stationed": gettext_lazy("the stationed discipline group"),
                   "supervisor": gettext_lazy("the supervising leader")}


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


def _recused(level) -> str:
    return (_("%(name)s recused: %(reason)s") % {"name": level.recused, "reason": level.reason}
            if level.recused else "")


def _level_title(title: str, number: int, total: int) -> str:
    return title if total == 1 else _("%(step)s (level %(n)s of %(total)s)") % {
        "step": title, "n": number, "total": total}


def _estimate(node, record, after: datetime.date | None) -> datetime.date | None:
    """The step's deadline by its rule, were it to start when the one before is due."""
    start = max(after or timezone.localdate(), timezone.localdate())
    return steps.of(node).deadline(record, start)


# -- the step in progress --------------------------------------------------------------------

def _current(record, tasks: list[Task]) -> list[Step]:
    """The open step, with its real owner and deadline (each unit still to write its part,
    when it is a countersign)."""
    task = max((t for t in tasks if t.status in OPEN_STATUSES), key=lambda t: t.created,
               default=None)
    if task is None:
        return []
    if task.data.get(countersign.PART_KEY):
        return _parts(record, tasks, task.flow_task)
    behalf = task.data.get("on_behalf_of")
    recused = task.data.get("recused") or {}
    note = (_("%(name)s recused: %(reason)s") % {"name": recused["name"],
                                                  "reason": recused["reason"]}
            if recused else "")
    return [Step(_level_title(str(task.flow_task.task_title), task.data.get("level", 1),
                              task.data.get("levels", 1)),
                 task.owner, User.objects.filter(pk=behalf).first() if behalf else None,
                 record.step_due, is_current=True, note=note, name=task.flow_task.name,
                 level=task.data.get("level", 1), levels=task.data.get("levels", 1),
                 part=None)]


def _parts(record, tasks: list[Task], node) -> list[Step]:
    """A countersign step under way: every unit still to write its part, each with whoever
    writes it (the task's owner, or by today's chain for a part not yet open) and its
    deadline."""
    open_tasks = {t.pk: t for t in tasks if t.status in OPEN_STATUSES}
    found = []
    for part in countersign.parts_of(record.process_id, node.name):
        if part.status != countersign.Status.PENDING:
            continue
        title = _("%(step)s: %(unit)s") % {"step": node.task_title, "unit": part.unit}
        task = open_tasks.get(part.task_id)
        if task is not None:
            found.append(Step(title, task.owner, part.on_behalf_of, part.due_date,
                              is_current=True, name=node.name, part=part.pk))
        else:
            found.append(_unit_head(part.unit, title, part.due_date or record.planned_date,
                                    node))
    return found


def _unit_head(unit, title: str, due, node) -> Step:
    try:
        assignee = chain.unit_head_assignee(unit)
    except chain.ChainGap as gap:
        return Step(title, due=due, note=str(gap), estimated=True, name=node.name)
    return Step(title, assignee.user, assignee.on_behalf_of, due, estimated=True,
                name=node.name)


# -- the steps to come ------------------------------------------------------------------------

def _expected(node, record, tasks, after, first_level: int = 0) -> list[Step]:
    """A step still to come: who the chain would give it today, and when it would be due."""
    title = str(node.task_title)
    step = steps.of(node)
    note = str(getattr(step.deadline, "path_note", ""))
    if isinstance(node, countersign.PartView):
        units = node.flow_class.instance.part_units(SimpleNamespace(process=record.process))
        return [_unit_head(unit, _("%(step)s: %(unit)s") % {"step": title, "unit": unit},
                           _estimate(node, record, after), node) for unit in units]
    if step.review:
        try:
            levels = routing.review_levels(record, node, tasks)
        except chain.ChainGap as gap:
            return [Step(title, note=str(gap), name=node.name)]
        found, due = [], after
        for number, level in enumerate(levels[first_level:], start=first_level + 1):
            due = _estimate(node, record, due)
            found.append(Step(_level_title(title, number, len(levels)), level.user,
                              level.assignee.on_behalf_of, due, estimated=True,
                              note=_recused(level), name=node.name))
        return found
    # ask the step's own Assign, as the engine would, on a probe of a task
    task = SimpleNamespace(data={}, owner_id=None, flow_task=node)
    probe = SimpleNamespace(task=task, process=record.process.coerced, flow_task=node)
    try:
        person = node.calc_owner(probe)
    except chain.ChainGap as gap:
        return [Step(title, note=str(gap), name=node.name)]
    behalf = task.data.get("on_behalf_of")
    recused = task.data.get("recused") or {}
    if recused:
        note = _("%(name)s recused: %(reason)s") % recused
    return [Step(title, person, User.objects.filter(pk=behalf).first() if behalf else None,
                 _estimate(node, record, after), estimated=True, note=note, name=node.name)]


def _reaches(start, goal, seen=None) -> bool:
    """Whether the graph leads from ``start`` to ``goal``."""
    seen = set() if seen is None else seen
    if start is goal:
        return True
    if start in seen:
        return False
    seen.add(start)
    return any(_reaches(edge.dst, goal, seen) for edge in start._outgoing())


def _forward(node, here, passed: set, record):
    """The node a gateway leads on to for this item: a branch not walked yet that does not
    lead back to ``here``; when several are left, the one its condition chooses today."""
    targets = [edge.dst for edge in node._outgoing()]
    ahead = [target for target in targets if target not in passed] or targets
    if len(ahead) > 1:
        ahead = [target for target in ahead if not _reaches(target, here)] or ahead
    if len(ahead) == 1:
        return ahead[0]
    probe = SimpleNamespace(process=record.process.coerced, task=None, flow_task=node)
    if isinstance(node, viewflow_nodes.If):
        return node._on_true if node._condition(probe) else node._on_false
    for target, condition in node._activate_next:
        if condition is None or condition(probe):
            return target
    return ahead[0]


def _people_ahead(node) -> bool:
    """Whether a step people act on follows ``node`` before the flow ends."""
    seen = set()
    while node is not None and node not in seen:
        seen.add(node)
        if isinstance(node, ChainView):
            return True
        targets = [edge.dst for edge in node._outgoing()]
        node = targets[0] if len(targets) == 1 else None
    return False


def _ahead(here, record, tasks, after) -> list[Step]:
    """Every step from ``here`` (the node in progress, excluded) to the end of the flow."""
    found, node, last_human, passed = [], here, here, {here}
    due = after
    for _guard in range(50):
        targets = [edge.dst for edge in node._outgoing()]
        if not targets:
            break
        node = targets[0] if len(targets) == 1 else _forward(node, here, passed, record)
        passed.add(node)
        if isinstance(node, ChainView) and steps.of(node) is not None:
            expected = _expected(node, record, tasks, due)
            found += expected
            due = max((step.due for step in expected if step.due), default=due)
            last_human = node
        elif isinstance(node, viewflow_nodes.End) or (
                isinstance(node, viewflow_nodes.Function) and not _people_ahead(node)):
            found.append(_ending(node, last_human))
            break
    return found


def _ending(node, last_human) -> Step:
    """How the flow ends after its last step people act on: archived, filed …"""
    if isinstance(node, viewflow_nodes.Function):
        return Step(str(node.task_title), note=_("automatic after “%(step)s”") % {
            "step": last_human.task_title}, name=node.name)
    step = steps.of(last_human)
    # the main decision that moves the item on (not a lower level's passing it up)
    main = next((action for action in step.actions
                 if action.main and action.levels != steps.LOWER_LEVELS), None) if step else None
    roles = steps.copy_roles(last_human, main.name) if main else ()
    note = _("copied to %(whom)s") % {"whom": "、".join(str(COPY_ROLE_NAMES.get(role, role))
                                                       for role in roles)} if roles else ""
    return Step(str(node.task_title), note=note, name=node.name)


def path_ahead(record, tasks: list[Task] | None = None) -> list[Step]:
    """The step in progress, then every step still to come, in order ([] when done;
    ``tasks``: human_tasks(record), when the page has them already)."""
    if not record.is_open or record.process_id is None:
        return []
    tasks = human_tasks(record) if tasks is None else tasks
    current = _current(record, tasks)
    if not current:
        return []
    here = next(t for t in tasks if t.status in OPEN_STATUSES and t.flow_task.name ==
                current[0].name).flow_task
    due = max((step.due for step in current if step.due), default=None)
    path = list(current)
    first = current[0]
    if steps.of(here).review and first.level < first.levels:
        # the levels above the one reviewing now, before the graph moves on
        path += _expected(here, record, tasks, due, first_level=record.review_level + 1)
        due = max((step.due for step in path if step.due), default=due)
    return path + _ahead(here, record, tasks, due)
