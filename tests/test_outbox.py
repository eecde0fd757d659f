"""The outbox: emails whose job never reached a worker are sent all the same, once.

A delivery is written with its notification and its job published when the transaction
commits; the sweep on beat enqueues again the pending deliveries whose job is long
overdue. These tests run the sweep and the jobs in this process (eagerly) with the clock
moved on; tests/test_worker_reliability.py kills real processes and workers on Redis.
"""

import datetime
import os
import runpy
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Unit, User
from config.celery import app
from records import tasks as record_tasks
from records.audit import verify
from records.models import AuditEvent, Delivery, Notification
from records.notifications import EmailChannel, delivery_resend_stale, notify

from .conftest import race

MINUTE = datetime.timedelta(minutes=1)


def lost_delivery(username="head_sanitation"):
    """A notification committed with its email, whose job was never published."""
    with mock.patch.object(record_tasks.deliver, "delay") as publish, \
            TestCase.captureOnCommitCallbacks(execute=True):
        notify(recipients=[User.objects.get(username=username)],
               kind=Notification.Kind.ASSIGNED, record=Unit.objects.get(code="sanitation"),
               title="请审核履责情况汇报")
    assert publish.called
    return Delivery.objects.get(notification__recipient__username=username)


def minutes_later(minutes):
    """The clock moved on by this many minutes, for the sweep and the jobs."""
    return mock.patch("records.notifications.timezone.now",
                      return_value=timezone.now() + minutes * MINUTE)


def resends(delivery):
    return AuditEvent.objects.filter(action="delivery.resend", target_type="records.delivery",
                                     target_id=str(delivery.pk))


def sweep(*, minutes_on, callbacks):
    """The sweep, run that many minutes from now; its jobs run (eagerly) when it commits."""
    with minutes_later(minutes_on), callbacks(execute=True):
        return delivery_resend_stale()


