"""Bad input gets a clear message and changes nothing; never a server error."""

import pytest
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from flows.opening import open_report
from records.models import Opinion, QuarterlyReport

from .conftest import QUARTER, YEAR, open_task, review, submit, task_url

Status = QuarterlyReport.Status
SANITATION = "市容环境卫生管理处"
WORK = "组织理论学习中心组学习会 3 次。"




def snapshot(report):
    report.refresh_from_db()
    return (report.status, report.version, report.work_done, report.problems,
            report.last_edited_by_id, report.submitted_at, report.signed_off_at,
            list(Opinion.objects.filter(report=report).values_list("pk", flat=True)),
            list(Task.objects.filter(process_id=report.process_id)
                 .values_list("pk", "status", "owner_id").order_by("pk")))


def form_errors(response):
    form = response.context["form"]
    return [str(e) for errors in form.errors.values() for e in errors]


@pytest.fixture
def head(head_sanitation, client_for):
    return client_for(head_sanitation)


@pytest.fixture
def leader(leader_li, client_for):
    return client_for(leader_li)


@pytest.fixture
def submitted(sanitation_report, head):
    assert submit(head, sanitation_report).status_code == 302
    sanitation_report.refresh_from_db()
    assert sanitation_report.status == Status.SUBMITTED
    return sanitation_report


@pytest.fixture
def signed_off(submitted, leader):
    assert review(leader, submitted, "sign_off", "同意。").status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.SIGNED_OFF
    return submitted


# --- the review page ----------------------------------------------------------------------------

@pytest.mark.parametrize("opinion", ["", "   \n  "])
def test_returning_without_an_opinion_shows_the_form_again_and_changes_nothing(
        submitted, leader, opinion):
    before = snapshot(submitted)
    task = open_task(submitted)
    response = review(leader, submitted, "return", opinion)
    assert response.status_code == 200
    assert form_errors(response)  # the reason is on the page
    page = response.content.decode()
    assert 'name="opinion"' in page and 'name="_return"' in page
    assert snapshot(submitted) == before
    assert not Opinion.objects.filter(report=submitted).exists()
    assert open_task(submitted) == task and task.owner.username == "leader_li"


def test_an_overlong_opinion_is_refused_and_changes_nothing(submitted, leader):
    before = snapshot(submitted)
    response = review(leader, submitted, "sign_off", "同" * 4001)
    assert response.status_code == 200
    assert form_errors(response)
    assert snapshot(submitted) == before


def test_a_review_post_with_neither_button_changes_nothing(submitted, leader):
    before = snapshot(submitted)
    response = leader.post(task_url(open_task(submitted)), {"opinion": "同意。"})
    assert response.status_code == 200
    assert form_errors(response)
    assert snapshot(submitted) == before
    assert submitted.status == Status.SUBMITTED


# --- the draft page -----------------------------------------------------------------------------

@pytest.mark.parametrize("work_done", ["", "  \n "])
def test_submitting_without_work_done_keeps_the_draft(sanitation_report, head, work_done):
    before = snapshot(sanitation_report)
    response = submit(head, sanitation_report, work_done=work_done, problems="无")
    assert response.status_code == 200
    assert "work_done" in response.context["form"].errors
    assert snapshot(sanitation_report) == before
    assert sanitation_report.status == Status.DRAFT and sanitation_report.version == 0
    assert open_task(sanitation_report).flow_task.name == "draft"


def test_a_draft_post_with_neither_button_neither_saves_nor_submits(sanitation_report, head):
    before = snapshot(sanitation_report)
    response = head.post(task_url(open_task(sanitation_report)),
                         {"work_done": WORK, "problems": "", "next_steps": ""})
    assert response.status_code == 200
    assert form_errors(response)
    assert snapshot(sanitation_report) == before
    assert sanitation_report.status == Status.DRAFT and sanitation_report.work_done == ""


# --- a signed-off report is read-only -----------------------------------------------------------

def test_a_signed_off_report_cannot_be_edited_on_the_edit_page(signed_off, head):
    before = snapshot(signed_off)
    assert head.get(f"/reports/{signed_off.pk}/edit/").status_code == 404
    response = head.post(f"/reports/{signed_off.pk}/edit/", {"work_done": "事后改写"})
    assert response.status_code == 404
    assert snapshot(signed_off) == before


