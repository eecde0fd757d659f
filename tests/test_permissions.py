"""Who sees and does what: another unit's people get nothing, the chain gets its own."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import Delegation, User
from flows.opening import open_report
from records.models import Opinion, QuarterlyReport

from .conftest import QUARTER, YEAR, open_task, review, submit, task_url

SANITATION = "市容环境卫生管理处"
ENFORCEMENT = "城市管理综合执法支队"
ALL_UNITS = ["办公室", "组织人事处", "计划财务处", "政策法规处", SANITATION, "市政设施管理处",
             "数字城管指挥中心", ENFORCEMENT, "执法一大队", "执法二大队"]
WANG_UNITS = ["办公室", "组织人事处", "计划财务处"]
DRAFT_TEXT = "组织理论学习中心组学习会 3 次。"

# outsider (head_office, under leader_wang), leader_wang himself, and head_legal, who
# shares leader_li with sanitation but is of another unit
STRANGERS = ["head_office", "leader_wang", "head_legal"]


def user(username):
    return User.objects.get(username=username)


def login(username):
    client = Client()
    client.force_login(user(username))
    return client


def body(response):
    return response.content.decode()


def report_pages(report):
    """Every page of a report in draft, keyed by a readable name."""
    draft = open_task(report)
    return {
        "report": f"/reports/{report.pk}/",
        "edit": f"/reports/{report.pk}/edit/",
        "process": f"/workflow/flows/quarterlyreport/{report.process_id}/",
        "draft_execute": task_url(draft),
        "draft_detail": task_url(draft, "detail"),
    }


def snapshot(report):
    report.refresh_from_db()
    return (report.status, report.version, report.work_done, report.last_edited_by_id,
            Opinion.objects.filter(report=report).count(),
            list(Task.objects.filter(process_id=report.process_id)
                 .values_list("pk", "status", "owner_id").order_by("pk")))




@pytest.fixture
def enforcement_report(bureau):
    return open_report(unit=bureau.children.get(code="enforcement"), year=YEAR, quarter=QUARTER)


@pytest.fixture
def submitted_report(sanitation_report, head_sanitation, client_for):
    """Sanitation's report, submitted: the review task is with leader_li."""
    assert submit(client_for(head_sanitation), sanitation_report).status_code == 302
    sanitation_report.refresh_from_db()
    return sanitation_report


# --- another unit's people get nothing -------------------------------------------------------

@pytest.mark.parametrize("page", ["report", "edit", "process", "draft_execute", "draft_detail"])
@pytest.mark.parametrize("username", STRANGERS)
def test_another_units_people_get_no_page_of_the_report(sanitation_report, username, page):
    sanitation_report.work_done = "秘密的履责内容"
    sanitation_report.save()
    response = login(username).get(report_pages(sanitation_report)[page], follow=True)
    assert response.status_code in (403, 404)
    assert SANITATION not in body(response)
    assert "秘密的履责内容" not in body(response)


@pytest.mark.parametrize("action", ["execute", "detail"])
@pytest.mark.parametrize("username", STRANGERS)
def test_another_units_people_cannot_open_the_review_task(submitted_report, username, action):
    response = login(username).get(task_url(open_task(submitted_report), action))
    assert response.status_code in (403, 404)
    assert SANITATION not in body(response)
    assert DRAFT_TEXT not in body(response)


@pytest.mark.parametrize("username", STRANGERS)
def test_another_units_people_cannot_submit_the_draft(sanitation_report, username):
    before = snapshot(sanitation_report)
    response = login(username).post(task_url(open_task(sanitation_report)),
                                    {"work_done": "冒名提交", "_submit": "1"})
    assert response.status_code in (403, 404)
    assert snapshot(sanitation_report) == before
    assert before[0] == QuarterlyReport.Status.DRAFT


@pytest.mark.parametrize("decision", ["_sign_off", "_return"])
@pytest.mark.parametrize("username", STRANGERS)
def test_another_units_people_cannot_decide_the_review(submitted_report, username, decision):
    before = snapshot(submitted_report)
    response = login(username).post(task_url(open_task(submitted_report)),
                                    {"opinion": "冒名意见", decision: "1"})
    assert response.status_code in (403, 404)
    assert snapshot(submitted_report) == before
    assert before[0] == QuarterlyReport.Status.SUBMITTED
    assert not Opinion.objects.filter(text="冒名意见").exists()


