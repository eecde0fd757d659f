"""Versions on return: every submission is frozen; the reviewer sees exactly what changed since
the last one, next to the opinion that sent it back; the history and the API list each version."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from flows.selectors import history
from records import versions
from records.models import Problem, QuarterlyReport, Version

from .conftest import open_task, review, submit, task_url
from .test_rectification import analyse, as_owner, decide, new_problem

# the first submission: two sentences of work done
FIRST = "组织理论学习中心组学习会3次。开展廉政谈话12人次。"
# the revision answers the opinion by changing one character of the first sentence
SECOND = "组织理论学习中心组学习会4次。开展廉政谈话12人次。"
PROBLEMS = "个别党员学习笔记不全。"
OPINION = "学习会次数与台账不符，请核实后重新报送。"


def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0]}")
    return client


def changes_section(page: str) -> str:
    """The reviewer's “changes since the last submission” section of a task page."""
    match = re.search(r'<section class="dc-body dc-changes">.*?</section>', page, re.S)
    assert match, "the page has no changes section"
    return match.group(0)


@pytest.fixture
def returned_and_resubmitted(sanitation_report, head_sanitation, leader_li, client_for):
    """Sanitation's report: submitted, returned with an opinion, one sentence edited, resubmitted."""
    head, leader = client_for(head_sanitation), client_for(leader_li)
    assert submit(head, sanitation_report, work_done=FIRST, problems=PROBLEMS).status_code == 302
    assert review(leader, sanitation_report, "return", OPINION).status_code == 302
    assert submit(head, sanitation_report, work_done=SECOND, problems=PROBLEMS).status_code == 302
    sanitation_report.refresh_from_db()
    return sanitation_report


# -- the diff itself ---------------------------------------------------------------------------

def test_the_diff_marks_only_the_changed_character_of_chinese_text():
    old, new = versions.diff_text(FIRST, SECOND)
    assert versions.render(old) == "组织理论学习中心组学习会<del>3</del>次。开展廉政谈话12人次。"
    assert versions.render(new) == "组织理论学习中心组学习会<ins>4</ins>次。开展廉政谈话12人次。"


def test_an_added_sentence_is_marked_whole_and_the_others_not():
    old, new = versions.diff_text("一、加强学习。二、严肃纪律。", "一、加强学习。新增：开展警示教育。二、严肃纪律。")
    assert versions.render(old) == "一、加强学习。二、严肃纪律。"
    assert versions.render(new) == "一、加强学习。<ins>新增：开展警示教育。</ins>二、严肃纪律。"


def test_a_rewritten_sentence_is_replaced_whole_rather_than_scattered():
    old, new = versions.diff_text("加强管理。", "建立派车登记制度，责任到人。")
    assert versions.render(old) == "<del>加强管理。</del>"
    assert versions.render(new) == "<ins>建立派车登记制度，责任到人。</ins>"


def test_the_diff_escapes_html_in_the_text():
    old, new = versions.diff_text("<b>旧</b>", "<b>新</b>")
    assert "<b>" not in versions.render(old) + versions.render(new)
    assert "&lt;b&gt;" in versions.render(new)


# -- quarterly reports in the browser ----------------------------------------------------------

def test_each_submission_freezes_a_version_and_the_first_is_kept_as_it_was(
        returned_and_resubmitted, head_sanitation):
    report = returned_and_resubmitted
    assert report.version == 2
    first, second = versions.versions_of(report)
    assert (first.number, first.content["work_done"]) == (1, FIRST)
    assert (second.number, second.content["work_done"]) == (2, SECOND)
    assert second.content["problems"] == PROBLEMS and second.submitted_by == head_sanitation
    assert first.task.flow_task.name == "draft" and second.task.flow_task.name == "draft"
    assert first.task_id != second.task_id


