"""Two people acting on the same report at the same moment.

The race tests run on PostgreSQL only: they need real row locks, which SQLite
does not have. Each side of a race is a real thread with its own logged-in
client and its own database connection, released together by a barrier; the
database is committed for real (transaction=True) so each thread sees the
other's work.
"""

import collections

import pytest
from django.db import connection
from django.test import Client
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

import config.urls  # noqa: F401 (viewflow names task URLs once the URLconf is built)
from accounts.models import Unit
from records.models import AuditEvent, Opinion, QuarterlyReport

from .conftest import QUARTER, YEAR, open_task, submit, task_url
from .conftest import race as race_calls

race_test = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks; SQLite has none")


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def race(*posts):
    """Each (client, url, data) POST in its own thread, all released at once; the responses
    in the order given (conftest.race)."""
    return race_calls(*[lambda post=post: post[0].post(post[1], post[2]) for post in posts])


def tasks_by_step(report):
    counts = collections.Counter(
        task.flow_task.name for task in Task.objects.filter(process_id=report.process_id))
    return dict(counts)


def open_tasks(report):
    return Task.objects.filter(process_id=report.process_id,
                               status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED])


@pytest.fixture
def submitted_report(postgres_only, sanitation_report, head_sanitation):
    """The sanitation division's Q3 2026 report, submitted and waiting for leader_li."""
    assert submit(logged_in(head_sanitation), sanitation_report).status_code == 302
    sanitation_report.refresh_from_db()
    assert sanitation_report.status == QuarterlyReport.Status.SUBMITTED
    return sanitation_report


@pytest.mark.postgres
@race_test
def test_two_sign_offs_at_once_archive_the_report_once(submitted_report, leader_li):
    url = task_url(open_task(submitted_report))
    data = {"opinion": "同意。", "_sign_off": "1"}

    responses = race((logged_in(leader_li), url, data), (logged_in(leader_li), url, data))

    assert sorted(response.status_code for response in responses) == [302, 409]
    loser = next(response for response in responses if response.status_code == 409)
    assert "李明" in loser.content.decode()  # tells who already handled it

    submitted_report.refresh_from_db()
    assert submitted_report.status == QuarterlyReport.Status.SIGNED_OFF
    assert Opinion.objects.filter(report=submitted_report).count() == 1
    assert tasks_by_step(submitted_report) == {
        "start": 1, "draft": 1, "review": 1, "is_signed_off": 1, "end": 1}
    assert not open_tasks(submitted_report).exists()
    assert submitted_report.process.status == "DONE"
    assert list(AuditEvent.objects.filter(target_id=str(submitted_report.pk),
                                          action="report.sign_off")
                .values_list("action", flat=True)) == ["report.sign_off"]


@pytest.mark.postgres
@race_test
def test_sign_off_and_return_at_once_leave_the_winners_decision_only(submitted_report,
                                                                    leader_li):
    url = task_url(open_task(submitted_report))

    sign_off, give_back = race(
        (logged_in(leader_li), url, {"opinion": "同意。", "_sign_off": "1"}),
        (logged_in(leader_li), url, {"opinion": "请补充“四风”问题排查情况。", "_return": "1"}),
    )

    assert sorted([sign_off.status_code, give_back.status_code]) == [302, 409]
    submitted_report.refresh_from_db()
    opinions = list(Opinion.objects.filter(report=submitted_report).values_list("kind", "text"))
    steps = tasks_by_step(submitted_report)
    if sign_off.status_code == 302:
        assert submitted_report.status == QuarterlyReport.Status.SIGNED_OFF
        assert opinions == [("sign_off", "同意。")]
        assert steps == {"start": 1, "draft": 1, "review": 1, "is_signed_off": 1, "end": 1}
        assert not open_tasks(submitted_report).exists()
    else:
        assert submitted_report.status == QuarterlyReport.Status.RETURNED
        assert opinions == [("return", "请补充“四风”问题排查情况。")]
        assert steps == {"start": 1, "draft": 2, "review": 1, "is_signed_off": 1}
        assert open_tasks(submitted_report).get().owner.username == "head_sanitation"
    loser = give_back if sign_off.status_code == 302 else sign_off
    assert "李明" in loser.content.decode()


@pytest.mark.postgres
@race_test
def test_two_submissions_of_one_draft_at_once_send_one_review(postgres_only, sanitation_report,
                                                               head_sanitation):
    url = task_url(open_task(sanitation_report))
    data = {"work_done": "组织理论学习中心组学习会 3 次。", "problems": "", "next_steps": "",
            "_submit": "1"}

    responses = race((logged_in(head_sanitation), url, data),
                     (logged_in(head_sanitation), url, data))

    assert sorted(response.status_code for response in responses) == [302, 409]
    loser = next(response for response in responses if response.status_code == 409)
    assert "何平" in loser.content.decode()
    sanitation_report.refresh_from_db()
    assert sanitation_report.status == QuarterlyReport.Status.SUBMITTED
    assert sanitation_report.version == 1
    assert tasks_by_step(sanitation_report) == {"start": 1, "draft": 1, "review": 1}
    assert open_tasks(sanitation_report).get().owner.username == "leader_li"
    assert AuditEvent.objects.filter(target_id=str(sanitation_report.pk),
                                     action="report.submit").count() == 1


def test_a_task_url_naming_another_reports_process_is_not_found(sanitation_report, head_legal,
                                                                client_for):
    """viewflow locks the URL's process but loads the task by its own id: such URLs must 404."""
    from flows.opening import open_report

    legal_report = open_report(unit=Unit.objects.get(code="legal"), year=YEAR, quarter=QUARTER)
    legal_draft = open_task(legal_report)
    forged = legal_draft.flow_task.reverse(
        "execute", args=[sanitation_report.process_id, legal_draft.pk])
    head = client_for(head_legal)

    assert head.get(forged).status_code == 404
    response = head.post(forged, {"work_done": "冒名提交。", "problems": "", "next_steps": "",
                                  "_submit": "1"})
    assert response.status_code == 404

    for report in (legal_report, sanitation_report):
        report.refresh_from_db()
        assert report.status == QuarterlyReport.Status.DRAFT
        assert report.work_done == ""
        assert tasks_by_step(report) == {"start": 1, "draft": 1}
    assert open_task(legal_report) == legal_draft
    # the real URL still works for its owner
    assert head.get(task_url(legal_draft)).status_code == 200
