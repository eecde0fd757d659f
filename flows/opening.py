"""Opening reports: each quarter's, one unit by hand or every unit of a city in batches;
each year's annual reports of the leadership groups, every January.

A batch writes what viewflow's own start writes for each unit (QuarterlyReportFlow.start,
then its draft step assigned to the unit head: the same rows, grants and audit events in
the same order) in a fixed number of queries for the whole batch instead of some thirty
per unit; tests/test_open_quarter_batched.py compares both, row for row.
"""

from __future__ import annotations

import datetime
import logging

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from viewflow.workflow.signals import flow_started, task_finished, task_started
from viewflow.workflow.status import STATUS

from accounts import chain
from accounts.models import Post, Unit, User
from records import notifications
from records.models import AnnualReport, QuarterlyReport
from records.services import reports as services
from records.workdays import Calendar

from . import steps
from .annual import AnnualReportFlow
from .models import ReportProcess
from .quarterly import QuarterlyReportFlow

logger = logging.getLogger(__name__)
# units opened in one transaction (one Celery job): a few hundred milliseconds of work, so
# that two workers share a city's quarter evenly and a retry redoes little
CHUNK_UNITS = 100
RACE_ATTEMPTS = 5


def open_report(*, unit: Unit, year: int, quarter: int, by: User | None = None
                ) -> QuarterlyReport | None:
    """Open one unit's report for a quarter; None when one is already open (safe to repeat)."""
    live = QuarterlyReport.objects.filter(unit=unit, year=year, quarter=quarter).exclude(
        status=QuarterlyReport.Status.CANCELLED)
    if live.exists():
        return None
    try:
        with transaction.atomic():
            process = QuarterlyReportFlow.start.run(unit=unit, year=year, quarter=quarter, by=by)
    except IntegrityError:
        # another worker opened it between our check and our insert
        return None
    return QuarterlyReport.objects.get(process=process)


def reporting_units():
    """The units that report each quarter: every active unit but the bureaus themselves."""
    return Unit.objects.filter(is_active=True).exclude(kind=Unit.Kind.BUREAU)


def units_to_open(*, year: int, quarter: int) -> list[int]:
    """The reporting units with no live report for the quarter yet, in the org chart's order."""
    live = QuarterlyReport.objects.filter(unit=OuterRef("pk"), year=year, quarter=quarter) \
        .exclude(status=QuarterlyReport.Status.CANCELLED)
    return list(reporting_units().filter(~Exists(live)).values_list("pk", flat=True))


