"""Working days (工作日) with China's holidays and shifted working days (调休).

chinese-calendar knows 2004–2026 and raises ``NotImplementedError`` beyond; for
such years the fallback is Monday–Friday, corrected by the administrator's
``WorkdayOverride`` rows (which also win over the library for any year).
"""

from __future__ import annotations

import datetime

import chinese_calendar

from .models import WorkdayOverride

ONE_DAY = datetime.timedelta(days=1)


class Calendar:
    """Answers "is this a working day" for a window of dates with one query."""

    def __init__(self, start: datetime.date, end: datetime.date):
        self.overrides = dict(
            WorkdayOverride.objects.filter(date__range=(start, end)).values_list(
                "date", "is_workday"
            )
        )

    def is_workday(self, day: datetime.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            return day.weekday() < 5


def is_workday(day: datetime.date) -> bool:
    return Calendar(day, day).is_workday(day)


def _plus(day: datetime.date, days: int) -> datetime.date:
    """``day`` plus ``days``, or the calendar's last day if that is beyond it."""
    try:
        return day + datetime.timedelta(days=days)
    except OverflowError:
        return datetime.date.max


def add_working_days(start: datetime.date, count: int) -> datetime.date:
    """The ``count``-th working day after ``start`` (``start`` itself not counted); the
    calendar's last day when that lies beyond it (never an overflow)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    # Long holidays (Spring Festival) fit easily in a window of twice the span plus a month.
    calendar = Calendar(start, _plus(start, count * 3 + 60))
    day, counted = start, 0
    while counted < count:
        if day == datetime.date.max:
            return day
        day += ONE_DAY
        if calendar.is_workday(day):
            counted += 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end <= start``)."""
    if end <= start:
        return 0
    calendar = Calendar(start, end)
    day, counted = start, 0
    while day < end:
        day += ONE_DAY
        counted += calendar.is_workday(day)
    return counted


def quarter_end(year: int, quarter: int) -> datetime.date:
    if quarter == 4:
        return datetime.date(year, 12, 31)
    return datetime.date(year, quarter * 3 + 1, 1) - ONE_DAY


def last_finished_quarter(today: datetime.date) -> tuple[int, int]:
    quarter = (today.month - 1) // 3 + 1
    return (today.year - 1, 4) if quarter == 1 else (today.year, quarter - 1)
