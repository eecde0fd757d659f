"""The background jobs, run by a real Celery worker through the configured broker.

The worker runs in a thread of the test process (celery.contrib.testing) and
talks to whatever CELERY_BROKER_URL names: the kombu filesystem transport by
default, Redis in CI. Each test gets a queue of its own (and, for the
filesystem broker, a folder of its own), so a developer's running worker or
messages left in var/broker can neither steal nor add work. No result backend
is configured, so the tests watch the database and Celery's task_postrun
signal, which the worker sends after each task, instead of AsyncResult.get().
"""

import threading
import time
import uuid
from contextlib import contextmanager
from unittest import mock

import kombu.pools
import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import OperationalError, connections
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from config.celery import app
from flows import tasks
from records.audit import verify
from records.models import QuarterlyReport

from .conftest import QUARTER, YEAR

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

WAIT = 30  # seconds a job may take on a slow CI machine




@contextmanager
def conf(**values):
    """Override app.conf keys for a while, leaving them exactly as found afterwards.

    app.conf reads Django settings live, but an explicit app.conf value wins
    over them; so a key we set is removed again, not set back to a value that
    would then shadow settings for the rest of the run.
    """
    missing = object()
    before = {key: app.conf.changes.get(key, missing) for key in values}
    app.conf.update(values)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is missing:
                app.conf.changes.pop(key, None)
            else:
                app.conf.changes[key] = value


def drop_broker_connections():
    """Close pooled broker connections, which were made with the broker options of their time."""
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


def delete_queue(name):
    """Remove the test's queue, its exchange and their binding from the broker."""
    queue = app.amqp.queues.pop(name, None)  # as the worker and the sender declared it
    if queue is None:
        return
    with app.connection_for_write() as connection:
        bound = queue.bind(connection.default_channel)
        bound.declare()  # the binding is known per channel: make this one know it
        bound.delete()
        bound.exchange.delete()


class Worker:
    """A running worker on a private queue, and what it reported after each task."""

    def __init__(self, queue):
        self.queue = queue
        self.finished = {}  # task id -> (state, return value, thread id)
        self.runs = []  # (task name, args, state) of every run, retries included, in order
        self._lock = threading.Lock()

    def record(self, task_id=None, task=None, args=None, state=None, retval=None, **_):
        with self._lock:
            self.finished[task_id] = (state, retval, threading.get_ident())
            self.runs.append((getattr(task, "name", ""), list(args or []), state))
        # the worker thread's database connection must not outlive its task
        connections.close_all()

    def send(self, task, *args):
        return task.apply_async(args=args, queue=self.queue).id

    def result_of(self, task_id):
        """Wait until the worker has finished the task; returns (state, return value, thread)."""
        if not wait_until(lambda: self.finished.get(task_id, ("",))[0] == "SUCCESS"):
            pytest.fail(f"the worker did not finish task {task_id} in {WAIT} s: "
                        f"{self.finished.get(task_id)}")
        return self.finished[task_id]


def wait_until(condition, timeout=WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except OperationalError:
            pass  # SQLite's shared in-memory test database: a table locked by the worker
        time.sleep(0.2)
    return False


@pytest.fixture
def worker(transactional_db, tmp_path):
    queue = f"dutychain-test-{uuid.uuid4().hex[:12]}"
    # jobs the code enqueues itself (deliveries on commit) go to this queue too
    overrides = {"task_always_eager": False, "worker_hijack_root_logger": False,
                 "task_default_queue": queue}
    if app.conf.broker_url.startswith("filesystem://"):
        for folder in ("queue", "processed", "control"):
            (tmp_path / folder).mkdir()
        overrides["broker_transport_options"] = {
            "data_folder_in": str(tmp_path / "queue"),
            "data_folder_out": str(tmp_path / "queue"),
            "processed_folder": str(tmp_path / "processed"),
            "store_processed": False,
            "control_folder": str(tmp_path / "control"),
            "polling_interval": 0.1,
        }
    running = Worker(queue)
    task_postrun.connect(running.record, weak=False)
    try:
        with conf(**overrides):
            drop_broker_connections()
            try:
                with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue],
                                  shutdown_timeout=WAIT):
                    yield running
            finally:
                delete_queue(queue)
                drop_broker_connections()
    finally:
        task_postrun.disconnect(running.record)


def quarter_reports():
    return QuarterlyReport.objects.filter(year=YEAR, quarter=QUARTER)


def test_the_worker_opens_every_units_report_once_however_often_it_is_asked(bureau, worker):
    first = worker.send(tasks.open_quarter, YEAR, QUARTER)

    assert wait_until(lambda: quarter_reports().count() == 10)
    state, opened, thread = worker.result_of(first)
    assert opened == 10
    assert thread != threading.get_ident()  # it ran on the worker, not eagerly here
    drafts = Task.objects.filter(process__quarterly_report__in=quarter_reports(),
                                 flow_task_type="HUMAN", status=STATUS.ASSIGNED)
    assert sorted(drafts.values_list("owner__username", flat=True)) == sorted(
        f"head_{code}" for code in ("office", "personnel", "finance", "legal", "sanitation",
                                    "facilities", "command", "enforcement", "squad1", "squad2"))

    second = worker.send(tasks.open_quarter, YEAR, QUARTER)

    assert worker.result_of(second)[1] == 0
    assert quarter_reports().count() == 10
    assert set(quarter_reports().values_list("status", flat=True)) == {"draft"}


def test_the_worker_opens_a_quarter_in_jobs_of_a_chunk_of_units_each(bureau, worker):
    with mock.patch("flows.opening.CHUNK_UNITS", 3):
        first = worker.send(tasks.open_quarter, YEAR, QUARTER)

        assert worker.result_of(first)[1] == 10
        assert wait_until(lambda: quarter_reports().count() == 10)
        assert wait_until(lambda: len(chunk_runs(worker)) == 4)
    # ten units in chunks of three: four jobs, each opening its own units
    assert sorted(len(args[0]) for args, _state in chunk_runs(worker)) == [1, 3, 3, 3]
    assert {state for _args, state in chunk_runs(worker)} == {"SUCCESS"}
    assert verify()[1] is None


def chunk_runs(worker):
    return [(args, state) for name, args, state in worker.runs
            if name == "flows.tasks.open_reports"]


def test_the_timer_sweep_runs_on_the_worker_and_returns(bureau, worker):
    sweep = worker.send(tasks.fire_timers)

    state, fired, thread = worker.result_of(sweep)
    assert fired == 0  # no deadline is due in a bureau without reports
    assert thread != threading.get_ident()
