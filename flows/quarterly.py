"""Quarterly report (季度履责汇报), seed duty 6: unit head → supervising leader."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.signals import flow_started, task_finished, task_started
from viewflow.workflow.status import STATUS

from accounts import chain
from accounts.models import Unit, User
from records.models import QuarterlyReport
from records.services import reports as services

from . import views
from .base import ChainFlowMixin, on_behalf_of
from .models import ReportProcess
from .nodes import ChainView, End, StartHandle, Switch

logger = logging.getLogger(__name__)
# units opened in one transaction (one Celery job): a few hundred milliseconds of work, so
# that two workers share a city's quarter evenly and a retry redoes little
CHUNK_UNITS = 100
RACE_ATTEMPTS = 5


class QuarterlyReportFlow(ChainFlowMixin, flow.Flow):
    """Quarterly report

    A unit reports each quarter on its main responsibility to the leader who
    oversees it; the leader signs it off or returns it with an opinion.
    """

    detail_url = "reports:detail"
    process_class = ReportProcess
    record_model = QuarterlyReport
    process_title = _("Quarterly report")
    process_description = _("A unit's quarterly report to its supervising leader.")

    start = StartHandle(this.start_report).Annotation(title=pgettext_lazy("report", "Open")).Next(this.draft)

    draft = (
        ChainView(views.DraftView.as_view())
        .Annotation(title=_("Draft and submit"))
        .Assign(this.assign_unit_head)
        .Holders(this.unit_head)
        .onCreate(this.on_task_created)
        .Next(this.review)
    )

    review = (
        ChainView(views.ReviewView.as_view())
        .Annotation(title=_("Review"))
        .Assign(this.assign_review)
        .Holders(this.reviewers)
        .onCreate(this.on_task_created)
        .Next(this.is_signed_off)
    )

    # signed off → archived; agreed at a lower level → the next level reviews; returned → draft
    is_signed_off = (
        Switch()
        .Annotation(title=_("Signed off?"))
        .Case(this.end, this.signed_off)
        .Case(this.review, this.passed_up)
        .Default(this.draft)
    )

    end = End().Annotation(title=_("Archived"))

    def start_report(self, activation, unit: Unit, year: int, quarter: int, by: User | None):
        activation.process.save()
        services.report_create(unit=unit, year=year, quarter=quarter,
                               process=activation.process, by=by)
        return activation.process

    def assign_unit_head(self, activation) -> User:
        return self.assign(activation, chain.unit_head_assignee(activation.process.report.unit))

    def assign_review(self, activation) -> User:
        return self.assign_reviewer(activation, "review")

    def on_task_created(self, activation):
        task = activation.task
        services.report_step_started(report=activation.process.report, step=task.flow_task.name,
                                     owner=task.owner, on_behalf_of=on_behalf_of(task))

    def signed_off(self, activation) -> bool:
        return self.status_of(activation.process) == QuarterlyReport.Status.SIGNED_OFF

    def passed_up(self, activation) -> bool:
        return self.status_of(activation.process) == QuarterlyReport.Status.SUBMITTED


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
    services.reports_open(openings=openings, year=year, quarter=quarter, by=by,
                          step=flow.draft.name, who=who)
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
