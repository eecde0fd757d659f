"""Opening a quarter in batches writes what opening it one unit at a time writes.

``flows.quarterly.open_reports`` opens many units' reports in one transaction and a
fixed number of queries. These tests open the same city both ways — the reference
being ``open_report`` (QuarterlyReportFlow.start through viewflow) for each unit — and
compare every row written, by natural keys (unit codes, step names, usernames), not ids.
"""

import datetime
import re
from collections import Counter

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from viewflow.workflow.models import Process, Task
from viewflow.workflow.signals import task_finished

from accounts import chain
from accounts.models import Delegation, Oversight, Post, Unit, User
from flows.opening import open_quarter, open_report, open_reports, reporting_units
from records.audit import verify
from records.models import (
    AuditEvent,
    Delivery,
    Notification,
    QuarterlyReport,
    QuarterlyReportUserObjectPermission,
)

from .conftest import QUARTER, YEAR, race

ONE_DAY = datetime.timedelta(days=1)
# the units whose report is opened in the city below (finance's is open already, sanitation
# has no head, squad2 is inactive)
OPENED = {"office", "personnel", "legal", "facilities", "command", "enforcement", "squad1",
          "archive"}


@pytest.fixture
def city(bureau):
    """The demo bureau with the chain's corner cases in it."""
    today = timezone.localdate()
    units = {unit.code: unit for unit in Unit.objects.all()}
    user = User.objects.get
    # a gap: sanitation's head left yesterday
    Post.objects.filter(unit=units["sanitation"], role=Post.Role.HEAD).update(
        valid_to=today - ONE_DAY)
    # delegations in force: legal's head → command's head → facilities' head (two hops), and
    # a leader's (which changes nobody's first step)
    for absent, acting in [("head_legal", "head_command"), ("head_command", "head_facilities"),
                           ("leader_li", "leader_wang")]:
        Delegation.objects.create(absent=user(username=absent), acting=user(username=acting),
                                  valid_from=today - ONE_DAY, reason="出差")
    # an ended delegation changes nothing
    Delegation.objects.create(absent=user(username="head_office"), acting=user(username="secretary"),
                              valid_from=today - 10 * ONE_DAY, valid_to=today - ONE_DAY)
    # squad1 has no oversight of its own: its detachment's leader oversees it
    Oversight.objects.filter(unit=units["squad1"]).delete()
    # personnel has a second, newer head: the longest-serving one drafts
    Post.objects.create(user=user(username="head_office"), unit=units["personnel"],
                        role=Post.Role.HEAD, valid_from=today - ONE_DAY)
    # an inactive unit reports nothing
    Unit.objects.filter(code="squad2").update(is_active=False)
    # a unit nobody oversees, anywhere up the tree
    archive = Unit.objects.create(code="archive", name="档案室", kind=Unit.Kind.DIVISION,
                                  parent=units["bureau"], order=20)
    Post.objects.create(user=User.objects.create(username="head_archive", name="林静"),
                        unit=archive, role=Post.Role.HEAD, valid_from=today - ONE_DAY)
    # finance's report is open already; office's was cancelled, so it is opened again
    open_report(unit=units["finance"], year=YEAR, quarter=QUARTER,
                by=user(username="head_finance"))
    cancelled = open_report(unit=units["office"], year=YEAR, quarter=QUARTER)
    QuarterlyReport.objects.filter(pk=cancelled.pk).update(
        status=QuarterlyReport.Status.CANCELLED)
    return units


def open_one_by_one(year, quarter):
    """The reference: the quarter opened unit by unit through viewflow, as before batches."""
    opened, problems = 0, []
    for unit in reporting_units():
        try:
            opened += open_report(unit=unit, year=year, quarter=quarter) is not None
        except chain.ChainGap as gap:
            problems.append(str(gap))
    return opened, problems


class Rollback(Exception):
    pass


def row_counts() -> Counter:
    return Counter({model._meta.label: model._base_manager.count()
                    for model in apps.get_models(include_auto_created=True)
                    if not model._meta.proxy})