@pytest.mark.parametrize("button", ["_save", "_submit"])
def test_a_signed_off_report_cannot_be_changed_through_its_old_draft_task(signed_off, head,
                                                                          button):
    before = snapshot(signed_off)
    draft = Task.objects.get(process_id=signed_off.process_id, flow_task_type="HUMAN",
                             owner__username="head_sanitation", status=STATUS.DONE)
    response = head.post(task_url(draft), {"work_done": "事后改写", button: "1"})
    assert response.status_code in (403, 409)
    assert snapshot(signed_off) == before
    assert signed_off.work_done == WORK


# --- forged task URLs ---------------------------------------------------------------------------

def test_a_task_id_that_does_not_exist_is_404(sanitation_report, head):
    task = open_task(sanitation_report)
    missing = Task.objects.order_by("-pk").first().pk + 1000
    url = task.flow_task.reverse("execute", args=[sanitation_report.process_id, missing])
    assert head.get(url).status_code == 404
    assert head.post(url, {"work_done": WORK, "_submit": "1"}).status_code == 404
    sanitation_report.refresh_from_db()
    assert sanitation_report.status == Status.DRAFT


def test_a_url_pairing_one_reports_process_with_anothers_task_is_404(sanitation_report, unit,
                                                                     head_legal, client_for):
    legal_report = open_report(unit=unit("legal"), year=YEAR, quarter=QUARTER)
    legal_task = open_task(legal_report)
    before = snapshot(legal_report)
    forged = legal_task.flow_task.reverse("execute",
                                          args=[sanitation_report.process_id, legal_task.pk])
    client = client_for(head_legal)  # the owner of the task, even
    assert client.get(forged).status_code == 404
    assert client.post(forged, {"work_done": WORK, "_submit": "1"}).status_code == 404
    assert snapshot(legal_report) == before
    assert legal_report.status == Status.DRAFT


# --- opening a report by hand -------------------------------------------------------------------

def current_quarter():
    today = timezone.localdate()
    return today.year, (today.month - 1) // 3 + 1


@pytest.mark.parametrize("case", ["quarter_5", "year_1999", "unfinished_quarter", "not_my_unit",
                                  "year_abc"])
def test_opening_a_bad_period_or_unit_shows_an_error_and_opens_nothing(head, unit, case):
    year, quarter = current_quarter()
    data = {
        "quarter_5": {"year": YEAR, "quarter": 5, "unit": unit("sanitation").pk},
        "year_1999": {"year": 1999, "quarter": 4, "unit": unit("sanitation").pk},
        "unfinished_quarter": {"year": year, "quarter": quarter, "unit": unit("sanitation").pk},
        "not_my_unit": {"year": YEAR, "quarter": QUARTER, "unit": unit("legal").pk},
        "year_abc": {"year": "abc", "quarter": QUARTER, "unit": unit("sanitation").pk},
    }[case]
    response = head.post("/reports/open/", data)
    assert response.status_code == 200
    assert form_errors(response)
    assert not QuarterlyReport.objects.exists()
    assert not Task.objects.exists()


def test_opening_the_same_quarter_twice_says_so_and_keeps_one_report(head, unit):
    data = {"year": 2026, "quarter": 2, "unit": unit("sanitation").pk}
    first = head.post("/reports/open/", data)
    assert first.status_code == 302
    second = head.post("/reports/open/", data)
    assert second.status_code == 200
    errors = second.context["form"].non_field_errors()
    assert errors and SANITATION in errors[0]
    assert QuarterlyReport.objects.filter(unit__code="sanitation", year=2026, quarter=2).count() == 1


def test_only_a_unit_head_can_open_a_report(leader, bureau):
    assert leader.post("/reports/open/", {"year": YEAR, "quarter": QUARTER,
                                          "unit": bureau.children.get(code="legal").pk}
                       ).status_code == 404
    assert not QuarterlyReport.objects.exists()


# --- filters with nonsense in them --------------------------------------------------------------

@pytest.mark.parametrize("query", ["year=abc", "year=²", "year=99999999999999999999",
                                   "quarter=9&status=bogus&overdue=x", "quarter=12&year=-1"])
def test_nonsense_filters_on_the_report_list_do_not_crash(sanitation_report, head, query):
    response = head.get(f"/reports/?{query}")
    assert response.status_code == 200
    assert "<table" in response.content.decode()


@pytest.mark.parametrize("query", ["year=abc", "year=²&quarter=9", "year=99999999999&quarter=x"])
def test_nonsense_filters_on_the_board_fall_back_to_the_last_quarter(sanitation_report, leader,
                                                                     query):
    response = leader.get(f"/reports/board/?{query}")
    assert response.status_code == 200
    page = response.content.decode()
    assert SANITATION in page and "政策法规处" in page
    assert response.context["year"] >= 2026 and response.context["quarter"] in (1, 2, 3, 4)
