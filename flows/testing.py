"""A tiny flow with a database timer, for the tests of the timer sweep only.

Our real flows have no ``flow.Timer`` node yet, but ``flows.tasks.fire_timers``
must fire each due timer once even when two sweeps run at once. viewflow stores
a task's node as "<app label>/<module path>.<Flow>.<node>", so the flow has to
live in an installed app's package (a module under tests/ is refused: "No
application found"). It uses viewflow's own Process and Task tables: no
migration, no URLs, and nothing but tests/test_worker_reliability.py imports it.
"""

import datetime

from viewflow import this
from viewflow.workflow import flow, lock


class TimerProbeFlow(flow.Flow):
    """Start → a timer already due → a task left waiting → end."""

    lock_impl = lock.select_for_update_lock  # as on every flow of ours

    start = flow.StartHandle().Next(this.wait)
    wait = flow.Timer(datetime.timedelta(0)).Next(this.after)
    after = flow.Handle().Next(this.end)
    end = flow.End()