def written(opening) -> dict:
    """Run ``opening``; everything it wrote, by natural keys, with its times checked to lie
    within the run (they cannot be equal between two runs)."""
    counts = row_counts()
    marks = {model: model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
             for model in (Process, Task, QuarterlyReport, QuarterlyReportUserObjectPermission,
                           AuditEvent, Notification, Delivery)}
    started = timezone.now()
    result = opening()
    finished = timezone.now()
    new = {model: model.objects.filter(pk__gt=mark) for model, mark in marks.items()}

    def within(*moments):
        for moment in moments:
            assert moment is not None and started <= moment <= finished, (moment, started)

    username = dict(User.objects.values_list("pk", "username"))
    reports = {r.pk: r for r in new[QuarterlyReport].select_related("unit")}
    by_process = {r.process_id: r.unit.code for r in reports.values()}
    code_of = {str(pk): r.unit.code for pk, r in reports.items()}

    canonical_reports = {}
    for report in reports.values():
        within(report.created_at, report.updated_at)
        assert report.created_at <= report.updated_at
        fields = {f.attname: getattr(report, f.attname) for f in report._meta.concrete_fields
                  if f.attname not in ("id", "process_id", "created_at", "updated_at")}
        canonical_reports[report.unit.code] = fields

    processes = {}
    for process in new[Process]:
        within(process.created)
        processes[by_process[process.pk]] = (
            str(process.flow_class), process.status, process.data, process.finished,
            process.parent_task_id, process.seed_content_type_id, process.seed_object_id,
            process.artifact_content_type_id, process.artifact_object_id)

    tasks = {}
    name_of = {}
    for task in new[Task].prefetch_related("previous"):
        name_of[task.pk] = (by_process[task.process_id], task.flow_task.name)
    for task in new[Task].prefetch_related("previous"):
        within(task.created)
        for moment in (task.started, task.finished):
            if moment is not None:
                within(moment)
        data = dict(task.data)
        if data.get("on_behalf_of"):
            data["on_behalf_of"] = username[data["on_behalf_of"]]
        tasks[name_of[task.pk]] = dict(
            type=task.flow_task_type, status=task.status, owner=username.get(task.owner_id),
            data=data, token=str(task.token), assigned=task.assigned,
            started=task.started is not None, finished=task.finished is not None,
            scheduled=task.scheduled, owner_permission=task.owner_permission,
            permission_object=(task.owner_permission_content_type_id,
                               task.owner_permission_obj_pk),
            external=task.external_task_id, seed=(task.seed_content_type_id, task.seed_object_id),
            artifact=(task.artifact_content_type_id, task.artifact_object_id),
            previous=sorted(name_of[p.pk] for p in task.previous.all()))

    grants = sorted(
        (code_of[str(g.content_object_id)], g.permission.codename, username[g.user_id])
        for g in new[QuarterlyReportUserObjectPermission].select_related("permission"))

    events = []
    for event in new[AuditEvent].order_by("pk"):
        within(event.at)
        events.append((event.action, username.get(event.actor_id), event.target_type,
                       code_of.get(event.target_id, event.target_id), event.data, event.ip))
    times = list(new[AuditEvent].order_by("pk").values_list("at", flat=True))
    assert times == sorted(times)

    def task_link(url):  # …/<process>/<step>/<task>/execute/, by unit and step
        return re.sub(r"/(\d+)/(\w+)/(\d+)/execute/$", lambda m: f"/{by_process[int(m.group(1))]}/{m.group(2)}/{name_of[int(m.group(3))]}/execute/", url)

    notifications = sorted(
        (username[n.recipient_id], n.kind, n.day, n.title, n.body, task_link(n.url),
         n.deadline, name_of.get(n.task)) for n in new[Notification])
    deliveries = sorted((username[d.notification.recipient_id], d.channel, d.status)
                        for d in new[Delivery].select_related("notification"))
    rows = row_counts()
    rows.subtract(counts)
    return {"result": result, "rows": +rows, "reports": canonical_reports,
            "processes": processes, "tasks": tasks, "grants": grants, "events": events,
            "notifications": notifications, "deliveries": deliveries}


