"""The assessment's nightly scoring costs the same number of queries for a city and for one
twice its size (both built by the assessment benchmark's generator, bench/assessments.py):
every measure reads all subjects at once, and the lines, explanations and totals are written
in a fixed number of statements."""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import chain
from accounts.models import User
from bench.assessments import seed_assessments
from records.models import Assessment, Explanation
from records.services import assessments as service

from .calendar_helpers import travel
from .duty_helpers import DAY


def _nightly_queries(units: int) -> tuple[int, int, int]:
    """Build a city of ``units`` units, create this year's assessment, then count the queries
    of a nightly run; then open it and count what asking whom self-scoring waits on costs
    (the sweep's reminders, the pages); returns (queries, explanations written, queries of
    the question)."""
    seed_assessments(units=units, per_item=2, problems=2, log=lambda *a: None)
    service.assessment_create(year=DAY.year, by=User.objects.get(username="committee_1"))
    with CaptureQueriesContext(connection) as queries:
        assert service.assessments_nightly() == 1
    assessment = Assessment.objects.get()
    assert assessment.computed_at is not None
    explained = Explanation.objects.count()
    assessment = service.assessment_open(assessment=assessment,
                                         by=User.objects.get(username="committee_1"))
    chain.forget_shared()
    with CaptureQueriesContext(connection) as asked:
        waiting = service.waiting_on(assessment)
    assert sum(n for _user, n in waiting.values()) == assessment.sheets.count()
    return len(queries), explained, len(asked)


@pytest.mark.django_db(transaction=True)
def test_the_nightly_scoring_costs_the_same_queries_for_twice_the_units(monkeypatch):
    travel(monkeypatch, DAY)
    small, small_explained, small_asked = _nightly_queries(6)
    call_command("flush", interactive=False, verbosity=0)
    chain.forget_shared()
    cache.clear()
    large, large_explained, large_asked = _nightly_queries(12)
    # twice the units (and a second leader), more of everything to explain
    assert large_explained > 1.5 * small_explained > 50
    assert large == small
    assert large <= 50, large
    # whom a step waits on: the chain read once for every unit
    assert large_asked == small_asked <= 8, (small_asked, large_asked)