def test_the_reviewer_sees_exactly_the_changed_text_next_to_the_earlier_opinion(
        returned_and_resubmitted, leader_li, client_for):
    report = returned_and_resubmitted
    page = client_for(leader_li).get(task_url(open_task(report))).content.decode()
    section = changes_section(page)
    assert "与上次提交相比的修改" in section
    # the changed character, and only it, is marked on each side
    assert re.findall(r"<del>(.*?)</del>", section, re.S) == ["3"]
    assert re.findall(r"<ins>(.*?)</ins>", section, re.S) == ["4"]
    assert "组织理论学习中心组学习会<del>3</del>次。开展廉政谈话12人次。" in section
    assert "组织理论学习中心组学习会<ins>4</ins>次。开展廉政谈话12人次。" in section
    # the fields that did not change are collapsed and say so
    assert section.count("未改动") == 2
    # the opinion given on version 1 is shown beside it
    assert OPINION in section and "对第1版的意见" in section
    assert "第1版" in section and "第2版" in section


def test_the_first_submission_shows_no_changes_section(sanitation_report, head_sanitation,
                                                       leader_li, client_for):
    submit(client_for(head_sanitation), sanitation_report, work_done=FIRST)
    page = client_for(leader_li).get(task_url(open_task(sanitation_report))).content.decode()
    assert "与上次提交相比的修改" not in page and "<ins>" not in page


def test_the_history_says_which_version_each_submission_produced(returned_and_resubmitted,
                                                                  leader_li, client_for):
    report = returned_and_resubmitted
    entries = history(report)
    assert [(e.task.flow_task.name, e.version.number if e.version else None) for e in entries] \
        == [("draft", 1), ("review", None), ("draft", 2), ("review", None)]
    page = client_for(leader_li).get(f"/reports/{report.pk}/").content.decode()
    assert f'href="/reports/{report.pk}/versions/1/"' in page
    assert f'href="/reports/{report.pk}/versions/2/"' in page
    # the versions card lists who and when
    assert "版本" in page and "第2版" in page and "与第1版比较" in page


def test_the_version_page_shows_the_frozen_text_and_the_diff_with_the_one_before(
        returned_and_resubmitted, head_sanitation, client_for):
    report = returned_and_resubmitted
    client = client_for(head_sanitation)
    first = client.get(f"/reports/{report.pk}/versions/1/").content.decode()
    assert FIRST in first and "<ins>" not in first and OPINION in first
    second = client.get(f"/reports/{report.pk}/versions/2/").content.decode()
    assert "组织理论学习中心组学习会<ins>4</ins>次。" in second
    assert "与第1版相比的修改" in second
    assert client.get(f"/reports/{report.pk}/versions/3/").status_code == 404


def test_the_history_query_count_does_not_grow_with_versions(
        sanitation_report, head_sanitation, leader_li, client_for, django_assert_max_num_queries):
    head, leader = client_for(head_sanitation), client_for(leader_li)
    submit(head, sanitation_report, work_done=FIRST)
    # the baseline once there are opinions too (the history reads them only once there are)
    review(leader, sanitation_report, "return", OPINION)
    submit(head, sanitation_report, work_done=f"{FIRST}第2稿。")
    with CaptureQueriesContext(connection) as one:
        history(sanitation_report)
        page = leader.get(f"/reports/{sanitation_report.pk}/")
    assert page.status_code == 200
    baseline = len(one)  # read now: every request clears the connection's query log
    for n in range(3, 5):
        review(leader, sanitation_report, "return", OPINION)
        submit(head, sanitation_report, work_done=f"{FIRST}第{n}稿。")
    assert Version.objects.filter(report=sanitation_report).count() == 4
    with django_assert_max_num_queries(baseline):
        assert len(history(sanitation_report)) == 8
        page = leader.get(f"/reports/{sanitation_report.pk}/")
    assert page.content.decode().count("/versions/4/") >= 2


def test_people_outside_the_chain_cannot_read_a_version(returned_and_resubmitted, outsider,
                                                        leader_wang, client_for):
    report = returned_and_resubmitted
    for person in (outsider, leader_wang):
        response = client_for(person).get(f"/reports/{report.pk}/versions/2/")
        assert response.status_code == 404 and SECOND.encode() not in response.content
        for path in (f"/api/v1/reports/{report.pk}/versions/",
                     f"/api/v1/reports/{report.pk}/versions/2/"):
            response = api(person).get(path)
            assert response.status_code == 404 and SECOND not in response.content.decode()