def both_ways(year=YEAR, quarter=QUARTER):
    """What each way writes, from the same starting point (the first is rolled back)."""
    try:
        with transaction.atomic():
            reference = written(lambda: open_one_by_one(year, quarter))
            raise Rollback
    except Rollback:
        pass
    return reference, written(lambda: open_quarter(year=year, quarter=quarter))


def test_batches_write_what_opening_unit_by_unit_writes(city):
    reference, batched = both_ways()

    assert batched == reference
    # and what they wrote is what a quarter's opening is
    opened, problems = batched["result"]
    assert opened == len(OPENED) and set(batched["reports"]) == OPENED
    assert len(problems) == 1 and "市容环境卫生管理处" in problems[0]
    grants = batched["rows"].pop("records.QuarterlyReportUserObjectPermission")
    assert grants == len(batched["grants"]) >= 2 * len(OPENED)
    assert batched["rows"] == {
        "viewflow.Process": 8, "viewflow.Task": 16, "viewflow.Task_previous": 8,
        "records.QuarterlyReport": 8, "records.AuditEvent": 16,
        # each head hears of the new task at once (one of them has no email address)
        "records.Notification": 8, "records.Delivery": 7,
    }
    assert all(kind == "assigned" for _user, kind, *_rest in batched["notifications"])


def test_batches_follow_the_chain_as_the_flow_does(city):
    _reference, batched = both_ways()

    drafts = {code: task for (code, step), task in batched["tasks"].items() if step == "draft"}
    assert drafts["legal"]["owner"] == "head_facilities"  # two delegations on
    assert drafts["legal"]["data"] == {"on_behalf_of": "head_legal"}
    assert drafts["command"]["owner"] == "head_facilities"
    assert drafts["office"]["owner"] == "head_office"  # the delegation ended yesterday
    assert drafts["office"]["data"] == {"on_behalf_of": None}
    assert drafts["personnel"]["owner"] == "head_personnel"  # the longest-serving head
    readers = {code: {user for unit, _perm, user in batched["grants"] if unit == code}
               for code in OPENED}
    assert readers["squad1"] == {"head_squad1", "leader_zhao"}  # oversight inherited
    assert readers["enforcement"] == {"head_enforcement", "liaison_enforcement", "leader_zhao"}
    assert readers["legal"] == {"head_legal", "head_facilities", "leader_li"}
    assert readers["archive"] == {"head_archive"}  # nobody oversees it
    assert batched["tasks"]["legal", "draft"]["previous"] == [("legal", "start")]


def test_the_audit_trail_verifies_after_opening_in_batches(city):
    open_quarter(year=YEAR, quarter=QUARTER)

    checked, finding = verify()
    assert finding is None and checked == AuditEvent.objects.count()
    call_command("verify_audit")
    opened = AuditEvent.objects.filter(action="report.open").order_by("pk")
    assert [e.data["unit"] for e in opened][-len(OPENED):] == [
        u.code for u in reporting_units() if u.code in OPENED]  # in the org chart's order


def test_opening_again_opens_nothing_and_writes_nothing(city):
    open_quarter(year=YEAR, quarter=QUARTER)
    before = row_counts()

    opened, problems = open_quarter(year=YEAR, quarter=QUARTER)
    # a batch handed units opened meanwhile (a job run twice) skips them too
    again = open_reports(unit_ids=[u.pk for u in reporting_units()], year=YEAR, quarter=QUARTER)

    assert opened == 0 and again[0] == 0
    assert len(problems) == 1  # the gap is named again, and nothing is written for it
    assert row_counts() == before


def test_a_batch_with_nothing_to_open_writes_nothing(city):
    before = row_counts()

    opened, problems = open_reports(unit_ids=[city["finance"].pk, city["sanitation"].pk],
                                    year=YEAR, quarter=QUARTER)

    assert opened == 0 and len(problems) == 1
    assert row_counts() == before


def test_with_a_listener_on_viewflows_signals_it_opens_unit_by_unit(city):
    """The batch writes viewflow's rows without sending its signals: whatever listens to them
    (a timer on a step would) gets them from viewflow, unit by unit."""
    from flows.quarterly import QuarterlyReportFlow

    finished = []

    def listener(sender, task, **kwargs):
        finished.append(task.flow_task.name)

    task_finished.connect(listener, sender=QuarterlyReportFlow)
    try:
        reference, batched = both_ways()
    finally:
        task_finished.disconnect(listener, sender=QuarterlyReportFlow)

    assert batched == reference
    # each way: every unit tried (sanitation too, before its gap rolls it back)
    assert finished == ["start"] * 2 * (len(OPENED) + 1)


