"""Opening a quarter's reports: the command, the Celery tasks, and a unit head by hand."""

from datetime import date
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from viewflow.workflow.models import Process

from accounts import chain
from accounts.models import Unit
from flows import tasks
from records.models import QuarterlyReport
from records.workdays import last_finished_quarter

from .conftest import open_task

REPORTING_UNITS = 10  # every demo unit but the bureau itself




def reporting_units():
    return Unit.objects.filter(is_active=True).exclude(kind=Unit.Kind.BUREAU)


def test_the_command_opens_one_report_per_unit_each_with_a_draft_task_for_its_head(bureau):
    call_command("open_quarter", year=2026, quarter=3)

    reports = QuarterlyReport.objects.select_related("unit")
    assert reports.count() == REPORTING_UNITS
    assert {r.unit.code for r in reports} == set(reporting_units().values_list("code", flat=True))
    for report in reports:
        assert (report.year, report.quarter, report.status) == (2026, 3, "draft")
        assert report.due_date == date(2026, 10, 20)
        task = open_task(report)
        assert task.flow_task.name == "draft"
        assert task.owner == chain.head_of(report.unit)
        assert task.owner.username == f"head_{report.unit.code}"


def test_running_the_command_twice_opens_nothing_new(bureau):
    call_command("open_quarter", year=2026, quarter=3)
    call_command("open_quarter", year=2026, quarter=3)

    assert QuarterlyReport.objects.count() == REPORTING_UNITS
    assert Process.objects.count() == REPORTING_UNITS


def test_without_arguments_the_command_opens_the_last_finished_quarter(bureau):
    year, quarter = last_finished_quarter(timezone.localdate())

    call_command("open_quarter")

    assert QuarterlyReport.objects.count() == REPORTING_UNITS
    assert set(QuarterlyReport.objects.values_list("year", "quarter")) == {(year, quarter)}


def test_an_invalid_quarter_is_refused_with_a_message(bureau):
    with pytest.raises(CommandError) as refused:
        call_command("open_quarter", year=2026, quarter=5)
    assert "4" in str(refused.value)  # "must be 1, 2, 3 or 4"
    assert not QuarterlyReport.objects.exists()


def test_a_quarter_that_has_not_ended_is_refused_with_a_message(bureau):
    today = timezone.localdate()
    current = (today.month - 1) // 3 + 1

    with pytest.raises(CommandError) as refused:
        call_command("open_quarter", year=today.year, quarter=current)
    assert str(today.year) in str(refused.value)
    with pytest.raises(CommandError):
        call_command("open_quarter", year=today.year + 1, quarter=1)
    assert not QuarterlyReport.objects.exists()
    assert not Process.objects.exists()


def test_an_inactive_unit_gets_no_report(bureau, unit):
    squad2 = unit("squad2")
    squad2.is_active = False
    squad2.save()

    call_command("open_quarter", year=2026, quarter=3)

    assert QuarterlyReport.objects.count() == REPORTING_UNITS - 1
    assert not QuarterlyReport.objects.filter(unit=squad2).exists()


def test_a_unit_head_opens_a_missing_report_by_hand_and_finds_it_in_the_inbox(
    head_sanitation, unit, client_for
):
    client = client_for(head_sanitation)
    sanitation = unit("sanitation")

    response = client.post("/reports/open/", {"year": 2026, "quarter": 2, "unit": sanitation.pk})

    report = QuarterlyReport.objects.get()
    assert (report.unit, report.year, report.quarter) == (sanitation, 2026, 2)
    assert report.opened_by == head_sanitation
    assert response.status_code == 302 and response["Location"] == f"/reports/{report.pk}/"
    assert open_task(report).owner == head_sanitation
    inbox = client.get("/workflow/inbox/").content.decode()
    assert "市容环境卫生管理处" in inbox
    assert f"/quarterlyreport/{report.process_id}/draft/" in inbox


def test_opening_the_same_quarter_by_hand_twice_opens_one_report(head_sanitation, unit, client_for):
    client = client_for(head_sanitation)
    data = {"year": 2026, "quarter": 2, "unit": unit("sanitation").pk}

    client.post("/reports/open/", data)
    again = client.post("/reports/open/", data)

    assert again.status_code == 200  # the form again, with an error
    assert QuarterlyReport.objects.count() == 1
    assert Process.objects.count() == 1


def test_a_unit_head_cannot_open_another_units_report(head_legal, unit, client_for):
    response = client_for(head_legal).post(
        "/reports/open/", {"year": 2026, "quarter": 2, "unit": unit("sanitation").pk}
    )

    assert response.status_code == 200
    assert not QuarterlyReport.objects.exists()


def test_the_celery_task_opens_the_quarter_and_is_safe_to_run_twice(
        bureau, django_capture_on_commit_callbacks):
    # the jobs of its chunks are enqueued on commit (and run eagerly here)
    with django_capture_on_commit_callbacks(execute=True) as enqueued:
        assert tasks.open_quarter.delay(2026, 2).get() == REPORTING_UNITS
    jobs = [job for job in enqueued if "open_reports" in repr(job)]
    assert len(jobs) == 1  # one chunk: ten units (the rest: each head's new-task email)
    with django_capture_on_commit_callbacks(execute=True) as enqueued:
        assert tasks.open_quarter.delay(2026, 2).get() == 0
    assert enqueued == []

    assert QuarterlyReport.objects.filter(year=2026, quarter=2).count() == REPORTING_UNITS
    assert Process.objects.count() == REPORTING_UNITS


def test_the_daily_task_does_nothing_during_the_national_day_holiday(bureau):
    for day in (1, 4, 7):
        with mock.patch("flows.tasks.timezone.localdate", return_value=date(2026, 10, day)):
            assert tasks.open_quarter_if_due() == 0
    assert not QuarterlyReport.objects.exists()


def test_the_daily_task_opens_q3_on_the_first_working_day_after_the_holiday(
        bureau, django_capture_on_commit_callbacks):
    # 8 Oct 2026 (Thursday) is the first working day of Q4: chinese-calendar
    with mock.patch("flows.tasks.timezone.localdate", return_value=date(2026, 10, 8)), \
            django_capture_on_commit_callbacks(execute=True):
        assert tasks.open_quarter_if_due() == REPORTING_UNITS
    # a later morning makes up nothing more: the quarter is already open
    with mock.patch("flows.tasks.timezone.localdate", return_value=date(2026, 10, 9)), \
            django_capture_on_commit_callbacks(execute=True):
        assert tasks.open_quarter_if_due() == 0

    assert set(QuarterlyReport.objects.values_list("year", "quarter")) == {(2026, 3)}
    assert QuarterlyReport.objects.count() == REPORTING_UNITS


def test_the_daily_task_makes_up_a_missed_first_working_day(
        bureau, django_capture_on_commit_callbacks):
    # the worker was down on 8 Oct; the next morning still opens the quarter
    with mock.patch("flows.tasks.timezone.localdate", return_value=date(2026, 10, 9)), \
            django_capture_on_commit_callbacks(execute=True):
        assert tasks.open_quarter_if_due() == REPORTING_UNITS
    assert set(QuarterlyReport.objects.values_list("year", "quarter")) == {(2026, 3)}
