"""The flows' background work on Celery: timers, opening quarters, reminders, grants.

Every job is acknowledged late, retried with backoff, safe to run twice, and recorded as a
``FailedJob`` when it fails for good (records.tasks.RecordedTask).
"""

import datetime
from functools import partial

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from viewflow.workflow.timers import fire_due_conditions, fire_due_timers

from records.tasks import RETRY, RecordedTask
from records.workdays import Calendar, last_finished_quarter


@shared_task(base=RecordedTask, **RETRY)
def fire_timers() -> int:
    """Fire viewflow's due database timers; each is re-checked under its process lock."""
    return fire_due_timers() + fire_due_conditions()


@shared_task(base=RecordedTask, **RETRY)
def open_quarter(year: int, quarter: int, queue: str | None = None) -> int:
    """Open a quarter's reports for every unit: one ``open_reports`` job per chunk of units
    still to open, enqueued on commit, so that the workers share them (on ``queue``, when
    given). Returns how many units it set out to open; running it twice opens nothing new."""
    from flows.opening import CHUNK_UNITS, units_to_open

    unit_ids = units_to_open(year=year, quarter=quarter)
    for first in range(0, len(unit_ids), CHUNK_UNITS):
        chunk = unit_ids[first:first + CHUNK_UNITS]
        transaction.on_commit(partial(open_reports.apply_async, (chunk, year, quarter),
                                      queue=queue))
    return len(unit_ids)


@shared_task(base=RecordedTask, **RETRY)
def open_reports(unit_ids: list[int], year: int, quarter: int) -> int:
    """Open the quarter's reports of these units in one transaction; a unit already opened
    (by an earlier run, or by another worker at the same moment) is skipped."""
    from flows.opening import open_reports as open_chunk

    opened, _problems = open_chunk(unit_ids=unit_ids, year=year, quarter=quarter)
    return opened


@shared_task(base=RecordedTask, **RETRY)
def open_quarter_if_due() -> int:
    """From the first working day of a quarter on, open the reports of the quarter just ended.

    Runs every morning; opening is idempotent, so a day the worker was down is
    made up the next morning instead of being lost. In a year whose holidays are not
    entered (today may be a public holiday, the deadlines would be guesses) it waits, and
    tells the administrators and the secretary what to enter; the first morning after they
    have, it opens the quarter.
    """
    from records.services.calendar import calendar_missing_notify, opening_waits_for

    today = timezone.localdate()
    year, quarter = last_finished_quarter(today)
    waiting = opening_waits_for(year=year, quarter=quarter, today=today)
    if waiting:
        calendar_missing_notify(today=today, years=waiting)
        return 0
    first = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    calendar = Calendar(first, today)
    days_so_far = (first + datetime.timedelta(days=n) for n in range((today - first).days + 1))
    if not any(calendar.is_workday(day) for day in days_so_far):
        return 0
    return open_quarter(year, quarter)


@shared_task(base=RecordedTask, **RETRY)
def open_annual_reports_if_due() -> int:
    """From the first working day of January on, open the annual reports of the year just
    ended (flows.opening.open_annual_reports: who is in each leadership group on that day).

    Runs every morning, like the quarter's opening: a day the worker was down is made up
    the next morning, and a run after the reports are open opens nothing. It waits, as
    the quarter's does, until the new year's holidays are entered.
    """
    from flows.opening import annual_opening_day, open_annual_reports
    from records.services.calendar import calendar_missing_notify
    from records.workdays import unknown_years

    today = timezone.localdate()
    year = today.year - 1
    waiting = unknown_years(datetime.date(today.year, 1, 1), today)
    if waiting:
        calendar_missing_notify(today=today, years=waiting)
        return 0
    if today < annual_opening_day(year):
        return 0
    opened, _problems = open_annual_reports(year=year)
    return opened


@shared_task(base=RecordedTask, **RETRY)
def remind() -> dict:
    """The reminder sweep (a no-op on days off); safe to run many times a day."""
    from flows.reminders import sweep

    return sweep()


@shared_task(base=RecordedTask, **RETRY)
def rederive_grants(unit_ids: list[int]) -> dict:
    """Bring the record grants of these units in line with today's org chart."""
    from flows.grants import rederive_for_units

    return rederive_for_units(unit_ids)


@shared_task(base=RecordedTask, **RETRY)
def rederive_grants_for_today() -> dict:
    """Each night: periods that start today or ended yesterday take effect on the grants."""
    from accounts.models import Delegation, Oversight, Post
    from flows.grants import rederive_for_units, subtree, units_of_people
    from records.services.accounts import account_sign_out_if_postless

    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    changing = {"valid_from": today}, {"valid_to": yesterday}
    units = set()
    for when in changing:
        units |= subtree(set(Oversight.objects.filter(**when).values_list("unit_id", flat=True)))
        units |= set(Post.objects.filter(**when).values_list("unit_id", flat=True))
        for absent, acting in Delegation.objects.filter(**when).values_list("absent_id",
                                                                            "acting_id"):
            units |= units_of_people({absent, acting})
    # a person whose last post ended yesterday is signed out everywhere this night
    for post in Post.objects.filter(valid_to=yesterday).select_related("user"):
        account_sign_out_if_postless(user=post.user, reason="post ended", post=post.pk)
    return rederive_for_units(sorted(units)) if units else {}
