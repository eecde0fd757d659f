"""The Celery app: everything that is not a user's click runs here."""

import os
import time
import uuid

from celery import Celery
from celery.schedules import crontab
from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("dutychain")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "fire-workflow-timers": {
        "task": "flows.tasks.fire_timers",
        "schedule": 60.0,
    },
    # The outbox: deliveries (emails …) whose job never reached a worker, enqueued again
    # once their job is DELIVERY_RESEND_AFTER_MINUTES overdue.
    "resend-deliveries": {
        "task": "records.tasks.resend_deliveries",
        "schedule": 60.0,
    },
    # Reminders and escalations: every quarter of an hour, so a deadline set during
    # the day is acted on the same day; the sweep does nothing on days off and
    # notifies nobody twice on the same day.
    "remind": {
        "task": "flows.tasks.remind",
        "schedule": crontab(minute="*/15"),
    },
    # Just after midnight: posts, oversight and delegations that start today or ended
    # yesterday take effect on who may see what.
    "rederive-grants": {
        "task": "flows.tasks.rederive_grants_for_today",
        "schedule": crontab(minute=5, hour=0),
    },
    # Every working day at 06:00: opens the last finished quarter's reports on
    # the first working day of a quarter; a no-op on every other day.
    "open-quarter": {
        "task": "flows.tasks.open_quarter_if_due",
        "schedule": crontab(minute=0, hour=6),
    },
    # Every morning at 06:05: opens the leaders' annual reports of the year just ended on
    # the first working day of January (made up later if missed); a no-op otherwise.
    "open-annual-reports": {
        "task": "flows.tasks.open_annual_reports_if_due",
        "schedule": crontab(minute=5, hour=6),
    },
    # Each night at 02:30: the computed scores of the year-end assessments still preparing,
    # from the records up to their cut-off date (frozen once an assessment opens).
    "assessments-nightly": {
        "task": "records.tasks.assessments_nightly",
        "schedule": crontab(minute=30, hour=2),
    },
}


class _AtomicFilesystemChannel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        """Write the message under a name no reader looks for, then rename it into place.

        kombu's own _put creates the message file first and writes it after: a worker
        polling in between reads it empty, fails to decode it and the job is lost.
        A rename within one folder is atomic.
        """
        name = f"{int(round(time.monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        path = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.partial")
        try:
            with open(partial, "wb") as message:
                message.write(str_to_bytes(dumps(payload)))
            os.replace(partial, path)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {path!r} to directory") from exc


class AtomicFilesystemTransport(filesystem.Transport):
    """The filesystem broker (the default, needing no server), without its lost-message race."""

    Channel = _AtomicFilesystemChannel


def load_publishing() -> None:
    """Load what sending a job needs (the message protocol, the broker's client library),
    so that a web worker's first click that notifies someone does not pay for those imports
    (about a tenth of a second); connects to nothing. Called by the WSGI entry points."""
    import celery.events  # noqa: F401  (loaded by the first publish otherwise)

    connection = app.connection_for_write()
    try:
        connection.transport  # noqa: B018  (the transport's module: redis-py for Redis)
    finally:
        connection.release()
    app.amqp.router  # noqa: B018
