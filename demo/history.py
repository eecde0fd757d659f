"""The demo bureau's recent past in one history: the year's duty list and the records kept
against it, last year's annual reports, the two quarters' reports and the latest holiday
spot check, played in one time order (demo.past), so that the audit trail runs forward in
time as a real one does."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from .duties import plan_demo_duty_list
from .duty_records import plan_demo_duty_records
from .past import Past
from .problems import plan_demo_problems
from .reports import plan_demo_annual_reports, plan_demo_reports


@transaction.atomic
def load_demo_history(today: datetime.date | None = None,
                      setup: Callable[[], object] | None = None) -> dict[str, int]:
    """Reports and problems up to ``today`` (default: today); safe to repeat. ``setup``
    (building the bureau) runs first, on the morning of the history's first day."""
    past = Past(today or timezone.localdate())
    lists = plan_demo_duty_list(past)
    # the records kept against it (counted among the steps: the counts returned stay the
    # ones the demo has always returned)
    plan_demo_duty_records(past)
    annual = plan_demo_annual_reports(past)
    quarters = plan_demo_reports(past)
    problems = plan_demo_problems(past)
    if setup is not None:
        # the bureau was set up the morning its history starts
        past.first(setup)
        if not past.steps:
            setup()
    steps = past.play()
    return {"duty_lists": lists, "annual": annual, "quarters": quarters,
            "problems": len(problems), "steps": steps}
