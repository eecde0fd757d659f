"""The demo bureau's recent past in one history: the year's duty list and the records kept
against it, last year's annual reports, the two quarters' reports and the latest holiday
spot check (and, asked for, last year's assessment and this year's: demo.assessments),
played in one time order (demo.past), so that the audit trail runs forward in time as a
real one does."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from .assessments import plan_demo_assessments
from .duties import plan_demo_duty_list
from .duty_records import plan_demo_duty_records
from .past import Past
from .problems import plan_demo_problems
from .reports import plan_demo_annual_reports, plan_demo_reports


@transaction.atomic
def load_demo_history(today: datetime.date | None = None,
                      setup: Callable[[], object] | None = None,
                      assessments: bool = False) -> dict[str, int]:
    """Reports and problems up to ``today`` (default: today); safe to repeat. ``setup``
    (building the bureau) runs first, on the morning of the history's first day.
    ``assessments``: the year-end assessments too (``manage.py load_demo``), counted as
    "assessments"."""
    past = Past(today or timezone.localdate())
    lists = plan_demo_duty_list(past)
    # the records kept against it (counted among the steps: the counts returned stay the
    # ones the demo has always returned)
    plan_demo_duty_records(past)
    annual = plan_demo_annual_reports(past)
    quarters = plan_demo_reports(past)
    problems = plan_demo_problems(past)
    assessed = plan_demo_assessments(past) if assessments else None
    if setup is not None:
        # the bureau was set up the morning its history starts
        past.first(setup)
        if not past.steps:
            setup()
    steps = past.play()
    played = {"duty_lists": lists, "annual": annual, "quarters": quarters,
              "problems": len(problems), "steps": steps}
    if assessed is not None:
        played["assessments"] = assessed
    return played
