"""The assessments' nightly job, run by a real Celery worker through the configured broker
(the in-process worker of tests/test_worker.py): it writes the computed scores of an
assessment still preparing, the same however often it runs, and leaves an opened one alone."""

import threading

import pytest
from django.db.models import Sum

from records import tasks
from records.models import Assessment, AssessmentSheet, Explanation, ScoreLine
from records.services import assessments as service

from . import test_worker
from .duty_helpers import issued_list
from .test_worker import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

worker = test_worker.worker  # the in-process worker fixture, on a queue of the test's own


def computed() -> dict:
    """What the nightly job writes: each automatic line's computed score and final score,
    its explanations, each sheet's total."""
    return {
        "lines": sorted(ScoreLine.objects.filter(automatic__isnull=False).values_list(
            "sheet__unit__code", "sheet__subject__username", "criterion__number", "automatic",
            "final")),
        "explanations": sorted(Explanation.objects.values_list(
            "line__sheet__subject__username", "line__criterion__number", "code", "points")),
        "totals": sorted(AssessmentSheet.objects.values_list("unit__code",
                                                             "subject__username", "total")),
    }


def test_the_worker_writes_the_computed_scores_each_night_and_twice_the_same(
        bureau, jiwei_chen, on_a_known_day, worker):
    issued_list()
    assessment = service.assessment_create(year=2026, by=jiwei_chen)
    expected = computed()
    # the leaders fell short of their items' targets: points taken, each explained
    assert expected["explanations"]
    assert ScoreLine.objects.filter(automatic__isnull=False).aggregate(
        s=Sum("automatic"))["s"] < ScoreLine.objects.filter(
        automatic__isnull=False).aggregate(s=Sum("criterion__max_points"))["s"]
    # as if the scores were stale: nothing computed yet
    Explanation.objects.all().delete()
    ScoreLine.objects.update(automatic=None, final=0)
    AssessmentSheet.objects.update(total=0)
    Assessment.objects.update(computed_at=None)

    first = worker.send(tasks.assessments_nightly)

    state, recomputed, thread = worker.result_of(first)
    assert recomputed == 1
    assert thread != threading.get_ident()  # it ran on the worker, not eagerly here
    assert Assessment.objects.get().computed_at is not None
    after_first = computed()
    assert after_first == expected

    # run twice (beat and a retry, say): the same lines, no explanation twice
    second = worker.send(tasks.assessments_nightly)
    assert worker.result_of(second)[1] == 1
    assert computed() == after_first

    # once opened, the scores are frozen: the job leaves it alone
    service.assessment_open(assessment=assessment, by=jiwei_chen)
    frozen = Assessment.objects.get().computed_at
    third = worker.send(tasks.assessments_nightly)
    assert worker.result_of(third)[1] == 0
    assert wait_until(lambda: Assessment.objects.get().computed_at == frozen)
