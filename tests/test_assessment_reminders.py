"""The reminder sweep tells whom an assessment's step still waits on: within the reminder
days before its deadline once a day, after it once a day as overdue; nobody when nobody is
waited on."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from flows.reminders import sweep
from records.models import AssessmentSheet, Notification
from records.services import assessments as service

from .calendar_helpers import travel
from .duty_helpers import issued_list

D = datetime.date
OPENED = D(2026, 11, 20)  # a Friday: self-scoring is due five working days later
DUE = D(2026, 11, 27)
IN_WINDOW = D(2026, 11, 24)  # three working days before the deadline
BEFORE_WINDOW = D(2026, 11, 23)
OVERDUE = D(2026, 11, 30)
Kind = Notification.Kind
HEADS = {f"head_{code}" for code in ("office", "personnel", "finance", "legal", "sanitation",
                                     "facilities", "command", "enforcement", "squad1",
                                     "squad2")}
LEADERS = {"leader_wang", "leader_li", "leader_zhao"}


@pytest.fixture
def assessment(bureau, jiwei_chen, on_a_known_day):
    """The 2026 assessment, opened on 20 November: every subject to self-score by the 27th."""
    issued_list()
    assessment = service.assessment_create(year=2026, by=jiwei_chen)
    assessment = service.assessment_open(assessment=assessment, by=jiwei_chen)
    assert assessment.phase_due == DUE
    return assessment


def told(kind: str, day: datetime.date) -> dict[str, str]:
    """username → title of the assessment reminders of ``kind`` sent on ``day``."""
    return dict(Notification.objects.filter(kind=kind, day=day,
                                            key__startswith="records.assessment:")
                .values_list("recipient__username", "title"))


def waits(assessment, sheets: int, due: datetime.date) -> str:
    """The reminder's title, in the bureau's language as the sweep writes it."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("%(title)s: %(n)s sheets wait on you, due %(due)s") % {
            "title": assessment.title, "n": sheets, "due": due}


def submit_self(assessment, username: str) -> None:
    sheets = AssessmentSheet.objects.filter(assessment=assessment)
    sheet = (sheets.get(subject__username=username) if username.startswith("leader_")
             else sheets.get(unit__code=username.removeprefix("head_"), subject__isnull=True))
    service.sheet_submit(sheet=sheet, by=User.objects.get(username=username))


def test_a_step_due_soon_tells_whom_it_waits_on_once_a_day(assessment):
    submit_self(assessment, "head_sanitation")
    assert sweep(BEFORE_WINDOW).get(Kind.ASSESSMENT) is None  # four working days ahead

    counts = sweep(IN_WINDOW)

    reminded = told(Kind.DUE_SOON, IN_WINDOW)
    assert set(reminded) == HEADS - {"head_sanitation"} | LEADERS
    assert counts[Kind.ASSESSMENT] == len(reminded) == 12
    assert reminded["head_legal"] == waits(assessment, 1, DUE)
    # the same day again: nobody is told twice
    assert Kind.ASSESSMENT not in sweep(IN_WINDOW)
    assert len(told(Kind.DUE_SOON, IN_WINDOW)) == 12


def test_an_overdue_step_tells_again_as_overdue_each_day(assessment, monkeypatch):
    sweep(IN_WINDOW)
    for username in HEADS - {"head_squad2"} | LEADERS:
        submit_self(assessment, username)
    travel(monkeypatch, OVERDUE)

    counts = sweep(OVERDUE)

    assert set(told(Kind.OVERDUE, OVERDUE)) == {"head_squad2"}
    assert counts[Kind.ASSESSMENT] == 1
    assert Kind.ASSESSMENT not in sweep(OVERDUE)
    # the next working day, told again
    assert sweep(OVERDUE + datetime.timedelta(days=1))[Kind.ASSESSMENT] == 1
    # a step already closed: its late subject can no longer submit (and stays waited on)
    with pytest.raises(ValidationError, match="2026-11-27"):
        submit_self(assessment, "head_squad2")


def test_the_leaders_step_tells_each_scorer_how_many_sheets_wait(assessment, jiwei_chen,
                                                                 monkeypatch):
    travel(monkeypatch, D(2026, 11, 30))
    assessment = service.assessment_advance(assessment=assessment, by=jiwei_chen)
    due = assessment.phase_due
    assert due == D(2026, 12, 7)
    day = D(2026, 12, 2)  # three working days before

    sweep(day)

    reminded = told(Kind.DUE_SOON, day)
    # each leader the units they oversee; the secretary the three leadership members
    assert set(reminded) == LEADERS | {"secretary"}
    assert reminded["leader_li"] == waits(assessment, 4, due)
    assert reminded["secretary"] == waits(assessment, 3, due)


def test_nobody_is_told_when_nobody_is_waited_on(assessment):
    for username in HEADS | LEADERS:
        submit_self(assessment, username)

    counts = sweep(IN_WINDOW)

    assert Kind.ASSESSMENT not in counts
    assert not told(Kind.DUE_SOON, IN_WINDOW)
    assert not told(Kind.OVERDUE, OVERDUE) and Kind.ASSESSMENT not in sweep(OVERDUE)
