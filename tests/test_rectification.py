"""Problem rectification in depth: returns at every step, problem lists, extensions, deadlines,
who verifies, delegation, a unit without a head, evidence checksums and the audit trail."""

import datetime
import hashlib
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation
from viewflow.workflow.models import Process, Task

from accounts import chain
from accounts.models import Delegation, Post, User
from flows.registration import register_problems
from flows.selectors import history
from records.models import (
    AuditEvent,
    Evidence,
    ExtensionRequest,
    Opinion,
    Problem,
    ProblemList,
)
from records.workdays import add_working_days

from .conftest import open_task, task_url

S = Problem.Status
ENFORCEMENT = "城市管理综合执法支队"
DESCRIPTION = "执法车辆节日期间私用"
ROOT_CAUSE = "车辆管理制度执行不严，节假日派车无人审批。"
MEASURES = "建立派车登记制度，节假日车辆集中停放，责任到人。"
CHECK = "2026年中秋国庆节日期间明察暗访"


# --- helpers shared with the other rectification test files ------------------------------------

def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def as_owner(problem) -> Client:
    """A client logged in as whoever owns the problem's open task."""
    return login(open_task(problem).owner)


def body(response) -> str:
    return response.content.decode()


def register_data(items, title=CHECK, source="spot_check", found_on=None, total=3):
    """The register form: ``items`` are (unit pk, category, description) for the formset."""
    found_on = found_on or days(-3)
    data = {"title": title, "source": source, "found_on": str(found_on),
            "p-TOTAL_FORMS": str(max(total, len(items))), "p-INITIAL_FORMS": "0",
            "p-MIN_NUM_FORMS": "1", "p-MAX_NUM_FORMS": "50"}
    for i, (unit_pk, category, description) in enumerate(items):
        data.update({f"p-{i}-unit": unit_pk, f"p-{i}-category": category,
                     f"p-{i}-description": description})
    return data


def register(client, items, **kwargs):
    return client.post("/problems/register/", register_data(items, **kwargs))


def new_problem(by, unit, description=DESCRIPTION, category="hedonism") -> Problem:
    [problem] = register_problems(by=by, source="spot_check", found_on=days(-3), items=[
        {"unit": unit, "category": category, "description": description}])
    return problem


def analyse(client, problem, planned=None, **fields):
    data = {"root_cause": ROOT_CAUSE, "measures": MEASURES,
            "planned_date": (planned or days(30)).isoformat(), **fields}
    return client.post(task_url(open_task(problem)), data)


def decide(client, problem, button, opinion=""):
    """approve / return on the plan, close_out / send_back on the verification."""
    return client.post(task_url(open_task(problem)), {"opinion": opinion, f"_{button}": "1"})


def rectify(client, problem, button, **data):
    """progress (text) / evidence (file) / extension (new_date, reason) / done."""
    return client.post(task_url(open_task(problem)), {f"_{button}": "1", **data})


def approved(problem, planned=None) -> Problem:
    """Take a freshly registered problem through analysis and approval: it is rectifying."""
    assert analyse(as_owner(problem), problem, planned=planned).status_code == 302
    assert decide(as_owner(problem), problem, "approve", "同意。").status_code == 302
    problem.refresh_from_db()
    assert problem.status == S.RECTIFYING
    return problem


def reported(problem) -> Problem:
    """A rectifying problem with a progress note, reported done: awaiting verification."""
    client = as_owner(problem)
    assert rectify(client, problem, "progress", text="已建立派车登记簿。").status_code == 302
    assert rectify(client, problem, "done").status_code == 302
    problem.refresh_from_db()
    assert problem.status == S.VERIFYING
    return problem


def ask_extension(client, problem, new_date, reason="需协调车辆管理系统改造，时间不足。"):
    return rectify(client, problem, "extension", new_date=new_date.isoformat(), reason=reason)


def decide_extension(client, problem, button, opinion=""):
    return client.post(f"/problems/{problem.pk}/extension/", {"opinion": opinion,
                                                               f"_{button}": "1"})


def user(username) -> User:
    return User.objects.get(username=username)


def snapshot(problem):
    """Everything a stray POST could change about a problem."""
    problem = Problem.objects.get(pk=problem.pk)
    return (
        problem.status, problem.step, problem.assignee_id, problem.due_date, problem.root_cause,
        problem.measures, problem.planned_date, problem.approved_date, problem.closed_at,
        list(problem.opinions.values_list("kind", "text", "author_id")),
        list(problem.progress_notes.values_list("text", flat=True)),
        list(problem.evidence.values_list("sha256", flat=True)),
        list(problem.extensions.values_list("decision", "new_date", "decided_by_id")),
        list(Task.objects.filter(process_id=problem.process_id)
             .values_list("pk", "status", "owner_id").order_by("pk")),
    )