@pytest.mark.parametrize("username", STRANGERS)
def test_another_units_people_cannot_save_the_draft_via_the_edit_page(sanitation_report,
                                                                      username):
    before = snapshot(sanitation_report)
    response = login(username).post(f"/reports/{sanitation_report.pk}/edit/",
                                    {"work_done": "冒名草稿"})
    assert response.status_code == 404
    assert snapshot(sanitation_report) == before


def test_the_report_list_shows_only_ones_own_units(sanitation_report, bureau, head_sanitation,
                                                   client_for):
    open_report(unit=bureau.children.get(code="office"), year=YEAR, quarter=QUARTER)

    outsider_list = body(login("head_office").get("/reports/"))
    assert "办公室" in outsider_list
    assert SANITATION not in outsider_list
    assert f"/reports/{sanitation_report.pk}/" not in outsider_list

    own_list = body(client_for(head_sanitation).get("/reports/"))
    assert SANITATION in own_list and "办公室" not in own_list


def test_a_leaders_board_lists_only_the_units_they_oversee(sanitation_report, leader_wang,
                                                           client_for):
    page = body(client_for(leader_wang).get(f"/reports/board/?year={YEAR}&quarter={QUARTER}"))
    for name in WANG_UNITS:
        assert name in page
    for name in set(ALL_UNITS) - set(WANG_UNITS):
        assert name not in page
    assert f"/reports/{sanitation_report.pk}/" not in page


def test_the_inbox_lists_only_ones_own_tasks(submitted_report, enforcement_report, client_for,
                                             leader_li, leader_wang, head_enforcement,
                                             head_sanitation):
    assert SANITATION in body(client_for(leader_li).get("/workflow/inbox/"))
    assert ENFORCEMENT not in body(client_for(leader_li).get("/workflow/inbox/"))

    head_inbox = body(client_for(head_enforcement).get("/workflow/inbox/"))
    assert ENFORCEMENT in head_inbox and SANITATION not in head_inbox

    # the head has submitted: nothing left in his inbox; wang and the outsider never had any
    for someone in (head_sanitation, leader_wang, user("head_office")):
        page = body(client_for(someone).get("/workflow/inbox/"))
        assert SANITATION not in page and ENFORCEMENT not in page


def test_the_archive_lists_only_tasks_one_finished(submitted_report, client_for, head_sanitation):
    assert SANITATION in body(client_for(head_sanitation).get("/workflow/archive/"))
    for username in STRANGERS + ["leader_li"]:
        assert SANITATION not in body(login(username).get("/workflow/archive/"))


def test_the_queue_shows_a_liaison_only_their_units_drafts(enforcement_report, sanitation_report,
                                                           liaison_enforcement, client_for):
    queue = body(client_for(liaison_enforcement).get("/workflow/queue/"))
    assert ENFORCEMENT in queue and SANITATION not in queue
    assert f"/reports/{enforcement_report.pk}/edit/" in queue
    for username in STRANGERS + ["head_sanitation"]:
        page = body(login(username).get("/workflow/queue/"))
        assert ENFORCEMENT not in page and SANITATION not in page


# --- the chain sees its own ------------------------------------------------------------------

@pytest.mark.parametrize("username", ["head_enforcement", "liaison_enforcement", "leader_zhao"])
def test_the_units_head_liaison_and_leader_see_its_report(enforcement_report, username):
    client = login(username)
    page = body(client.get(f"/reports/{enforcement_report.pk}/"))
    assert ENFORCEMENT in page
    assert ENFORCEMENT in body(client.get("/reports/"))
    process = client.get(f"/workflow/flows/quarterlyreport/{enforcement_report.process_id}/")
    assert process.status_code == 302 and process.url == f"/reports/{enforcement_report.pk}/"