# -- queries ----------------------------------------------------------------------------------

@pytest.fixture
def many_units(bureau):
    """25 more divisions under one detachment, each with a head; some with a liaison, some
    heads away with a delegation."""
    today = timezone.localdate()
    parent = Unit.objects.get(code="enforcement")
    units = Unit.objects.bulk_create(
        Unit(code=f"team{i}", name=f"中队{i}", kind=Unit.Kind.SQUAD, parent=parent, order=100 + i)
        for i in range(25))
    heads = User.objects.bulk_create(User(username=f"head_team{i}") for i in range(25))
    Post.objects.bulk_create(
        Post(user=head, unit=unit, role=Post.Role.HEAD, valid_from=today)
        for head, unit in zip(heads, units, strict=True))
    Post.objects.bulk_create(
        Post(user=User.objects.get(username="liaison_enforcement"), unit=unit,
             role=Post.Role.LIAISON, valid_from=today) for unit in units[::3])
    Delegation.objects.bulk_create(
        Delegation(absent=head, acting=heads[0], valid_from=today) for head in heads[1::4])
    return [unit.pk for unit in units]


# A batch's queries, whatever its size: the units (with those opened already left out), the
# heads and liaisons, the tree above them (one per level: the detachment, the bureau), their
# oversights, the delegations in force; the processes, the tasks, their links; the calendar
# (deadline), the reports, the permission, the grants; the trail (its lock on PostgreSQL, its
# last hash, the events); the batch's savepoint and the trail's, and their releases; the
# heads' new-task notices (their savepoint, the notices, their deliveries, the release).
BATCH_QUERIES = 24


def test_a_batch_costs_the_same_queries_for_5_units_as_for_20(many_units,
                                                              django_assert_max_num_queries):
    with django_assert_max_num_queries(BATCH_QUERIES) as five:
        assert open_reports(unit_ids=many_units[:5], year=YEAR, quarter=QUARTER) == (5, [])
    with django_assert_max_num_queries(BATCH_QUERIES) as twenty:
        assert open_reports(unit_ids=many_units[5:], year=YEAR, quarter=QUARTER) == (20, [])

    assert len(five) == len(twenty)
    assert Task.objects.filter(owner__username="head_team0", flow_task_type="HUMAN").count() \
        == 1 + len(many_units[1::4])  # their own, and those of the heads away


def test_opening_unit_by_unit_costs_dozens_of_queries_a_unit(many_units):
    """What the batches save (a record for the benchmark's figures, not a budget)."""
    with CaptureQueriesContext(connection) as one:
        open_report(unit=Unit.objects.get(pk=many_units[0]), year=YEAR, quarter=QUARTER)
    assert len(one) > 25


# -- races (PostgreSQL) -----------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_two_workers_opening_the_same_units_at_once_open_each_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers")
    from demo.bureau import load_demo

    load_demo(password="demo-pass-123")
    unit_ids = [u.pk for u in reporting_units()]
    # a unit head opens one of them by hand meanwhile
    by_hand = Unit.objects.get(code="legal")
    results = race(lambda: open_reports(unit_ids=unit_ids, year=YEAR, quarter=QUARTER),
                   lambda: open_reports(unit_ids=unit_ids[::-1], year=YEAR, quarter=QUARTER),
                   lambda: open_report(unit=by_hand, year=YEAR, quarter=QUARTER), timeout=60)

    opened = results[0][0] + results[1][0] + (results[2] is not None)
    assert opened == len(unit_ids) == QuarterlyReport.objects.count()
    assert Process.objects.count() == len(unit_ids)
    assert Task.objects.filter(flow_task_type="HUMAN").count() == len(unit_ids)
    assert verify()[1] is None
    assert AuditEvent.objects.filter(action="report.open").count() == len(unit_ids)