@pytest.fixture
def problem(bureau, jiwei_chen, unit):
    """An enforcement problem registered by jiwei_chen: the analyse task is with its head."""
    return new_problem(jiwei_chen, unit("enforcement"))


@pytest.fixture
def rectifying(problem):
    """The same problem with its plan approved (completion planned 30 days from today)."""
    return approved(problem)


# --- the whole journey, with a return at every step that has one -----------------------------

def test_the_history_shows_every_step_in_order_with_each_opinion(problem, jiwei_chen,
                                                                  head_enforcement, leader_zhao):
    head, leader, committee = login(head_enforcement), login(leader_zhao), login(jiwei_chen)

    assert analyse(head, problem, measures="加强管理。").status_code == 302
    assert decide(leader, problem, "return", "措施过于笼统，要具体到人。").status_code == 302
    problem.refresh_from_db()
    assert problem.status == S.ANALYSING and problem.measures == "加强管理。"
    assert analyse(head, problem).status_code == 302
    assert decide(leader, problem, "approve", "同意该整改方案。").status_code == 302
    assert rectify(head, problem, "progress", text="已建立派车登记簿。").status_code == 302
    assert rectify(head, problem, "done").status_code == 302
    assert decide(committee, problem, "send_back", "缺少整改前后对比照片。").status_code == 302
    problem.refresh_from_db()
    assert problem.status == S.RECTIFYING
    photo = SimpleUploadedFile("整改前后对比.jpg", b"\xff\xd8\xff\xe0 photo")
    assert rectify(head, problem, "evidence", file=photo).status_code == 302
    assert rectify(head, problem, "done").status_code == 302
    assert decide(committee, problem, "close_out", "整改到位，同意销号。").status_code == 302

    problem.refresh_from_db()
    assert problem.status == S.FILED and problem.measures == MEASURES
    assert problem.closed_by == jiwei_chen and problem.due_date is None

    with translation.override("zh-hans"):
        entries = history(problem)
        titles = [e.step for e in entries]
    expected = [
        ("analyse", head_enforcement, None, ""),
        ("approve_plan", leader_zhao, "return", "措施过于笼统，要具体到人。"),
        ("analyse", head_enforcement, None, ""),
        ("approve_plan", leader_zhao, "approve", "同意该整改方案。"),
        ("rectify", head_enforcement, None, ""),
        ("verify", jiwei_chen, "send_back", "缺少整改前后对比照片。"),
        ("rectify", head_enforcement, None, ""),
        ("verify", jiwei_chen, "close_out", "整改到位，同意销号。"),
    ]
    assert [(e.task.flow_task.name, e.owner, e.opinion and e.opinion.kind,
             e.opinion.text if e.opinion else "") for e in entries] == expected
    assert not any(e.is_open for e in entries)

    page = body(committee.get(f"/problems/{problem.pk}/"))
    assert DESCRIPTION in page and ROOT_CAUSE in page and MEASURES in page
    assert "已建立派车登记簿。" in page and "整改前后对比.jpg" in page
    rows = page[page.index("dc-history"):].split("<tr>")[2:]
    registered, steps = rows[0], rows[1:]
    assert "陈静" in registered
    assert len(steps) == len(expected)
    for row, title, (_name, owner, _kind, text) in zip(steps, titles, expected, strict=True):
        assert title in row and str(owner) in row and text in row


def test_each_step_of_the_journey_leaves_an_audit_event(problem, jiwei_chen, head_enforcement,
                                                        leader_zhao):
    approved(problem)
    reported(problem)
    decide(login(jiwei_chen), problem, "send_back", "缺少佐证材料。")
    rectify(login(head_enforcement), problem, "evidence",
            file=SimpleUploadedFile("登记表.pdf", b"%PDF-1.4 evidence"))
    rectify(login(head_enforcement), problem, "done")
    decide(login(jiwei_chen), problem, "close_out", "同意销号。")
    problem.refresh_from_db()
    assert problem.status == S.FILED

    events = list(AuditEvent.objects.filter(target_type="records.problem",
                                            target_id=str(problem.pk)))
    actions = [e.action for e in events]
    steps = ["problem.register", "problem.assign.analyse", "problem.analyse",
             "problem.assign.approve_plan", "problem.approve_plan", "problem.assign.rectify",
             "problem.progress", "problem.rectified", "problem.assign.verify",
             "problem.send_back", "problem.assign.rectify", "problem.evidence",
             "problem.rectified", "problem.assign.verify", "problem.close_out", "problem.file"]
    remaining = iter(actions)
    assert all(step in remaining for step in steps), actions  # in this order
    by_action = {e.action: e for e in events}
    assert by_action["problem.register"].actor == jiwei_chen
    assert by_action["problem.analyse"].actor == head_enforcement
    assert by_action["problem.approve_plan"].actor == leader_zhao
    assert by_action["problem.close_out"].actor == jiwei_chen
    assert by_action["problem.evidence"].data["sha256"] == hashlib.sha256(
        b"%PDF-1.4 evidence").hexdigest()


