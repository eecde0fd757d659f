"""Reads for report pages: fixed query counts, filtered by who may see what."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from accounts import chain
from accounts.models import Unit, User

from .models import QuarterlyReport
from .permissions import sees_everything, visible


def report_list(user: User, *, year=None, quarter=None, status=None, unit=None,
                overdue=False) -> QuerySet[QuarterlyReport]:
    reports = visible(user, QuarterlyReport).select_related("unit")
    if year:
        reports = reports.filter(year=year)
    if quarter:
        reports = reports.filter(quarter=quarter)
    if status:
        reports = reports.filter(status=status)
    if unit:
        reports = reports.filter(unit__code=unit)
    if overdue:
        reports = reports.filter(status__in=QuarterlyReport.OPEN_STATUSES,
                                 step_due_date__lt=timezone.localdate())
    return reports.order_by("-year", "-quarter", "unit__order", "unit__code")


def board_units(user: User, day: datetime.date | None = None) -> list[Unit]:
    """The units on a user's board: those they oversee; every unit for the secretary and committee."""
    if sees_everything(user):
        return list(Unit.objects.filter(is_active=True).exclude(kind=Unit.Kind.BUREAU))
    return chain.units_overseen_by(user, day)


def board(user: User, year: int, quarter: int) -> list[tuple[Unit, QuarterlyReport | None]]:
    """Units × that quarter's report, for the leader's board."""
    units = board_units(user)
    reports = {
        r.unit_id: r
        for r in QuarterlyReport.objects.filter(unit__in=units, year=year, quarter=quarter)
        .exclude(status=QuarterlyReport.Status.CANCELLED)
    }
    return [(unit, reports.get(unit.pk)) for unit in units]