def test_the_liaison_edits_the_draft_but_cannot_submit_it(enforcement_report,
                                                          liaison_enforcement, head_enforcement,
                                                          client_for):
    liaison = client_for(liaison_enforcement)
    response = liaison.post(f"/reports/{enforcement_report.pk}/edit/",
                            {"work_done": "支队党委理论学习 2 次。", "problems": "", "next_steps": ""})
    assert response.status_code == 302
    enforcement_report.refresh_from_db()
    assert enforcement_report.work_done == "支队党委理论学习 2 次。"
    assert enforcement_report.last_edited_by == liaison_enforcement
    assert enforcement_report.status == QuarterlyReport.Status.DRAFT

    draft = open_task(enforcement_report)
    assert draft.owner == head_enforcement
    before = snapshot(enforcement_report)
    assert liaison.get(task_url(draft)).status_code in (403, 404)
    response = submit(liaison, enforcement_report)
    assert response.status_code in (403, 404)
    assert snapshot(enforcement_report) == before


def test_the_supervising_leader_sees_the_report_as_soon_as_it_is_opened(sanitation_report,
                                                                        leader_li, client_for):
    assert sanitation_report.status == QuarterlyReport.Status.DRAFT
    page = client_for(leader_li).get(f"/reports/{sanitation_report.pk}/")
    assert page.status_code == 200 and SANITATION in body(page)


@pytest.mark.parametrize("username", ["secretary", "jiwei_chen"])
def test_the_secretary_and_the_committee_see_every_report_and_the_whole_board(
        sanitation_report, enforcement_report, username):
    client = login(username)
    listing = body(client.get("/reports/"))
    assert SANITATION in listing and ENFORCEMENT in listing
    for report in (sanitation_report, enforcement_report):
        assert client.get(f"/reports/{report.pk}/").status_code == 200
    board = body(client.get(f"/reports/board/?year={YEAR}&quarter={QUARTER}"))
    for name in ALL_UNITS:
        assert name in board
    assert f"/reports/{sanitation_report.pk}/" in board


def test_the_stationed_group_sees_no_unfiled_report(sanitation_report, paizhu_sun, client_for):
    client = client_for(paizhu_sun)
    assert client.get(f"/reports/{sanitation_report.pk}/").status_code == 404
    assert SANITATION not in body(client.get("/reports/"))
    assert SANITATION not in body(client.get("/workflow/inbox/"))


def test_an_acting_leader_gets_the_review_task_and_then_sees_the_report(
        sanitation_report, head_sanitation, leader_li, leader_wang, client_for):
    today = timezone.localdate()
    Delegation.objects.create(absent=leader_li, acting=leader_wang, valid_from=today,
                              valid_to=today + datetime.timedelta(days=7), reason="出差")
    wang = client_for(leader_wang)
    assert wang.get(f"/reports/{sanitation_report.pk}/").status_code == 404

    submit(client_for(head_sanitation), sanitation_report)
    task = open_task(sanitation_report)
    assert task.owner == leader_wang
    assert SANITATION in body(wang.get("/workflow/inbox/"))
    assert SANITATION in body(wang.get(f"/reports/{sanitation_report.pk}/"))

    assert review(wang, sanitation_report, "sign_off", "同意（代）。").status_code == 302
    sanitation_report.refresh_from_db()
    assert sanitation_report.status == QuarterlyReport.Status.SIGNED_OFF
    opinion = Opinion.objects.get(report=sanitation_report)
    assert (opinion.author, opinion.on_behalf_of) == (leader_wang, leader_li)


def test_anonymous_visitors_are_sent_to_the_login_page(submitted_report):
    review_task = open_task(submitted_report)
    draft_task = Task.objects.get(process_id=submitted_report.process_id, flow_task_type="HUMAN",
                                  status=STATUS.DONE)
    pages = ["/workflow/inbox/", "/workflow/queue/", "/workflow/archive/", "/reports/",
             "/reports/board/", "/reports/open/", f"/reports/{submitted_report.pk}/",
             f"/reports/{submitted_report.pk}/edit/",
             f"/workflow/flows/quarterlyreport/{submitted_report.process_id}/",
             task_url(review_task), task_url(review_task, "index"), task_url(draft_task, "index")]
    client = Client()
    for page in pages:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response.url.startswith("/accounts/login/"), page
    before = snapshot(submitted_report)
    response = client.post(task_url(review_task), {"opinion": "x", "_sign_off": "1"})
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert snapshot(submitted_report) == before
