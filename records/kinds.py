"""The kinds of record the chain moves along — a quarterly report, a problem, a leader's
annual report … — and, for each, what code that serves every kind needs to know of it.

Nothing else asks "is this a report or a problem?": the history, versions and diffs, the
approval sheet, the urge, withdrawal, the reminder sweep, the API's item and the pages
ask ``kind_of(record)`` here. A new kind of record is one ``RecordKind`` entry in
records/entries.py naming its flow by its dotted path: the flows app imports it when it
starts and the flow binds itself (``bind_flow``), since the records layer never imports
the flows.

Each kind's model implements a small protocol (records.models.base.ChainRecord): ``unit``,
``status``, ``process``, ``is_open``, ``is_overdue``, ``step_due`` (the deadline of the
step in progress), ``version_number`` (the submissions so far) and ``submitter_id``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q
from django.urls import reverse
from django.utils.functional import Promise


@dataclass
class RecordKind:
    """One kind of record."""

    key: str  # "report", "problem": in audit events, API items and URLs' names
    model: type[Model]
    # the flow that moves it, by its dotted path ("flows.quarterly.QuarterlyReportFlow")
    flow_path: str
    # the services' keyword for a record of this kind: report_submit(*, report, ...)
    arg: str
    # the pages: "<namespace>:detail", ":trail", ":version", ":index"
    namespace: str
    # what a submission freezes as a version, in order (records.versions)
    content_fields: tuple[str, ...]
    # django-guardian's direct grant table of the model (records.permissions)
    grant_table: type[Model]
    # the item's short name in lists ("2026 Q3", "Hedonism"): (record) → str
    item_label: Callable[[Model], str]
    # the approval sheet's head: its title, number, fields, content and the rows it adds to
    # the steps ((record) → records.documents.sheets.SheetHead)
    sheet_head: Callable[[Model], object] | None = None
    # the other units a record may involve (a many-to-many field), whose drafters read it
    involved_units_field: str = ""
    # the field holding the deadline of the step in progress
    step_due_field: str = "step_due_date"
    # its own deadlines besides the step's, counted again when the calendar changes:
    # which → (field, (record, calendar) → date)
    record_deadlines: dict[str, tuple[str, Callable]] = field(default_factory=dict)
    # the services cancelling one opened in error: (record, by, reason)
    cancel: Callable | None = None
    # the field the ledger shows the current assignee in (moved with the step), if any
    assignee_field: str = ""
    # what the stationed discipline group reads of this kind, as rows and for one record
    # (None: only what they were given a step of or a copy of)
    stationed_rows: Q | None = None
    stationed_sees: Callable[[Model], bool] | None = None
    # its pages' icon (Material Icons)
    icon: str = "assignment"
    # what a list reads with each record: its label (str) and its unit
    related: tuple[str, ...] = ("unit",)
    # the flow's class, bound by the flows app when it starts
    flow_class: type | None = field(default=None, repr=False)

    @property
    def label(self) -> Promise:
        """The kind's name in the reader's language (the model's verbose name)."""
        return self.model._meta.verbose_name

    @property
    def detail_url(self) -> str:
        return f"{self.namespace}:detail"

    @property
    def trail_url(self) -> str:
        return f"{self.namespace}:trail"

    @property
    def version_url(self) -> str:
        return f"{self.namespace}:version"

    @property
    def process_relation(self) -> str:
        """The name by which a viewflow process reaches a record of this kind."""
        return self.model._meta.get_field("process").remote_field.related_name

    def follow_assignee(self, record: Model, previous, to) -> None:
        """The step moved from ``previous`` (None: whoever had it) to ``to``: the record's
        assignee follows, unless it names someone else (another unit's part)."""
        if not self.assignee_field:
            return
        rows = self.model.objects.filter(pk=record.pk)
        if previous is not None:
            rows = rows.filter(Q(**{self.assignee_field: None})
                               | Q(**{self.assignee_field: previous}))
        if rows.update(**{self.assignee_field: to}):
            setattr(record, self.assignee_field, to)

    def url(self, record: Model) -> str:
        return reverse(self.detail_url, args=[record.pk])

    @property
    def content_type(self) -> ContentType:
        return ContentType.objects.get_for_model(self.model)

    @property
    def flow(self):
        """The flow's instance (records never import the flows: they bind themselves)."""
        if self.flow_class is None:
            raise LookupError(f"No flow is bound to the record kind {self.key!r}")
        return self.flow_class.instance


KINDS: dict[str, RecordKind] = {}
_BY_MODEL: dict[type[Model], RecordKind] = {}


def register(kind: RecordKind) -> RecordKind:
    KINDS[kind.key] = kind
    _BY_MODEL[kind.model] = kind
    return kind


def kind_of(record: Model | type[Model]) -> RecordKind:
    """The kind of ``record`` (or of a model class)."""
    model = record if isinstance(record, type) else type(record)
    try:
        return _BY_MODEL[model]
    except KeyError:
        raise LookupError(f"{model.__name__} is not a kind of record") from None


def by_key(key: str) -> RecordKind:
    return KINDS[key]


def of_type(content_type_id: int) -> RecordKind:
    """The kind whose model has this content type (a trail row's ``record_type``)."""
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    return kind_of(model)


def is_record(obj) -> bool:
    return type(obj) in _BY_MODEL


def all_kinds() -> list[RecordKind]:
    return list(KINDS.values())


def bind_flow(key: str, flow_class) -> None:
    """The flows app names the flow that moves each kind (flows/apps.py)."""
    KINDS[key].flow_class = flow_class


def process_relations(prefix: str = "process__") -> list[str]:
    """``select_related`` paths from a task (``process__``) or a process ("") to its record
    and the record's unit, one per kind: a list of tasks of every kind is read with its
    records in one query."""
    return [f"{prefix}{kind.process_relation}__unit" for kind in KINDS.values()]


def attach_records(processes) -> None:
    """Read the record of each of these processes with what its label needs (``related``),
    one query per kind among them, and keep it on the process for ``loaded_record``: a page
    of tasks of every kind, without a join per kind in one query (whose planning alone
    grows with each kind)."""
    by_flow: dict[type, list] = {}
    for process in processes:
        by_flow.setdefault(process.flow_class, []).append(process)
    for kind in KINDS.values():
        found = by_flow.get(kind.flow_class)
        if not found:
            continue
        records = {record.process_id: record for record in kind.model.objects.filter(
            process_id__in=[process.pk for process in found]).select_related(*kind.related)}
        for process in found:
            process._chain_record = records.get(process.pk)


def loaded_record(process) -> Model | None:
    """The record of a process read by ``attach_records`` or with
    ``process_relations("")`` (no query)."""
    if "_chain_record" in process.__dict__:
        return process._chain_record
    for kind in KINDS.values():
        try:
            return getattr(process, kind.process_relation)
        except ObjectDoesNotExist:
            continue
    return None


def record_of_process(process) -> Model | None:
    """The record a viewflow process moves, whatever its kind (one query)."""
    for kind in KINDS.values():
        if kind.flow_class is not None and process.flow_class is kind.flow_class:
            return kind.model.objects.filter(process_id=process.pk).first()
    return None
