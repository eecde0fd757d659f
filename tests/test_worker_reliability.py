"""Background jobs that survive rollbacks, races, failures and a worker killed mid-job.

Deadlines only act if their jobs are reliable: a job enqueued by a transaction
that rolls back must never run, two sweeps running at once must notify and
email each person once, a due timer must fire once, a failing channel must be
retried and finally reported, a worker killed in the middle of a delivery
must leave it to be sent, once, by the next worker, and so must a whole worker
killed with it (within minutes, on Redis) or a process killed between its commit
and the publish of the email's job (by the outbox sweep).

Most tests use the in-process worker of tests/test_worker.py (a thread of this
process, on a queue of its own, locmem email in ``mail.outbox``). The kill tests
run a real prefork worker as a subprocess sharing the test database, so they,
and the races (which need row locks), run on PostgreSQL only.
"""

import datetime
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from unittest import mock

import pytest
from celery.signals import task_retry
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection, transaction
from viewflow.workflow.models import Task

from accounts.models import Unit, User
from config.celery import app
from demo.bureau import load_demo
from flows import tasks
from flows.opening import open_quarter
from flows.reminders import sweep
from records import tasks as record_tasks
from records.models import AuditEvent, Delivery, FailedJob, Notification
from records.notifications import EmailChannel, notify

from . import test_worker
from .conftest import QUARTER, YEAR, race
from .test_worker import WAIT, conf, delete_queue, drop_broker_connections, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

worker = test_worker.worker  # the in-process worker fixture, on a queue of the test's own

D = datetime.date
BASE_DIR = Path(django_settings.BASE_DIR)


@pytest.fixture
def demo(transactional_db):
    load_demo(password="demo-pass-123")


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: row locks, and a database another process can share")


def user(username):
    return User.objects.get(username=username)


def sent_count():
    return Delivery.objects.filter(status=Delivery.Status.SENT).count()


def deliveries_run(worker):
    return [run for run in worker.runs if run[0] == "records.tasks.deliver"]


# -- 1. a rolled-back transaction enqueues nothing -----------------------------------------


def test_a_delivery_from_a_rolled_back_transaction_never_runs_and_a_committed_one_runs_once(
        demo, worker):
    class Abandoned(Exception):
        pass

    sanitation = Unit.objects.get(code="sanitation")
    with pytest.raises(Abandoned), transaction.atomic():
        notify(recipients=[user("head_sanitation")], kind=Notification.Kind.ASSIGNED,
               record=sanitation, title="撤回的通知")
        assert Delivery.objects.count() == 1  # enqueued on commit, which never comes
        raise Abandoned
    assert not Notification.objects.exists() and not Delivery.objects.exists()

    # the same, committed: the worker sends it
    notify(recipients=[user("head_legal")], kind=Notification.Kind.ASSIGNED,
           record=Unit.objects.get(code="legal"), title="有效的通知")
    delivery = Delivery.objects.get()

    committed_run = ("records.tasks.deliver", [delivery.pk], "SUCCESS")
    assert wait_until(lambda: committed_run in deliveries_run(worker)), deliveries_run(worker)
    # the queue is first in, first out: a job of the rolled-back transaction would have
    # run before this one; wait a little longer for anything late all the same
    time.sleep(2)
    assert deliveries_run(worker) == [committed_run]
    assert sent_count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["head_legal@dutychain.test"]
    assert "有效的通知" in mail.outbox[0].subject


# -- 2. two reminder sweeps at once ---------------------------------------------------------


def test_two_reminder_sweeps_at_once_notify_and_email_each_person_once(
        demo, postgres_only, worker):
    opened, _problems = open_quarter(year=YEAR, quarter=QUARTER)
    assert opened == 10  # every unit's Q3 2026 report, each due on 20 October
    # each head was told of the new draft at once: those emails go out too
    announced = Delivery.objects.count()
    assert announced >= 9

    expected = 0
    for day, per_report in ((D(2026, 10, 20), 2), (D(2026, 10, 21), 4)):
        # due today: the head and their leader; overdue: the head, the secretary and
        # the two committee members
        first, second = race(lambda day=day: sweep(day), lambda day=day: sweep(day))
        made = sum(first.values()) + sum(second.values())
        assert made == 10 * per_report  # each notification made by exactly one of them
        assert Notification.objects.filter(day=day).count() == 10 * per_report
        expected += made

    assert wait_until(lambda: sent_count() == expected + announced, timeout=WAIT + 20)
    time.sleep(1)  # a duplicate job, if any, would arrive after the others
    assert expected == 60 and len(mail.outbox) == expected + announced
    sent = Counter((message.to[0], message.subject) for message in mail.outbox)
    assert max(sent.values()) == 1
    message_ids = Counter(message.extra_headers["Message-ID"] for message in mail.outbox)
    assert max(message_ids.values()) == 1
    runs = deliveries_run(worker)
    assert len(runs) == expected + announced
    assert all(state == "SUCCESS" for _, _, state in runs)
    assert Counter(recipient for recipient, _ in sent)["secretary@dutychain.test"] == 10


