"""What an attacker's or an unlucky client's input found (issue 15, points 5–8): every one
is a clear 400 (or 413) in JSON that changes nothing, never a 500 and never an HTML page."""

import datetime
import json

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from records import dates
from records.models import Opinion, Problem, QuarterlyReport

from .conftest import open_task, submit, task_url
from .test_rectification import analyse, approved, as_owner, new_problem, rectify, snapshot

FAR = "9999-12-31"


def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0]}")
    return client


def action(client, task, name, body, **kwargs):
    return client.post(f"/api/v1/tasks/{task.pk}/{name}/", body, format="json", **kwargs)


def raw(client, task, name, text: str):
    """A JSON body exactly as written (one the test client would not build)."""
    return client.post(f"/api/v1/tasks/{task.pk}/{name}/", data=text,
                       content_type="application/json")


@pytest.fixture
def problem(bureau, jiwei_chen, unit):
    return new_problem(jiwei_chen, unit("enforcement"))


# -- 5. far-future dates ---------------------------------------------------------------------

@pytest.mark.parametrize("name", ["analyse", "save"])
def test_a_planned_date_of_9999_is_refused_saying_how_far_ahead_is_allowed(
        problem, head_enforcement, name):
    before = snapshot(problem)
    response = action(api(head_enforcement), open_task(problem), name, {
        "root_cause": "制度不健全。", "measures": "建立台账。", "planned_date": FAR})
    assert response.status_code == 400
    message = response.json()["errors"]["planned_date"][0]
    assert str(dates.latest()) in message
    assert snapshot(problem) == before


def test_the_plan_page_refuses_a_date_beyond_three_years(problem):
    before = snapshot(problem)
    response = analyse(as_owner(problem), problem, planned=datetime.date(9999, 12, 31))
    assert response.status_code == 200 and str(dates.latest()) in response.content.decode()
    assert snapshot(problem) == before


def test_an_extension_to_9999_is_refused(problem, head_enforcement):
    rectifying = approved(problem)
    before = snapshot(rectifying)
    response = action(api(head_enforcement), open_task(rectifying), "request_extension",
                      {"new_date": FAR, "reason": "需要更多时间。"})
    assert response.status_code == 400 and "new_date" in response.json()["errors"]
    page = rectify(as_owner(rectifying), rectifying, "extension", new_date=FAR, reason="需要。")
    assert page.status_code == 200
    assert snapshot(rectifying) == before


def test_a_problem_already_due_on_the_last_day_of_the_calendar_still_opens(
        problem, jiwei_chen, client_for):
    rectifying = approved(problem)
    Problem.objects.filter(pk=rectifying.pk).update(due_date=datetime.date.max,
                                                    planned_date=datetime.date.max)
    assert client_for(jiwei_chen).get(f"/problems/{rectifying.pk}/").status_code == 200
    assert api(jiwei_chen).get(f"/api/v1/problems/{rectifying.pk}/").status_code == 200
    assert api(jiwei_chen).get("/api/v1/problems/").status_code == 200


# -- 6. wrong types --------------------------------------------------------------------------

@pytest.fixture
def submitted(sanitation_report, head_sanitation, client_for):
    submit(client_for(head_sanitation), sanitation_report)
    return sanitation_report


@pytest.mark.parametrize("body", [
    {"opinion": {"text": "x"}}, {"opinion": ["同意"]}, {"opinion": 5}, {"opinion": True},
    {"opinion": "同意。", "copy_to": "secretary"}, {"opinion": "同意。", "copy_to": [{"id": 1}]},
])
def test_a_decision_with_a_field_of_the_wrong_type_is_refused(submitted, leader_li, body):
    task = open_task(submitted)
    response = action(api(leader_li), task, "sign_off", body)
    assert response.status_code == 400
    field = next(iter(body.keys() - {"opinion"})) if len(body) > 1 else "opinion"
    assert field in response.json()["errors"]
    submitted.refresh_from_db()
    assert submitted.status == QuarterlyReport.Status.SUBMITTED
    assert not Opinion.objects.filter(report=submitted).exists()


@pytest.mark.parametrize("planned", [20271231, ["2027-01-31"], {"date": "2027-01-31"}])
def test_a_number_or_a_list_where_a_date_is_expected_is_a_400(problem, head_enforcement,
                                                              planned):
    before = snapshot(problem)
    response = action(api(head_enforcement), open_task(problem), "analyse", {
        "root_cause": "制度不健全。", "measures": "建立台账。", "planned_date": planned})
    assert response.status_code == 400 and "planned_date" in response.json()["errors"]
    assert snapshot(problem) == before


def test_a_body_that_is_not_an_object_is_a_400(submitted, leader_li):
    response = action(api(leader_li), open_task(submitted), "sign_off", ["同意"])
    assert response.status_code == 400 and response.json()["detail"]


# -- 7. cheap 500s ---------------------------------------------------------------------------

def test_a_lone_surrogate_in_a_text_field_is_a_400(sanitation_report, head_sanitation):
    task = open_task(sanitation_report)
    response = raw(api(head_sanitation), task, "save", '{"work_done": "abc\\ud800def"}')
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert "surrogate" in response.json()["detail"] or "字符" in response.json()["detail"]
    sanitation_report.refresh_from_db()
    assert sanitation_report.work_done == ""


def test_a_lone_surrogate_in_a_key_or_a_list_is_a_400(sanitation_report, head_sanitation):
    task = open_task(sanitation_report)
    for text in ('{"\\udfff": "x"}', '{"copy_to": ["\\ud800"]}'):
        response = raw(api(head_sanitation), task, "save", text)
        assert response.status_code == 400, text