def test_an_email_whose_job_was_lost_goes_out_once_a_few_minutes_later(
        bureau, django_capture_on_commit_callbacks, settings):
    settings.DELIVERY_RESEND_AFTER_MINUTES = 5
    delivery = lost_delivery()

    assert sweep(minutes_on=4, callbacks=django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []  # its job may still be on its way

    assert sweep(minutes_on=6, callbacks=django_capture_on_commit_callbacks) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["head_sanitation@dutychain.test"]
    assert "请审核履责情况汇报" in mail.outbox[0].subject
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 1

    # later sweeps leave it alone
    assert sweep(minutes_on=30, callbacks=django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 1
    event = resends(delivery).get()
    assert event.actor is None and event.data["channel"] == "email"
    assert verify()[1] is None


def test_a_resent_email_whose_late_job_then_arrives_goes_out_once(
        bureau, django_capture_on_commit_callbacks):
    delivery = lost_delivery()
    assert sweep(minutes_on=10, callbacks=django_capture_on_commit_callbacks) == 1
    assert len(mail.outbox) == 1

    assert record_tasks.deliver.apply(args=[delivery.pk]).result is False  # the original, late
    assert len(mail.outbox) == 1


def test_an_email_that_failed_for_good_or_was_sent_is_not_resent(
        bureau, django_capture_on_commit_callbacks):
    failed, sent = lost_delivery("head_sanitation"), lost_delivery("head_legal")
    Delivery.objects.filter(pk=failed.pk).update(status=Delivery.Status.FAILED,
                                                 last_error="SMTPRecipientsRefused")
    Delivery.objects.filter(pk=sent.pk).update(status=Delivery.Status.SENT,
                                               sent_at=timezone.now())

    assert sweep(minutes_on=60, callbacks=django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action="delivery.resend").exists()


def retry_later(*, exc, countdown, **_):
    """Celery's retry, minus running it at once (as an eager job would)."""
    raise Retry(exc=exc, when=countdown)


def test_an_email_waiting_for_its_retry_is_resent_only_once_the_retry_is_overdue(
        bureau, django_capture_on_commit_callbacks, settings):
    settings.DELIVERY_RESEND_AFTER_MINUTES = 5
    delivery = lost_delivery()
    # its tenth attempt failed: the retry after it waits up to 512 s (a little over 8 minutes)
    with mock.patch.object(record_tasks.deliver, "max_retries", 10), \
            mock.patch.object(record_tasks.deliver, "retry", side_effect=retry_later), \
            mock.patch.object(EmailChannel, "send", side_effect=OSError("mail server down")):
        assert record_tasks.deliver.apply(args=[delivery.pk], retries=9).state == "RETRY"
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 1

    # past the window since it was written, but its retry is due only after 8½ minutes
    assert sweep(minutes_on=6, callbacks=django_capture_on_commit_callbacks) == 0
    assert sweep(minutes_on=12, callbacks=django_capture_on_commit_callbacks) == 0
    # the retry never came: 512 s and the 5-minute window later, the sweep sends it
    assert sweep(minutes_on=14, callbacks=django_capture_on_commit_callbacks) == 1
    assert len(mail.outbox) == 1


def test_a_sweep_costs_the_same_queries_for_one_lost_email_and_for_ten(
        bureau, django_capture_on_commit_callbacks, settings):
    settings.DELIVERY_RESEND_AFTER_MINUTES = 5
    people = list(User.objects.exclude(email="").order_by("pk")[:11])
    lost_delivery(people[0].username)
    with minutes_later(10), django_capture_on_commit_callbacks() as one_sweep, \
            CaptureQueriesContext(connection) as one:
        assert delivery_resend_stale() == 1
    for person in people[1:]:
        lost_delivery(person.username)
    # (the first one's new job is due from minute 10 on: not overdue enough at minute 14)
    with minutes_later(14), django_capture_on_commit_callbacks() as ten_sweep, \
            CaptureQueriesContext(connection) as ten:
        assert delivery_resend_stale() == 10
    # a savepoint (the test's transaction around it); the stale deliveries, locked (FOR
    # UPDATE SKIP LOCKED); their jobs marked due now; PostgreSQL's advisory lock on the audit
    # trail, its last hash, the events; the savepoint's release
    assert len(ten) == len(one) == (7 if connection.vendor == "postgresql" else 6)
    assert (len(one_sweep), len(ten_sweep)) == (1, 10)  # one job each, on commit


def test_the_sweep_reads_only_pending_deliveries_through_their_index(bureau):
    if connection.vendor != "postgresql":
        pytest.skip("reads PostgreSQL's query plan")
    query = (Delivery.objects.filter(status=Delivery.Status.PENDING,
                                     job_due_at__lt=timezone.now())
             .order_by("job_due_at").values("pk")[:2000])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the plan it would take on a big table
        plan = query.explain()
    assert "delivery_pending_job_due" in plan, plan


# -- races (PostgreSQL: row locks) ------------------------------------------------------------


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks")


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_resend_a_lost_email_once(bureau, postgres_only):
    delivery = lost_delivery()
    Delivery.objects.filter(pk=delivery.pk).update(job_due_at=timezone.now() - 10 * MINUTE)

    with mock.patch.object(record_tasks.deliver, "apply_async") as publish:
        first, second = race(delivery_resend_stale, delivery_resend_stale)

    assert sorted([first, second]) == [0, 1]
    publish.assert_called_once_with((delivery.pk,), queue=None)
    assert resends(delivery).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_sweep_leaves_alone_an_email_being_sent_right_now(bureau, postgres_only):
    delivery = lost_delivery()
    Delivery.objects.filter(pk=delivery.pk).update(job_due_at=timezone.now() - 10 * MINUTE)

    def sweep_while_the_job_holds_the_row():
        with transaction.atomic():
            Delivery.objects.select_for_update().get(pk=delivery.pk)  # deliver_now's lock
            with mock.patch.object(record_tasks.deliver, "apply_async") as publish:
                return race(delivery_resend_stale)[0], publish.called

    assert sweep_while_the_job_holds_the_row() == (0, False)
    assert not resends(delivery).exists()


@pytest.mark.django_db(transaction=True)
def test_a_sweep_racing_the_late_original_job_sends_the_email_once(bureau, postgres_only):
    delivery = lost_delivery()
    Delivery.objects.filter(pk=delivery.pk).update(job_due_at=timezone.now() - 10 * MINUTE)

    # the sweep's job runs (eagerly) as soon as the sweep commits, the original at any moment
    resent, original = race(delivery_resend_stale,
                            lambda: record_tasks.deliver.apply(args=[delivery.pk]).result)

    # the sweep resent it, or found the job sending it (row locked) or done with it
    assert resent == resends(delivery).count() in (0, 1)
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 1


# -- configuration ----------------------------------------------------------------------------


def test_beat_runs_the_sweep_every_minute():
    entry = app.conf.beat_schedule["resend-deliveries"]
    assert entry["task"] == "records.tasks.resend_deliveries" and entry["schedule"] == 60.0
    assert record_tasks.resend_deliveries.name in app.tasks


def settings_with(**env):
    with mock.patch.dict(os.environ, env):
        return runpy.run_path(str(django_settings.BASE_DIR / "config" / "settings.py"))


def longest_retry_wait():
    return max(record_tasks.longest_retry_wait(task, retries)
               for task in app.tasks.values() if isinstance(task, record_tasks.RecordedTask)
               for retries in range(task.max_retries))


def test_on_redis_a_killed_workers_job_comes_back_in_minutes_not_in_an_hour():
    options = settings_with(CELERY_BROKER_URL="redis://redis:6379/0")[
        "CELERY_BROKER_TRANSPORT_OPTIONS"]
    assert options["visibility_timeout"] == 300
    # a job is held, unacknowledged, for its retry's wait and its run: the timeout leaves
    # room for both (the city's morning reminder sweep takes about 30 s), or it runs twice
    assert options["visibility_timeout"] >= longest_retry_wait() + 120
    assert settings_with(CELERY_BROKER_URL="redis://redis:6379/0",
                         CELERY_VISIBILITY_TIMEOUT="900")[
        "CELERY_BROKER_TRANSPORT_OPTIONS"] == {"visibility_timeout": 900}
    # RabbitMQ has no such timeout: a dead worker's connection gives its jobs back at once
    assert settings_with(CELERY_BROKER_URL="amqp://rabbit//")[
        "CELERY_BROKER_TRANSPORT_OPTIONS"] == {}
