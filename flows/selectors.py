"""Reads for flow pages, each a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import BooleanField, Model
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import User
from records import kinds, permissions
from records.models import CopyTo, Opinion, Problem, QuarterlyReport, Urge, Version
from records.selectors import OPEN_STATUSES

from .models import CountersignPart

# who may read a record besides those permissions.can_view lets in, per model: a flow adds
# its own (an acting decider of a problem's pending extension)
_ALSO_SEE: dict[type[Model], list[Callable[[User, Model], bool]]] = defaultdict(list)


def also_sees(model: type[Model]):
    """Decorator: ``check(user, record)`` lets more people read records of ``model``."""
    def register(check):
        _ALSO_SEE[model].append(check)
        return check
    return register


def visible_or_404(user: User, model: type[Model], pk, related: tuple[str, ...] = ()) -> Model:
    """The record ``pk`` of ``model``, for someone who may read it; 404 for anyone else, so
    that another unit's record does not even exist for them."""
    record = get_object_or_404(model.objects.select_related("unit", *related), pk=pk)
    if not (permissions.can_view(user, record)
            or any(check(user, record) for check in _ALSO_SEE[model])):
        raise Http404(_("No such record."))
    return record


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
    # transfers of the step (转办), in order: opinions of kind "transfer", each with .to
    notes: list = field(default_factory=list)
    # who the step's decision was copied to (抄送)
    copies: list = field(default_factory=list)
    # whom the owner replaced by recusal (回避): {"name", "reason"}
    recused: dict | None = None
    # "level n of m" of a level-by-level review
    level: str = ""
    cancelled: bool = False
    # the version this step submitted (a draft or analyse task), if it submitted one
    version: Version | None = None
    # urges (催办) of the step's owner while it was open
    urges: list = field(default_factory=list)
    # a countersign participant's part (flows.countersign), with its unit, text and status
    part: CountersignPart | None = None


# what the history reads beside the steps, each linked to the step it belongs to
LINKED = {"has_opinions": Opinion, "has_copies": CopyTo, "has_versions": Version,
          "has_urges": Urge}


def human_tasks(record: QuarterlyReport | Problem) -> list[Task]:
    """Every human step of the record's process in order, with its owner and whether any
    opinion, copy, version or urge belongs to it: one query that the history, the path
    ahead and recusal on one page can all read."""
    if record.process_id is None:
        return []
    return list(Task.objects.filter(process_id=record.process_id, flow_task_type="HUMAN")
                .select_related("owner").order_by("created", "pk").annotate(**_LINKED_EXISTS))


# EXISTS (…) of each linked table, written out: an Exists(Subquery) of the ORM costs four
# subqueries to build and compile on every review page, several times the query itself
_LINKED_EXISTS = {
    flag: RawSQL(f'EXISTS (SELECT 1 FROM "{model._meta.db_table}" L '
                 f'WHERE L."task_id" = "{Task._meta.db_table}"."id")', [],
                 output_field=BooleanField())
    for flag, model in LINKED.items()}


def _any(tasks: list[Task], flag: str) -> bool:
    """Whether a step has rows of that kind (asked when the steps were read without it)."""
    return any(getattr(task, flag, True) for task in tasks)


def history(record: QuarterlyReport | Problem, tasks: list[Task] | None = None
            ) -> list[HistoryEntry]:
    """Every human step of the record's process in order, with who acted and their opinion
    (``tasks``: human_tasks(record), when the page has them already)."""
    if record.process_id is None:
        return []
    tasks = human_tasks(record) if tasks is None else tasks
    # a fresh report's steps have a version and nothing else: only the kinds there are read
    opinions, notes, copies = {}, defaultdict(list), defaultdict(list)
    if _any(tasks, "has_opinions"):
        for opinion in record.opinions.filter(task__isnull=False).select_related(
                "author", "on_behalf_of"):
            if opinion.kind == Opinion.Kind.TRANSFER:
                notes[opinion.task_id].append(opinion)
            else:
                opinions[opinion.task_id] = opinion
    if _any(tasks, "has_copies"):
        for copy in record.copies.filter(task__isnull=False).select_related("recipient"):
            copies[copy.task_id].append(copy.recipient)
    versions = ({v.task_id: v for v in Version.objects.of(record).filter(task__isnull=False)}
                if _any(tasks, "has_versions") else {})
    people_ids = {t.data.get("on_behalf_of") for t in tasks if t.data.get("on_behalf_of")}
    people_ids |= {h.get("to") for t in tasks for h in t.data.get("held_by", [])}
    people = User.objects.in_bulk(people_ids - {None}) if people_ids - {None} else {}
    for task in tasks:
        # each transfer names whom the task went to
        for note, held in zip(notes[task.pk], task.data.get("held_by", []), strict=False):
            note.to = people.get(held.get("to"))
    urges = defaultdict(list)
    if _any(tasks, "has_urges"):
        for urge in record.urges.filter(task__isnull=False).select_related("urged_by"):
            urges[urge.task_id].append(urge)
    part_tasks = [t.pk for t in tasks if t.data.get("countersign_part")]
    parts = ({p.task_id: p for p in CountersignPart.objects.filter(task_id__in=part_tasks)
              .select_related("unit")} if part_tasks else {})
    return [
        HistoryEntry(
            task=task,
            step=str(task.flow_task.task_title),
            owner=task.owner,
            on_behalf_of=people.get(task.data.get("on_behalf_of")),
            created=task.created,
            finished=task.finished,
            is_open=task.status in OPEN_STATUSES,
            opinion=opinions.get(task.pk),
            notes=notes[task.pk],
            copies=copies[task.pk],
            recused=task.data.get("recused") or None,
            level=(_("level %(n)s of %(total)s") % {"n": task.data["level"],
                                                    "total": task.data["levels"]}
                   if task.data.get("levels", 1) > 1 else ""),
            cancelled=task.status == STATUS.CANCELED,
            version=versions.get(task.pk),
            part=parts.get(task.pk),
            urges=urges[task.pk],
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


def record_of_task(task):
    """The record a task moves along, of whichever kind (read with its process and
    ``kinds.process_relations()``: no query)."""
    return kinds.loaded_record(task.process)
