"""Recusal and countersign end to end (issue 23): every decision follows the same routing,
so the person concerned never decides their own item — nor its deadline; a joint
problem's units see it from registration, work on their parts as a single unit would
(progress, evidence, more time for their part), and everybody sees every part."""

import datetime
from io import BytesIO

import pytest
from django.utils import timezone
from docx import Document

from accounts.models import Delegation, User
from flows.registration import register_problems
from records.models import ExtensionRequest, Opinion, Problem, QuarterlyReport

from .conftest import open_task, review, submit, task_url
from .test_api import api
from .test_countersign import joint_problem, rectifying, task_of
from .test_rectification import analyse, approved, as_owner, decide, rectify, reported

TODAY = timezone.localdate()


def user(username) -> User:
    return User.objects.get(username=username)


def concerning(unit, by, person, description="公车私用。") -> Problem:
    [problem] = register_problems(by=by, source="spot_check",
                                  found_on=TODAY - datetime.timedelta(days=3),
                                  items=[{"unit": unit, "category": "hedonism",
                                          "description": description,
                                          "person_concerned": person}])
    return problem


def ask_more_time(problem, client=None, new_date=None):
    new_date = new_date or (problem.due_date + datetime.timedelta(days=20))
    response = rectify(client or as_owner(problem), problem, "extension",
                       new_date=new_date.isoformat(), reason="需协调外单位，时间不足。")
    assert response.status_code == 302, response.content.decode()[:2000]
    return ExtensionRequest.objects.get(problem=problem, decision="pending")


# -- 1. the person concerned decides nothing about their own case -----------------------------

@pytest.fixture
def about_leader_li(bureau, unit, jiwei_chen):
    """A sanitation problem whose person concerned is leader_li, who oversees sanitation."""
    return concerning(unit("sanitation"), jiwei_chen, "李明")


def test_the_person_concerned_neither_approves_the_plan_nor_decides_the_extension(
        about_leader_li, leader_li, secretary, client_for):
    problem = about_leader_li
    assert analyse(as_owner(problem), problem).status_code == 302
    plan = open_task(problem)
    assert plan.owner == secretary and plan.data["recused"]["user"] == leader_li.pk
    assert decide(client_for(secretary), problem, "approve", "同意。").status_code == 302
    problem.refresh_from_db()
    pending = ask_more_time(problem)

    # leader_li: nothing to decide, on the page and through the API
    page = client_for(leader_li).post(f"/problems/{problem.pk}/extension/",
                                      {"_grant": "1", "extension": pending.pk})
    assert page.status_code == 404
    refused = api(leader_li).post(f"/api/v1/problems/{problem.pk}/extension/",
                                  {"decision": "grant"}, format="json")
    assert refused.status_code == 404
    pending.refresh_from_db()
    assert pending.decision == ExtensionRequest.Decision.PENDING

    # the secretary, who decided the plan, decides it
    granted = api(secretary).post(f"/api/v1/problems/{problem.pk}/extension/",
                                  {"decision": "grant", "opinion": "同意延期。"}, format="json")
    assert granted.status_code == 200
    assert granted.json()["decided_by"]["username"] == "secretary"
    problem.refresh_from_db()
    assert problem.due_date == pending.new_date


def test_the_page_offers_the_decision_to_the_secretary_and_not_to_the_person_concerned(
        about_leader_li, leader_li, secretary, client_for):
    problem = about_leader_li
    analyse(as_owner(problem), problem)
    decide(client_for(secretary), problem, "approve", "同意。")
    problem.refresh_from_db()
    pending = ask_more_time(problem)
    mine = client_for(secretary).get(f"/problems/{problem.pk}/").content.decode()
    assert f'name="extension" value="{pending.pk}"' in mine
    his = client_for(leader_li).get(f"/problems/{problem.pk}/").content.decode()
    assert f'name="extension" value="{pending.pk}"' not in his
    response = client_for(secretary).post(f"/problems/{problem.pk}/extension/",
                                          {"_refuse": "1", "opinion": "时间足够。",
                                           "extension": pending.pk})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.decision, pending.decided_by) == ("refused", secretary)


def _report_drafted_by_its_leader(bureau, unit, leader_li, head_sanitation, client_for):
    """leader_li acts for the absent sanitation head and submits the report himself."""
    from flows.opening import open_report

    Delegation.objects.create(absent=head_sanitation, acting=leader_li, valid_from=TODAY,
                              reason="病假")
    report = open_report(unit=unit("sanitation"), year=2026, quarter=3)
    assert open_task(report).owner == leader_li
    assert submit(client_for(leader_li), report).status_code == 302
    return report


