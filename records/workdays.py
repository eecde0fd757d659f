"""Working days (工作日) with China's holidays and shifted working days (调休).

Three sources, in this order: the administrator's ``WorkdayOverride`` rows (which win
over everything), chinese-calendar for the years its data covers (2004–2026 in 1.11:
read from the library at run time, so a newer release extends it with no change here),
and Monday–Friday for any other day.

A year is *known* when the library covers it or when an administrator has confirmed its
arrangement (``CalendarYear``: the State Council publishes each next year's holidays
around November). Monday–Friday in a year that is not known is a guess: automatic work
waits in such a year (flows/reminders.py, flows/tasks.py), and a deadline counted into it
during someone's click is marked provisional wherever it is shown, until the year is
entered and the deadline recounted (records/services/calendar.py).
"""

from __future__ import annotations

import datetime
from functools import cache as remember

import chinese_calendar
from django.core.cache import cache
from django.db import transaction

from .models import CalendarYear, WorkdayOverride

ONE_DAY = datetime.timedelta(days=1)
# the confirmed years, shared by the requests of a process for a minute (the banner, the
# provisional marks of a list, the sweep ask it often; it changes a few times a year)
CONFIRMED_KEY = "workdays:confirmed-years"
CONFIRMED_SECONDS = 60
# from this month on, next year's arrangement is due (the notice comes out around November)
NEXT_YEAR_DUE_MONTH = 11


@remember
def library_years() -> range:
    """The years chinese-calendar has data for."""
    days = chinese_calendar.holidays
    return range(min(days).year, max(days).year + 1)


def confirmed_years() -> frozenset[int]:
    """The years an administrator has confirmed (one small query a minute per process)."""
    years = cache.get(CONFIRMED_KEY)
    if years is None:
        years = frozenset(CalendarYear.objects.values_list("year", flat=True))
        cache.set(CONFIRMED_KEY, years, CONFIRMED_SECONDS)
    return years


def forget_confirmed_years() -> None:
    """A year was confirmed: read them again now, and once more when the change commits (a
    request reading in between would otherwise keep the old answer for a minute)."""
    cache.delete(CONFIRMED_KEY)
    transaction.on_commit(lambda: cache.delete(CONFIRMED_KEY))


def is_known(year: int) -> bool:
    """Whether the year's holidays are known: from the library or confirmed by an administrator."""
    return year in library_years() or year in confirmed_years()


def unknown_years(start: datetime.date, end: datetime.date) -> list[int]:
    """The years from ``start`` to ``end`` (both included) that are not known."""
    return [year for year in range(start.year, end.year + 1) if not is_known(year)]


def years_due(today: datetime.date) -> list[int]:
    """The years whose arrangement must be known by ``today``: this year, and from
    1 November next year too."""
    return [today.year] + ([today.year + 1] if today.month >= NEXT_YEAR_DUE_MONTH else [])


def missing_years(today: datetime.date) -> list[int]:
    """The years the administrators must enter now (see ``years_due``)."""
    return [year for year in years_due(today) if not is_known(year)]


def is_provisional(day: datetime.date | None) -> bool:
    """Whether a deadline counted in working days to ``day`` is a Monday–Friday guess."""
    return day is not None and not is_known(day.year)


class Calendar:
    """Answers "is this a working day" for a window of dates with one query (and one more
    each time a day outside the window is asked about)."""

    def __init__(self, start: datetime.date, end: datetime.date):
        self.start, self.end = start, end
        self.overrides = self._read(start, end)

    @staticmethod
    def _read(start: datetime.date, end: datetime.date) -> dict[datetime.date, bool]:
        return dict(WorkdayOverride.objects.filter(date__range=(start, end))
                    .values_list("date", "is_workday"))

    def _cover(self, day: datetime.date) -> None:
        margin = datetime.timedelta(days=60)
        if day < self.start:
            self.overrides.update(self._read(day - margin, self.start - ONE_DAY))
            self.start = day - margin
        elif day > self.end:
            self.overrides.update(self._read(self.end + ONE_DAY, day + margin))
            self.end = day + margin

    def is_workday(self, day: datetime.date) -> bool:
        if not self.start <= day <= self.end:
            self._cover(day)
        if day in self.overrides:
            return self.overrides[day]
        if day.year in library_years():
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5


def is_workday(day: datetime.date) -> bool:
    return Calendar(day, day).is_workday(day)


def _plus(day: datetime.date, days: int) -> datetime.date:
    """``day`` plus ``days``, or the calendar's last day if that is beyond it."""
    try:
        return day + datetime.timedelta(days=days)
    except OverflowError:
        return datetime.date.max


def add_working_days(start: datetime.date, count: int, calendar: Calendar | None = None
                     ) -> datetime.date:
    """The ``count``-th working day after ``start`` (``start`` itself not counted); the
    calendar's last day when that lies beyond it (never an overflow).

    ``calendar``: one already read, when many deadlines are counted at once.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    # Long holidays (Spring Festival) fit easily in a window of twice the span plus a month.
    calendar = calendar or Calendar(start, _plus(start, count * 3 + 60))
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
