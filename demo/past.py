"""The demo bureau's recent past, dated from today: steps on the working days before today,
played in time order through the real flows and services with the clock set to each step's
moment (demo.clock). Histories, deadlines, lateness and the audit trail are then those of a
real history, whatever day ``make run`` is first run on.

A step whose day is today or later does not happen: the record stays where that leaves it
(a report not yet submitted, a plan still with the leader), as it would in a real bureau.
The past's notifications are in the app, read; none is sent by email.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from unittest import mock

from django.db.models import F
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from flows import actions
from records import notifications
from records.models import Notification
from records.workdays import Calendar

from .clock import Clock, quiet_background, time_travel

ONE_DAY = datetime.timedelta(days=1)


def working_days_before(day: datetime.date, count: int) -> datetime.date:
    """The ``count``-th working day before ``day``."""
    calendar = Calendar(day - datetime.timedelta(days=count * 3 + 60), day)
    counted = 0
    while counted < count:
        day -= ONE_DAY
        counted += calendar.is_workday(day)
    return day


class Past:
    """Steps at moments before ``today``, played in time order (ties in the order given)."""

    def __init__(self, today: datetime.date):
        self.today = today
        self.steps: list[tuple[datetime.date, int, int, Callable[[], None]]] = []

    def on(self, day: datetime.date, hour: int, do: Callable[[], None]) -> None:
        if day < self.today:
            self.steps.append((day, hour, len(self.steps), do))

    def first(self, do: Callable[[], None], hour: int = 7) -> None:
        """``do`` before every other step, early on the first step's day."""
        if self.steps:
            day = min(step[0] for step in self.steps)
            self.steps.append((day, hour, -1, do))

    def play(self) -> int:
        clock = Clock()
        last = None
        with ExitStack() as stack:
            stack.enter_context(time_travel(clock))
            stack.enter_context(quiet_background())
            # the past is not emailed: its notices are in the app only
            stack.enter_context(mock.patch.object(notifications, "channels", lambda: []))
            for day, hour, _order, do in sorted(self.steps, key=lambda s: s[:3]):
                moment = clock.day(day, hour)
                if last is not None and moment <= last:
                    clock.moment = last
                    clock.tick(60)
                last = clock.moment
                do()
        # people have read what reached them before today
        Notification.objects.filter(day__lt=self.today, read_at__isnull=True).update(
            read_at=F("created_at") + datetime.timedelta(hours=1))
        return len(self.steps)


def open_task(record) -> Task:
    return Task.objects.get(process_id=record.process_id, status=STATUS.ASSIGNED,
                            flow_task_type="HUMAN")


def act(record, name: str, data: Mapping | None = None, files: Mapping | None = None) -> None:
    """The owner of ``record``'s open task takes action ``name`` (flows.actions.take: the
    task pages' and the API's path to the services, with their checks)."""
    task = open_task(record)
    actions.take(task_pk=task.pk, name=name, user=task.owner, data=data or {}, files=files)


def review(record, decision: str = "sign_off", opinion: str = "同意。") -> None:
    """The review step, level by level where it goes so: each level passes it up, the last
    decides."""
    for _level in range(5):
        task = open_task(record)
        below_the_last = task.data.get("level", 1) < task.data.get("levels", 1)
        if decision == "return" or not below_the_last:
            act(record, decision, {"opinion": opinion})
            return
        act(record, "pass_up", {"opinion": opinion})
    raise AssertionError(f"{record}: no level decides it")
