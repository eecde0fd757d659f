"""API v1, endpoint by endpoint: what works, what is refused (400 with the message), and what
a person of another unit gets (403/404 and none of the record's text)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from viewflow.workflow.exceptions import FlowLockFailed

from accounts.models import User
from flows import extensions as extension_flow
from flows.opening import open_report
from flows.quarterly import QuarterlyReportFlow
from flows.registration import register_problems
from records.models import AuditEvent, Evidence, Notification, Problem, QuarterlyReport
from records.services import circulars
from records.services import problems as services
from records.services.evidence import evidence_add

from .conftest import open_task

SECRET = "机密测试文本API"


def api(user, language=None):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0]}",
                       **({"HTTP_ACCEPT_LANGUAGE": language} if language else {}))
    return client


def problem_for(unit, by, description=SECRET, category="hedonism"):
    return register_problems(by=by, source="spot_check", found_on=datetime.date(2026, 10, 2),
                             items=[{"unit": unit, "category": category,
                                     "description": description}])[0]


def advance(problem, do):
    """Take one step of a problem's flow as the page would (for setting the stage)."""
    task = open_task(problem)
    with task.activation() as activation:
        activation.start(None)
        do(task)
        activation.execute()
    problem.refresh_from_db()


def rectifying(problem, head, leader):
    planned = timezone.localdate() + datetime.timedelta(days=30)
    advance(problem, lambda t: services.problem_analyse(
        problem=problem, by=head, root_cause=SECRET, measures=SECRET, planned_date=planned))
    advance(problem, lambda t: services.problem_approve_plan(problem=problem, by=leader, task=t))
    return problem


# -- authentication --------------------------------------------------------------------------

def test_a_token_is_issued_for_the_right_password_and_audited(head_sanitation):
    response = APIClient().post("/api/v1/auth/token/", {"username": "head_sanitation",
                                                        "password": "demo-pass-123"})
    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=head_sanitation).key
    event = AuditEvent.objects.get(action="account.token")
    assert event.actor == head_sanitation and event.target_id == str(head_sanitation.pk)


def test_a_wrong_password_is_refused_as_json_and_audited_as_a_failed_login(head_sanitation):
    response = APIClient().post("/api/v1/auth/token/", {"username": "head_sanitation",
                                                        "password": "guess"}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] and not Token.objects.exists()
    assert AuditEvent.objects.filter(action="account.login_failed").count() == 1