@pytest.mark.parametrize("decision", ["report_review", "plan", "extension", "verification"])
def test_every_decision_goes_up_the_chain_from_the_person_concerned(
        decision, bureau, unit, jiwei_chen, leader_li, head_sanitation, secretary, client_for):
    """Each decision of each flow, with the person concerned as the one who would decide."""
    if decision == "report_review":
        record = _report_drafted_by_its_leader(bureau, unit, leader_li, head_sanitation,
                                               client_for)
        concerned, decider = leader_li, secretary
        task = open_task(record)
        assert task.owner == decider
        assert api(concerned).post(f"/api/v1/tasks/{task.pk}/sign_off/", {},
                                   format="json").status_code == 404
        assert review(client_for(decider), record, "sign_off", "同意。").status_code == 302
        record.refresh_from_db()
        assert record.status == QuarterlyReport.Status.SIGNED_OFF
        return
    if decision == "verification":
        # jiwei_chen registered it and is its person concerned: another member verifies
        record = reported(approved(concerning(unit("enforcement"), jiwei_chen, "陈静")))
        concerned, decider = jiwei_chen, user("jiwei_liu")
        task = open_task(record)
        assert task.owner == decider
        assert api(concerned).post(f"/api/v1/tasks/{task.pk}/close_out/", {},
                                   format="json").status_code == 404
        assert decide(client_for(decider), record, "close_out", "已核实。").status_code == 302
        return
    record = concerning(unit("sanitation"), jiwei_chen, "李明")
    analyse(as_owner(record), record)
    task = open_task(record)
    assert task.owner == secretary
    assert api(leader_li).post(f"/api/v1/tasks/{task.pk}/approve_plan/", {},
                               format="json").status_code == 404
    assert decide(client_for(secretary), record, "approve", "同意。").status_code == 302
    if decision == "extension":
        record.refresh_from_db()
        pending = ask_more_time(record)
        assert api(leader_li).post(f"/api/v1/problems/{record.pk}/extension/",
                                   {"decision": "grant"}, format="json").status_code == 404
        assert api(secretary).post(f"/api/v1/problems/{record.pk}/extension/",
                                   {"decision": "grant", "extension": pending.pk},
                                   format="json").status_code == 200


# -- 2. a joint problem's units ---------------------------------------------------------------

@pytest.fixture
def joint(bureau, unit, jiwei_chen):
    return joint_problem(unit, jiwei_chen)


def test_the_involved_units_see_a_joint_problem_from_registration_read_only(
        joint, head_legal, client_for):
    for head in (head_legal, user("head_facilities")):
        page = client_for(head).get(f"/problems/{joint.pk}/")
        assert page.status_code == 200 and "公车私用" in page.content.decode()
        assert api(head).get(f"/api/v1/problems/{joint.pk}/").status_code == 200
        assert not api(head).get("/api/v1/tasks/").json()["results"]  # nothing to do yet


def test_a_part_head_notes_progress_uploads_evidence_and_asks_more_time_for_the_part(
        joint, head_legal, leader_li, client_for):
    problem = rectifying(joint)
    task = task_of(problem, "head_legal")
    client = api(head_legal)
    assert set(client.get("/api/v1/tasks/").json()["results"][0]["actions"]) >= {
        "progress", "evidence", "request_extension", "submit_part"}
    assert client.post(f"/api/v1/tasks/{task.pk}/progress/", {"text": "已修订用车规定。"},
                       format="json").status_code == 200
    png = BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    png.name = "照片.png"
    uploaded = client.post(f"/api/v1/problems/{problem.pk}/evidence/", {"file": png},
                           format="multipart")
    assert uploaded.status_code == 201
    planned = problem.planned_date
    new_date = planned + datetime.timedelta(days=15)
    asked = client.post(f"/api/v1/tasks/{task.pk}/request_extension/",
                        {"new_date": new_date.isoformat(), "reason": "需外单位配合。"},
                        format="json")
    assert asked.status_code == 200
    extension = ExtensionRequest.objects.get(problem=problem)
    assert extension.unit.code == "legal" and extension.current_date == planned

    # decided as for a single problem: by whoever decides the plan
    granted = api(leader_li).post(f"/api/v1/problems/{problem.pk}/extension/",
                                  {"decision": "grant", "extension": extension.pk},
                                  format="json")
    assert granted.status_code == 200 and granted.json()["unit"]["code"] == "legal"
    from flows.models import CountersignPart

    dues = dict(CountersignPart.objects.filter(process_id=problem.process_id)
                .values_list("unit__code", "due_date"))
    assert dues == {"sanitation": planned, "legal": new_date, "facilities": planned}
    problem.refresh_from_db()
    assert problem.due_date == planned  # the earliest part still being written
    assert problem.planned_date == planned  # the plan itself is unchanged


