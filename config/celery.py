"""The Celery app: everything that is not a user's click runs here."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("dutychain")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "fire-workflow-timers": {
        "task": "flows.tasks.fire_timers",
        "schedule": 60.0,
    },
    # Reminders and escalations: every quarter of an hour, so a deadline set during
    # the day is acted on the same day; the sweep does nothing on days off and
    # notifies nobody twice on the same day.
    "remind": {
        "task": "flows.tasks.remind",
        "schedule": crontab(minute="*/15"),
    },
    # Every working day at 06:00: opens the last finished quarter's reports on
    # the first working day of a quarter; a no-op on every other day.
    "open-quarter": {
        "task": "flows.tasks.open_quarter_if_due",
        "schedule": crontab(minute=0, hour=6),
    },
}
