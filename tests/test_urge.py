"""Urging (催办): who may urge whom, once per item per working day, and what everyone sees."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import Delegation, User
from records.models import AuditEvent, Delivery, Notification, Urge
from records.services import urges as urging

from .conftest import open_task, review, submit, task_url

D = datetime.date
FRIDAY, SATURDAY, MONDAY = D(2026, 10, 23), D(2026, 10, 24), D(2026, 10, 26)


def travel(monkeypatch, day):
    """Make "today" ``day`` for everything that asks django.utils.timezone.localdate()."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)


def urge_page(client, record, message="", kind="reports"):
    return client.post(f"/{kind}/{record.pk}/urge/", {"message": message})


def page(client, record, kind="reports"):
    return client.get(f"/{kind}/{record.pk}/").content.decode()


def flash(response, client):
    """The message shown after the redirect."""
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


@pytest.fixture
def submitted(sanitation_report, head_sanitation, client_for):
    """The sanitation report, submitted: it waits on leader_li (李明)."""
    assert submit(client_for(head_sanitation), sanitation_report).status_code == 302
    sanitation_report.refresh_from_db()
    return sanitation_report


# -- who may urge ------------------------------------------------------------------------------

def test_the_leader_urges_the_head_who_is_notified_by_app_and_email(
        sanitation_report, leader_li, head_sanitation, client_for, settings,
        django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    leader = client_for(leader_li)
    assert "催办" in page(leader, sanitation_report)  # the button is there for the leader

    with django_capture_on_commit_callbacks(execute=True):
        response = urge_page(leader, sanitation_report, "请本周内提交季度汇报。")
    assert "已催办何平" in flash(response, leader)

    note = Notification.objects.get(kind="urged")
    assert note.recipient == head_sanitation
    assert "李明" in note.title and "市容环境卫生管理处" in note.title
    assert note.body == "请本周内提交季度汇报。"
    assert note.url == task_url(open_task(sanitation_report))
    assert Delivery.objects.get(notification=note).status == "sent"
    assert mail.outbox[-1].to == ["head_sanitation@dutychain.test"]
    assert "请本周内提交季度汇报。" in mail.outbox[-1].body

    event = AuditEvent.objects.get(action="report.urge")
    assert event.actor == leader_li and event.data["assignees"] == ["head_sanitation"]
    assert event.data["message"] == "请本周内提交季度汇报。"

    # the item's page shows the urge to everyone who sees the item, the head included
    shown = page(client_for(head_sanitation), sanitation_report)
    assert "催办：李明" in shown and "何平" in shown and "请本周内提交季度汇报。" in shown
    # and the notification centre lists it for the head
    assert "李明催办：" in client_for(head_sanitation).get("/notifications/").content.decode()


def test_the_submitter_urges_the_leader_once_the_report_waits_on_them(submitted, head_sanitation,
                                                                      leader_li, client_for):
    head = client_for(head_sanitation)
    assert "催办" in page(head, submitted)
    response = urge_page(head, submitted)
    assert response.status_code == 302
    urge = Urge.objects.get()
    assert (urge.urged_by, urge.assignee, urge.record) == (head_sanitation, leader_li, submitted)
    note = Notification.objects.get(kind="urged")
    assert note.recipient == leader_li and "何平" in note.body  # the default words name the urger


def test_the_committee_may_urge_anything(submitted, jiwei_chen, leader_li, client_for):
    assert urge_page(client_for(jiwei_chen), submitted, "请尽快审核。").status_code == 302
    assert Urge.objects.get().assignee == leader_li


@pytest.mark.parametrize("who, words", [
    ("secretary", "只有该事项的提交人"),       # sees everything, but is not in the urge list
    ("paizhu_sun", None),                  # cannot even see the report: 404
])
def test_people_who_may_not_urge_are_refused(submitted, who, words, client_for):
    user = User.objects.get(username=who)
    client = client_for(user)
    response = urge_page(client, submitted)
    if words is None:
        assert response.status_code == 404
    else:
        assert words in flash(response, client)
        assert "name=\"_urge\"" not in page(client, submitted)
    assert not Urge.objects.exists() and not Notification.objects.filter(kind="urged").exists()


def test_an_outsider_gets_404_from_page_and_api(submitted, outsider, client_for):
    client = client_for(outsider)
    assert urge_page(client, submitted).status_code == 404
    response = client.post(f"/api/v1/reports/{submitted.pk}/urge/", {},
                           content_type="application/json")
    assert response.status_code == 404
    assert "市容" not in response.content.decode()
    assert not Urge.objects.exists()


def test_the_assignee_cannot_urge_themselves(sanitation_report, head_sanitation, client_for):
    head = client_for(head_sanitation)
    assert 'name="_urge"' not in page(head, sanitation_report)
    assert "在等您处理" in flash(urge_page(head, sanitation_report), head)
    assert not Urge.objects.exists()


def test_a_finished_report_has_nobody_to_urge(submitted, leader_li, jiwei_chen, client_for):
    assert review(client_for(leader_li), submitted, "sign_off", "同意。").status_code == 302
    committee = client_for(jiwei_chen)
    assert 'name="_urge"' not in page(committee, submitted)
    assert "没有待办环节" in flash(urge_page(committee, submitted), committee)
    assert not Urge.objects.exists()


def test_the_units_liaison_cannot_urge_its_own_head(bureau, unit, liaison_enforcement,
                                                   client_for):
    from flows.opening import open_report

    report = open_report(unit=unit("enforcement"), year=2026, quarter=3)
    client = client_for(liaison_enforcement)
    assert "本单位" in flash(urge_page(client, report), client)
    assert not Urge.objects.exists()


def test_an_acting_leader_and_the_absent_leader_are_both_told(sanitation_report, head_sanitation,
                                                              leader_li, leader_zhao, client_for):
    today = timezone.localdate()
    Delegation.objects.create(absent=leader_li, acting=leader_zhao,
                              valid_from=today - datetime.timedelta(days=1),
                              valid_to=today + datetime.timedelta(days=1))
    submit(client_for(head_sanitation), sanitation_report)
    urge = urging.urge_create(record=sanitation_report, by=head_sanitation, message="请审核。")
    assert (urge.assignee, urge.on_behalf_of) == (leader_zhao, leader_li)
    notes = {n.recipient.username: n for n in Notification.objects.filter(kind="urged")}
    assert set(notes) == {"leader_zhao", "leader_li"}
    assert notes["leader_zhao"].url == task_url(open_task(sanitation_report))
    assert notes["leader_li"].url == f"/reports/{sanitation_report.pk}/"
    assert "赵刚" in notes["leader_li"].title
    # the absent leader may not urge the one acting for them
    with pytest.raises(Exception, match="在等您处理"):
        urging.urge_create(record=sanitation_report, by=leader_li)


# -- once per working day ----------------------------------------------------------------------

def test_once_per_working_day_whoever_urges(sanitation_report, leader_li, jiwei_chen, monkeypatch,
                                           client_for):
    travel(monkeypatch, FRIDAY)
    leader, committee = client_for(leader_li), client_for(jiwei_chen)
    assert urge_page(leader, sanitation_report).status_code == 302
    assert "今天已催办过，请明天再催" in flash(urge_page(committee, sanitation_report), committee)
    assert "今天已催办过" in page(committee, sanitation_report)  # and no button today
    assert 'name="_urge"' not in page(committee, sanitation_report)
    assert Urge.objects.count() == 1

    # a Saturday counts as the next working day (Monday): allowed once …
    travel(monkeypatch, SATURDAY)
    assert urge_page(committee, sanitation_report, "周末催办").status_code == 302
    assert Urge.objects.latest("pk").day == MONDAY
    # … and then Monday's urge has been used up
    travel(monkeypatch, MONDAY)
    assert "今天已催办过" in flash(urge_page(leader, sanitation_report), leader)
    # the next working day it is allowed again
    travel(monkeypatch, D(2026, 10, 27))
    assert urge_page(leader, sanitation_report).status_code == 302
    assert list(Urge.objects.values_list("day", flat=True)) == [FRIDAY, MONDAY, D(2026, 10, 27)]
    assert Notification.objects.filter(kind="urged").count() == 3


def test_urge_day_skips_holidays(db):
    # the National Day holiday of 2026 runs 1–7 October; 8 October is a working day
    assert urging.urge_day(D(2026, 10, 3)) == D(2026, 10, 8)
    assert urging.urge_day(FRIDAY) == FRIDAY


# -- problems ----------------------------------------------------------------------------------

@pytest.fixture
def problem(bureau, unit, leader_wang):
    from flows.registration import register_problems

    # registered by leader_wang, who does not oversee sanitation: only the registration
    # lets him urge
    return register_problems(by=leader_wang, source="spot_check", found_on=D(2026, 10, 2),
                             items=[{"unit": unit("sanitation"), "category": "formalism",
                                     "description": "会议纪要照抄照搬。"}])[0]


def test_the_registrar_and_the_leader_urge_a_problem(problem, leader_wang, leader_li,
                                                     head_sanitation, head_legal, client_for,
                                                     monkeypatch):
    travel(monkeypatch, FRIDAY)
    registrar = client_for(leader_wang)
    assert "催办" in page(registrar, problem, "problems")
    response = urge_page(registrar, problem, "请按期剖析。", "problems")
    assert "已催办何平" in flash(response, registrar)
    note = Notification.objects.get(kind="urged")
    assert note.recipient == head_sanitation and "王志强" in note.title
    assert AuditEvent.objects.filter(action="problem.urge").count() == 1
    shown = page(client_for(head_sanitation), problem, "problems")
    assert "催办：王志强" in shown and "请按期剖析。" in shown

    leader = client_for(leader_li)
    assert "今天已催办过" in flash(urge_page(leader, problem, "", "problems"), leader)
    travel(monkeypatch, MONDAY)
    assert urge_page(leader, problem, "", "problems").status_code == 302
    # another unit's head sees nothing
    assert urge_page(client_for(head_legal), problem, "", "problems").status_code == 404
    assert Urge.objects.filter(problem=problem).count() == 2


# -- API ---------------------------------------------------------------------------------------

def test_api_urge_report_and_problem(submitted, problem, head_sanitation, leader_li, jiwei_chen,
                                     secretary, client_for):
    head = client_for(head_sanitation)
    response = head.post(f"/api/v1/reports/{submitted.pk}/urge/", {"message": "请审核。"},
                         content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["assignee"]["username"] == "leader_li" and body["message"] == "请审核。"
    assert body["step"] == "review"
    again = head.post(f"/api/v1/reports/{submitted.pk}/urge/", {},
                      content_type="application/json")
    assert again.status_code == 400 and "今天已催办过" in again.json()["detail"]

    refused = client_for(secretary).post(f"/api/v1/problems/{problem.pk}/urge/", {},
                                         content_type="application/json")
    assert refused.status_code == 403 and "分管领导" in refused.json()["detail"]
    ok = client_for(jiwei_chen).post(f"/api/v1/problems/{problem.pk}/urge/",
                                     {"message": "x" * 1001}, content_type="application/json")
    assert ok.status_code == 400  # too long: nothing done
    ok = client_for(jiwei_chen).post(f"/api/v1/problems/{problem.pk}/urge/", {},
                                     content_type="application/json")
    assert ok.status_code == 201 and ok.json()["assignee"]["username"] == "head_sanitation"

    detail = head.get(f"/api/v1/reports/{submitted.pk}/").json()
    assert [u["urged_by"]["username"] for u in detail["urges"]] == ["head_sanitation"]
    schema = client_for(leader_li).get("/api/v1/schema/").content.decode()
    assert "/api/v1/reports/{id}/urge/" in schema and "/api/v1/problems/{id}/urge/" in schema


# -- the page's cost ---------------------------------------------------------------------------

def test_the_page_with_many_urges_costs_a_fixed_number_of_queries(
        sanitation_report, leader_li, head_sanitation, jiwei_chen, client_for,
        django_assert_max_num_queries):
    task = open_task(sanitation_report)
    Urge.objects.bulk_create([
        Urge(record=sanitation_report, task=task, urged_by=(leader_li, jiwei_chen)[i % 2],
             assignee=head_sanitation, message=f"第{i}次催办", day=D(2026, 10, 1 + i))
        for i in range(20)])
    client = client_for(leader_li)
    # the same budget as a report page with a long history (tests/test_query_counts.py)
    with django_assert_max_num_queries(34):
        shown = client.get(f"/reports/{sanitation_report.pk}/").content.decode()
    assert shown.count("催办：") == 20 and "第19次催办" in shown


# -- two clicks at once (PostgreSQL) -----------------------------------------------------------

@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_urges_at_once_urge_once(bureau, unit, leader_li, jiwei_chen):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL; SQLite serialises writers")
    import config.urls  # noqa: F401
    from flows.opening import open_report

    report = open_report(unit=unit("sanitation"), year=2026, quarter=3)
    clients = []
    for user in (leader_li, jiwei_chen):
        client = Client()
        client.force_login(user)
        clients.append(client)
    barrier = threading.Barrier(2)
    results = [None, None]

    def run(index):
        try:
            barrier.wait(timeout=10)
            results[index] = clients[index].post(f"/api/v1/reports/{report.pk}/urge/", {},
                                                 content_type="application/json")
        except BaseException as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(40)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    assert sorted(r.status_code for r in results) == [201, 400]
    loser = next(r for r in results if r.status_code == 400)
    assert "今天已催办过" in loser.json()["detail"]
    assert Urge.objects.count() == 1
    assert Notification.objects.filter(kind="urged").count() == 1
    assert AuditEvent.objects.filter(action="report.urge").count() == 1