# -- 3. a due timer fires once with two timer sweeps at once ---------------------------------


def test_a_due_timer_fires_once_with_two_timer_sweeps_at_once(transactional_db, postgres_only):
    from flows.testing import TimerProbeFlow

    processes = [TimerProbeFlow.start.run() for _ in range(5)]
    timers = Task.objects.filter(flow_task=TimerProbeFlow.wait, status="SCHEDULED")
    assert timers.count() == 5  # due at once (the timer waits no time at all)

    first, second = race(tasks.fire_timers, tasks.fire_timers)

    assert first + second == 5
    assert not timers.exists()
    for process in processes:
        after = Task.objects.filter(process=process, flow_task=TimerProbeFlow.after)
        assert after.count() == 1
        assert Task.objects.filter(process=process, flow_task=TimerProbeFlow.wait,
                                   status="DONE").count() == 1
    assert tasks.fire_timers() == 0  # nothing left for the next sweep


# -- 4. failing channels are retried with backoff, then reported ----------------------------


def one_delivery():
    """A notification to the head of sanitation; its email is enqueued on commit."""
    notify(recipients=[user("head_sanitation")], kind=Notification.Kind.ASSIGNED,
           record=Unit.objects.get(code="sanitation"), title="一条通知")
    return Delivery.objects.get()


def pending_delivery():
    """The same, not enqueued: for a test to run its job by hand."""
    with mock.patch.object(record_tasks.deliver, "delay") as enqueue:
        delivery = one_delivery()
    enqueue.assert_called_once_with(delivery.pk)
    return delivery


def test_a_failing_channel_is_retried_with_growing_waits_then_marked_failed_for_the_admin(demo):
    delivery = pending_delivery()
    waits = []

    def retried(reason=None, **_):
        waits.append(reason.when)  # the seconds the retry waits before it runs

    task_retry.connect(retried, sender=record_tasks.deliver, weak=False)
    try:
        with mock.patch.object(EmailChannel, "send", side_effect=OSError("mail server down")), \
                mock.patch("celery.utils.time.random") as jitter:
            jitter.randrange.side_effect = lambda stop: stop - 1  # the longest wait: no jitter
            record_tasks.deliver.apply(args=[delivery.pk])  # eager: retries run at once, in turn
    finally:
        task_retry.disconnect(retried, sender=record_tasks.deliver)

    # five retries, each waiting twice as long as the one before; then it gives up
    assert waits == [1, 2, 4, 8, 16]
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == 6 and "mail server down" in delivery.last_error
    job = FailedJob.objects.get()
    assert job.task_name == "records.tasks.deliver" and job.args == [delivery.pk]
    assert "mail server down" in job.error


def test_a_delivery_on_its_last_retry_is_marked_failed_and_kept_as_a_failed_job(demo):
    delivery = pending_delivery()
    with mock.patch.object(EmailChannel, "send", side_effect=OSError("mailbox full")):
        record_tasks.deliver.apply(args=[delivery.pk], retries=record_tasks.deliver.max_retries)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED and "mailbox full" in delivery.last_error
    assert FailedJob.objects.get().args == [delivery.pk]


def test_the_worker_retries_a_delivery_whose_channel_failed_once_and_sends_it_once(
        demo, worker):
    real_send = EmailChannel.send
    calls = []

    def flaky_send(channel, notification):
        calls.append(notification.pk)
        if len(calls) == 1:
            raise OSError("connection refused")
        real_send(channel, notification)

    with mock.patch.object(EmailChannel, "send", flaky_send):
        delivery = one_delivery()  # enqueued to the worker on commit
        assert wait_until(lambda: sent_count() == 1)
        time.sleep(1)

    assert [state for _, _, state in deliveries_run(worker)] == ["RETRY", "SUCCESS"]
    assert len(calls) == 2 and len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.last_error == ""
    assert not FailedJob.objects.exists()


# -- 5. a worker killed in the middle of a delivery ------------------------------------------


def database_url():
    db = connection.settings_dict
    user_part = db["USER"] or ""
    if db.get("PASSWORD"):
        user_part += f":{db['PASSWORD']}"
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{user_part}@{host}{port}/{db['NAME']}"


def parent_of(pid):
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


