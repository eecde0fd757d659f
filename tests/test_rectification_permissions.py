"""Who sees and does what with a problem: the unit's own chain, the overseers, the stationed
group once it is filed, and nobody else."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from records.models import Evidence, ExtensionRequest, Opinion, Problem, ProblemList

from .conftest import open_task, task_url
from .test_rectification import (
    DESCRIPTION,
    ENFORCEMENT,
    analyse,
    approved,
    ask_extension,
    body,
    days,
    decide,
    decide_extension,
    login,
    new_problem,
    rectify,
    register_data,
    reported,
    snapshot,
    user,
)

SECRET = "执法车辆节日期间私用（内部）"
EVIDENCE = b"%PDF-1.4 confidential evidence"

# enforcement's own chain and the overseers of every unit
SEES = ["head_enforcement", "liaison_enforcement", "leader_zhao", "secretary", "jiwei_chen",
        "jiwei_liu", "admin"]
# another division's head, another leader, the head of a squad under enforcement, the
# stationed group before filing
BLIND = ["head_office", "leader_wang", "leader_li", "head_squad1", "paizhu_sun"]
EVERYONE = SEES + BLIND


def detail(problem):
    return f"/problems/{problem.pk}/"


def download(problem, evidence):
    return f"/problems/{problem.pk}/evidence/{evidence.pk}/"


def with_evidence(problem):
    rectify(login(user("head_enforcement")), problem, "evidence",
            file=SimpleUploadedFile("整改台账.pdf", EVIDENCE))
    return problem.evidence.get()


@pytest.fixture
def problem(bureau, jiwei_chen, unit):
    return new_problem(jiwei_chen, unit("enforcement"), description=SECRET)


@pytest.fixture
def rectifying(problem):
    approved(problem)
    with_evidence(problem)
    return problem


@pytest.fixture
def pending_extension(rectifying):
    assert ask_extension(login(user("head_enforcement")), rectifying, days(60)).status_code == 302
    return rectifying


def problem_at(step, problem):
    """The problem with its open task at ``step`` (evidence uploaded once it rectifies)."""
    if step == "analyse":
        return problem
    if step == "approve_plan":
        analyse(login(user("head_enforcement")), problem)
        return problem
    approved(problem)
    with_evidence(problem)
    if step == "verify":
        reported(problem)
    return problem


# --- the problem page ---------------------------------------------------------------------------

@pytest.mark.parametrize("username", SEES)
def test_the_units_chain_and_the_overseers_see_the_problem(problem, username):
    page = body(login(user(username)).get(detail(problem)))
    assert SECRET in page and ENFORCEMENT in page


@pytest.mark.parametrize("username", BLIND)
def test_anyone_else_gets_a_404_and_never_the_description(problem, username):
    response = login(user(username)).get(detail(problem), follow=True)
    assert response.status_code == 404
    assert SECRET not in body(response)


def test_the_stationed_group_sees_a_problem_only_once_it_is_filed(rectifying, paizhu_sun,
                                                                  jiwei_chen):
    evidence = rectifying.evidence.get()
    stationed = login(paizhu_sun)
    reported(rectifying)
    assert stationed.get(detail(rectifying)).status_code == 404
    assert stationed.get(download(rectifying, evidence)).status_code == 404

    decide(login(jiwei_chen), rectifying, "close_out", "同意销号。")
    rectifying.refresh_from_db()
    assert rectifying.status == Problem.Status.FILED
    assert SECRET in body(stationed.get(detail(rectifying)))
    response = stationed.get(download(rectifying, evidence))
    assert response.status_code == 200 and b"".join(response.streaming_content) == EVIDENCE


def test_a_filed_problem_stays_hidden_from_another_unit(rectifying, jiwei_chen):
    reported(rectifying)
    decide(login(jiwei_chen), rectifying, "close_out", "同意销号。")
    response = login(user("head_office")).get(detail(rectifying))
    assert response.status_code == 404 and SECRET not in body(response)


# --- evidence downloads -------------------------------------------------------------------------

@pytest.mark.parametrize("username", SEES)
def test_those_who_see_the_problem_download_its_evidence(rectifying, username):
    response = login(user(username)).get(download(rectifying, rectifying.evidence.get()))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == EVIDENCE


@pytest.mark.parametrize("username", BLIND)
def test_anyone_else_cannot_download_the_evidence(rectifying, username):
    response = login(user(username)).get(download(rectifying, rectifying.evidence.get()))
    assert response.status_code == 404
    assert not hasattr(response, "streaming_content")
    assert EVIDENCE not in response.content


# --- deciding an extension ---------------------------------------------------------------------

@pytest.mark.parametrize("decision", ["grant", "refuse"])
@pytest.mark.parametrize("username", [u for u in EVERYONE if u != "leader_zhao"])
def test_only_the_supervising_leader_decides_an_extension(pending_extension, username, decision):
    before = snapshot(pending_extension)
    response = decide_extension(login(user(username)), pending_extension, decision, "冒名决定")
    assert response.status_code == 404
    assert SECRET not in body(response)
    assert snapshot(pending_extension) == before
    assert ExtensionRequest.objects.get().decision == ExtensionRequest.Decision.PENDING
    assert not Opinion.objects.filter(text="冒名决定").exists()


def test_only_the_supervising_leader_is_offered_the_decision(pending_extension, leader_zhao):
    form = f"/problems/{pending_extension.pk}/extension/"
    assert form in body(login(leader_zhao).get(detail(pending_extension)))
    for username in ["head_enforcement", "liaison_enforcement", "jiwei_chen", "secretary"]:
        assert form not in body(login(user(username)).get(detail(pending_extension)))


# --- the task pages -----------------------------------------------------------------------------

STEPS = {
    # step: (owner, a POST that would complete or change it)
    "analyse": ("head_enforcement", {"root_cause": "冒名分析", "measures": "冒名措施",
                                     "planned_date": days(20).isoformat()}),
    "approve_plan": ("leader_zhao", {"opinion": "冒名意见", "_approve": "1"}),
    "rectify": ("head_enforcement", {"_done": "1"}),
    "verify": ("jiwei_chen", {"opinion": "冒名意见", "_close_out": "1"}),
}
OTHERS = ["head_enforcement", "liaison_enforcement", "leader_zhao", "secretary", "jiwei_chen",
          "jiwei_liu", "paizhu_sun", "head_office", "leader_wang"]


@pytest.mark.parametrize(("step", "username"), [
    (step, username) for step, (owner, _data) in STEPS.items() for username in OTHERS
    if username != owner])
def test_nobody_but_the_owner_opens_or_completes_a_task(problem, step, username):
    owner, data = STEPS[step]
    problem_at(step, problem)
    task = open_task(problem)
    assert (task.flow_task.name, task.owner.username) == (step, owner)
    client = login(user(username))

    page = client.get(task_url(task))
    assert page.status_code in (403, 404)
    assert SECRET not in body(page)

    before = snapshot(problem)
    response = client.post(task_url(task), data)
    assert response.status_code in (403, 404)
    assert snapshot(problem) == before


@pytest.mark.parametrize("step", list(STEPS))
def test_the_owner_opens_their_task(problem, step):
    owner, _data = STEPS[step]
    problem_at(step, problem)
    page = login(user(owner)).get(task_url(open_task(problem)))
    assert page.status_code == 200 and SECRET in body(page)


def test_the_liaison_sees_the_problem_but_cannot_act_for_the_head(rectifying,
                                                                  liaison_enforcement):
    task = open_task(rectifying)
    assert task.owner.username == "head_enforcement"
    client = login(liaison_enforcement)
    page = body(client.get(detail(rectifying)))
    assert SECRET in page and task_url(task) not in page

    before = snapshot(rectifying)
    for data in ({"_progress": "1", "text": "联络员代报进度"},
                 {"_evidence": "1", "file": SimpleUploadedFile("代传.pdf", b"%PDF x")},
                 {"_extension": "1", "new_date": days(90).isoformat(), "reason": "代为申请"},
                 {"_done": "1"}):
        assert client.post(task_url(task), data).status_code in (403, 404)
    assert snapshot(rectifying) == before
    assert Evidence.objects.count() == 1


# --- registering --------------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["jiwei_chen", "jiwei_liu", "secretary", "leader_wang",
                                      "leader_li", "leader_zhao"])
def test_the_committee_the_secretary_and_leaders_register_problems(bureau, unit, username):
    client = login(user(username))
    page = client.get("/problems/register/")
    assert page.status_code == 200 and 'name="p-0-description"' in body(page)
    response = client.post("/problems/register/", register_data(
        [(unit("enforcement").pk, "hedonism", DESCRIPTION)]))
    assert response.status_code == 302
    assert Problem.objects.get().registered_by.username == username


@pytest.mark.parametrize("username", ["head_enforcement", "head_office", "liaison_enforcement",
                                      "paizhu_sun"])
def test_unit_heads_liaisons_and_the_stationed_group_cannot_register(bureau, unit, username):
    client = login(user(username))
    assert client.get("/problems/register/").status_code == 404
    response = client.post("/problems/register/", register_data(
        [(unit("enforcement").pk, "hedonism", DESCRIPTION)]))
    assert response.status_code == 404
    assert not Problem.objects.exists() and not ProblemList.objects.exists()


# --- anonymous visitors -------------------------------------------------------------------------

def test_anonymous_visitors_are_sent_to_log_in_everywhere(pending_extension, unit):
    anonymous = Client()
    task = open_task(pending_extension)
    evidence = pending_extension.evidence.get()
    before = snapshot(pending_extension)
    responses = [
        anonymous.get(detail(pending_extension)),
        anonymous.get(download(pending_extension, evidence)),
        anonymous.post(f"/problems/{pending_extension.pk}/extension/", {"_grant": "1"}),
        anonymous.get("/problems/register/"),
        anonymous.post("/problems/register/", register_data(
            [(unit("enforcement").pk, "hedonism", DESCRIPTION)])),
        anonymous.get(task_url(task)),
        anonymous.post(task_url(task), {"_done": "1"}),
    ]
    for response in responses:
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")
        assert SECRET not in body(response)
    assert snapshot(pending_extension) == before
    assert Problem.objects.count() == 1
