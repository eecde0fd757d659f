"""The demo keeps working whatever the date (issue 17 §4): its quarters and its holiday spot
check are dated from today, every problem state is there, and histories are spread over the
real working days before today."""

import datetime

import pytest
from django.utils import timezone

from demo.history import load_demo_history
from demo.problems import MARK, load_demo_problems, spot_check
from demo.reports import demo_quarters
from flows.opening import annual_opening_day
from records.models import (
    AnnualReport,
    AuditEvent,
    DutyList,
    Notification,
    Problem,
    ProblemList,
    QuarterlyReport,
)
from records.services import duties
from records.workdays import add_working_days, is_workday, quarter_end, working_days_between

from .calendar_helpers import travel

D = datetime.date
STATES = {"enforcement": "filed", "squad1": "rectifying", "squad2": "verifying",
          "sanitation": "plan_review", "command": "analysing"}


def test_demo_problem_list_covers_the_states_and_loads_once(bureau):
    assert load_demo_problems() == 5
    assert load_demo_problems() == 0
    assert ProblemList.objects.get().title.endswith(MARK)
    assert dict(Problem.objects.values_list("unit__code", "status")) == STATES
    overdue = Problem.objects.get(unit__code="command")
    assert overdue.is_overdue and overdue.assignee.username == "head_command"
    assert Problem.objects.get(unit__code="squad1").extensions.get().decision == "pending"
    assert AuditEvent.objects.filter(action="problem.close_out").count() == 1
    # sanitation's problem is shared with legal and facilities: a countersign once approved
    joint = Problem.objects.get(unit__code="sanitation")
    assert sorted(joint.co_units.values_list("code", flat=True)) == ["facilities", "legal"]


def test_a_fresh_demo_has_a_reminder_waiting_after_the_first_sweep(bureau):
    from flows.reminders import sweep

    load_demo_problems()
    today = timezone.localdate()
    sanitation = Problem.objects.get(unit__code="sanitation")
    assert today < sanitation.due_date <= add_working_days(today, 3)
    sweep()
    if is_workday(today):
        assert Notification.objects.filter(recipient__username="leader_li", kind="due_soon",
                                           key=f"records.problem:{sanitation.pk}").exists()
        assert Notification.objects.filter(recipient__username="secretary",
                                           kind="overdue").exists()


@pytest.mark.parametrize("today, check_on, title", [
    # the spring festival of 2026 (15–23 February) ended more than three weeks before
    (D(2026, 3, 31), D(2026, 2, 23), "2026年春节期间明察暗访"),
    # in 2025 one holiday took in the National Day and the Mid-Autumn Festival; not in 2026
    (D(2025, 11, 20), D(2025, 10, 8), "2025年中秋国庆节日期间明察暗访"),
    (D(2026, 11, 10), D(2026, 10, 7), "2026年国庆节期间明察暗访"),
    (D(2026, 7, 20), D(2026, 6, 21), "2026年端午节期间明察暗访"),
    # a year the holiday library does not know: the last weekend before
    (D(2027, 6, 30), D(2027, 6, 6), "2027年6月周末期间明察暗访"),
])
def test_the_check_is_the_latest_holiday_some_weeks_before(db, today, check_on, title):
    assert spot_check(today) == (check_on, title)


def _demo_on(monkeypatch, day):
    travel(monkeypatch, day, hour=8)
    return load_demo_history()


@pytest.mark.parametrize("today", [D(2026, 3, 31), D(2027, 6, 30), None])
def test_the_demo_loads_on_any_day_with_a_realistic_past(bureau, monkeypatch, today):
    today = today or timezone.localdate()
    played = _demo_on(monkeypatch, today)
    assert played["quarters"] == 2 and played["problems"] == 5 and played["steps"] > 40

    # the year's duty list, read from the seed's plan and issued in January
    duty_list = DutyList.objects.get()
    assert duty_list.status == "issued" and duty_list.items.count() == 22
    assert duty_list.year == (today.year if today.month > 1 else duty_list.year)
    assert not duties.issue_problems(duty_list)

    # last year's annual reports, signed off once the January weeks have passed
    annual = AnnualReport.objects.filter(year=today.year - 1)
    assert played["annual"] == 1 and annual.count() == 3
    if working_days_between(annual_opening_day(today.year - 1), today) > 15:
        assert set(annual.values_list("status", flat=True)) == {"signed_off"}
        assert annual.get(leader__username="leader_zhao").version == 2

    # every problem state of the check, dated some weeks before today
    assert dict(Problem.objects.values_list("unit__code", "status")) == STATES
    check = ProblemList.objects.get()
    assert check.checked_on < today - datetime.timedelta(days=20)
    assert Problem.objects.get(unit__code="command").is_overdue

    # the earlier quarter signed off for every unit, one of them late
    earlier, last = demo_quarters(today)
    reports = QuarterlyReport.objects.filter(year=earlier[0], quarter=earlier[1])
    assert reports.count() == 10
    assert set(reports.values_list("status", flat=True)) == {"signed_off"}
    late = [r for r in reports if r.submitted_at.date() > r.due_date]
    assert [r.unit.code for r in late] == ["legal"]
    # the last finished quarter where it would be today: a mix, nothing after today
    statuses = dict(QuarterlyReport.objects.filter(year=last[0], quarter=last[1])
                    .values_list("unit__code", "status"))
    assert len(statuses) == 10 and statuses["squad2"] == "draft"
    if working_days_between(add_working_days(quarter_end(*last), 1), today) > 20:
        assert statuses["sanitation"] == "submitted" and statuses["office"] == "signed_off"

    # histories spread over the working days before today, never today or later, in order
    # (the org chart and accounts: the test's bureau, built today)
    moments = list(AuditEvent.objects.exclude(action__startswith="orgchart.")
                   .exclude(action__startswith="account.").order_by("pk")
                   .values_list("at", flat=True))
    days = {timezone.localtime(m).date() for m in moments}
    assert len(days) >= 10 and max(days) < today
    assert all(is_workday(day) for day in days)
    assert moments == sorted(moments)
    # what reached people before today is read; no email went out for the past
    assert not Notification.objects.filter(day__lt=today, read_at__isnull=True).exists()
    from records.models import Delivery
    assert not Delivery.objects.exists()


def test_the_demo_loads_once(bureau, monkeypatch):
    first = _demo_on(monkeypatch, D(2026, 3, 31))
    again = load_demo_history()
    assert first["steps"] and again == {"duty_lists": 0, "annual": 0, "quarters": 0,
                                        "problems": 0, "steps": 0}
    assert QuarterlyReport.objects.count() == 20 and Problem.objects.count() == 5


def test_the_command_builds_the_bureau_the_morning_its_history_starts(db, monkeypatch):
    from django.core.management import call_command

    from records.audit import verify

    travel(monkeypatch, D(2026, 3, 31), hour=8)
    call_command("load_demo")
    moments = list(AuditEvent.objects.order_by("pk").values_list("at", flat=True))
    assert moments == sorted(moments)  # the whole trail runs forward in time
    first = timezone.localtime(moments[0])
    # the morning the committee built last year's duty list (demo.assessments plays 2025
    # for its assessment: the history itself starts when the 2025 third quarter's reports
    # opened, after the National Day holiday)
    assert first.date() == add_working_days(D(2025, 1, 9), 1) == D(2025, 1, 10)
    assert first.hour == 7
    assert verify()[1] is None
    call_command("load_demo")  # again: nothing new
    assert AuditEvent.objects.count() == len(moments)