class WorkerProcess:
    """A real `celery worker` (prefork, one child) on a queue of its own, sharing the test
    database; the test starts it (with settings of its own from the environment), kills it
    and starts it again. Mail goes to files in ``tmp/mail``; each start logs to a file of
    its own (``log``: the last one's)."""

    def __init__(self, tmp_path, queue, env):
        self.tmp, self.queue, self.env = tmp_path, queue, env
        self.process, self.log, self.starts = None, None, 0

    @property
    def pid(self):
        return self.process.pid

    def start(self, **env):
        assert self.process is None, "one worker at a time"
        self.starts += 1
        self.log = self.tmp / f"worker-{self.starts}.log"
        command = [str(Path(sys.executable).parent / "celery"), "-A", "config", "worker",
                   "--pool=prefork", "--concurrency=1", "-Q", self.queue,
                   "-n", f"{self.queue}@%h", "--loglevel=info", "--without-gossip",
                   "--without-mingle", "--without-heartbeat"]
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                command, cwd=BASE_DIR, env={**self.env, **env}, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def kill(self):
        """SIGKILL the worker and its child at once (their own session): nobody is left to
        give back the job they hold."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def stop(self):
        if self.process is None:
            return
        self.process.terminate()  # a warm shutdown
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
        self.process = None

    def logs(self):
        return "\n".join(f"--- worker-{n}.log\n" + (self.tmp / f"worker-{n}.log").read_text()
                         for n in range(1, self.starts + 1))


@pytest.fixture
def worker_processes(transactional_db, postgres_only, tmp_path):
    """A ``WorkerProcess``, not started yet; stopped and its queue removed afterwards."""
    queue = f"dutychain-test-{uuid.uuid4().hex[:12]}"
    var, mail_dir = tmp_path / "var", tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": app.conf.broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "VAR_DIR": str(var),  # the filesystem broker's folders, and nothing else of ours
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "DUTYCHAIN_TEST_DELIVERY_PAUSE": str(tmp_path / "pause"),
        "PYTHONUNBUFFERED": "1",
    }
    overrides = {"task_always_eager": False, "task_default_queue": queue}
    if app.conf.broker_url.startswith("filesystem://"):
        broker = var / "broker"
        for folder in ("queue", "processed", "control"):
            (broker / folder).mkdir(parents=True)
        overrides["broker_transport_options"] = {
            "data_folder_in": str(broker / "queue"), "data_folder_out": str(broker / "queue"),
            "processed_folder": str(broker / "processed"), "store_processed": False,
            "control_folder": str(broker / "control")}
    worker = WorkerProcess(tmp_path, queue, env)
    with conf(**overrides):
        drop_broker_connections()
        try:
            yield worker
        finally:
            (tmp_path / "pause").unlink(missing_ok=True)  # a job still waiting finishes
            worker.stop()
            delete_queue(queue)
            drop_broker_connections()


@pytest.fixture
def worker_process(worker_processes):
    """A real worker subprocess, started."""
    return worker_processes.start()


def test_a_worker_killed_in_the_middle_of_a_delivery_leaves_it_to_be_sent_once(
        demo, worker_process):
    pause, pid_file = worker_process.tmp / "pause", worker_process.tmp / "pause.pid"
    mail_dir = worker_process.tmp / "mail"
    pause.touch()  # the first attempt waits just before sending, row locked, nothing committed

    delivery = one_delivery()  # enqueued to the subprocess's queue on commit

    def log():
        return worker_process.logs()

    assert wait_until(pid_file.exists, timeout=45), f"the worker never started the job:\n{log()}"
    child = int(pid_file.read_text())
    assert child != worker_process.pid and parent_of(child) == worker_process.pid
    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.PENDING

    os.kill(child, signal.SIGKILL)
    assert wait_until(lambda: not alive(child), timeout=10)
    pause.unlink()  # the redelivered job does not wait

    assert wait_until(lambda: Delivery.objects.get(pk=delivery.pk).status == "sent",
                      timeout=45), f"the job was not redelivered:\n{log()}"
    time.sleep(1)
    messages = [path.read_text() for path in mail_dir.iterdir()]
    assert len(messages) == 1, log()
    assert len(re.findall(r"^Message-ID: <notification-", messages[0], re.M)) == 1
    assert "To: head_sanitation@dutychain.test" in messages[0]
    delivery.refresh_from_db()
    # the killed attempt rolled back with its transaction (its count too): only the
    # attempt that sent it is on record
    assert delivery.attempts == 1 and delivery.sent_at is not None
    assert not FailedJob.objects.exists()
    assert "WorkerLostError" in log()  # the worker saw its child die and requeued the job


# -- 6. the outbox: a publish that never happened, a whole worker killed ----------------------


# A process that notifies someone, commits, and is killed at the moment it would publish the
# email's job: what a web or worker process dying between the commit and the publish leaves.
DIES_AT_THE_PUBLISH = """
import os, signal
from unittest import mock
import django
django.setup()
from accounts.models import Unit, User
from records import tasks as record_tasks
from records.models import Notification
from records.notifications import notify

