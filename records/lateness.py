"""Repeated lateness: units with overdue items in two consecutive quarters, flagged for a
formal talk (约谈) on the committee's dashboard."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import Unit

from .models import Problem, QuarterlyReport


def quarter_of(day: datetime.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def previous(quarter: tuple[int, int]) -> tuple[int, int]:
    year, q = quarter
    return (year - 1, 4) if q == 1 else (year, q - 1)


def late_quarters(today: datetime.date) -> dict[int, set[tuple[int, int]]]:
    """unit id → the quarters whose deadlines it missed (a miss counts in the quarter the
    deadline fell in); three queries."""
    late = defaultdict(set)
    reports = QuarterlyReport.objects.exclude(status=QuarterlyReport.Status.CANCELLED).annotate(
        submitted_on=TruncDate("submitted_at"))
    for unit_id, due in reports.filter(
        Q(status__in=QuarterlyReport.OPEN_STATUSES, due_date__lt=today, submitted_at__isnull=True)
        | Q(submitted_on__gt=F("due_date"))
    ).values_list("unit_id", "due_date"):
        late[unit_id].add(quarter_of(due))
    # a problem counts against the deadline first approved, as assessment rules do
    problems = Problem.objects.annotate(closed_on=TruncDate("closed_at"))
    for unit_id, due in problems.filter(
        status__in=Problem.OPEN_STATUSES, due_date__lt=today).values_list("unit_id", "due_date"):
        late[unit_id].add(quarter_of(due))
    for unit_id, due in problems.filter(
        Q(closed_on__gt=F("approved_date"))
        | Q(status__in=Problem.OPEN_STATUSES, approved_date__lt=today)
    ).values_list("unit_id", "approved_date"):
        late[unit_id].add(quarter_of(due))
    return late


def repeatedly_late(today: datetime.date | None = None) -> list[tuple[Unit, list[tuple[int, int]]]]:
    """Units late in this quarter and the last, or in the two quarters before this one."""
    today = today or timezone.localdate()
    this = quarter_of(today)
    last = previous(this)
    windows = [(last, this), (previous(last), last)]
    flagged = {}
    for unit_id, quarters in late_quarters(today).items():
        for earlier, later in windows:
            if earlier in quarters and later in quarters:
                flagged[unit_id] = [earlier, later]
                break
    units = Unit.objects.in_bulk(flagged)
    return sorted(((units[pk], qs) for pk, qs in flagged.items()),
                  key=lambda row: (row[0].order, row[0].code))