# --- registering one problem or a problem list -----------------------------------------------

def test_a_spot_check_registers_a_problem_list_across_three_units_in_one_post(
        bureau, unit, jiwei_chen):
    units = [unit("enforcement"), unit("squad1"), unit("sanitation")]
    items = [(units[0].pk, "hedonism", "执法车辆节日期间私用"),
             (units[1].pk, "formalism", "执法记录仪台账补记，内容雷同"),
             (units[2].pk, "extravagance", "节日期间超标准接待")]
    response = register(login(jiwei_chen), items, title=CHECK)
    assert response.status_code == 302

    problem_list = ProblemList.objects.get()
    assert problem_list.title == CHECK and problem_list.registered_by == jiwei_chen
    problems = list(Problem.objects.order_by("pk"))
    assert [p.unit for p in problems] == units
    assert all(p.problem_list == problem_list and p.status == S.ANALYSING for p in problems)
    assert [p.description for p in problems] == [item[2] for item in items]

    tasks = [open_task(p) for p in problems]
    assert [t.flow_task.name for t in tasks] == ["analyse"] * 3
    assert [t.owner.username for t in tasks] == ["head_enforcement", "head_squad1",
                                                  "head_sanitation"]
    assert len({p.process_id for p in problems}) == 3
    for p in problems:
        page = body(login(jiwei_chen).get(f"/problems/{p.pk}/"))
        assert CHECK in page and p.description in page


def test_registering_a_single_problem_creates_no_problem_list(bureau, unit, jiwei_chen):
    response = register(login(jiwei_chen), [(unit("enforcement").pk, "hedonism", DESCRIPTION)])
    problem = Problem.objects.get()
    assert response.status_code == 302 and response.url == f"/problems/{problem.pk}/"
    assert problem.problem_list is None
    assert not ProblemList.objects.exists()
    assert open_task(problem).owner.username == "head_enforcement"


def test_a_unit_without_a_head_cannot_be_given_a_problem_and_nothing_is_created(
        bureau, unit, jiwei_chen):
    Post.objects.filter(unit=unit("squad2"), role=Post.Role.HEAD).update(valid_to=days(-1))
    client = login(jiwei_chen)  # logging in is itself audited: count after it
    before = (Process.objects.count(), Task.objects.count(), AuditEvent.objects.count())

    alone = register(client, [(unit("squad2").pk, "hedonism", "执法二大队车辆私用")])
    among_others = register(client, [(unit("enforcement").pk, "hedonism", DESCRIPTION),
                                     (unit("squad2").pk, "hedonism", "执法二大队车辆私用")])

    for response in (alone, among_others):
        assert response.status_code == 200
        assert "执法二大队" in body(response).split("dc-errors", 1)[1]
    assert not Problem.objects.exists()
    assert not ProblemList.objects.exists()
    assert (Process.objects.count(), Task.objects.count(), AuditEvent.objects.count()) == before


# --- deadlines ---------------------------------------------------------------------------------

def test_each_step_is_due_on_its_working_day_deadline(problem, head_enforcement, leader_zhao,
                                                      jiwei_chen):
    assert problem.step == "analyse" and problem.assignee == head_enforcement
    assert problem.due_date == add_working_days(today(), 10)

    planned = days(45)
    analyse(login(head_enforcement), problem, planned=planned)
    problem.refresh_from_db()
    assert problem.step == "approve_plan" and problem.assignee == leader_zhao
    assert problem.due_date == add_working_days(today(), 5)

    decide(login(leader_zhao), problem, "approve", "同意。")
    problem.refresh_from_db()
    assert problem.step == "rectify" and problem.assignee == head_enforcement
    assert problem.due_date == planned == problem.approved_date

    reported(problem)
    assert problem.step == "verify" and problem.assignee == jiwei_chen
    assert problem.due_date == add_working_days(today(), 5)


# --- who verifies ------------------------------------------------------------------------------

