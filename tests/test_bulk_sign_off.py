"""Bulk sign-off (批量签批): a leader signs off several quarterly reports at once."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Delegation, Unit, User
from flows.opening import open_quarter, open_report
from records.models import AuditEvent, Opinion, QuarterlyReport

from .conftest import QUARTER, YEAR, open_task, review, submit

LI_UNITS = ["legal", "sanitation", "facilities", "command"]  # leader_li oversees these


def submit_as_head(client_for, report):
    head = User.objects.get(username=f"head_{report.unit.code}")
    assert submit(client_for(head), report, work_done=f"{report.unit.name}本季度履责情况。"
                  ).status_code == 302
    report.refresh_from_db()
    return report


@pytest.fixture
def four(bureau, client_for):
    """leader_li's four units' Q3 2026 reports, all submitted and waiting for him."""
    reports = [open_report(unit=Unit.objects.get(code=code), year=YEAR, quarter=QUARTER)
               for code in LI_UNITS]
    return [submit_as_head(client_for, report) for report in reports]


def status_of(report):
    report.refresh_from_db()
    return report.status


def test_the_page_lists_the_leaders_reports_awaiting_sign_off(four, leader_li, client_for):
    page = client_for(leader_li).get("/reports/sign-off/").content.decode()
    for report in four:
        assert report.unit.name in page
        assert f'value="{open_task(report).pk}"' in page
        assert f"{report.unit.name}本季度履责情况。" in page  # a summary to read
    assert "2026年第3季度" in page or "2026" in page
    assert "统一意见" in page and "批量签批所选" in page
    # the inbox, the board and the menu lead here
    inbox = client_for(leader_li).get("/workflow/inbox/").content.decode()
    assert "/reports/sign-off/" in inbox and "一次签批 4 份汇报" in inbox
    assert "/reports/sign-off/" in client_for(leader_li).get(
        "/reports/board/?year=2026&quarter=3").content.decode()


def test_sign_off_three_with_one_opinion_and_one_with_its_own_and_one_already_handled(
        four, leader_li, client_for):
    legal, sanitation, facilities, command = four
    tasks = {report.pk: open_task(report).pk for report in four}
    leader = client_for(leader_li)
    listing = leader.get("/reports/sign-off/")
    assert listing.status_code == 200
    # between listing and posting, the sanitation report is returned from its own page
    assert review(leader, sanitation, "return", "请补充“四风”问题排查情况。").status_code == 302

    response = leader.post("/reports/sign-off/", {
        "tasks": [tasks[r.pk] for r in four],
        "opinion": "同意。",
        f"opinion_{tasks[command.pk]}": "请继续保持，注意整改闭环。",
        f"opinion_{tasks[legal.pk]}": "   ",  # blank: the common opinion applies
    })
    assert response.status_code == 200
    page = response.content.decode()
    assert "已签批 3 份汇报" in page and "1 份未能签批" in page
    assert "已处理过" in page and "退回修改" in page  # why the sanitation one was not

    assert [status_of(r) for r in four] == ["signed_off", "returned", "signed_off", "signed_off"]
    texts = dict(Opinion.objects.filter(kind="sign_off").values_list("report__unit__code", "text"))
    assert texts == {"legal": "同意。", "facilities": "同意。",
                     "command": "请继续保持，注意整改闭环。"}
    assert Opinion.objects.get(report=sanitation).kind == "return"  # untouched
    assert AuditEvent.objects.filter(action="report.sign_off").count() == 3
    # each flow moved on to its end; the returned one is back with its head
    for report in (legal, facilities, command):
        assert report.process.status == "DONE"
    assert open_task(sanitation).owner.username == "head_sanitation"
    # nothing is left to sign off
    assert "没有等待您签批的汇报" in leader.get("/reports/sign-off/").content.decode()


def test_nothing_ticked_says_so(four, leader_li, client_for):
    response = client_for(leader_li).post("/reports/sign-off/", {"opinion": "同意。"})
    assert "请勾选要签批的汇报" in response.content.decode()
    assert all(status_of(r) == "submitted" for r in four)


def test_forged_ids_on_the_page_sign_off_nothing_of_anyone_elses(four, bureau, leader_li,
                                                                 leader_zhao, client_for):
    enforcement = submit_as_head(client_for, open_report(
        unit=Unit.objects.get(code="enforcement"), year=YEAR, quarter=QUARTER))
    zhao_task = open_task(enforcement).pk
    response = client_for(leader_li).post("/reports/sign-off/", {
        "tasks": [zhao_task, "999999", "abc", open_task(four[0]).pk], "opinion": "同意。"})
    page = response.content.decode()
    assert page.count("无此任务") >= 3
    assert status_of(enforcement) == "submitted" and status_of(four[0]) == "signed_off"
    assert "城市管理综合执法支队" not in page.split("dc-bulk-results")[1].split("</table>")[0]


def test_outsiders_are_refused(four, outsider, head_sanitation, jiwei_chen, client_for):
    for user in (outsider, head_sanitation, jiwei_chen):
        client = client_for(user)
        assert client.get("/reports/sign-off/").status_code == 403
        assert client.post("/reports/sign-off/", {
            "tasks": [open_task(four[0]).pk], "opinion": "同意。"}).status_code == 403
        response = client.post("/api/v1/tasks/bulk/sign_off/",
                               {"tasks": [open_task(four[0]).pk]},
                               content_type="application/json")
        assert response.status_code == 403
        assert "市容" not in response.content.decode()
    assert all(status_of(r) == "submitted" for r in four)
    assert "/reports/sign-off/" not in client_for(head_sanitation).get("/reports/").content.decode()


def test_an_acting_leader_signs_off_on_behalf(bureau, head_sanitation, leader_li, leader_zhao,
                                              client_for):
    today = timezone.localdate()
    Delegation.objects.create(absent=leader_li, acting=head_sanitation,
                              valid_from=today - datetime.timedelta(days=1),
                              valid_to=today + datetime.timedelta(days=1))
    legal = submit_as_head(client_for, open_report(unit=Unit.objects.get(code="legal"),
                                                   year=YEAR, quarter=QUARTER))
    acting = client_for(head_sanitation)  # not a leader, but holds the review task
    assert "政策法规处" in acting.get("/reports/sign-off/").content.decode()
    response = acting.post("/api/v1/tasks/bulk/sign_off/",
                           {"tasks": [open_task(legal).pk], "opinion": "代为签批，同意。"},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()[0]["ok"] is True
    opinion = Opinion.objects.get(report=legal)
    assert (opinion.author, opinion.on_behalf_of) == (head_sanitation, leader_li)


# -- API ---------------------------------------------------------------------------------------

def test_api_bulk_sign_off_with_forged_and_handled_ids(four, bureau, leader_li, leader_zhao,
                                                       client_for):
    enforcement = submit_as_head(client_for, open_report(
        unit=Unit.objects.get(code="enforcement"), year=YEAR, quarter=QUARTER))
    zhao_task = open_task(enforcement).pk
    legal, sanitation, facilities, command = four
    tasks = [open_task(r).pk for r in four]
    leader = client_for(leader_li)
    assert review(leader, facilities, "sign_off", "同意。").status_code == 302  # handled before

    response = leader.post("/api/v1/tasks/bulk/sign_off/", {
        "tasks": [*tasks, zhao_task, 987654, tasks[0]],
        "opinion": "同意。", "opinions": {str(tasks[1]): "已阅，同意。"},
    }, content_type="application/json")
    assert response.status_code == 200, response.content
    rows = {row["task"]: row for row in response.json()}
    assert list(rows) == [*tasks, zhao_task, 987654]  # once each, in order
    assert rows[tasks[0]]["ok"] and rows[tasks[1]]["ok"] and rows[tasks[3]]["ok"]
    assert rows[tasks[0]]["item"] == {"type": "report", "id": legal.pk,
                                      "title": str(QuarterlyReport.objects.get(pk=legal.pk)),
                                      "status": "signed_off"}
    assert not rows[tasks[2]]["ok"] and "已处理过" in rows[tasks[2]]["error"]
    for forged in (zhao_task, 987654):
        assert rows[forged] == {"task": forged, "ok": False, "error": "无此任务", "item": None}
    assert status_of(enforcement) == "submitted"
    assert Opinion.objects.get(report=sanitation).text == "已阅，同意。"
    assert Opinion.objects.get(report=command).text == "同意。"


@pytest.mark.parametrize("body, words", [
    ({"tasks": []}, None),
    ({"tasks": ["abc"]}, None),
    ({"tasks": [1], "opinions": {"x": "同意"}}, "不是任务编号"),
    ({"tasks": [1], "opinions": {"2": "同意"}}, "未被选中"),
    ({"tasks": [1], "opinion": "长" * 4001}, None),
])
def test_api_bad_input_is_a_clear_400(four, leader_li, client_for, body, words):
    response = client_for(leader_li).post("/api/v1/tasks/bulk/sign_off/", body,
                                          content_type="application/json")
    assert response.status_code == 400
    if words:
        assert words in response.json()["detail"]
    assert all(status_of(r) == "submitted" for r in four)


def test_api_schema_lists_bulk_sign_off(bureau, leader_li, client_for):
    schema = client_for(leader_li).get("/api/v1/schema/").content.decode()
    assert "/api/v1/tasks/bulk/sign_off/" in schema and "tasks_bulk_sign_off" in schema


# -- cost --------------------------------------------------------------------------------------

def test_the_listing_costs_a_fixed_number_of_queries(bureau, leader_li, client_for,
                                                      django_assert_max_num_queries):
    for year, quarter in [(2025, 3), (2025, 4), (2026, 1), (2026, 2), (2026, 3)]:
        open_quarter(year=year, quarter=quarter)
    for report in QuarterlyReport.objects.filter(unit__code__in=LI_UNITS).select_related("unit"):
        submit_as_head(client_for, report)
    client = client_for(leader_li)
    with django_assert_max_num_queries(16):
        page = client.get("/reports/sign-off/").content.decode()
    assert page.count('name="tasks"') == 20
