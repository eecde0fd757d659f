"""The benchmark's bulk path: a city whose first bureau is built through the services and
copied to the others (bench/clone.py) holds, row for row, what building every bureau step
by step writes. Rows are compared by names, not ids, over every table a history writes."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import models
from viewflow.workflow.models import Process, Task

from accounts.models import Unit, User
from bench.clone import CLONED, JSON_IDS
from bench.seed import seed
from records.audit import verify
from records.models import (
    AuditEvent,
    Notification,
    Problem,
    ProblemList,
    ProgressNote,
    QuarterlyReport,
)

CITY = dict(units=12, years=1, problems_per_unit=4, sweep_days=2, per_bureau=4, per_leader=2)


def _names() -> dict:
    """id → name, for every model a row may point to."""
    reports = {r.pk: f"{r.unit.code}/{r.year}Q{r.quarter}"
               for r in QuarterlyReport.objects.select_related("unit")}
    problems = {p.pk: p.description for p in Problem.objects.all()}
    processes = {r.process_id: reports[r.pk] for r in QuarterlyReport.objects.all()}
    processes |= {p.process_id: problems[p.pk] for p in Problem.objects.all()}
    tasks, seen = {}, {}
    for t in Task.objects.order_by("created", "pk"):
        key = (processes[t.process_id], t.flow_task.name)
        seen[key] = seen.get(key, 0) + 1
        tasks[t.pk] = f"{key[0]}/{key[1]}#{seen[key]}"
    notes, seen = {}, {}
    for n in ProgressNote.objects.order_by("pk"):
        seen[n.problem_id] = seen.get(n.problem_id, 0) + 1
        notes[n.pk] = f"{problems[n.problem_id]}/note#{seen[n.problem_id]}"
    return {User: {u.pk: u.username for u in User.objects.all()},
            Permission: {p.pk: p.codename for p in Permission.objects.all()},
            Unit: {u.pk: u.code for u in Unit.objects.all()},
            QuarterlyReport: reports, Problem: problems, Process: processes, Task: tasks,
            ProgressNote: notes,
            ProblemList: {pl.pk: pl.title for pl in ProblemList.objects.all()},
            Notification: {n.pk: (n.recipient.username, n.kind, _item_key(n.key, reports,
                                                                           problems), n.day)
                           for n in Notification.objects.select_related("recipient")}}


def _item_key(key: str, reports: dict, problems: dict) -> str:
    label, _sep, pk = key.partition(":")
    items = {"records.problem": problems, "records.quarterlyreport": reports}.get(label)
    return f"{label}:{items[int(pk)]}" if items is not None else key


def _canonical(model, row: dict, names: dict) -> tuple:
    def name(target, value):
        return names[target].get(int(value), f"?{target.__name__}:{value}") \
            if value is not None and target in names else value

    def walk(value, key=None):
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, key) for v in value]
        if isinstance(value, int) and not isinstance(value, bool) and key in JSON_IDS:
            return name(JSON_IDS[key], value)
        return value

    out = {}
    for field in model._meta.concrete_fields:
        value = row[field.attname]
        if field.primary_key:
            continue
        if field.is_relation:
            value = name(field.related_model, value)
        elif isinstance(field, models.JSONField):
            value = walk(value)
        out[field.attname] = value
    if "record_type_id" in row:  # a trail row names its record by kind and id
        from django.contrib.contenttypes.models import ContentType

        record_model = ContentType.objects.get_for_id(row["record_type_id"]).model_class()
        out["record_id"] = name(record_model, row["record_id"])
    if model is Notification:
        item = {"records.problem": Problem,
                "records.quarterlyreport": QuarterlyReport}.get(row["key"].split(":")[0])
        if row["task"] is not None:  # a new task's notice: its task and the task's page
            out["task"] = name(Task, row["task"])
            out["url"] = re.sub(r"/(\d+)/(\w+)/(\d+)/execute/$", lambda m: f"/{name(Process, m.group(1))}/{m.group(2)}/{name(Task, m.group(3))}/execute/", out["url"])
        if item:
            for f in ("key", "title", *(() if row["task"] is not None else ("url",))):
                out[f] = re.sub(r"\d+", lambda m: str(name(item, m.group())), out[f]) \
                    if f != "title" else re.sub(r"#(\d+)", lambda m: "#" + str(
                        name(item, m.group(1))), out[f])
    if model is AuditEvent:
        target = {"records.problem": Problem, "records.quarterlyreport": QuarterlyReport}.get(
            row["target_type"])
        if target:
            out["target_id"] = name(target, row["target_id"])
        del out["hash"], out["prev_hash"]
    return tuple(sorted((k, repr(v)) for k, v in out.items()))


def _city() -> dict:
    names = _names()
    snapshot = {}
    for model in [*CLONED, AuditEvent]:
        rows = [_canonical(model, row, names)
                for row in model._base_manager.order_by("pk").values(
                    *[f.attname for f in model._meta.concrete_fields])]
        # the trail in the order it was appended; other tables as sets of rows
        snapshot[model._meta.label] = rows if model is AuditEvent else sorted(rows)
    return snapshot


@pytest.mark.django_db(transaction=True)
def test_a_copied_city_equals_one_built_step_by_step(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    # both builds from empty tables and fresh sequences (the org chart's audit events
    # name its rows by id)
    call_command("flush", interactive=False, verbosity=0)
    seed(clone=False, log=lambda *a: None, **CITY)
    step_by_step = _city()
    assert verify()[1] is None
    call_command("flush", interactive=False, verbosity=0)
    seed(clone=True, log=lambda *a: None, **CITY)
    copied = _city()
    assert verify()[1] is None  # the trail is chained as the services chain it
    for label in ("viewflow.Task", "records.Problem", "records.AuditEvent",
                  "records.Notification", "records.ProblemUserObjectPermission"):
        assert step_by_step[label], label
    for label, rows in step_by_step.items():
        assert copied[label] == rows, label
    # every bureau has its own history: the copies point at their own units and people
    for code in ("b001", "b002"):
        head = User.objects.get(username=f"head_{code}u01")
        assert Task.objects.filter(owner=head).exists()
        assert Problem.objects.filter(unit__code=f"{code}u01", assignee__isnull=False).exists()


def test_copying_needs_whole_bureaus():
    with pytest.raises(ValueError):
        seed(clone=True, units=10, per_bureau=4, log=lambda *a: None)