@pytest.mark.parametrize("registrar", ["jiwei_chen", "jiwei_liu"])
def test_the_committee_member_who_registered_the_problem_verifies_it(bureau, unit, registrar):
    problem = reported(approved(new_problem(user(registrar), unit("enforcement"))))
    assert open_task(problem).owner.username == registrar
    assert problem.assignee.username == registrar


def test_a_problem_a_leader_registered_is_verified_by_the_first_committee_member(
        bureau, unit, leader_zhao):
    problem = reported(approved(new_problem(leader_zhao, unit("enforcement"))))
    committee = chain.discipline_committee()
    assert [u.username for u in committee] == ["jiwei_chen", "jiwei_liu"]
    assert open_task(problem).owner == committee[0]

    close = decide(login(committee[0]), problem, "close_out", "同意销号。")
    assert close.status_code == 302
    problem.refresh_from_db()
    assert problem.status == S.FILED and problem.closed_by == committee[0]


# --- extensions --------------------------------------------------------------------------------

def test_a_granted_extension_moves_the_deadline_but_not_the_approved_date(
        rectifying, head_enforcement, leader_zhao):
    first = rectifying.approved_date
    assert first == rectifying.due_date == days(30)
    assert ask_extension(login(head_enforcement), rectifying, days(60)).status_code == 302
    request = ExtensionRequest.objects.get()
    assert request.decision == ExtensionRequest.Decision.PENDING
    assert (request.current_date, request.new_date) == (days(30), days(60))

    leader = login(leader_zhao)
    page = body(leader.get(f"/problems/{rectifying.pk}/"))
    assert f"/problems/{rectifying.pk}/extension/" in page  # the leader is offered the decision
    response = decide_extension(leader, rectifying, "grant", "同意延期，务必按期完成。")
    assert response.status_code == 302

    rectifying.refresh_from_db()
    request.refresh_from_db()
    assert rectifying.due_date == rectifying.planned_date == days(60)
    assert rectifying.approved_date == first
    assert rectifying.status == S.RECTIFYING
    assert request.decision == ExtensionRequest.Decision.GRANTED
    assert request.decided_by == leader_zhao and request.decided_at
    opinion = Opinion.objects.get(problem=rectifying, kind=Opinion.Kind.GRANT)
    assert opinion.author == leader_zhao and opinion.text == "同意延期，务必按期完成。"
    assert AuditEvent.objects.filter(action="problem.extension_granted",
                                     target_id=str(rectifying.pk)).exists()

    page = body(leader.get(f"/problems/{rectifying.pk}/"))
    assert "同意延期，务必按期完成。" in page
    assert f"{days(30):%Y-%m-%d} → {days(60):%Y-%m-%d}" in page
    assert f"/problems/{rectifying.pk}/extension/" not in page  # nothing left to decide
    # the unit's next deadline is the new one
    assert days(60).isoformat() in body(login(head_enforcement).get(task_url(
        open_task(rectifying))))


def test_refusing_an_extension_needs_an_opinion_and_keeps_the_deadline(
        rectifying, head_enforcement, leader_zhao):
    ask_extension(login(head_enforcement), rectifying, days(60))
    request = ExtensionRequest.objects.get()
    leader = login(leader_zhao)

    silent = decide_extension(leader, rectifying, "refuse")
    assert silent.status_code == 302
    request.refresh_from_db()
    assert request.decision == ExtensionRequest.Decision.PENDING
    assert not Opinion.objects.filter(problem=rectifying).exclude(kind="approve").exists()

    assert decide_extension(leader, rectifying, "refuse", "理由不充分，按原计划完成。"
                            ).status_code == 302
    request.refresh_from_db()
    rectifying.refresh_from_db()
    assert request.decision == ExtensionRequest.Decision.REFUSED
    assert request.decided_by == leader_zhao
    assert rectifying.due_date == rectifying.planned_date == rectifying.approved_date == days(30)
    assert Opinion.objects.get(problem=rectifying, kind=Opinion.Kind.REFUSE).text == \
        "理由不充分，按原计划完成。"
    assert "理由不充分，按原计划完成。" in body(leader.get(f"/problems/{rectifying.pk}/"))


def test_only_one_extension_request_waits_at_a_time(rectifying, head_enforcement, leader_zhao):
    head = login(head_enforcement)
    assert ask_extension(head, rectifying, days(60)).status_code == 302
    second = ask_extension(head, rectifying, days(90), reason="再延一个月。")
    assert second.status_code == 200
    assert "dc-errors" in body(second)
    assert list(ExtensionRequest.objects.values_list("new_date", "decision")) == [
        (days(60), "pending")]

    # once the first is decided, the unit may ask again
    decide_extension(login(leader_zhao), rectifying, "refuse", "不同意。")
    assert ask_extension(head, rectifying, days(50)).status_code == 302
    assert ExtensionRequest.objects.filter(decision="pending").get().new_date == days(50)