def test_a_json_body_100000_levels_deep_is_a_400(sanitation_report, head_sanitation):
    task = open_task(sanitation_report)
    response = raw(api(head_sanitation), task, "save", "[" * 100_000 + "]" * 100_000)
    assert response.status_code == 400 and "nested" in response.json()["detail"] \
        or "嵌套" in response.json()["detail"]


def test_a_body_too_large_is_a_413_in_json(sanitation_report, head_sanitation, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    task = open_task(sanitation_report)
    response = action(api(head_sanitation), task, "save", {"work_done": "字" * 3000})
    assert response.status_code == 413 and response.json()["detail"]
    # with the browser's session too (the CSRF check reads the body first)
    client = Client(raise_request_exception=False)
    client.force_login(head_sanitation)
    response = client.post(f"/api/v1/tasks/{task.pk}/save/", {"work_done": "字" * 3000})
    assert response.status_code == 413 and response.json()["detail"]


def test_an_unexpected_error_in_the_api_is_a_500_in_json(sanitation_report, head_sanitation,
                                                         monkeypatch):
    from flows import actions

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(actions, "take", broken)
    response = action(api(head_sanitation), open_task(sanitation_report), "save",
                      {"work_done": "x"})
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json" and "boom" not in response.json()["detail"]


def test_an_error_outside_the_api_views_is_json_under_the_api(head_sanitation, monkeypatch):
    from accounts import middleware

    def broken(user):
        raise RuntimeError("boom")

    monkeypatch.setattr(middleware, "sign_in_refusal", broken)
    client = Client(raise_request_exception=False)
    client.force_login(head_sanitation)
    response = client.get("/api/v1/me/")
    assert response.status_code == 500 and response.json()["detail"]
    page = client.get("/workflow/inbox/")
    assert page.status_code == 500 and not page["Content-Type"].startswith("application/json")


# -- 8. empty saves and text limits ------------------------------------------------------------

def test_an_empty_save_changes_nothing(sanitation_report, head_sanitation):
    task = open_task(sanitation_report)
    client = api(head_sanitation)
    assert action(client, task, "save", {"work_done": "第一稿。", "problems": "无。"}).status_code == 200
    response = action(client, task, "save", {})
    assert response.status_code == 400 and response.json()["detail"]
    sanitation_report.refresh_from_db()
    assert (sanitation_report.work_done, sanitation_report.problems) == ("第一稿。", "无。")
    # a field not sent stays as it was
    assert action(client, task, "save", {"next_steps": "下季度。"}).status_code == 200
    sanitation_report.refresh_from_db()
    assert (sanitation_report.work_done, sanitation_report.next_steps) == ("第一稿。", "下季度。")


def test_an_empty_plan_save_changes_nothing(problem, head_enforcement):
    client = api(head_enforcement)
    task = open_task(problem)
    assert action(client, task, "save", {"root_cause": "制度不健全。"}).status_code == 200
    assert action(client, task, "save", {}).status_code == 400
    assert action(client, task, "save", {"measures": "建立台账。"}).status_code == 200
    problem.refresh_from_db()
    assert (problem.root_cause, problem.measures) == ("制度不健全。", "建立台账。")


def test_submitting_names_the_duties_carried_out_even_after_saving_them(sanitation_report,
                                                                      head_sanitation):
    """The typed API says what a submission needs (work_done), and holds clients to it."""
    task = open_task(sanitation_report)
    client = api(head_sanitation)
    action(client, task, "save", {"work_done": "已保存的草稿。"})
    refused = action(client, task, "submit", {})
    assert refused.status_code == 400 and "work_done" in refused.json()["errors"]
    assert action(client, task, "submit", {"work_done": "已保存的草稿。"}).status_code == 200
    sanitation_report.refresh_from_db()
    assert sanitation_report.status == QuarterlyReport.Status.SUBMITTED
    assert sanitation_report.work_done == "已保存的草稿。"


def test_a_one_megabyte_report_is_refused_through_the_api_and_the_page(
        sanitation_report, head_sanitation, client_for):
    task = open_task(sanitation_report)
    response = action(api(head_sanitation), task, "save", {"work_done": "字" * 1_000_000})
    assert response.status_code == 400 and "work_done" in response.json()["errors"]
    page = client_for(head_sanitation).post(task_url(task), {
        "work_done": "字" * 10_001, "_save": "1"})
    assert page.status_code == 200 and "10000" in page.content.decode()
    sanitation_report.refresh_from_db()
    assert sanitation_report.work_done == ""


def test_every_text_field_the_chain_writes_has_a_limit():
    from flows.models import CountersignPart
    from records.models import Circular, ExtensionRequest, ProgressNote, Urge

    for model, field in [(QuarterlyReport, "work_done"), (QuarterlyReport, "problems"),
                         (QuarterlyReport, "next_steps"), (Problem, "description"),
                         (Problem, "root_cause"), (Problem, "measures"), (Opinion, "text"),
                         (ProgressNote, "text"), (ExtensionRequest, "reason"),
                         (Circular, "body"), (Urge, "message"), (CountersignPart, "text")]:
        assert model._meta.get_field(field).max_length, (model, field)


def test_json_numbers_are_not_taken_as_text(sanitation_report, head_sanitation):
    response = raw(api(head_sanitation), open_task(sanitation_report), "save",
                   json.dumps({"work_done": 12345}))
    assert response.status_code == 400
    sanitation_report.refresh_from_db()
    assert sanitation_report.work_done == ""
