"""Notices follow the chain as it is that day (issue 17 §2): reminders and escalations reach
whoever acts for an absent leader or secretary, a new task is announced to its owner at
once (once), and an extension request reaches the person who decides it."""

import datetime

import pytest
from django.core import mail
from rest_framework.test import APIClient
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import Delegation, Oversight
from flows.reminders import sweep
from records.models import AuditEvent, ExtensionRequest, Notification
from records.workdays import add_working_days

from .calendar_helpers import travel
from .conftest import is_postgres, open_task, race, submit
from .test_rectification import (
    approved,
    ask_extension,
    decide_extension,
    login,
    new_problem,
)

D = datetime.date


def notices(day=None, kind=None):
    rows = Notification.objects.all()
    if day:
        rows = rows.filter(day=day)
    if kind:
        rows = rows.filter(kind=kind)
    return sorted(rows.values_list("kind", "recipient__username"))


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# -- reminders and escalations during a delegation -------------------------------------------

def test_due_today_goes_to_whoever_acts_for_the_absent_leader_who_is_copied(
        sanitation_report, leader_li, leader_wang):
    assert sanitation_report.step_due_date == D(2026, 10, 20)
    Delegation.objects.create(absent=leader_li, acting=leader_wang, valid_from=D(2026, 10, 19),
                              valid_to=D(2026, 10, 23))

    sweep(D(2026, 10, 20))

    assert notices(D(2026, 10, 20)) == [("due_today", "head_sanitation"),
                                         ("due_today_leader", "leader_li"),
                                         ("due_today_leader", "leader_wang")]
    copy = Notification.objects.get(recipient=leader_li, kind="due_today_leader")
    assert "王" in copy.title or str(leader_wang) in copy.title  # names who acts for them
    acting = Notification.objects.get(recipient=leader_wang, kind="due_today_leader")
    assert str(leader_wang) not in acting.title


def test_without_a_delegation_that_day_the_leader_alone_is_told(sanitation_report, leader_li,
                                                                leader_wang):
    # a delegation that ended the day before counts for nothing
    Delegation.objects.create(absent=leader_li, acting=leader_wang, valid_from=D(2026, 10, 12),
                              valid_to=D(2026, 10, 19))
    sweep(D(2026, 10, 20))
    assert notices(D(2026, 10, 20), "due_today_leader") == [("due_today_leader", "leader_li")]


def test_an_escalation_reaches_whoever_acts_for_the_absent_secretary(
        sanitation_report, secretary, leader_zhao):
    Delegation.objects.create(absent=secretary, acting=leader_zhao, valid_from=D(2026, 10, 21))
    sweep(D(2026, 10, 21))
    assert notices(D(2026, 10, 21)) == [
        ("overdue", "head_sanitation"), ("overdue", "jiwei_chen"), ("overdue", "jiwei_liu"),
        ("overdue", "leader_zhao"), ("overdue", "secretary")]


# -- a new task is announced at once, once ---------------------------------------------------

