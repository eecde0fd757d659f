"""Copy one bureau's history to the city's other bureaus: the seed's bulk path.

The benchmark's city is made of bureaus that live the same history: the same fates for
the same unit positions, the same steps on the same days. ``bench.seed`` drives the
first bureau (the prototype) through the real services and flows, step by step; this
module then writes what those services would have written for every other bureau, row
for row, with each bureau's own units, people and ids:

- every row the prototype phase added to the tables in ``CLONED`` is copied once per
  bureau. Ids move by a fixed offset per table and bureau (``pk + b × span``), so foreign
  keys between copied rows move with them; units and people are mapped by their codes
  (``b000u07`` → ``b012u07``), the committee members turn by one per bureau, the city's
  secretary stays;
- text names its bureau by code and by name (``b000``, ``第1局``): both are replaced;
  ids inside text and JSON (a notification's link, an audit event's target and its
  ``task``/``note``/``problems``…) are moved like foreign keys (``JSON_IDS``);
- the audit trail is written again in the order the step-by-step build appends it (each
  step, bureau by bureau) and hash-chained as ``records.audit.append`` chains it.

Any other table that grew while the prototype ran stops the copy (``CloneError``): a
service that writes somewhere new must be taught here, not skipped. The step-by-step
build of the same city (``seed(..., clone=False)``) is the reference:
tests/test_bench_seed.py compares the two row by row, keyed by names instead of ids.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, models, transaction
from viewflow.workflow.models import Process, Task

from accounts.models import Unit, User
from flows.models import CountersignPart
from records import audit
from records.models import (
    AuditEvent,
    CopyTo,
    Delivery,
    Evidence,
    ExtensionRequest,
    Notification,
    Opinion,
    Problem,
    ProblemGroupObjectPermission,
    ProblemList,
    ProblemUserObjectPermission,
    ProgressNote,
    QuarterlyReport,
    QuarterlyReportGroupObjectPermission,
    QuarterlyReportUserObjectPermission,
    Urge,
    Version,
)

# the tables a bureau's history writes (AuditEvent is written again, in order, at the end)
CLONED: list[type[models.Model]] = [
    Process, Task, Task.previous.through, QuarterlyReport, ProblemList, Problem, Opinion,
    CopyTo, Version, ProgressNote, Evidence, ExtensionRequest, Urge, CountersignPart,
    QuarterlyReportUserObjectPermission, QuarterlyReportGroupObjectPermission,
    ProblemUserObjectPermission, ProblemGroupObjectPermission, Notification, Delivery,
]
# ids kept inside JSON (audit data, task.data), by key
JSON_IDS: dict[str, type[models.Model]] = {
    "task": Task, "note": ProgressNote, "evidence": Evidence, "problems": Problem,
    "countersign_part": CountersignPart, "on_behalf_of": User, "held_by": User, "user": User,
}
# a notification names its item in its key ("records.problem:12"), link and title (#12)
ITEM_MODELS = {"records.problem": Problem, "records.quarterlyreport": QuarterlyReport}
NUMBER = re.compile(r"(?<![\d])(\d+)(?![\d])")


class CloneError(Exception):
    pass


def _watermarks(models_: Iterable[type[models.Model]]) -> dict[type[models.Model], int]:
    return {m: m._default_manager.aggregate(top=models.Max("pk"))["top"] or 0 for m in models_}


class Prototype:
    """Watches the prototype bureau's phase: where each table stood before it, and where
    the audit trail stood at each step (``mark``, called by the seed's clock)."""

    def __init__(self):
        self.before = _watermarks(CLONED + [AuditEvent])
        self.counts = self._counts()
        self.steps: list[int] = []

    @staticmethod
    def _counts() -> dict[type[models.Model], int]:
        return {m: m._default_manager.count() for m in apps.get_models(include_auto_created=True)
                if not m._meta.proxy}

    def mark(self) -> None:
        self.steps.append(AuditEvent.objects.aggregate(top=models.Max("pk"))["top"] or 0)

    def check(self) -> None:
        grew = [m._meta.label for m, n in self._counts().items()
                if n != self.counts.get(m) and m not in CLONED and m is not AuditEvent]
        if grew:
            raise CloneError(f"the prototype bureau wrote to {', '.join(sorted(grew))}, "
                             "which bench/clone.py does not copy")


class BureauMap:
    """How the prototype bureau's rows become bureau ``b``'s."""

    def __init__(self, b: int, spans: dict, before: dict, users: dict, units: dict,
                 committee: list[User]):
        self.b, self.spans, self.before = b, spans, before
        self.users, self.units = users, units
        self.tokens = {"b000": f"b{b:03d}", "第1局": f"第{b + 1}局"}
        for i, member in enumerate(committee):  # named in text by username and by name
            other = committee[(i + b) % len(committee)]
            self.tokens |= {member.username: other.username, member.name: other.name}
        self.pattern = re.compile("|".join(
            re.escape(t) for t in sorted(self.tokens, key=len, reverse=True)))

    def pk(self, model, value):
        if value is None or self.b == 0:
            return value
        if model is User:
            return self.users.get(value, value)
        if model is Unit:
            return self.units.get(value, value)
        if model in self.spans and int(value) > self.before[model]:
            return int(value) + self.b * self.spans[model]
        return value

    def text(self, value: str | None) -> str | None:
        if not value or self.b == 0:
            return value
        return self.pattern.sub(lambda m: self.tokens[m.group()], value)

    def numbers(self, model, value: str) -> str:
        return NUMBER.sub(lambda m: str(self.pk(model, int(m.group(1)))), value)

    def json(self, value, key: str | None = None):
        if isinstance(value, dict):
            return {k: self.json(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.json(v, key) for v in value]
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and key in JSON_IDS:
            return self.pk(JSON_IDS[key], value)
        if isinstance(value, str):
            return self.text(value)
        return value


def _people_and_units(bureaus: int, committee: list[User]) -> tuple[list[dict], list[dict]]:
    """Per bureau: prototype user id → the same post's holder there; the same for units."""
    users = {u.username: u.pk for u in User.objects.only("pk", "username")}
    units = {u.code: u.pk for u in Unit.objects.only("pk", "code")}
    user_maps, unit_maps = [], []
    for b in range(bureaus):
        code = f"b{b:03d}"
        user_map = {pk: users[name.replace("b000", code, 1)] for name, pk in users.items()
                    if "b000" in name}
        user_map |= {member.pk: committee[(i + b) % len(committee)].pk
                     for i, member in enumerate(committee)}
        user_maps.append(user_map)
        unit_maps.append({pk: units[c.replace("b000", code, 1)] for c, pk in units.items()
                          if c.startswith("b000")})
    return user_maps, unit_maps


def _columns(model) -> list[tuple[str, Callable]]:
    """Each column of ``model`` with how it moves to another bureau."""
    out = []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            out.append((field.column, lambda v, m, model=model: m.pk(model, v)))
        elif field.is_relation:
            target = field.related_model
            out.append((field.column, lambda v, m, target=target: m.pk(target, v)))
        elif isinstance(field, models.JSONField):
            out.append((field.column, lambda v, m: m.json(v)))
        elif type(field) in (models.CharField, models.TextField):  # not viewflow's own
            out.append((field.column, lambda v, m: m.text(v)))
        else:
            out.append((field.column, lambda v, m: v))
    return out


TASK_URL = re.compile(r"/(\d+)/(\w+)/(\d+)/execute/$")


def task_url_moved(url: str, m: BureauMap) -> str:
    """A task page's link (…/<process>/<step>/<task>/execute/) with its ids moved."""
    return TASK_URL.sub(lambda g: f"/{m.pk(Process, int(g.group(1)))}/{g.group(2)}/"
                                  f"{m.pk(Task, int(g.group(3)))}/execute/", url)


def _notification(row: dict, m: BureauMap) -> dict:
    label, _sep, _id = row["key"].partition(":")
    item = ITEM_MODELS.get(label)
    if item is not None:
        row["key"] = m.numbers(item, row["key"])
        row["url"] = (task_url_moved(row["url"], m) if row["task"] is not None
                      else m.numbers(item, row["url"]))
        row["title"] = re.sub(r"#(\d+)", lambda g: f"#{m.pk(item, int(g.group(1)))}", row["title"])
    if row["task"] is not None:  # a new task's notice names its task
        row["task"] = m.pk(Task, row["task"])
    return row


def _audit(row: dict, m: BureauMap) -> dict:
    target = apps.get_model(row["target_type"]) if "." in row["target_type"] else None
    if target is not None and row["target_id"].isdigit():
        row["target_id"] = str(m.pk(target, int(row["target_id"])))
    return row


def _on_record(row: dict, m: BureauMap) -> dict:
    """A trail row (opinion, copy, version, urge) names its record by kind and id: the id
    moves as the record's own does."""
    record_model = ContentType.objects.get_for_id(row["record_type_id"]).model_class()
    row["record_id"] = m.pk(record_model, row["record_id"])
    return row


FIXUPS: dict[type[models.Model], Callable[[dict, BureauMap], dict]] = {
    Notification: _notification, AuditEvent: _audit, Opinion: _on_record,
    CopyTo: _on_record, Version: _on_record, Urge: _on_record}


def _rows(model, after: int) -> tuple[list[str], list[tuple]]:
    """The rows of ``model`` after id ``after``, as Python values, in id order."""
    fields = model._meta.concrete_fields
    rows = model._base_manager.filter(pk__gt=after).order_by("pk").values_list(
        *[f.attname for f in fields])
    return [f.column for f in fields], list(rows)


def _move(model, movers: list[tuple[str, Callable]], row: tuple, m: BureauMap) -> dict:
    """One prototype row as bureau ``m.b``'s, by column."""
    moved = {c: f(v, m) for (c, f), v in zip(movers, row, strict=True)}
    fixup = FIXUPS.get(model)
    return fixup(moved, m) if fixup else moved


def _moved(model, rows: list[tuple], m: BureauMap) -> Iterable[tuple]:
    movers = _columns(model)
    for row in rows:
        moved = _move(model, movers, row, m)
        yield tuple(moved[c] for c, _f in movers)


def _write(model, columns: list[str], rows: Iterable[tuple], batch: int = 20000) -> int:
    """Insert ``rows`` (Python values, one per column): COPY on PostgreSQL."""
    qn = connection.ops.quote_name
    fields = [model._meta.get_field(f.name) for f in model._meta.concrete_fields]
    rows = (tuple(f.get_db_prep_value(v, connection, prepared=False) for f, v in zip(fields, row, strict=True))
            for row in rows)
    table = qn(model._meta.db_table)
    names = ", ".join(qn(c) for c in columns)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
        else:
            marks = ", ".join(["%s"] * len(columns))
            chunk = []
            for row in rows:
                chunk.append(row)
                if len(chunk) >= batch:
                    cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", chunk)
                    written, chunk = written + len(chunk), []
            if chunk:
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", chunk)
                written += len(chunk)
    return written


def _rechain(prototype: Prototype, maps: list[BureauMap]) -> int:
    """The prototype's audit events, and every bureau's copy of them, appended again in the
    order the step-by-step build appends them: step by step, bureau by bureau."""
    start = prototype.before[AuditEvent]
    columns, rows = _rows(AuditEvent, start)
    AuditEvent.objects.filter(pk__gt=start).delete()
    index = {c: i for i, c in enumerate(columns)}
    bounds = [*prototype.steps, rows[-1][index["id"]] if rows else start]
    steps, i = [], 0
    for bound in bounds:
        step = []
        while i < len(rows) and rows[i][index["id"]] <= bound:
            step.append(rows[i])
            i += 1
        steps.append(step)
    prev = AuditEvent.objects.order_by("-pk").values_list("hash", flat=True).first() or ""
    movers = _columns(AuditEvent)
    next_pk = [start]

    def events():
        nonlocal prev
        for step in steps:
            for m in maps:
                for row in step:
                    moved = _move(AuditEvent, movers, row, m)
                    next_pk[0] += 1
                    moved["id"] = next_pk[0]
                    event = AuditEvent(
                        at=moved["at"], actor_id=moved["actor_id"], action=moved["action"],
                        target_type=moved["target_type"], target_id=moved["target_id"],
                        data=moved["data"], ip=moved["ip"])
                    moved["prev_hash"] = prev
                    moved["hash"] = prev = audit.digest(event, prev)
                    yield tuple(moved[c] for c in columns)

    return _write(AuditEvent, columns, events())


def clone(prototype: Prototype, bureaus: int, committee: list[User],
          log: Callable = print) -> dict[str, int]:
    """Copy the prototype bureau (b000) to bureaus b001 … ``bureaus - 1``."""
    prototype.check()
    after = _watermarks(CLONED)
    spans = {m: after[m] - prototype.before[m] for m in CLONED}
    user_maps, unit_maps = _people_and_units(bureaus, committee)
    maps = [BureauMap(b, spans, prototype.before, user_maps[b], unit_maps[b], committee)
            for b in range(bureaus)]
    written: dict[str, int] = {}
    with transaction.atomic():
        for model in CLONED:
            if not spans[model]:
                continue
            columns, rows = _rows(model, prototype.before[model])
            written[model._meta.label] = sum(
                _write(model, columns, _moved(model, rows, m)) for m in maps[1:])
        written[AuditEvent._meta.label] = _rechain(prototype, maps)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), CLONED + [AuditEvent]):
                cursor.execute(sql)
    log(f"copied the prototype bureau to {bureaus - 1} more: {written}")
    return written
