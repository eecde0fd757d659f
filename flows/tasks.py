"""Background work on Celery: the timer sweep and the quarterly opening."""

import datetime

from celery import shared_task
from django.utils import timezone
from viewflow.workflow.timers import fire_due_conditions, fire_due_timers

from records.workdays import Calendar, last_finished_quarter


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def fire_timers() -> int:
    """Fire viewflow's due database timers; each is re-checked under its process lock."""
    return fire_due_timers() + fire_due_conditions()


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def open_quarter(year: int, quarter: int) -> int:
    """Open a quarter's reports for every unit; running it twice opens nothing new."""
    from flows.quarterly import open_quarter as open_all

    opened, _problems = open_all(year=year, quarter=quarter)
    return opened


@shared_task(acks_late=True)
def open_quarter_if_due() -> int:
    """From the first working day of a quarter on, open the reports of the quarter just ended.

    Runs every morning; opening is idempotent, so a day the worker was down is
    made up the next morning instead of being lost.
    """
    today = timezone.localdate()
    first = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    calendar = Calendar(first, today)
    days_so_far = (first + datetime.timedelta(days=n) for n in range((today - first).days + 1))
    if not any(calendar.is_workday(day) for day in days_so_far):
        return 0
    year, quarter = last_finished_quarter(today)
    return open_quarter(year, quarter)