def test_the_part_page_has_the_rectifying_forms(joint, head_legal, client_for):
    problem = rectifying(joint)
    task = task_of(problem, "head_legal")
    page = client_for(head_legal).get(task_url(task)).content.decode()
    for button in ("_progress", "_evidence", "_extension", "_submit"):
        assert f'name="{button}"' in page
    response = client_for(head_legal).post(task_url(task), {"_progress": "1",
                                                            "text": "已开会部署。"})
    assert response.status_code == 302
    assert problem.progress_notes.get().author == head_legal


# -- 3. what the parts look like to others -------------------------------------------------------

def test_the_path_ahead_names_every_head_still_to_write_with_their_deadlines(
        joint, jiwei_chen, client_for):
    from flows.path import path_ahead

    problem = rectifying(joint)
    steps = path_ahead(problem)
    writing = [step for step in steps if step.is_current]
    assert [str(step.person) for step in writing] == ["何平", "冯涛", "许军"]
    assert all(step.due == problem.planned_date for step in writing)
    assert "市政设施管理处" in writing[2].title
    assert steps[len(writing)].title.startswith("销号") or "核" in steps[len(writing)].title \
        or steps[len(writing)].person == jiwei_chen
    api_path = api(jiwei_chen).get(f"/api/v1/problems/{problem.pk}/").json()["path_ahead"]
    assert sum(1 for step in api_path if step["is_current"]) == 3


def test_the_approval_sheet_shows_each_parts_unit_and_text(joint, client_for, jiwei_chen):
    from .test_countersign import TEXT, write_part

    problem = rectifying(joint)
    for head in ("head_sanitation", "head_legal", "head_facilities"):
        assert write_part(problem, head).status_code == 302
    docx = client_for(jiwei_chen).get(f"/problems/{problem.pk}/sheet.docx")
    text = "\n".join(cell.text for table in Document(BytesIO(docx.content)).tables
                     for row in table.rows for cell in row.cells)
    for unit_name, written in (("政策法规处", TEXT["head_legal"]),
                               ("市政设施管理处", TEXT["head_facilities"])):
        assert unit_name in text and written in text


# -- 4. an API client names people -----------------------------------------------------------

def test_the_api_lists_a_tasks_candidates_and_takes_a_username(
        sanitation_report, head_sanitation, leader_li, secretary, client_for):
    submit(client_for(head_sanitation), sanitation_report)
    task = open_task(sanitation_report)
    listed = api(leader_li).get(f"/api/v1/tasks/{task.pk}/candidates/")
    assert listed.status_code == 200
    body = listed.json()
    transfer = {c["username"]: c for c in body["transfer"]}
    assert "leader_wang" in transfer and transfer["leader_wang"]["post"]
    assert transfer["leader_wang"]["id"] == user("leader_wang").pk
    assert "paizhu_sun" in {c["username"] for c in body["copy_to"]}
    assert api(secretary).get(f"/api/v1/tasks/{task.pk}/candidates/").status_code == 404

    signed = api(leader_li).post(f"/api/v1/tasks/{task.pk}/sign_off/",
                                 {"opinion": "同意。", "copy_to": ["paizhu_sun"]}, format="json")
    assert signed.status_code == 200
    assert sanitation_report.copies.filter(recipient__username="paizhu_sun").exists()


def test_a_transfer_through_the_api_names_the_person_by_username(
        sanitation_report, head_sanitation, leader_li, client_for):
    submit(client_for(head_sanitation), sanitation_report)
    task = open_task(sanitation_report)
    moved = api(leader_li).post(f"/api/v1/tasks/{task.pk}/transfer/",
                                {"to": "leader_wang", "reason": "出差，请王局长代为审核。"},
                                format="json")
    assert moved.status_code == 200
    assert open_task(sanitation_report).owner.username == "leader_wang"
    unknown = api(user("leader_wang")).post(
        f"/api/v1/tasks/{task.pk}/transfer/", {"to": "nobody_here", "reason": "再转。"},
        format="json")
    assert unknown.status_code == 400 and "to" in unknown.json()["errors"]
    assert Opinion.objects.filter(report=sanitation_report, kind="transfer").count() == 1
