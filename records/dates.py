"""Dates people type, bounded around today.

A planned completion date or a new deadline of 9999-12-31 would put an item beyond any
calendar (and, before this, overflowed the working-day arithmetic on every page that
showed it). Dates ahead are accepted up to YEARS_AHEAD years from today; dates of things
that happened, from EARLIEST on. The messages say the range.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

EARLIEST = datetime.date(2000, 1, 1)
YEARS_AHEAD = 3


def latest(today: datetime.date | None = None) -> datetime.date:
    """The last date accepted ahead: YEARS_AHEAD years from today."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def check_ahead(value: datetime.date, field: str) -> None:
    """A date to come (a plan, a deadline): no later than ``latest()``."""
    if value > latest():
        raise ValidationError({field: _(
            "%(date)s is too far ahead: choose a date no later than %(latest)s (%(years)s "
            "years from today).") % {"date": value, "latest": latest(), "years": YEARS_AHEAD}})


def check_past(value: datetime.date, field: str) -> None:
    """A date something happened: from EARLIEST to today."""
    if value < EARLIEST:
        raise ValidationError({field: _("%(date)s is too early: choose a date from %(earliest)s "
                                        "on.") % {"date": value, "earliest": EARLIEST}})
