"""Deadlines counted into a year not entered yet are provisional wherever they are shown, and
are counted again when the year is entered: the history says from what to what and why;
closed steps and dates people chose keep theirs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from flows.opening import open_report
from flows.registration import register_problems
from records.models import AuditEvent, Problem, QuarterlyReport

from .calendar_helpers import D, enter_2027, travel
from .conftest import open_task, review, submit, task_url

MARK = 'class="dc-provisional"'
EXPLAINED = "暂按周一至周五计算，待录入2027年节假日安排后重算"


@pytest.fixture
def admin(bureau):
    from accounts.models import User

    return User.objects.get(username="admin")


@pytest.fixture
def fourth_quarter(bureau, unit, monkeypatch):
    """The sanitation division's 2026 Q4 report, opened on Monday 28 December 2026: due ten
    working days after 31 December, 14 January 2027 by Monday–Friday (1 January counted)."""
    travel(monkeypatch, D(2026, 12, 28))
    return open_report(unit=unit("sanitation"), year=2026, quarter=4)


@pytest.fixture
def registered(jiwei_chen, unit, monkeypatch):
    """A problem registered on 28 December 2026: its analysis due ten working days later,
    11 January 2027 by Monday–Friday."""
    travel(monkeypatch, D(2026, 12, 28))
    [problem] = register_problems(by=jiwei_chen, source="spot_check", found_on=D(2026, 12, 20),
                                  items=[{"unit": unit("sanitation"), "category": "hedonism",
                                          "description": "节前公款购买节礼。"}])
    return problem


def body(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_deadline_counted_into_2027_is_marked_provisional_on_every_page_and_in_the_api(
        fourth_quarter, registered, head_sanitation, jiwei_chen, client_for):
    report = fourth_quarter
    assert (report.due_date, report.step_due_date) == (D(2027, 1, 14), D(2027, 1, 14))
    head = client_for(head_sanitation)

    detail = body(head, f"/reports/{report.pk}/")
    # the submission deadline, the current step's, and the path ahead's estimated review
    assert detail.count(MARK) == 3 and EXPLAINED in detail
    assert MARK in body(head, task_url(open_task(report)))  # the task page
    assert MARK in body(head, "/workflow/inbox/")
    assert MARK in body(head, "/reports/")
    api = head.get(f"/api/v1/reports/{report.pk}/").json()
    assert (api["due_date"], api["due_date_provisional"]) == ("2027-01-14", True)
    assert api["step_due_date_provisional"] is True
    rows = {row["item"]["id"]: row for row in head.get("/api/v1/tasks/").json()["results"]}
    assert rows[report.pk]["deadline_provisional"] is True

    committee = client_for(jiwei_chen)
    assert registered.due_date == D(2027, 1, 11)
    assert EXPLAINED in body(committee, f"/problems/{registered.pk}/")
    assert MARK in body(committee, "/problems/")  # the ledger
    [row] = committee.get("/api/v1/problems/").json()["results"]
    assert (row["due_date"], row["due_date_provisional"]) == ("2027-01-11", True)


def test_entering_2027_counts_the_open_deadlines_again_and_the_history_says_so(
        fourth_quarter, registered, admin, head_sanitation, client_for):
    enter_2027(admin)

    report = QuarterlyReport.objects.get(pk=fourth_quarter.pk)
    assert (report.due_date, report.step_due_date) == (D(2027, 1, 15), D(2027, 1, 15))
    assert Problem.objects.get(pk=registered.pk).due_date == D(2027, 1, 12)

    head = client_for(head_sanitation)
    page = body(head, f"/reports/{report.pk}/")
    assert MARK not in page
    assert "2027-01-14 → 2027-01-15" in page and "录入2027年节假日安排" in page
    assert head.get(f"/api/v1/reports/{report.pk}/").json()["due_date_provisional"] is False
    event = AuditEvent.objects.get(action="report.deadline_recount", target_id=str(report.pk))
    assert event.actor == admin
    assert event.data == {"why": {"reason": "notice", "year": 2027}, "changes": [
        {"deadline": "submission", "old": "2027-01-14", "new": "2027-01-15"},
        {"deadline": "step", "old": "2027-01-14", "new": "2027-01-15"}]}
    assert AuditEvent.objects.filter(action="problem.deadline_recount",
                                     target_id=str(registered.pk)).count() == 1


def test_a_review_that_started_before_new_year_counts_from_the_day_it_started(
        sanitation_report, head_sanitation, admin, client_for, monkeypatch):
    # the 2026 Q3 report submitted on 28 December: review due five working days later
    travel(monkeypatch, D(2026, 12, 28))
    submit(client_for(head_sanitation), sanitation_report)
    sanitation_report.refresh_from_db()
    assert sanitation_report.step_due_date == D(2027, 1, 4)  # 29, 30, 31, 1, 4

    travel(monkeypatch, D(2026, 12, 30))
    enter_2027(admin)

    sanitation_report.refresh_from_db()
    assert sanitation_report.step_due_date == D(2027, 1, 5)
    assert sanitation_report.due_date == D(2026, 10, 20)  # its own period: nothing to count


def test_closed_steps_and_dates_people_chose_keep_theirs(
        fourth_quarter, registered, head_sanitation, leader_li, admin, client_for):
    from .test_rectification import analyse, decide

    head, leader = client_for(head_sanitation), client_for(leader_li)
    submit(head, fourth_quarter)
    review(leader, fourth_quarter, "sign_off")
    analyse(head, registered, planned=D(2027, 1, 8))
    decide(leader, registered, "approve")
    registered.refresh_from_db()
    assert (registered.step, registered.due_date) == ("rectify", D(2027, 1, 8))
    assert not registered.due_date_is_provisional  # the unit's own date
    before = AuditEvent.objects.count()

    enter_2027(admin)

    signed = QuarterlyReport.objects.get(pk=fourth_quarter.pk)
    assert (signed.status, signed.due_date, signed.step_due_date) == ("signed_off",
                                                                      D(2027, 1, 14), None)
    assert Problem.objects.get(pk=registered.pk).due_date == D(2027, 1, 8)
    assert not AuditEvent.objects.filter(pk__gt=before, action__endswith="deadline_recount")


def test_counting_again_costs_the_same_queries_for_two_items_as_for_six(
        bureau, unit, admin, monkeypatch):
    from records.models import WorkdayOverride
    from records.services.calendar import deadlines_recount

    travel(monkeypatch, D(2026, 12, 28))
    for code in ("sanitation", "legal"):
        open_report(unit=unit(code), year=2026, quarter=4)
    WorkdayOverride.objects.create(date=D(2027, 1, 1), is_workday=False)
    with CaptureQueriesContext(connection) as two:
        assert deadlines_recount(days={D(2027, 1, 1)}, by=admin,
                                 why={"reason": "day", "date": "2027-01-01"}) == 2
    for code in ("office", "finance", "personnel", "facilities"):
        open_report(unit=unit(code), year=2026, quarter=4)
    WorkdayOverride.objects.create(date=D(2027, 1, 4), is_workday=False)
    with CaptureQueriesContext(connection) as six:
        assert deadlines_recount(days={D(2027, 1, 4)}, by=admin,
                                 why={"reason": "day", "date": "2027-01-04"}) == 6

    # the open reports, the open problems, their steps, the calendar; the reports, the
    # steps' notes and the trail written together (its lock, last event, insert)
    assert len(two) == len(six) <= 12, [q["sql"][:60] for q in six]
    assert set(QuarterlyReport.objects.values_list("due_date", flat=True)) == {D(2027, 1, 18)}
