"""Automatic work in a year whose holidays are not known waits, and says so: the reminder
sweep, beat's quarter opening and the open_quarter command (issue 17: escalations went out
on New Year's Day 2027, and the quarter would have opened on 1 January)."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from flows import tasks
from flows.reminders import sweep
from records.models import Notification, Problem, QuarterlyReport

from .calendar_helpers import D, enter_2027, travel

REPORTING_UNITS = 10
MISSING = Notification.Kind.CALENDAR_MISSING


@pytest.fixture
def admin(bureau):
    from accounts.models import User

    return User.objects.get(username="admin")


@pytest.fixture
def overdue_on_new_years_eve(jiwei_chen, unit):
    """A problem whose analysis was due on Thursday 31 December 2026: overdue from 1 January."""
    from flows.registration import register_problems

    [problem] = register_problems(by=jiwei_chen, source="spot_check", found_on=D(2026, 12, 1),
                                  items=[{"unit": unit("enforcement"), "category": "hedonism",
                                          "description": "节前公款购买节礼。"}])
    Problem.objects.filter(pk=problem.pk).update(due_date=D(2026, 12, 31))
    return problem


def told(day):
    return sorted(Notification.objects.filter(day=day).values_list("kind",
                                                                    "recipient__username"))


def test_the_sweep_on_new_years_day_2027_sends_nothing_and_tells_who_keeps_the_calendar(
        overdue_on_new_years_eve, monkeypatch, django_capture_on_commit_callbacks, settings):
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    travel(monkeypatch, D(2027, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep() == {MISSING: 2}
        assert sweep() == {}  # once a day, however often beat runs it

    # no escalation to the secretary and the committee, nothing to the unit head
    assert told(D(2027, 1, 1)) == [(MISSING, "admin"), (MISSING, "secretary")]
    notice = Notification.objects.get(recipient__username="admin")
    assert "2027" in notice.title and notice.url == "/admin/records/workdayoverride/calendar/"
    assert Notification.objects.get(recipient__username="secretary").url == ""
    assert {message.to[0] for message in mail.outbox} == {"admin@dutychain.test",
                                                         "secretary@dutychain.test"}
    # and again the next day, while 2027 is still missing
    assert sweep(D(2027, 1, 4)) == {MISSING: 2}
    # nothing else (the problem's owner heard of their new task when it was registered)
    assert not Notification.objects.exclude(kind__in=[MISSING, "assigned"]).exists()


def test_with_2027_entered_new_years_day_is_a_holiday_and_the_fourth_a_working_day(
        overdue_on_new_years_eve, admin, monkeypatch):
    enter_2027(admin)
    travel(monkeypatch, D(2027, 1, 1))

    assert sweep() == {}
    assert told(D(2027, 1, 1)) == []

    travel(monkeypatch, D(2027, 1, 4))
    assert sweep() == {"overdue": 4}  # the escalation that waited: on the first working day
    assert told(D(2027, 1, 4)) == [("overdue", "head_enforcement"), ("overdue", "jiwei_chen"),
                                   ("overdue", "jiwei_liu"), ("overdue", "secretary")]


def test_beat_does_not_open_the_fourth_quarter_in_2027_until_the_year_is_entered(
        bureau, admin, monkeypatch, django_capture_on_commit_callbacks):
    for day in (D(2027, 1, 1), D(2027, 1, 4)):
        travel(monkeypatch, day)
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.open_quarter_if_due() == 0
    assert not QuarterlyReport.objects.exists()
    assert told(D(2027, 1, 4)) == [(MISSING, "admin"), (MISSING, "secretary")]

    enter_2027(admin)
    travel(monkeypatch, D(2027, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.open_quarter_if_due() == 0  # New Year's Day: a holiday
    travel(monkeypatch, D(2027, 1, 5))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.open_quarter_if_due() == REPORTING_UNITS
    # ten working days after 31 December: 4–8 and 11–15 January, 1 January off
    assert list(QuarterlyReport.objects.values("year", "quarter", "due_date")
                .annotate(n=Count("pk"))) == [
        {"year": 2026, "quarter": 4, "due_date": D(2027, 1, 15), "n": REPORTING_UNITS}]


def test_the_command_refuses_a_quarter_whose_deadlines_run_into_an_unknown_year(
        bureau, admin, monkeypatch):
    travel(monkeypatch, D(2027, 1, 6))
    with pytest.raises(CommandError) as refused:
        call_command("open_quarter", year=2026, quarter=4)
    assert "2027" in str(refused.value) and "/admin/records/workdayoverride/calendar/" in \
        str(refused.value)
    assert not QuarterlyReport.objects.exists()

    call_command("open_quarter", year=2026, quarter=3)  # its deadlines lie in 2026: it opens
    enter_2027(admin)
    call_command("open_quarter", year=2026, quarter=4)
    assert set(QuarterlyReport.objects.filter(quarter=4).values_list("due_date", flat=True)) == {
        D(2027, 1, 15)}
