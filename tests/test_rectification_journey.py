"""The rectification journey: registered → analysed → approved → rectified → closed out → filed."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from records.models import Opinion, Problem

from .conftest import open_task, task_url


def _register(client, unit, n=1):
    data = {"title": "2026年中秋国庆节日期间明察暗访", "source": "spot_check",
            "found_on": "2026-10-02", "p-TOTAL_FORMS": "3", "p-INITIAL_FORMS": "0",
            "p-MIN_NUM_FORMS": "1", "p-MAX_NUM_FORMS": "50"}
    for i in range(n):
        data.update({f"p-{i}-unit": unit.pk, f"p-{i}-category": "hedonism",
                     f"p-{i}-description": f"执法车辆节日期间私用 {i}"})
    return client.post("/problems/register/", data)


def test_a_problem_goes_from_registration_to_filing(bureau, unit, client_for, jiwei_chen,
                                                     head_enforcement, leader_zhao, paizhu_sun):
    committee, head, leader = (client_for(u) for u in (jiwei_chen, head_enforcement, leader_zhao))
    assert _register(committee, unit("enforcement")).status_code == 302
    problem = Problem.objects.get()
    assert open_task(problem).owner == head_enforcement
    assert problem.due_date is not None

    later = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    analyse = {"root_cause": "车辆管理制度执行不严。", "measures": "建立派车登记制度。",
               "planned_date": later}
    head.post(task_url(open_task(problem)), analyse)
    # the leader returns the plan once, then approves it
    leader.post(task_url(open_task(problem)), {"opinion": "措施要具体到人。", "_return": "1"})
    problem.refresh_from_db()
    assert problem.status == Problem.Status.ANALYSING
    head.post(task_url(open_task(problem)), {**analyse, "measures": "建立派车登记制度，责任到人。"})
    leader.post(task_url(open_task(problem)), {"opinion": "同意。", "_approve": "1"})
    problem.refresh_from_db()
    assert problem.status == Problem.Status.RECTIFYING
    assert problem.approved_date.isoformat() == later

    url = task_url(open_task(problem))
    head.post(url, {"text": "已完成登记制度建设。", "_progress": "1"})
    head.post(url, {"file": SimpleUploadedFile("登记表.pdf", b"%PDF-1.4 evidence"),
                    "_evidence": "1"})
    head.post(url, {"_done": "1"})
    problem.refresh_from_db()
    assert problem.status == Problem.Status.VERIFYING
    assert open_task(problem).owner == jiwei_chen

    # the committee sends it back once, then closes it out
    committee.post(task_url(open_task(problem)), {"opinion": "缺少整改前后对比。",
                                                  "_send_back": "1"})
    problem.refresh_from_db()
    assert problem.status == Problem.Status.RECTIFYING
    head.post(task_url(open_task(problem)), {"_done": "1"})
    committee.post(task_url(open_task(problem)), {"opinion": "同意销号。", "_close_out": "1"})
    problem.refresh_from_db()
    assert problem.status == Problem.Status.FILED and problem.filed_at
    assert list(Opinion.objects.filter(problem=problem).values_list("kind", flat=True)) == [
        "return", "approve", "send_back", "close_out"]

    page = client_for(paizhu_sun).get(f"/problems/{problem.pk}/").content.decode()
    assert "执法车辆节日期间私用" in page and "同意销号。" in page
    evidence = problem.evidence.get()
    download = client_for(paizhu_sun).get(f"/problems/{problem.pk}/evidence/{evidence.pk}/")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 evidence"
