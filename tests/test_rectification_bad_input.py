"""Bad input to the rectification flow: a clear message, nothing changed, never a 500."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from viewflow.workflow.models import Process, Task

from records.models import AuditEvent, Evidence, ExtensionRequest, Opinion, Problem, ProblemList
from records.services import problems
from records.services.evidence import evidence_add

from .conftest import open_task, task_url
from .test_rectification import (
    DESCRIPTION,
    analyse,
    approved,
    ask_extension,
    body,
    days,
    decide,
    login,
    new_problem,
    rectify,
    register,
    reported,
    snapshot,
    user,
)

S = Problem.Status


def errors(response) -> str:
    """The error text shown on a re-rendered form page."""
    page = body(response)
    assert "dc-errors" in page, "no error shown"
    return "".join(chunk.split("</div>", 1)[0] for chunk in page.split("dc-errors")[1:])


@pytest.fixture
def problem(bureau, jiwei_chen, unit):
    return new_problem(jiwei_chen, unit("enforcement"))


@pytest.fixture
def head(head_enforcement):
    return login(head_enforcement)


@pytest.fixture
def rectifying(problem):
    return approved(problem)


def stored_files(settings):
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- the analysis ------------------------------------------------------------------------------

def test_a_planned_completion_date_in_the_past_is_refused(problem, head):
    before = snapshot(problem)
    response = analyse(head, problem, planned=days(-1))
    assert response.status_code == 200
    assert errors(response)
    assert snapshot(problem) == before
    problem.refresh_from_db()
    assert problem.status == S.ANALYSING and problem.root_cause == "" and not problem.planned_date
    assert not AuditEvent.objects.filter(action="problem.analyse").exists()


@pytest.mark.parametrize("field", ["root_cause", "measures", "planned_date"])
def test_an_analysis_with_a_blank_field_is_refused(problem, head, field):
    before = snapshot(problem)
    response = analyse(head, problem, **{field: "   "})
    assert response.status_code == 200 and errors(response)
    assert snapshot(problem) == before
    assert open_task(problem).flow_task.name == "analyse"


# --- the leader's and the committee's decisions ------------------------------------------------

def test_returning_a_plan_needs_an_opinion(problem, head, leader_zhao):
    analyse(head, problem)
    before = snapshot(problem)
    response = decide(login(leader_zhao), problem, "return", "   ")
    assert response.status_code == 200 and errors(response)
    assert snapshot(problem) == before
    problem.refresh_from_db()
    assert problem.status == S.PLAN_REVIEW and not Opinion.objects.exists()


def test_sending_back_needs_an_opinion(rectifying, jiwei_chen):
    reported(rectifying)
    before = snapshot(rectifying)
    response = decide(login(jiwei_chen), rectifying, "send_back", "")
    assert response.status_code == 200 and errors(response)
    assert snapshot(rectifying) == before
    rectifying.refresh_from_db()
    assert rectifying.status == S.VERIFYING


def test_a_verification_post_with_neither_button_changes_nothing(rectifying, jiwei_chen):
    reported(rectifying)
    before = snapshot(rectifying)
    response = login(jiwei_chen).post(task_url(open_task(rectifying)), {"opinion": "同意销号。"})
    assert response.status_code == 200 and errors(response)
    assert snapshot(rectifying) == before
    assert not Opinion.objects.filter(text="同意销号。").exists()


def test_closing_out_a_problem_still_rectifying_is_refused(rectifying, jiwei_chen):
    before = snapshot(rectifying)
    with pytest.raises(ValidationError):
        problems.problem_close_out(problem=rectifying, by=jiwei_chen, opinion="同意销号。")
    assert snapshot(rectifying) == before
    rectifying.refresh_from_db()
    assert rectifying.status == S.RECTIFYING and rectifying.closed_at is None
    assert not AuditEvent.objects.filter(action="problem.close_out").exists()


# --- rectifying ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "content"), [
    ("整改报告.exe", b"MZ\x90\x00 not evidence"),
    ("整改报告.pdf.exe", b"MZ\x90\x00 not evidence"),
    ("空白佐证.pdf", b""),
    ("超大佐证.pdf", b"%PDF-1.4 " + b"x" * 200),
])
def test_a_bad_evidence_file_is_refused_by_name_and_not_kept(rectifying, head, settings, name,
                                                              content):
    settings.EVIDENCE_MAX_BYTES = 100
    before = snapshot(rectifying)
    response = rectify(head, rectifying, "evidence", file=SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert name in errors(response)
    assert not Evidence.objects.exists()
    assert stored_files(settings) == []
    assert snapshot(rectifying) == before


def test_an_evidence_post_without_a_file_is_refused(rectifying, head, settings):
    response = rectify(head, rectifying, "evidence")
    assert response.status_code == 200 and errors(response)
    assert not Evidence.objects.exists() and stored_files(settings) == []


def test_rectification_cannot_be_reported_done_with_nothing_to_show(rectifying, head):
    before = snapshot(rectifying)
    response = rectify(head, rectifying, "done")
    assert response.status_code == 200 and errors(response)
    assert snapshot(rectifying) == before
    rectifying.refresh_from_db()
    assert rectifying.status == S.RECTIFYING and rectifying.rectified_at is None


def test_an_empty_progress_note_is_refused(rectifying, head):
    before = snapshot(rectifying)
    response = rectify(head, rectifying, "progress", text="  ")
    assert response.status_code == 200 and errors(response)
    assert snapshot(rectifying) == before


def test_a_rectify_post_with_no_button_changes_nothing(rectifying, head):
    before = snapshot(rectifying)
    response = head.post(task_url(open_task(rectifying)), {"text": "没有按钮"})
    assert response.status_code == 200 and errors(response)
    assert snapshot(rectifying) == before


@pytest.mark.parametrize("offset", [-5, 0])
def test_an_extension_must_move_the_deadline_later(rectifying, head, offset):
    before = snapshot(rectifying)
    response = ask_extension(head, rectifying, rectifying.due_date + datetime.timedelta(days=offset))
    assert response.status_code == 200
    assert rectifying.due_date.isoformat() in errors(response)
    assert not ExtensionRequest.objects.exists()
    assert snapshot(rectifying) == before


@pytest.mark.parametrize("data", [
    {"new_date": "", "reason": "时间不足。"},
    {"new_date": "2026-13-45", "reason": "时间不足。"},
    {"new_date": "2099-01-01", "reason": "   "},
])
def test_an_extension_request_with_a_bad_field_is_refused(rectifying, head, data):
    before = snapshot(rectifying)
    response = rectify(head, rectifying, "extension", **data)
    assert response.status_code == 200 and errors(response)
    assert not ExtensionRequest.objects.exists()
    assert snapshot(rectifying) == before


def test_evidence_is_only_served_under_its_own_problem(rectifying, head, unit, jiwei_chen):
    rectify(head, rectifying, "evidence", file=SimpleUploadedFile("登记表.pdf", b"%PDF-1.4 a"))
    evidence = Evidence.objects.get()
    other = new_problem(jiwei_chen, unit("enforcement"), description="另一个问题")
    committee = login(jiwei_chen)
    assert committee.get(f"/problems/{other.pk}/evidence/{evidence.pk}/").status_code == 404
    assert committee.get(f"/problems/{rectifying.pk}/evidence/999999/").status_code == 404
    # the head sees both problems of his unit, yet cannot pair them up either
    assert head.get(f"/problems/{other.pk}/evidence/{evidence.pk}/").status_code == 404
    assert not AuditEvent.objects.filter(action="problem.evidence_download").exists()


# --- registering ---------------------------------------------------------------------------------

def _nothing_registered(before):
    assert not Problem.objects.exists() and not ProblemList.objects.exists()
    assert (Process.objects.count(), Task.objects.count()) == before


def test_a_date_found_in_the_future_is_refused(bureau, unit, jiwei_chen):
    before = (Process.objects.count(), Task.objects.count())
    response = register(login(jiwei_chen), [(unit("enforcement").pk, "hedonism", DESCRIPTION)],
                        found_on=days(1))
    assert response.status_code == 200 and errors(response)
    assert DESCRIPTION in body(response)  # what was typed is kept
    _nothing_registered(before)


@pytest.mark.parametrize("forged", ["999999", "bureau", "abc"])
def test_a_forged_unit_is_refused(bureau, unit, jiwei_chen, forged):
    unit_id = bureau.pk if forged == "bureau" else forged
    before = (Process.objects.count(), Task.objects.count())
    response = register(login(jiwei_chen), [(unit("enforcement").pk, "hedonism", DESCRIPTION),
                                            (unit_id, "hedonism", "伪造的单位")])
    assert response.status_code == 200 and errors(response)
    _nothing_registered(before)


@pytest.mark.parametrize("field,value", [("category", "gambling"), ("source", "rumour"),
                                         ("found_on", "not-a-date")])
def test_a_forged_choice_or_date_is_refused(bureau, unit, jiwei_chen, field, value):
    before = (Process.objects.count(), Task.objects.count())
    items = [(unit("enforcement").pk, value if field == "category" else "hedonism", DESCRIPTION)]
    extra = {field: value} if field != "category" else {}
    response = register(login(jiwei_chen), items, **extra)
    assert response.status_code == 200 and errors(response)
    _nothing_registered(before)


def test_a_register_post_with_no_problem_filled_is_refused(bureau, jiwei_chen):
    before = (Process.objects.count(), Task.objects.count())
    response = register(login(jiwei_chen), [])
    assert response.status_code == 200 and errors(response)
    _nothing_registered(before)


def test_a_task_url_of_another_problem_is_not_found(rectifying, head, unit, jiwei_chen):
    other = new_problem(jiwei_chen, unit("enforcement"), description="另一个问题")
    task = open_task(rectifying)
    forged = task.flow_task.reverse("execute", args=[other.process_id, task.pk])
    before = snapshot(rectifying), snapshot(other)
    assert head.get(forged).status_code == 404
    assert head.post(forged, {"_progress": "1", "text": "伪造"}).status_code == 404
    assert (snapshot(rectifying), snapshot(other)) == before
    assert user("head_enforcement") == task.owner



def test_a_file_whose_name_lies_about_its_content_is_refused(rectifying, head, settings):
    for name, content in [("整改报告.pdf", b"MZ\x90\x00 an executable"),
                          ("照片.png", b"\xff\xd8\xff\xe0 a jpeg named png"),
                          ("台账.xlsx", b"%PDF-1.4 a pdf named xlsx")]:
        with pytest.raises(ValidationError, match=name):
            evidence_add(problem=rectifying, by=head,
                                  file=SimpleUploadedFile(name, content))
    assert not Evidence.objects.exists() and stored_files(settings) == []
