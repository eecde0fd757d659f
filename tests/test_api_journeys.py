"""The three demo roles' work, driven only through the API with a token (no browser session)."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from records.models import AuditEvent, Opinion, Problem, QuarterlyReport

PASSWORD = "demo-pass-123"


def login(username):
    """A program with only a username and password."""
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": username, "password": PASSWORD},
                           format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def only_task(client, **match):
    tasks = [t for t in client.get("/api/v1/tasks/").json()["results"]
             if all(t[key] == value for key, value in match.items())]
    assert len(tasks) == 1, tasks
    return tasks[0]


def act(client, task, action, **fields):
    return client.post(f"/api/v1/tasks/{task['id']}/{action}/", fields, format="json")


def test_a_quarterly_report_is_written_returned_revised_and_signed_off(sanitation_report):
    head, leader = login("head_sanitation"), login("leader_li")
    me = head.get("/api/v1/me/").json()
    assert me["username"] == "head_sanitation" and "sanitation" in me["units"]
    assert "sanitation" in leader.get("/api/v1/me/").json()["oversees"]

    task = only_task(head, flow="quarterlyreport")
    assert task["step"] == "draft" and task["unit"]["code"] == "sanitation"
    assert task["item"] == {"type": "report", "id": sanitation_report.pk,
                            "title": str(sanitation_report), "status": "draft"}
    assert set(task["actions"]) == {"save", "submit", "transfer"}
    assert task["deadline"] == sanitation_report.due_date.isoformat()

    # a draft keeps the task; submitting without the duties is refused with the page's message
    saved = act(head, task, "save", work_done="草稿：学习 2 次。")
    assert saved.status_code == 200 and saved.json()["completed"] is False
    refused = act(head, task, "submit", work_done="  ")
    assert refused.status_code == 400
    assert "work_done" in refused.json()["errors"]
    submitted = act(head, task, "submit", work_done="组织理论学习中心组学习会 3 次。")
    assert submitted.status_code == 200 and submitted.json()["completed"] is True
    assert head.get("/api/v1/tasks/").json()["count"] == 0

    review = only_task(leader, flow="quarterlyreport")
    assert review["step"] == "review" and set(review["actions"]) == {"sign_off", "return", "transfer"}
    no_opinion = act(leader, review, "return", opinion="")
    assert no_opinion.status_code == 400 and "opinion" in no_opinion.json()["errors"]
    assert act(leader, review, "return", opinion="请补充问题整改情况。").status_code == 200
    # the same task again: already handled
    assert act(leader, review, "sign_off").status_code == 409

    revise = only_task(head, flow="quarterlyreport")
    assert act(head, revise, "submit", work_done="组织学习 3 次，整改 2 项。").status_code == 200
    assert act(leader, only_task(leader, flow="quarterlyreport"), "sign_off",
               opinion="同意。").status_code == 200

    sanitation_report.refresh_from_db()
    assert sanitation_report.status == QuarterlyReport.Status.SIGNED_OFF
    detail = head.get(f"/api/v1/reports/{sanitation_report.pk}/").json()
    assert detail["work_done"] == "组织学习 3 次，整改 2 项。"
    assert [o["kind"] for o in detail["opinions"]] == ["return", "sign_off"]
    assert [h["step"] for h in detail["history"]] == ["draft", "review", "draft", "review"]
    assert detail["history"][1]["opinion"]["text"] == "请补充问题整改情况。"
    listed = leader.get("/api/v1/reports/", {"status": "signed_off"}).json()
    assert [r["id"] for r in listed["results"]] == [sanitation_report.pk]
    assert AuditEvent.objects.filter(action="account.token").count() == 2


def test_a_problem_goes_from_registration_to_filing_through_the_api(bureau):
    committee, head, leader = login("jiwei_chen"), login("head_enforcement"), login("leader_zhao")
    registered = committee.post("/api/v1/problems/", {
        "source": "spot_check", "found_on": "2026-10-02", "title": "2026年中秋国庆明察暗访",
        "items": [{"unit": "enforcement", "category": "hedonism",
                   "description": "执法车辆节日期间私用"},
                  {"unit": "sanitation", "category": "formalism",
                   "description": "台账补记", "person_concerned": "张某"}]}, format="json")
    assert registered.status_code == 201, registered.content
    assert [p["unit"]["code"] for p in registered.json()] == ["enforcement", "sanitation"]
    problem = Problem.objects.get(unit__code="enforcement")
    assert problem.problem_list.title == "2026年中秋国庆明察暗访"

    later = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    analyse = only_task(head, flow="rectification")
    assert analyse["step"] == "analyse" and analyse["actions"] == ["save", "analyse", "transfer"]
    assert act(head, analyse, "analyse", root_cause="车辆管理制度执行不严。",
               measures="建立派车登记制度。", planned_date=later).status_code == 200
    assert act(leader, only_task(leader, flow="rectification"), "return",
               opinion="措施要具体到人。").status_code == 200
    assert act(head, only_task(head, flow="rectification"), "analyse",
               root_cause="车辆管理制度执行不严。", measures="建立派车登记制度，责任到人。",
               planned_date=later).status_code == 200
    assert act(leader, only_task(leader, flow="rectification"), "approve_plan",
               opinion="同意。").status_code == 200

    rectify = only_task(head, flow="rectification")
    assert set(rectify["actions"]) == {"progress", "evidence", "request_extension",
                                       "report_done", "transfer"}
    # nothing done yet: reporting it done is refused
    early = act(head, rectify, "report_done")
    assert early.status_code == 400 and early.json()["detail"]
    assert act(head, rectify, "progress", text="已完成登记制度建设。").status_code == 200
    upload = head.post(f"/api/v1/problems/{problem.pk}/evidence/",
                       {"file": SimpleUploadedFile("登记表.pdf", b"%PDF-1.4 evidence")},
                       format="multipart")
    assert upload.status_code == 201, upload.content
    evidence_id = upload.json()["id"]
    extension = act(head, rectify, "request_extension",
                    new_date=(timezone.localdate() + datetime.timedelta(days=40)).isoformat(),
                    reason="需要采购登记设备。")
    assert extension.status_code == 200
    decided = leader.post(f"/api/v1/problems/{problem.pk}/extension/",
                          {"decision": "grant", "opinion": "同意延期。"}, format="json")
    assert decided.status_code == 200 and decided.json()["decision"] == "granted"
    assert act(head, rectify, "report_done").json()["completed"] is True

    verify = only_task(committee, flow="rectification")
    assert act(committee, verify, "send_back", opinion="缺少整改前后对比。").status_code == 200
    assert act(head, only_task(head, flow="rectification"), "report_done").status_code == 200
    assert act(committee, only_task(committee, flow="rectification"), "close_out",
               opinion="同意销号。").status_code == 200

    problem.refresh_from_db()
    assert problem.status == Problem.Status.FILED
    assert list(Opinion.objects.filter(problem=problem).values_list("kind", flat=True)) == [
        "return", "approve", "grant", "send_back", "close_out"]
    stationed = login("paizhu_sun")
    detail = stationed.get(f"/api/v1/problems/{problem.pk}/").json()
    assert detail["status"] == "filed" and detail["light"] == "grey"
    assert [h["step"] for h in detail["history"]] == [
        "analyse", "approve_plan", "analyse", "approve_plan", "rectify", "verify", "rectify",
        "verify"]
    download = stationed.get(f"/api/v1/problems/{problem.pk}/evidence/{evidence_id}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 evidence"
    ledger = committee.get("/api/v1/problems/", {"status": "filed"}).json()
    assert [p["id"] for p in ledger["results"]] == [problem.pk]
