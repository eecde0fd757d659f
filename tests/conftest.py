"""Shared fixtures: the demo bureau and its people, named as in the demo (see accounts/demo.py)."""


import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import get_resolver
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import Unit, User
from demo.bureau import load_demo

# A fixed quarter whose deadlines we know: Q3 2026 ends on 30 September, and the
# National Day holiday follows it.
YEAR, QUARTER = 2026, 3


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
    settings.LANGUAGE_CODE = "zh-hans"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # the demo's 19 password hashes would cost seconds per test at full strength
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _nothing_shared_yet():
    """Each test builds its own org chart and rolls it back with the chart's version: what
    an earlier test's requests shared (accounts.chain) is not this chart's."""
    from django.core.cache import cache

    from accounts import chain

    chain.forget_shared()
    cache.clear()  # the side menus kept rendered, keyed by the chart's version


@pytest.fixture(autouse=True)
def _urls_loaded():
    """viewflow registers its URL names when the URLconf is built: build it before any reverse()."""
    assert get_resolver().url_patterns


@pytest.fixture
def bureau(db):
    load_demo(password="demo-pass-123")
    return Unit.objects.get(code="bureau")


def _user(username):
    return User.objects.get(username=username)


@pytest.fixture
def unit(bureau):
    return lambda code: Unit.objects.get(code=code)


@pytest.fixture
def head_sanitation(bureau):
    return _user("head_sanitation")


@pytest.fixture
def head_legal(bureau):
    return _user("head_legal")


@pytest.fixture
def head_enforcement(bureau):
    return _user("head_enforcement")


@pytest.fixture
def liaison_enforcement(bureau):
    return _user("liaison_enforcement")


@pytest.fixture
def leader_li(bureau):
    return _user("leader_li")


@pytest.fixture
def leader_wang(bureau):
    return _user("leader_wang")


@pytest.fixture
def leader_zhao(bureau):
    return _user("leader_zhao")


@pytest.fixture
def secretary(bureau):
    return _user("secretary")


@pytest.fixture
def jiwei_chen(bureau):
    return _user("jiwei_chen")


@pytest.fixture
def paizhu_sun(bureau):
    return _user("paizhu_sun")


@pytest.fixture
def outsider(bureau):
    """Head of the office division: a real user, but of another unit and another leader."""
    return _user("head_office")


@pytest.fixture
def client_for():
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def sanitation_report(bureau):
    """The sanitation division's Q3 2026 report, freshly opened (draft task with its head)."""
    from flows.opening import open_report

    return open_report(unit=Unit.objects.get(code="sanitation"), year=YEAR, quarter=QUARTER)


def open_task(report, username=None):
    tasks = Task.objects.filter(process_id=report.process_id,
                                status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED])
    if username:
        tasks = tasks.filter(owner__username=username)
    return tasks.get()


def task_url(task, action="execute"):
    if action == "detail":
        # viewflow's own task detail page, no longer mounted (issue 15): its URL must 404
        return task.flow_task.reverse("index", args=[task.process_id, task.pk]) + "detail/"
    return task.flow_task.reverse(action, args=[task.process_id, task.pk])


def submit(client, report, **content):
    task = open_task(report)
    data = {"work_done": "组织理论学习中心组学习会 3 次。", "problems": "", "next_steps": "",
            "_submit": "1", **content}
    return client.post(task_url(task), data)


def review(client, report, decision, opinion=""):
    task = open_task(report)
    return client.post(task_url(task), {"opinion": opinion, f"_{decision}": "1"})


def is_postgres():
    return connection.vendor == "postgresql"


def race(*calls, timeout=40):
    """Run each callable in its own thread, all released at once; returns their results.

    Every thread closes its own database connection, so nothing is left open when the test
    database goes. ``timeout``: how long a racer may take (viewflow retries a held process
    lock for up to ~10 s).
    """
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except BaseException as error:  # reported in the main thread
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call), daemon=True)
               for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a racer never finished"
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


@pytest.fixture
def on_a_known_day(monkeypatch):
    """Today is tests.duty_helpers.DAY (the duty list's tests: whatever day the suite runs,
    a year with three quarters behind it)."""
    from .calendar_helpers import travel
    from .duty_helpers import DAY

    travel(monkeypatch, DAY)
    return DAY