def open_reports(*, unit_ids: list[int], year: int, quarter: int, by: User | None = None
                 ) -> tuple[int, list[str]]:
    """Open the quarter's report of each of these units in one transaction; returns (opened,
    problems). A unit already opened is skipped, and so is a chain gap (named in problems).

    Writes what ``open_report`` writes for each unit — QuarterlyReportFlow.start, then its
    draft step assigned to the unit head (the same rows: process, tasks and their link,
    report, grants, audit events in the same order) — in a fixed number of queries for the
    whole batch instead of some thirty per unit. tests/test_open_quarter_batched.py compares
    both, row by row.
    """
    if _viewflow_listens():
        return _open_one_by_one(unit_ids, year, quarter, by)
    for attempt in range(1, RACE_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                return _open_batch(unit_ids, year, quarter, by)
        except IntegrityError:
            # another worker (or a unit head, by hand) opened one of these units between our
            # look and our insert: look again, it is skipped now
            if attempt == RACE_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _viewflow_listens() -> bool:
    """Whether something listens to viewflow's signals of this flow (a timer on a step does):
    the batch writes the rows without sending them, so then it opens unit by unit."""
    return any(signal.has_listeners(QuarterlyReportFlow)
               for signal in (task_started, task_finished, flow_started))


def _open_one_by_one(unit_ids, year, quarter, by) -> tuple[int, list[str]]:
    opened, problems = 0, []
    for unit in reporting_units().filter(pk__in=unit_ids):
        try:
            opened += open_report(unit=unit, year=year, quarter=quarter, by=by) is not None
        except chain.ChainGap as gap:
            problems.append(str(gap))
            logger.warning("Quarterly report not opened: %s", gap)
    return opened, problems


def _open_batch(unit_ids, year, quarter, by) -> tuple[int, list[str]]:
    live = QuarterlyReport.objects.filter(unit_id__in=unit_ids, year=year, quarter=quarter) \
        .exclude(status=QuarterlyReport.Status.CANCELLED).values_list("unit_id", flat=True)
    # in the org chart's order, as every batch: two batches with units in common insert
    # their reports in the same order, so one waits for the other instead of a deadlock
    units = list(reporting_units().filter(pk__in=unit_ids).exclude(pk__in=live))
    who = chain.Snapshot(units)
    openings, problems = [], []
    for unit in units:
        try:
            assignee = who.unit_head_assignee(unit)
        except chain.ChainGap as gap:
            problems.append(str(gap))
            logger.warning("Quarterly report not opened: %s", gap)
            continue
        openings.append(services.Opening(
            unit=unit, process=QuarterlyReportFlow.process_class(flow_class=QuarterlyReportFlow),
            owner=assignee.user, on_behalf_of=assignee.on_behalf_of))
    if not openings:
        return 0, problems
    flow, Task = QuarterlyReportFlow.instance, QuarterlyReportFlow.task_class
    ReportProcess.objects.bulk_create([o.process for o in openings])
    # as StartHandle.run does: its own task, done; then the draft step, assigned to the head
    # (or whoever acts for them) as ChainFlowMixin.assign does, and linked to the start
    tasks = []
    for o in openings:
        start = Task(flow_task=flow.start, flow_task_type=flow.start.task_type,
                     process=o.process, started=timezone.now())
        start.status, start.finished = STATUS.DONE, timezone.now()
        draft = Task(flow_task=flow.draft, flow_task_type=flow.draft.task_type,
                     process=o.process, token=start.token, owner=o.owner, status=STATUS.ASSIGNED,
                     data={"on_behalf_of": o.on_behalf_of.pk if o.on_behalf_of else None})
        tasks += [start, draft]
    Task.objects.bulk_create(tasks)
    Task.previous.through.objects.bulk_create(
        Task.previous.through(from_task_id=draft.pk, to_task_id=start.pk)
        for start, draft in zip(tasks[::2], tasks[1::2], strict=True))
    reports = services.reports_open(openings=openings, year=year, quarter=quarter, by=by,
                                    step=flow.draft.name, deadline=steps.of(flow.draft).deadline,
                                    who=who)
    # as ChainView's on-create does: each head hears of their new task at once
    drafts = tasks[1::2]
    notifications.tasks_announce(
        notifications.Announcement(
            owner=o.owner, record=report, task=draft.pk, step=str(flow.draft.task_title),
            url=flow.draft.reverse("execute", args=[o.process.pk, draft.pk]),
            due=report.step_due, on_behalf_of=o.on_behalf_of)
        for o, report, draft in zip(openings, reports, drafts, strict=True))
    return len(openings), problems


def open_quarter(*, year: int, quarter: int, by: User | None = None) -> tuple[int, list[str]]:
    """Open the quarter's report for every reporting unit, a batch of CHUNK_UNITS at a time
    (the Celery task spreads the batches over the workers instead); returns (opened,
    problems)."""
    opened, problems = 0, []
    unit_ids = units_to_open(year=year, quarter=quarter)
    for first in range(0, len(unit_ids), CHUNK_UNITS):
        count, found = open_reports(unit_ids=unit_ids[first:first + CHUNK_UNITS], year=year,
                                    quarter=quarter, by=by)
        opened += count
        problems += found
    return opened, problems


# -- the leaders' annual reports ---------------------------------------------------------------

def annual_opening_day(year: int) -> datetime.date:
    """The day a year's annual reports open: the first working day of the next January
    (never New Year's Day, even in a year whose holidays are not entered)."""
    first = datetime.date(year + 1, 1, 2)
    calendar = Calendar(first, first + datetime.timedelta(days=20))
    while not calendar.is_workday(first):
        first += datetime.timedelta(days=1)
    return first


def open_annual_reports(*, year: int, by: User | None = None) -> tuple[int, list[str]]:
    """Open ``year``'s annual report for every member of each bureau's leadership group on
    the opening day (annual_opening_day): who joins the group later reports the next year,
    who left it before reports no more. A leader who has one for the year already (even a
    cancelled one) is skipped, so running it again opens nothing new. Returns (opened,
    problems)."""
    day = annual_opening_day(year)
    had = set(AnnualReport.objects.filter(year=year).values_list("leader_id", flat=True))
    opened, problems = 0, []
    for bureau in Unit.objects.filter(kind=Unit.Kind.BUREAU, is_active=True).order_by("pk"):
        for leader in chain.holders(bureau, Post.Role.LEADER, day):
            if leader.pk in had:
                continue
            try:
                with transaction.atomic():
                    AnnualReportFlow.start.run(leader=leader, unit=bureau, year=year, by=by,
                                               day=day)
            except chain.ChainGap as gap:
                problems.append(str(gap))
                logger.warning("Annual report not opened: %s", gap)
                continue
            except IntegrityError:
                continue  # another worker opened it between our look and our insert
            had.add(leader.pk)
            opened += 1
    return opened, problems