def test_a_version_cannot_be_changed_or_deleted(returned_and_resubmitted):
    version = Version.objects.filter(report=returned_and_resubmitted).first()
    version.content = {"work_done": "改写"}
    with pytest.raises(ValueError):
        version.save()
    with pytest.raises(ValueError):
        version.delete()
    assert Version.objects.get(pk=version.pk).content["work_done"] == FIRST


# -- quarterly reports through the API ---------------------------------------------------------

def test_through_the_api_each_submission_is_a_version_with_its_diff(
        sanitation_report, head_sanitation, leader_li):
    head, leader = api(head_sanitation), api(leader_li)

    def act(client, action, **data):
        task = open_task(sanitation_report)
        response = client.post(f"/api/v1/tasks/{task.pk}/{action}/", data, format="json")
        assert response.status_code == 200, response.json()

    act(head, "submit", work_done=FIRST, problems=PROBLEMS)
    act(leader, "return", opinion=OPINION)
    act(head, "submit", work_done=SECOND, problems=PROBLEMS)

    listed = leader.get(f"/api/v1/reports/{sanitation_report.pk}/versions/").json()
    assert [(v["number"], v["content"]["work_done"], v["submitted_by"]["username"])
            for v in listed] == [(1, FIRST, "head_sanitation"), (2, SECOND, "head_sanitation")]
    assert all(v["task"] for v in listed)

    second = leader.get(f"/api/v1/reports/{sanitation_report.pk}/versions/2/").json()
    assert second["previous"] == 1
    work_done, problems, next_steps = second["diff"]
    assert work_done["field"] == "work_done" and work_done["changed"] is True
    assert work_done["new_html"] == "组织理论学习中心组学习会<ins>4</ins>次。开展廉政谈话12人次。"
    assert [s for s in work_done["old_segments"] if s["kind"] != "equal"] == \
        [{"kind": "delete", "text": "3"}]
    assert [s for s in work_done["new_segments"] if s["kind"] != "equal"] == \
        [{"kind": "insert", "text": "4"}]
    assert problems["changed"] is False and next_steps["changed"] is False

    first = leader.get(f"/api/v1/reports/{sanitation_report.pk}/versions/1/").json()
    assert first["diff"] is None and first["previous"] is None
    assert [o["text"] for o in first["opinions"]] == [OPINION]
    assert leader.get(f"/api/v1/reports/{sanitation_report.pk}/versions/9/").status_code == 404

    detail = leader.get(f"/api/v1/reports/{sanitation_report.pk}/").json()
    assert [(h["step"], h["version"]) for h in detail["history"]] == \
        [("draft", 1), ("review", None), ("draft", 2), ("review", None)]


def test_the_version_endpoints_are_in_the_openapi_schema(head_sanitation):
    schema = api(head_sanitation).get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    for path in ("/api/v1/reports/{id}/versions/", "/api/v1/reports/{id}/versions/{number}/",
                 "/api/v1/problems/{id}/versions/", "/api/v1/problems/{id}/versions/{number}/"):
        assert path in schema["paths"], path


# -- a problem's plan --------------------------------------------------------------------------

ROOT = "车辆管理制度执行不严，节假日派车无人审批。"
PLAN_1 = "建立派车登记制度。节假日车辆集中停放。"
PLAN_2 = "建立派车登记制度。节假日车辆集中停放，钥匙由值班领导保管。"


@pytest.fixture
def replanned(bureau, jiwei_chen, unit):
    """An enforcement problem whose plan was returned once and resubmitted with one clause
    added and a later date."""
    problem = new_problem(jiwei_chen, unit("enforcement"))
    planned = timezone.localdate() + datetime.timedelta(days=30)
    assert analyse(as_owner(problem), problem, planned=planned, root_cause=ROOT,
                   measures=PLAN_1).status_code == 302
    assert decide(as_owner(problem), problem, "return", OPINION).status_code == 302
    assert analyse(as_owner(problem), problem, planned=planned + datetime.timedelta(days=5),
                   root_cause=ROOT, measures=PLAN_2).status_code == 302
    problem.refresh_from_db()
    return problem