def test_missing_credentials_name_the_missing_fields(bureau):
    response = APIClient().post("/api/v1/auth/token/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"username", "password"}


def test_repeated_failures_lock_the_account_even_for_the_right_password(head_sanitation,
                                                                        settings):
    client = APIClient()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/api/v1/auth/token/", {"username": "head_sanitation", "password": "guess"})
    locked = client.post("/api/v1/auth/token/", {"username": "head_sanitation",
                                                 "password": "demo-pass-123"})
    assert locked.status_code == 429
    assert locked["Content-Type"] == "application/json"
    assert "登录失败次数过多" in locked.json()["detail"]
    assert not Token.objects.exists()
    # another account from the same address is not locked
    assert client.post("/api/v1/auth/token/", {"username": "head_legal",
                                               "password": "demo-pass-123"}).status_code == 200


def test_a_revoked_token_no_longer_opens_the_api(head_sanitation):
    client = api(head_sanitation)
    assert client.get("/api/v1/me/").status_code == 200
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert not Token.objects.filter(user=head_sanitation).exists()
    assert AuditEvent.objects.filter(action="account.token_revoke", actor=head_sanitation).exists()
    refused = client.get("/api/v1/me/")
    assert refused.status_code == 401 and refused.json()["detail"]


def test_without_credentials_every_resource_answers_401_json(bureau):
    response = APIClient().get("/api/v1/tasks/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert set(response.json()) == {"detail", "errors"}


def test_the_browser_session_also_opens_the_api(head_sanitation, client_for):
    response = client_for(head_sanitation).get("/api/v1/me/")
    assert response.status_code == 200 and response.json()["username"] == "head_sanitation"


# -- me --------------------------------------------------------------------------------------

def test_me_says_who_i_am_my_posts_and_the_units_i_oversee(leader_li, head_enforcement):
    me = api(leader_li).get("/api/v1/me/").json()
    assert me["username"] == "leader_li" and me["name"] == leader_li.name
    assert [p["role"] for p in me["posts"]] == ["leader"]
    assert me["oversees"] == ["legal", "sanitation", "facilities", "command"]
    assert me["units"] == [] and me["can_register_problems"] is True
    head = api(head_enforcement).get("/api/v1/me/").json()
    assert head["units"] == ["enforcement"] and head["oversees"] == []
    assert head["posts"][0]["unit"] == {"code": "enforcement", "name": "执法大队"} or \
        head["posts"][0]["unit"]["code"] == "enforcement"
    assert head["can_register_problems"] is False and head["sees_everything"] is False


# -- tasks -----------------------------------------------------------------------------------

def test_someone_elses_task_is_404_and_nothing_changes(sanitation_report, leader_li,
                                                       head_sanitation):
    task = open_task(sanitation_report)
    response = api(leader_li).post(f"/api/v1/tasks/{task.pk}/submit/",
                                   {"work_done": "冒名提交"}, format="json")
    assert response.status_code == 404
    assert "市容" not in response.content.decode()
    sanitation_report.refresh_from_db()
    assert sanitation_report.status == "draft" and sanitation_report.work_done == ""
    assert api(leader_li).get("/api/v1/tasks/").json()["count"] == 0


def test_an_action_the_step_does_not_have_is_404_naming_the_ones_it_has(sanitation_report,
                                                                      head_sanitation):
    task = open_task(sanitation_report)
    response = api(head_sanitation, "en").post(f"/api/v1/tasks/{task.pk}/sign_off/")
    assert response.status_code == 404
    assert "save, submit" in response.json()["detail"]


def test_a_body_that_is_not_an_object_is_400(sanitation_report, head_sanitation):
    task = open_task(sanitation_report)
    response = api(head_sanitation).post(f"/api/v1/tasks/{task.pk}/submit/", ["x"],
                                         format="json")
    assert response.status_code == 400 and response.json()["detail"]


def test_a_busy_item_answers_409_and_changes_nothing(sanitation_report, head_sanitation,
                                                     monkeypatch):
    def busy(cls, process_pk):
        raise FlowLockFailed("busy")

    monkeypatch.setattr(QuarterlyReportFlow, "lock", classmethod(busy))
    task = open_task(sanitation_report)
    response = api(head_sanitation, "en").post(f"/api/v1/tasks/{task.pk}/submit/",
                                               {"work_done": "学习 3 次。"}, format="json")
    assert response.status_code == 409
    assert "Someone else is acting" in response.json()["detail"]
    sanitation_report.refresh_from_db()
    assert sanitation_report.status == "draft"


def test_the_task_list_costs_the_same_queries_for_2_and_12_tasks(bureau, unit, jiwei_chen,
                                                                head_enforcement):
    client = api(head_enforcement)
    for _i in range(2):
        problem_for(unit("enforcement"), jiwei_chen)
    open_report(unit=unit("enforcement"), year=2026, quarter=3)
    client.get("/api/v1/tasks/")  # the process's first request reads the person's posts
    with CaptureQueriesContext(connection) as small:
        assert client.get("/api/v1/tasks/").json()["count"] == 3
    for _i in range(10):
        problem_for(unit("enforcement"), jiwei_chen)
    with CaptureQueriesContext(connection) as large:
        tasks = client.get("/api/v1/tasks/").json()
    assert tasks["count"] == 13
    assert {t["flow"] for t in tasks["results"]} == {"quarterlyreport", "rectification"}
    assert len(large) == len(small)


# -- reports ---------------------------------------------------------------------------------

def test_reports_are_filtered_by_year_quarter_unit_and_status(bureau, unit, secretary):
    q2 = open_report(unit=unit("sanitation"), year=2026, quarter=2)
    q3 = open_report(unit=unit("sanitation"), year=2026, quarter=3)
    legal = open_report(unit=unit("legal"), year=2026, quarter=3)
    client = api(secretary)

    def ids(**params):
        return [r["id"] for r in client.get("/api/v1/reports/", params).json()["results"]]

    assert set(ids()) == {q2.pk, q3.pk, legal.pk}
    assert ids(quarter=2) == [q2.pk]
    assert set(ids(year=2026, unit="legal")) == {legal.pk}
    assert ids(status="signed_off") == []


def test_a_bad_report_filter_is_400_naming_it(secretary):
    response = api(secretary).get("/api/v1/reports/", {"quarter": 5, "status": "lost"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"quarter", "status"}


def test_another_units_report_is_neither_listed_nor_readable(sanitation_report, outsider):
    sanitation_report.work_done = SECRET
    sanitation_report.save()
    client = api(outsider)
    assert client.get("/api/v1/reports/").json()["count"] == 0
    response = client.get(f"/api/v1/reports/{sanitation_report.pk}/")
    assert response.status_code == 404 and SECRET not in response.content.decode()


# -- problems --------------------------------------------------------------------------------

def test_registering_refuses_an_unknown_unit_and_a_date_in_the_future(jiwei_chen):
    client = api(jiwei_chen)
    bad_unit = client.post("/api/v1/problems/", {
        "source": "spot_check", "found_on": "2026-10-02",
        "items": [{"unit": "nowhere", "category": "hedonism", "description": "x"}]},
        format="json")
    assert bad_unit.status_code == 400, bad_unit.content
    # DRF names the item by its index
    assert "unit" in bad_unit.json()["errors"]["items"]["0"], bad_unit.json()
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    later = client.post("/api/v1/problems/", {
        "source": "spot_check", "found_on": future,
        "items": [{"unit": "legal", "category": "hedonism", "description": "x"}]},
        format="json")
    assert later.status_code == 400 and "found_on" in later.json()["errors"]
    # a code no unit can have (a NUL byte: PostgreSQL refuses it in text) is no such unit
    for field, value in (("unit", "le\x00gal"), ("co_units", ["legal", "fi\x00nance"])):
        item = {"unit": "legal", "category": "hedonism", "description": "x", field: value}
        nul = client.post("/api/v1/problems/", {"source": "spot_check", "found_on": "2026-10-02",
                                                "items": [item]}, format="json")
        assert nul.status_code == 400 and field in nul.json()["errors"]["items"]["0"], nul.content
    empty = client.post("/api/v1/problems/", {"source": "spot_check", "found_on": "2026-10-02",
                                              "items": []}, format="json")
    assert empty.status_code == 400 and "items" in empty.json()["errors"]
    assert not Problem.objects.exists()


def test_a_unit_head_may_not_register_problems(head_legal):
    response = api(head_legal).post("/api/v1/problems/", {
        "source": "spot_check", "found_on": "2026-10-02",
        "items": [{"unit": "legal", "category": "hedonism", "description": "x"}]},
        format="json")
    assert response.status_code == 403 and not Problem.objects.exists()


def test_one_problem_registers_without_a_list(jiwei_chen, head_legal):
    response = api(jiwei_chen).post("/api/v1/problems/", {
        "source": "supervision", "found_on": "2026-10-02",
        "items": [{"unit": "legal", "category": "discipline", "description": "执法记录仪未开启",
                   "person_concerned": "李某"}]}, format="json")
    assert response.status_code == 201
    [row] = response.json()
    assert row["assignee"] == {"username": "head_legal", "name": head_legal.name}
    assert row["step"] == "analyse" and row["light"] in ("green", "yellow", "red")
    assert Problem.objects.get().problem_list is None


def test_the_ledger_filters_like_the_page(bureau, unit, jiwei_chen):
    hedonism = problem_for(unit("enforcement"), jiwei_chen, "公车私用", "hedonism")
    formalism = problem_for(unit("legal"), jiwei_chen, "材料造假", "formalism")
    client = api(jiwei_chen)

    def ids(**params):
        response = client.get("/api/v1/problems/", params)
        assert response.status_code == 200, response.content
        return [p["id"] for p in response.json()["results"]]

    assert set(ids()) == {hedonism.pk, formalism.pk}
    assert ids(category="formalism") == [formalism.pk]
    assert ids(unit="enforcement") == [hedonism.pk]
    assert ids(status="closed") == [] and ids(light="grey") == []
    assert set(ids(year=2026, source="spot_check", sort="unit")) == {hedonism.pk, formalism.pk}
    bad = client.get("/api/v1/problems/", {"category": "wind", "light": "blue"})
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"category", "light"}


def test_another_units_problem_is_neither_listed_nor_readable(bureau, unit, jiwei_chen,
                                                              head_legal):
    problem = problem_for(unit("enforcement"), jiwei_chen)
    client = api(head_legal)
    assert client.get("/api/v1/problems/").json()["count"] == 0
    response = client.get(f"/api/v1/problems/{problem.pk}/")
    assert response.status_code == 404 and SECRET not in response.content.decode()


def test_the_ledger_costs_the_same_queries_for_2_and_12_problems(bureau, unit, jiwei_chen):
    client = api(jiwei_chen)
    units = ["enforcement", "legal"]
    for i in range(2):
        problem_for(unit(units[i % 2]), jiwei_chen)
    client.get("/api/v1/problems/")  # the process's first request reads the person's posts
    with CaptureQueriesContext(connection) as small:
        assert client.get("/api/v1/problems/").json()["count"] == 2
    for i in range(10):
        problem_for(unit(units[i % 2]), jiwei_chen)
    with CaptureQueriesContext(connection) as large:
        assert client.get("/api/v1/problems/").json()["count"] == 12
    assert len(large) == len(small)


def test_evidence_is_checked_like_on_the_page(bureau, unit, jiwei_chen, head_enforcement,
                                              leader_zhao, head_legal):
    problem = rectifying(problem_for(unit("enforcement"), jiwei_chen), head_enforcement,
                         leader_zhao)
    url = f"/api/v1/problems/{problem.pk}/evidence/"
    fake = api(head_enforcement, "en").post(
        url, {"file": SimpleUploadedFile("证据.pdf", b"MZ not a pdf")}, format="multipart")
    assert fake.status_code == 400
    assert "does not contain what its name says" in fake.json()["errors"]["file"][0]
    missing = api(head_enforcement).post(url, {}, format="multipart")
    assert missing.status_code == 400 and "file" in missing.json()["errors"]
    # the leader may see the problem but does not rectify it; another unit does not see it
    assert api(leader_zhao).post(url, {"file": SimpleUploadedFile(
        "a.pdf", b"%PDF-1.4 x")}, format="multipart").status_code == 403
    assert api(head_legal).post(url, {"file": SimpleUploadedFile(
        "a.pdf", b"%PDF-1.4 x")}, format="multipart").status_code == 404
    assert not Evidence.objects.exists()


def test_a_tampered_evidence_file_is_not_served(bureau, unit, jiwei_chen, head_enforcement,
                                                leader_zhao, head_legal):
    problem = rectifying(problem_for(unit("enforcement"), jiwei_chen), head_enforcement,
                         leader_zhao)
    evidence = evidence_add(problem=problem, by=head_enforcement,
                                     file=SimpleUploadedFile("a.pdf", b"%PDF-1.4 " + b"x" * 9))
    url = f"/api/v1/problems/{problem.pk}/evidence/{evidence.pk}/"
    ok = api(leader_zhao).get(url)
    assert ok.status_code == 200 and b"".join(ok.streaming_content).startswith(b"%PDF")
    assert api(head_legal).get(url).status_code == 404
    with open(evidence.file.path, "wb") as handle:
        handle.write(b"%PDF-1.4 altered")
    tampered = api(leader_zhao).get(url)
    assert tampered.status_code == 409 and tampered.json()["detail"]
    assert AuditEvent.objects.filter(action="problem.evidence_tampered").exists()
    assert AuditEvent.objects.filter(action="problem.evidence_download").count() == 1


def test_an_extension_is_decided_only_by_the_supervising_leader(bureau, unit, jiwei_chen,
                                                                head_enforcement, leader_zhao):
    problem = rectifying(problem_for(unit("enforcement"), jiwei_chen), head_enforcement,
                         leader_zhao)
    extension_flow.request(problem=problem, by=head_enforcement, task=None,
                                       new_date=problem.due_date + datetime.timedelta(days=9),
                                       reason="设备未到")
    url = f"/api/v1/problems/{problem.pk}/extension/"
    assert api(head_enforcement).post(url, {"decision": "grant"},
                                      format="json").status_code == 404
    no_reason = api(leader_zhao).post(url, {"decision": "refuse"}, format="json")
    assert no_reason.status_code == 400 and "opinion" in no_reason.json()["errors"]
    refused = api(leader_zhao).post(url, {"decision": "refuse", "opinion": "时间充足。"},
                                    format="json")
    assert refused.status_code == 200 and refused.json()["decision"] == "refused"


# -- notifications ---------------------------------------------------------------------------

def test_notifications_are_mine_and_can_be_marked_read(sanitation_report, head_sanitation,
                                                       head_legal):
    def note(user, title):
        return Notification.objects.create(recipient=user, kind="due_soon", key=title,
                                           day=timezone.localdate(), title=title)

    Notification.objects.all().delete()  # the report's new-task notice: not what this is about
    mine, other = note(head_sanitation, "我的提醒"), note(head_legal, SECRET)
    note(head_sanitation, "第二条")
    client = api(head_sanitation)
    listed = client.get("/api/v1/notifications/").json()
    assert {n["title"] for n in listed["results"]} == {"我的提醒", "第二条"}
    read = client.post(f"/api/v1/notifications/{mine.pk}/read/")
    assert read.status_code == 200 and read.json()["read_at"]
    assert [n["title"] for n in client.get("/api/v1/notifications/", {"unread": "true"})
            .json()["results"]] == ["第二条"]
    someone_elses = client.post(f"/api/v1/notifications/{other.pk}/read/")
    assert someone_elses.status_code == 404 and SECRET not in someone_elses.content.decode()
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 1}
    other.refresh_from_db()
    assert other.read_at is None
    assert client.get("/api/v1/notifications/", {"unread": "maybe"}).status_code == 400


# -- circulars -------------------------------------------------------------------------------

@pytest.fixture
def circular(bureau, unit, jiwei_chen):
    problem = problem_for(unit("enforcement"), jiwei_chen, "公车私用问题")
    return circulars.circular_issue(by=jiwei_chen, title="关于明察暗访发现问题的通报",
                                    body="现将有关情况通报如下。", issuer="机关纪委",
                                    issued_on=datetime.date(2026, 10, 8), problems=[problem])


def test_every_member_reads_circulars_and_downloads_the_docx(circular, head_legal):
    client = api(head_legal)
    listed = client.get("/api/v1/circulars/").json()["results"]
    assert [c["document_number"] for c in listed] == [circular.document_number]
    detail = client.get(f"/api/v1/circulars/{circular.pk}/").json()
    # named to everyone, but the problem itself stays with its chain
    assert detail["problems"][0]["description"] == "公车私用问题"
    assert detail["problems"][0]["visible"] is False
    docx = client.get(f"/api/v1/circulars/{circular.pk}/docx/")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert AuditEvent.objects.filter(action="circular.download", actor=head_legal).exists()
    assert client.get("/api/v1/circulars/999999/").status_code == 404


def test_someone_without_a_post_reads_no_circulars(circular):
    stranger = User.objects.create_user("stranger", password="Xq7-long-enough")
    client = api(stranger)
    # refused at the door: a person without a post is not let in at all
    listed = client.get("/api/v1/circulars/")
    assert listed.status_code == 401 and "岗位" in listed.json()["detail"]
    response = client.get(f"/api/v1/circulars/{circular.pk}/docx/")
    assert response.status_code == 401 and "公车私用" not in response.content.decode()


# -- language, schema, docs ------------------------------------------------------------------

def test_error_messages_follow_accept_language(sanitation_report, head_sanitation, leader_li):
    task = open_task(sanitation_report)
    api(head_sanitation).post(f"/api/v1/tasks/{task.pk}/submit/", {"work_done": "学习。"},
                              format="json")
    review = open_task(sanitation_report)
    url = f"/api/v1/tasks/{review.pk}/return/"
    english = api(leader_li, "en-US,en;q=0.9").post(url, {"opinion": ""}, format="json")
    assert english.json()["errors"]["opinion"] == ["Write an opinion saying what to revise."]
    chinese = api(leader_li, "zh-Hans").post(url, {"opinion": ""}, format="json")
    assert chinese.json()["errors"]["opinion"] == ["请填写意见，说明需修改的内容。"]
    # no header: the site's language
    assert "请填写意见" in api(leader_li).post(url, {}, format="json").json()["detail"]
    anonymous = APIClient().get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert anonymous.json()["detail"] == "身份认证信息未提供。"
    assert QuarterlyReport.objects.get().status == "submitted"


def test_the_schema_describes_the_contract(bureau):
    schema = APIClient().get("/api/v1/schema/", {"format": "json"}).json()
    assert schema["info"]["title"] == "DutyChain API"
    for path in ("/api/v1/auth/token/", "/api/v1/me/", "/api/v1/tasks/",
                 "/api/v1/tasks/{id}/{action}/", "/api/v1/reports/", "/api/v1/reports/{id}/",
                 "/api/v1/problems/", "/api/v1/problems/{id}/",
                 "/api/v1/problems/{id}/evidence/",
                 "/api/v1/problems/{id}/evidence/{evidence_pk}/",
                 "/api/v1/notifications/", "/api/v1/notifications/{id}/read/",
                 "/api/v1/notifications/read-all/", "/api/v1/circulars/",
                 "/api/v1/circulars/{id}/docx/"):
        assert path in schema["paths"], path
    ledger = schema["paths"]["/api/v1/problems/"]["get"]["parameters"]
    assert {"unit", "category", "source", "status", "light", "year"} <= {p["name"]
                                                                        for p in ledger}


def test_the_docs_are_served_by_the_app_without_a_cdn(bureau):
    client = APIClient()
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and "/api/v1/schema/" in script.content.decode()
    asset = client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert asset.status_code == 200


def test_an_unknown_api_path_is_a_json_404(head_sanitation):
    response = api(head_sanitation).get("/api/v1/nothing/here/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