def test_a_submitted_report_is_announced_to_the_leader_at_once_in_chinese_and_by_email(
        sanitation_report, head_sanitation, leader_li, settings,
        django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # the head heard of the draft when the quarter opened
    [draft] = Notification.objects.filter(recipient=head_sanitation, kind="assigned")
    assert draft.title.startswith("您有一条新的待办：") and draft.deadline == D(2026, 10, 20)

    with django_capture_on_commit_callbacks(execute=True):
        assert submit(login(head_sanitation), sanitation_report).status_code == 302
    review = open_task(sanitation_report)
    [notice] = Notification.objects.filter(recipient=leader_li, kind="assigned")
    assert notice.task == review.pk and notice.url.endswith(f"/{review.pk}/execute/")
    assert "审核" in notice.title and "市容环境卫生管理处" in notice.title
    sanitation_report.refresh_from_db()
    assert notice.deadline == sanitation_report.step_due_date
    assert [m.to for m in mail.outbox] == [[leader_li.email]]
    assert "您有一条新的待办" in mail.outbox[0].subject


def test_a_task_is_announced_once_however_often_its_creation_is_told(sanitation_report,
                                                                      head_sanitation):
    task = open_task(sanitation_report)
    flow = task.flow_task.flow_class.instance
    activation = task.flow_task.activation_class(task)
    flow.announce(activation)
    flow.announce(activation)
    assert Notification.objects.filter(recipient=head_sanitation, kind="assigned").count() == 1


def test_a_returned_report_announces_its_new_draft_task_the_same_day(
        sanitation_report, head_sanitation, leader_li):
    from .conftest import review

    assert submit(login(head_sanitation), sanitation_report).status_code == 302
    assert review(login(leader_li), sanitation_report, "return", "请补充整改情况。").status_code \
        == 302
    # the opening's draft and the returned draft: two tasks, two notices on one day
    drafts = Notification.objects.filter(recipient=head_sanitation, kind="assigned")
    assert drafts.count() == 2
    assert set(drafts.values_list("task", flat=True)) == set(
        Task.objects.filter(process_id=sanitation_report.process_id, owner=head_sanitation,
                            flow_task_type="HUMAN").values_list("pk", flat=True))


def test_an_acting_leader_is_told_for_whom_they_act(sanitation_report, head_sanitation,
                                                   leader_li, leader_wang):
    Delegation.objects.create(absent=leader_li, acting=leader_wang,
                              valid_from=datetime.date.today() - datetime.timedelta(days=1))
    assert submit(login(head_sanitation), sanitation_report).status_code == 302
    notice = Notification.objects.get(recipient=leader_wang, kind="assigned")
    assert str(leader_li) in notice.body


@pytest.mark.skipif(not is_postgres(), reason="needs PostgreSQL row locks; SQLite has none")
@pytest.mark.django_db(transaction=True)
def test_two_racing_submissions_announce_the_review_once(bureau):
    from accounts.models import Unit, User
    from flows.opening import open_report

    report = open_report(unit=Unit.objects.get(code="sanitation"), year=2026, quarter=3)
    head, leader = User.objects.get(username="head_sanitation"), User.objects.get(
        username="leader_li")
    client_a, client_b = login(head), login(head)
    race(lambda: submit(client_a, report), lambda: submit(client_b, report))
    assert Task.objects.filter(process_id=report.process_id, owner=leader,
                               status=STATUS.ASSIGNED).count() == 1
    assert Notification.objects.filter(recipient=leader, kind="assigned").count() == 1


# -- an extension request reaches whoever decides it -----------------------------------------

@pytest.fixture
def asked(bureau, unit, jiwei_chen, head_enforcement):
    problem = approved(new_problem(jiwei_chen, unit("enforcement")))
    assert ask_extension(login(head_enforcement), problem,
                         problem.due_date + datetime.timedelta(days=20)).status_code == 302
    return problem


def test_an_extension_request_is_in_the_deciders_inbox_with_a_deadline(
        asked, leader_zhao, head_enforcement, outsider):
    request = ExtensionRequest.objects.get()
    assert request.decider == leader_zhao and request.decide_by is not None
    assert request.decide_by <= asked.due_date
    [notice] = Notification.objects.filter(recipient=leader_zhao, kind="extension")
    assert notice.title.startswith("延期申请待审批") and notice.deadline == request.decide_by
    assert notice.url == f"/problems/{asked.pk}/"

    inbox = login(leader_zhao).get("/workflow/inbox/").content.decode()
    assert "延期申请待审批" in inbox and f"/problems/{asked.pk}/#extensions" in inbox
    assert request.decide_by.isoformat() in inbox
    listed = api(leader_zhao).get("/api/v1/extensions/")
    assert listed.status_code == 200
    [item] = listed.json()
    assert (item["problem"], item["decide_by"], item["decider"]["username"]) == (
        asked.pk, request.decide_by.isoformat(), "leader_zhao")
    # nobody else has it to decide
    for other in (head_enforcement, outsider):
        assert api(other).get("/api/v1/extensions/").json() == []
        assert "延期申请待审批" not in login(other).get("/workflow/inbox/").content.decode()

    # decided: it leaves the inbox
    assert decide_extension(login(leader_zhao), asked, "grant", "同意。").status_code == 302
    assert api(leader_zhao).get("/api/v1/extensions/").json() == []
    assert "延期申请待审批" not in login(leader_zhao).get("/workflow/inbox/").content.decode()


def test_an_overdue_decision_shows_red_in_the_inbox(asked, leader_zhao, monkeypatch):
    request = ExtensionRequest.objects.get()
    travel(monkeypatch, request.decide_by + datetime.timedelta(days=1))
    inbox = login(leader_zhao).get("/workflow/inbox/").content.decode()
    assert "dc-overdue" in inbox and request.decide_by.isoformat() in inbox


def test_during_a_delegation_the_acting_leader_has_it_and_the_absent_one_is_told(
        bureau, unit, jiwei_chen, head_enforcement, leader_zhao, leader_wang):
    problem = approved(new_problem(jiwei_chen, unit("enforcement")))
    Delegation.objects.create(absent=leader_zhao, acting=leader_wang,
                              valid_from=datetime.date.today())
    assert ask_extension(login(head_enforcement), problem,
                         problem.due_date + datetime.timedelta(days=20)).status_code == 302
    assert notices(kind="extension") == [("extension", "leader_wang"),
                                         ("extension", "leader_zhao")]
    [item] = api(leader_wang).get("/api/v1/extensions/").json()
    assert item["decider"]["username"] == "leader_zhao"
    assert "延期申请待审批" in login(leader_wang).get("/workflow/inbox/").content.decode()


def test_a_pending_request_follows_the_chain_when_oversight_moves(
        asked, leader_zhao, leader_wang, django_capture_on_commit_callbacks):
    today = datetime.date.today()
    with django_capture_on_commit_callbacks(execute=True):
        for oversight in Oversight.objects.filter(unit=asked.unit, valid_to__isnull=True):
            oversight.valid_to = today - datetime.timedelta(days=1)
            oversight.save()
        Oversight.objects.create(unit=asked.unit, leader=leader_wang, valid_from=today)
    request = ExtensionRequest.objects.get()
    assert request.decider == leader_wang
    assert api(leader_zhao).get("/api/v1/extensions/").json() == []
    assert len(api(leader_wang).get("/api/v1/extensions/").json()) == 1
    assert Notification.objects.filter(recipient=leader_wang, kind="extension").exists()
    assert AuditEvent.objects.filter(action="problem.extension_reassign").exists()


def test_a_step_moved_by_a_delegation_is_announced_to_whoever_acts(
        sanitation_report, head_sanitation, leader_li, leader_zhao,
        django_capture_on_commit_callbacks):
    assert submit(login(head_sanitation), sanitation_report).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        Delegation.objects.create(absent=leader_li, acting=leader_zhao,
                                  valid_from=datetime.date.today(), reason="出差")
    review = open_task(sanitation_report)
    assert review.owner == leader_zhao
    notice = Notification.objects.get(recipient=leader_zhao, kind="assigned")
    assert notice.task == review.pk and str(leader_li) in notice.body
    # leader_li heard of it when it arrived; nobody is told twice
    assert Notification.objects.filter(recipient=leader_li, kind="assigned").count() == 1


def test_the_deciders_inbox_costs_the_same_queries_for_one_request_as_for_three(
        bureau, unit, jiwei_chen, head_enforcement, leader_zhao):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(leader_zhao)

    def inbox_queries():
        client.get("/workflow/inbox/")  # the chain's answers, as any second visit
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/workflow/inbox/").content.decode()
        return len(queries), page.count("#extensions")

    for _n in range(3):
        problem = approved(new_problem(jiwei_chen, unit("enforcement")))
        assert ask_extension(login(head_enforcement), problem,
                             problem.due_date + datetime.timedelta(days=20)).status_code == 302
        if _n == 0:
            one = inbox_queries()
    three = inbox_queries()
    assert (one[1], three[1]) == (1, 3)
    assert three[0] == one[0]


def test_the_decider_is_reminded_on_the_day_to_decide_and_after_until_decided(
        asked, leader_zhao, monkeypatch):
    request = ExtensionRequest.objects.get()
    travel(monkeypatch, request.decide_by)
    assert sweep(request.decide_by).get("extension") == 1
    notice = Notification.objects.get(recipient=leader_zhao, kind="extension",
                                      day=request.decide_by)
    assert notice.title.startswith("今日应审批")
    later = add_working_days(request.decide_by, 1)
    assert sweep(later).get("extension") == 1
    assert "已逾期" in Notification.objects.get(recipient=leader_zhao, kind="extension",
                                              day=later).title
    assert decide_extension(login(leader_zhao), asked, "grant", "同意。").status_code == 302
    assert "extension" not in sweep(add_working_days(later, 1))


def test_a_request_no_longer_needed_says_so_and_leaves_the_inbox(asked, leader_zhao):
    from .test_rectification import reported

    reported(asked)
    request = ExtensionRequest.objects.get()
    assert request.decision == "lapsed" and request.decided_by is None
    assert AuditEvent.objects.filter(action="problem.extension_lapse").exists()
    assert api(leader_zhao).get("/api/v1/extensions/").json() == []
    page = login(leader_zhao).get(f"/problems/{asked.pk}/").content.decode()
    assert "无需审批" in page or "已无需" in page