def test_a_returned_plan_resubmitted_is_version_2_and_the_leader_sees_what_changed(
        replanned, leader_zhao, client_for):
    assert replanned.plan_version == 2 and replanned.status == Problem.Status.PLAN_REVIEW
    assert [v.content["measures"] for v in versions.versions_of(replanned)] == [PLAN_1, PLAN_2]
    page = client_for(leader_zhao).get(task_url(open_task(replanned))).content.decode()
    section = changes_section(page)
    assert re.findall(r"<ins>(.*?)</ins>", section, re.S) == [
        "，钥匙由值班领导保管", str(replanned.planned_date)]
    assert re.findall(r"<del>(.*?)</del>", section, re.S) == [
        str(replanned.planned_date - datetime.timedelta(days=5))]
    assert "建立派车登记制度。节假日车辆集中停放<ins>" in section
    assert section.count("未改动") == 1  # the root cause
    assert OPINION in section
    # the return opinion was given on version 1 of the plan
    assert replanned.opinions.get(kind="return").version == 1


def test_the_problem_history_and_version_pages_list_both_plans(replanned, head_enforcement,
                                                              client_for):
    entries = [(e.task.flow_task.name, e.version.number if e.version else None)
               for e in history(replanned)]
    assert entries == [("analyse", 1), ("approve_plan", None), ("analyse", 2),
                       ("approve_plan", None)]
    client = client_for(head_enforcement)
    page = client.get(f"/problems/{replanned.pk}/").content.decode()
    assert f'href="/problems/{replanned.pk}/versions/2/"' in page
    second = client.get(f"/problems/{replanned.pk}/versions/2/").content.decode()
    assert "集中停放<ins>，钥匙由值班领导保管</ins>。" in second


def test_problem_versions_through_the_api_and_refused_to_outsiders(replanned, leader_zhao,
                                                                   outsider, head_legal):
    listed = api(leader_zhao).get(f"/api/v1/problems/{replanned.pk}/versions/").json()
    assert [v["content"]["measures"] for v in listed] == [PLAN_1, PLAN_2]
    second = api(leader_zhao).get(f"/api/v1/problems/{replanned.pk}/versions/2/").json()
    measures = next(row for row in second["diff"] if row["field"] == "measures")
    assert measures["new_html"] == "建立派车登记制度。节假日车辆集中停放<ins>，钥匙由值班领导保管</ins>。"
    for person in (outsider, head_legal):
        for path in (f"/api/v1/problems/{replanned.pk}/versions/",
                     f"/api/v1/problems/{replanned.pk}/versions/2/"):
            response = api(person).get(path)
            assert response.status_code == 404 and PLAN_2 not in response.content.decode()
        from django.test import Client

        client = Client()
        client.force_login(person)
        response = client.get(f"/problems/{replanned.pk}/versions/1/")
        assert response.status_code == 404 and PLAN_1 not in response.content.decode()


def test_the_demo_has_a_plan_returned_once_and_resubmitted(bureau):
    from demo.problems import load_demo_problems

    load_demo_problems()
    sanitation = Problem.objects.get(unit__code="sanitation")
    assert sanitation.plan_version == 2
    rows = versions.diff(*versions.versions_of(sanitation))
    assert [row.field for row in rows if row.changed] == ["measures"]


def test_reports_and_problems_keep_their_own_numbering(returned_and_resubmitted, replanned):
    assert list(Version.objects.filter(report=returned_and_resubmitted)
                .values_list("number", flat=True)) == [1, 2]
    assert list(Version.objects.filter(problem=replanned).values_list("number", flat=True)) \
        == [1, 2]
    assert QuarterlyReport.objects.get(pk=returned_and_resubmitted.pk).version == 2


def test_a_version_number_beyond_any_is_404_not_an_error(returned_and_resubmitted, leader_li,
                                                         client_for):
    report = returned_and_resubmitted
    huge = 10**20
    assert api(leader_li).get(f"/api/v1/reports/{report.pk}/versions/{huge}/").status_code == 404
    assert client_for(leader_li).get(f"/reports/{report.pk}/versions/{huge}/").status_code == 404
