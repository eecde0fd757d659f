"""The demo's year-end assessments (`manage.py load_demo`): last year's approved with its
results circular, lines scored and explained, a committee's change, a bonus with its
evidence and two appeals answered; this year's under way on a December day; loading again
changes nothing."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from records.audit import verify
from records.models import (
    Appeal,
    Assessment,
    AuditEvent,
    DutyRecord,
    Explanation,
    Problem,
    QuarterlyReport,
    ScoreChange,
    SpecialEntry,
)

from .calendar_helpers import travel

D = datetime.date
TODAY = D(2026, 12, 3)  # a Thursday: this year's self-scoring opened on the 1st


def _load(monkeypatch, day: datetime.date = TODAY) -> None:
    travel(monkeypatch, day, hour=8)
    call_command("load_demo", verbosity=0)


def _state() -> dict:
    return {model.__name__: model.objects.count() for model in (
        Assessment, Explanation, ScoreChange, Appeal, SpecialEntry, AuditEvent, DutyRecord,
        QuarterlyReport, Problem)}


@pytest.mark.django_db
def test_last_years_assessment_is_approved_and_this_years_open_once(monkeypatch):
    _load(monkeypatch)

    last = Assessment.objects.get(year=2025)
    assert last.status == Assessment.Status.APPROVED and last.approved_by.username == "secretary"
    assert last.circular is not None
    assert "办公室" in last.circular.body and "执法二大队" in last.circular.body
    sheets = last.sheets.all()
    assert sheets.count() == 13 and not sheets.filter(rank__isnull=True).exists()
    # self, leader's and committee's scores, each with its reason
    changes = ScoreChange.objects.filter(line__sheet__assessment=last)
    assert {"self", "leader", "review", "appeal"} <= set(changes.values_list("stage", flat=True))
    assert not changes.filter(after__lt=0).exists()
    review = changes.get(stage="review")
    assert review.line.sheet.unit.code == "facilities" and review.reason
    # a bonus with its evidence file
    bonus = SpecialEntry.objects.get(sheet__assessment=last)
    assert bonus.sheet.unit.code == "office" and bonus.points == 1 and bonus.file.size > 0
    # one appeal upheld, its line changed; one not, its line as it was
    upheld = Appeal.objects.get(sheet__assessment=last, status=Appeal.Status.UPHELD)
    assert upheld.sheet.unit.code == "sanitation"
    changed = changes.get(stage="appeal")
    assert changed.line == upheld.line and changed.after == upheld.line.final != changed.before
    rejected = Appeal.objects.get(sheet__assessment=last, status=Appeal.Status.REJECTED)
    assert rejected.sheet.unit.code == "squad2" and rejected.answer
    assert not rejected.line.changes.filter(stage="appeal").exists()
    # last year's records explain its computed lines, each linked to what caused it
    explained = Explanation.objects.filter(line__sheet__assessment=last)
    codes = set(explained.values_list("code", flat=True))
    assert {"duty_short", "duty_late", "report_late", "review_late", "problem_late",
            "problem_extended", "talk_late", "unit_share"} <= codes
    assert not explained.filter(target_id__isnull=True).exclude(code="no_findings").exists()

    # this year's: self-scoring opened on 1 December, due on the 8th, some sheets in
    this = Assessment.objects.get(year=2026)
    assert this.status == Assessment.Status.SELF_SCORING
    assert this.cut_off == D(2026, 11, 30) and this.phase_due == D(2026, 12, 8)
    submitted = set(this.sheets.filter(self_at__isnull=False).values_list(
        "unit__code", "subject__username"))
    assert submitted == {("office", None), ("personnel", None), ("facilities", None),
                         ("bureau", "leader_wang")}
    assert Explanation.objects.filter(line__sheet__assessment=this).exists()
    assert verify()[1] is None

    before = _state()
    call_command("load_demo", verbosity=0)
    assert _state() == before


@pytest.mark.django_db
def test_on_the_tests_known_day_this_years_assessment_is_preparing(monkeypatch):
    _load(monkeypatch, D(2026, 11, 20))

    assert Assessment.objects.get(year=2025).status == Assessment.Status.APPROVED
    this = Assessment.objects.get(year=2026)
    assert this.status == Assessment.Status.PREPARING
    # last night's run of the beat job: computed up to yesterday
    assert timezone.localtime(this.computed_at).date() == D(2026, 11, 19)
