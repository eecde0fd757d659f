"""Deadlines that act: reminders before, on and after a deadline, on exactly the right days."""

import datetime

from django.core import mail

from flows.reminders import sweep
from records.models import Delivery, Notification

D = datetime.date


def kinds_on(day):
    sweep(day)  # deliveries are enqueued on commit: the tests below run those callbacks
    return sorted(Notification.objects.filter(day=day).values_list("kind", "recipient__username"))


def test_a_report_is_reminded_before_on_and_after_its_deadline(
        sanitation_report, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert sanitation_report.step_due_date == D(2026, 10, 20)
    with django_capture_on_commit_callbacks(execute=True):
        _the_whole_month()
    # every notice of the month went out by email once (CELERY_TASK_ALWAYS_EAGER in tests)
    reminders = Notification.objects.exclude(kind="assigned")  # the report's opening told of it
    assert Delivery.objects.filter(status="sent").count() == reminders.count() == 11
    assert len(mail.outbox) == 11
    assert mail.outbox[0].to == ["head_sanitation@dutychain.test"]


def _the_whole_month():
    assert kinds_on(D(2026, 10, 14)) == []  # four working days before: nothing yet
    assert kinds_on(D(2026, 10, 15)) == [("due_soon", "head_sanitation")]
    assert kinds_on(D(2026, 10, 16)) == []  # reminded once per deadline
    assert kinds_on(D(2026, 10, 20)) == [("due_today", "head_sanitation"),
                                         ("due_today_leader", "leader_li")]
    assert kinds_on(D(2026, 10, 21)) == [
        ("overdue", "head_sanitation"), ("overdue", "jiwei_chen"), ("overdue", "jiwei_liu"),
        ("overdue", "secretary")]
    assert kinds_on(D(2026, 10, 22)) == []
    assert kinds_on(D(2026, 10, 24)) == []  # a Saturday: no sweep at all
    assert len(kinds_on(D(2026, 10, 28))) == 4  # a week later, escalated again


def test_a_sweep_run_twice_on_a_day_notifies_nobody_twice(sanitation_report):
    first, second = sweep(D(2026, 10, 21)), sweep(D(2026, 10, 21))
    assert first == {"overdue": 4} and second == {}
    assert Notification.objects.filter(kind="overdue").count() == 4


def test_the_reminder_before_the_national_day_holiday_counts_working_days(bureau, unit):
    from flows.opening import open_report

    # 2026 Q2 ends on 30 June; due 10 working days later, on 14 July
    report = open_report(unit=unit("legal"), year=2026, quarter=2)
    assert report.step_due_date == D(2026, 7, 14)
    assert kinds_on(D(2026, 7, 9)) == [("due_soon", "head_legal")]


def test_the_report_page_lists_its_reminders_and_escalations(sanitation_report, head_sanitation,
                                                             client_for):
    sweep(D(2026, 10, 21))
    page = client_for(head_sanitation).get(f"/reports/{sanitation_report.pk}/").content.decode()
    assert "2026-10-21" in page and "陈静" in page and "张建国" in page


def test_the_notification_centre_shows_counts_and_marks_read(sanitation_report, head_sanitation,
                                                             outsider, client_for,
                                                             django_assert_max_num_queries):
    sweep(D(2026, 10, 15))
    sweep(D(2026, 10, 20))
    client = client_for(head_sanitation)
    with django_assert_max_num_queries(14):
        page = client.get("/notifications/").content.decode()
    # the new task's notice, and two reminders
    assert 'dc-bell__count' in page and ">3<" in page
    notification = Notification.objects.filter(recipient=head_sanitation).first()
    # someone else cannot read (or even see) it
    assert client_for(outsider).post(f"/notifications/{notification.pk}/read/").status_code == 404
    assert "市容环境卫生管理处" not in client_for(outsider).get("/notifications/").content.decode()
    response = client.post(f"/notifications/{notification.pk}/read/")
    assert response.status_code == 302 and response["Location"] == f"/reports/{sanitation_report.pk}/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    client.post("/notifications/read-all/")
    assert not Notification.objects.filter(recipient=head_sanitation, read_at__isnull=True).exists()


def test_the_administrator_sees_a_failed_job_and_reruns_it(bureau, client_for,
                                                          django_capture_on_commit_callbacks):
    from unittest import mock

    from accounts.models import User
    from records.models import FailedJob

    job = FailedJob.objects.create(task_name="flows.tasks.open_quarter", args=[2026, 3],
                                   error="OperationalError: database is locked")
    admin = client_for(User.objects.get(username="admin"))
    assert "database is locked" in admin.get("/admin/records/failedjob/").content.decode()
    with mock.patch("config.celery.app.send_task") as send, \
            django_capture_on_commit_callbacks(execute=True):
        admin.post("/admin/records/failedjob/", {"action": "rerun", "_selected_action": [job.pk]})
    send.assert_called_once_with("flows.tasks.open_quarter", args=[2026, 3], kwargs={})
    job.refresh_from_db()
    assert job.rerun_at is not None


def test_a_job_that_fails_for_good_is_kept_for_the_administrator(bureau):
    from unittest import mock

    from flows.tasks import open_quarter
    from records.models import FailedJob

    with mock.patch("flows.opening.units_to_open", side_effect=RuntimeError("boom")):
        open_quarter.apply(args=[2026, 3], retries=open_quarter.max_retries)
    job = FailedJob.objects.get()
    assert job.task_name == "flows.tasks.open_quarter" and "boom" in job.error
    assert job.args == [2026, 3]


def test_across_the_national_day_holiday_reminders_fall_on_working_days(bureau, unit, jiwei_chen):
    """A problem due on Friday 9 October 2026: 1–7 October are holidays, 8 October works."""
    from records.models import Problem

    from .test_rectification import new_problem

    problem = new_problem(jiwei_chen, unit("enforcement"))
    Problem.objects.filter(pk=problem.pk).update(due_date=D(2026, 10, 9))
    assert kinds_on(D(2026, 9, 28)) == []  # Mon: four working days before (29, 30, 8, 9)
    assert kinds_on(D(2026, 9, 29)) == [("due_soon", "head_enforcement")]
    for holiday in range(1, 8):
        assert kinds_on(D(2026, 10, holiday)) == []
    assert kinds_on(D(2026, 10, 9)) == [("due_today", "head_enforcement"),
                                        ("due_today_leader", "leader_zhao")]
    assert ("overdue", "secretary") in kinds_on(D(2026, 10, 10))  # a shifted working Saturday


def test_a_2027_deadline_follows_the_administrators_working_day_overrides(bureau, unit):
    from flows.opening import open_report
    from records.models import CalendarYear, WorkdayOverride

    # chinese-calendar stops at 2026; the administrator enters the 2027 New Year holiday and
    # confirms the year (until then the sweep waits in 2027: tests/test_calendar_automatic.py)
    WorkdayOverride.objects.create(date=D(2027, 1, 1), is_workday=False, note="元旦")
    CalendarYear.objects.create(year=2027)
    report = open_report(unit=unit("legal"), year=2026, quarter=4)
    assert report.due_date == D(2027, 1, 15)  # 10 working days: 4–8 and 11–15 January
    assert kinds_on(D(2027, 1, 11)) == []
    assert kinds_on(D(2027, 1, 12)) == [("due_soon", "head_legal")]
    assert kinds_on(D(2027, 1, 15)) == [("due_today", "head_legal"),
                                        ("due_today_leader", "leader_li")]


def test_many_people_are_told_in_a_few_inserts_and_nobody_twice_a_day(
        sanitation_report, secretary, leader_li, leader_wang, jiwei_chen, head_sanitation):
    """An overdue item goes to seven people, a city's thousands of items each morning: their
    notifications and emails are written together; whoever was told today is not told again,
    and the others still are."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from records.notifications import notify

    people = [secretary, leader_li, leader_wang, jiwei_chen]

    def tell(recipients):
        return notify(recipients=recipients, kind=Notification.Kind.OVERDUE,
                      record=sanitation_report, title="逾期：测试", url="/reports/1/")

    with CaptureQueriesContext(connection) as queries:
        made = tell(people)
    assert len(queries) <= 4  # a savepoint, the notifications, their emails, its release
    assert sorted(n.recipient.username for n in made) == sorted(u.username for u in people)
    emails = Delivery.objects.filter(notification__in=made, channel="email")
    assert emails.count() == len([u for u in people if u.email]) > 0
    assert tell(people) == []  # the same day: nobody twice
    made = tell([*people, head_sanitation])
    assert [n.recipient for n in made] == [head_sanitation]
    assert Notification.objects.filter(kind=Notification.Kind.OVERDUE).count() == 5
