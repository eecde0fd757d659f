"""A clock that can be set: the demo's past and the benchmark's city are played through the
real services on the days they happen, so deadlines, lateness, histories and audit times
are those of a real history.

``timezone.now`` is patched (and ``timezone.localdate``, which asks it), as are the modules
that imported ``now`` themselves (viewflow's nodes) and the fields whose default is
``timezone.now``. Only for code that plays a history in a process of its own (a management
command, a test): never in a server.
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Callable
from contextlib import ExitStack, contextmanager
from unittest import mock

from django.apps import apps
from django.utils import timezone

HOUR = 10


class Clock:
    """``timezone.now`` for everything called under ``time_travel``: set to the moment each
    step happens."""

    def __init__(self):
        self.moment: datetime.datetime | None = None
        self.listeners: list[Callable] = []  # called at each new step (bench/clone.py)

    def now(self):
        return self.moment if self.moment is not None else _real_now()

    def day(self, day: datetime.date, hour: int = HOUR, minute: int = 0):
        tz = timezone.get_current_timezone()
        moment = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=tz)
        self.moment = moment.astimezone(datetime.UTC)  # as timezone.now() gives it
        for listener in self.listeners:
            listener()
        return self.moment

    def tick(self, seconds: int = 1):
        """A little later: keeps the steps of one day in order."""
        self.moment += datetime.timedelta(seconds=seconds)


_real_now = timezone.now
_real_localdate = timezone.localdate


@contextmanager
def time_travel(clock: Clock):
    def localdate(value=None, timezone=None):
        return _real_localdate(clock.now() if value is None else value, timezone)

    with ExitStack() as stack:
        stack.enter_context(mock.patch("django.utils.timezone.now", clock.now))
        # localdate() asks now() itself, unless someone set it apart (a test's travel)
        stack.enter_context(mock.patch("django.utils.timezone.localdate", localdate))
        # modules that did `from django.utils.timezone import now` (viewflow's nodes)
        for module in list(sys.modules.values()):
            if getattr(module, "now", None) is _real_now:
                stack.enter_context(mock.patch.object(module, "now", clock.now))
        # fields declared with default=timezone.now hold the function itself (and Django
        # caches it as the field's _get_default)
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if field.default is _real_now:
                    stack.enter_context(mock.patch.dict(field.__dict__,
                                                        {"_get_default": clock.now}))
        yield


@contextmanager
def quiet_background():
    """While a history is played: no org-chart re-derivation jobs (no record exists while
    the chart is built) and no outside deliveries (they stay pending, as before a mail
    worker runs)."""
    from flows import tasks
    from records import tasks as record_tasks

    with mock.patch.object(tasks.rederive_grants, "delay"), \
            mock.patch.object(record_tasks.deliver, "delay"):
        yield