def test_no_extension_can_be_asked_after_the_deadline_passed(rectifying, head_enforcement):
    Problem.objects.filter(pk=rectifying.pk).update(due_date=days(-1))
    response = ask_extension(login(head_enforcement), rectifying, days(30))
    assert response.status_code == 200 and "dc-errors" in body(response)
    assert not ExtensionRequest.objects.exists()
    rectifying.refresh_from_db()
    assert rectifying.due_date == days(-1) and rectifying.is_overdue


# --- delegation --------------------------------------------------------------------------------

def test_an_absent_leaders_acting_leader_approves_the_plan_and_decides_extensions(
        problem, head_enforcement, leader_zhao, leader_li):
    Delegation.objects.create(absent=leader_zhao, acting=leader_li, valid_from=today(),
                              valid_to=days(60), reason="外出学习")
    analyse(login(head_enforcement), problem)
    task = open_task(problem)
    assert task.flow_task.name == "approve_plan" and task.owner == leader_li
    problem.refresh_from_db()
    assert problem.assignee == leader_li

    # the absent leader has no task to act on
    assert decide(login(leader_zhao), problem, "approve", "同意。").status_code in (403, 404)
    acting = login(leader_li)
    assert decide(acting, problem, "approve", "代为审批，同意。").status_code == 302
    problem.refresh_from_db()
    assert problem.status == S.RECTIFYING
    opinion = Opinion.objects.get(problem=problem, kind="approve")
    assert (opinion.author, opinion.on_behalf_of) == (leader_li, leader_zhao)
    entry = [e for e in history(problem) if e.task.flow_task.name == "approve_plan"][0]
    assert entry.owner == leader_li and entry.on_behalf_of == leader_zhao

    ask_extension(login(head_enforcement), problem, days(60))
    assert decide_extension(acting, problem, "grant", "同意延期。").status_code == 302
    problem.refresh_from_db()
    assert problem.due_date == days(60)
    assert ExtensionRequest.objects.get().decided_by == leader_li


def test_a_leader_who_leaves_while_the_unit_rectifies_has_the_acting_leader_decide(
        rectifying, head_enforcement, leader_zhao, leader_li):
    Delegation.objects.create(absent=leader_zhao, acting=leader_li, valid_from=today(),
                              valid_to=days(60), reason="外出学习")
    ask_extension(login(head_enforcement), rectifying, days(60))
    acting = login(leader_li)
    assert f"/problems/{rectifying.pk}/extension/" in body(acting.get(
        f"/problems/{rectifying.pk}/"))
    assert decide_extension(acting, rectifying, "grant", "同意延期。").status_code == 302
    rectifying.refresh_from_db()
    assert rectifying.due_date == days(60)
    assert ExtensionRequest.objects.get().decided_by == leader_li
    assert Opinion.objects.get(problem=rectifying, kind="grant").on_behalf_of == leader_zhao
    # and still sees what they decided, once nothing is pending
    assert "同意延期。" in body(acting.get(f"/problems/{rectifying.pk}/"))


# --- evidence ----------------------------------------------------------------------------------

def test_evidence_keeps_its_checksum_and_original_name(rectifying, head_enforcement, jiwei_chen):
    content = b"%PDF-1.4\n" + bytes(range(256)) * 40
    name = "派车登记表（2026年10月）.pdf"
    response = rectify(login(head_enforcement), rectifying, "evidence",
                       file=SimpleUploadedFile(name, content, content_type="application/pdf"))
    assert response.status_code == 302

    evidence = Evidence.objects.get()
    assert evidence.problem == rectifying and evidence.uploaded_by == head_enforcement
    assert evidence.name == name and evidence.size == len(content)
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    with evidence.file.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == evidence.sha256

    download = login(jiwei_chen).get(f"/problems/{rectifying.pk}/evidence/{evidence.pk}/")
    assert download.status_code == 200
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == evidence.sha256
    assert quote(name) in download["Content-Disposition"]
    assert "attachment" in download["Content-Disposition"]
    assert AuditEvent.objects.filter(action="problem.evidence_download",
                                     actor=jiwei_chen).exists()


def test_the_plan_reviewers_page_opens_the_history_with_the_registration(
        problem, jiwei_chen, head_enforcement, leader_zhao):
    assert analyse(login(head_enforcement), problem).status_code == 302
    page = body(login(leader_zhao).get(task_url(open_task(problem))))
    first = page.split('class="dc-table dc-history"')[1].split("</tr>")[1]
    assert "登记" in first and jiwei_chen.name in first