with mock.patch.object(record_tasks.deliver, "delay",
                       side_effect=lambda *args: os.kill(os.getpid(), signal.SIGKILL)):
    notify(recipients=[User.objects.get(username="head_sanitation")],
           kind=Notification.Kind.ASSIGNED, record=Unit.objects.get(code="sanitation"),
           title="一条通知")
"""


def sent_mail(worker):
    return [path.read_text() for path in (worker.tmp / "mail").iterdir()]


def assert_sent_once(worker, delivery):
    messages = sent_mail(worker)
    assert len(messages) == 1, worker.logs()
    assert len(re.findall(r"^Message-ID: <notification-", messages[0], re.M)) == 1
    assert "To: head_sanitation@dutychain.test" in messages[0]
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 1
    assert not FailedJob.objects.exists()


def test_an_email_whose_publish_died_with_its_process_is_sent_once_by_the_outbox_sweep(
        demo, worker_processes):
    resend_after = 3  # seconds (DELIVERY_RESEND_AFTER_MINUTES: five minutes by default)
    worker = worker_processes.start(DELIVERY_RESEND_AFTER_MINUTES=str(resend_after / 60))

    dying = subprocess.run([sys.executable, "-c", DIES_AT_THE_PUBLISH], cwd=BASE_DIR,
                           env=worker.env, capture_output=True, text=True, timeout=60)
    died_at = time.monotonic()
    assert dying.returncode == -signal.SIGKILL, dying.stderr
    delivery = Delivery.objects.get()  # committed with its notification, its job never sent
    assert delivery.status == Delivery.Status.PENDING

    sweeps = 0

    def sent_after_a_sweep():
        # beat's job, every second here instead of every minute
        nonlocal sweeps
        record_tasks.resend_deliveries.delay(queue=worker.queue)
        sweeps += 1
        return Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.SENT

    assert wait_until(sent_after_a_sweep, timeout=45), f"never resent:\n{worker.logs()}"
    # the window, then a sweep (every second here) and the worker's turn
    assert time.monotonic() - died_at < resend_after + 15
    # more sweeps change nothing: the email was sent, once
    for _ in range(3):
        record_tasks.resend_deliveries.delay(queue=worker.queue)
    assert wait_until(lambda: worker.logs().count("resend_deliveries[") >= 2 * (sweeps + 3))
    assert_sent_once(worker, delivery)
    assert AuditEvent.objects.filter(action="delivery.resend", target_id=str(delivery.pk),
                                     actor=None).count() == 1


@pytest.fixture
def redis_only():
    if not app.conf.broker_url.startswith("redis"):
        pytest.skip("needs Redis: the broker that gives a killed worker's jobs back after a "
                    "visibility timeout")


def test_a_whole_worker_killed_with_an_email_in_hand_sends_it_once_after_a_restart(
        demo, worker_processes, redis_only):
    visibility = 5  # seconds (CELERY_VISIBILITY_TIMEOUT: five minutes by default)
    settings = {"CELERY_VISIBILITY_TIMEOUT": str(visibility),
                "DELIVERY_RESEND_AFTER_MINUTES": "60"}  # the broker's doing, not the sweep's
    pause, pid_file = worker_processes.tmp / "pause", worker_processes.tmp / "pause.pid"
    worker = worker_processes.start(**settings)
    pause.touch()  # the job waits just before sending, row locked, nothing committed

    delivery = one_delivery()  # enqueued to the worker's queue on commit

    assert wait_until(pid_file.exists, timeout=45), f"never started:\n{worker.logs()}"
    child = int(pid_file.read_text())
    worker.kill()  # the worker and its child at once: the job is taken, never acknowledged
    killed_at = time.monotonic()
    assert wait_until(lambda: not alive(child), timeout=10)
    pause.unlink()
    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.PENDING

    # the process manager brings the worker back a few seconds later
    time.sleep(visibility)
    worker.start(**settings)

    assert wait_until(lambda: Delivery.objects.get(pk=delivery.pk).status == "sent",
                      timeout=45), f"the job never came back:\n{worker.logs()}"
    assert time.monotonic() - killed_at < visibility + 30
    time.sleep(1)
    assert_sent_once(worker, delivery)
    assert "records.tasks.deliver" in worker.log.read_text()  # Redis gave the job back
    assert not AuditEvent.objects.filter(action="delivery.resend").exists()
