"""Countersign (会签): a joint problem of three units, each unit's head writing its part of
the rectification — all of them, any one, or one after another — then the one verification.

The units: sanitation (the lead, responsible unit), legal and facilities, all overseen by
leader_li. head_command heads another unit of the same leader: a non-participant.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import Delegation, User
from flows import countersign
from flows.models import CountersignPart
from flows.parts import part_submit
from flows.registration import register_problems
from flows.selectors import history
from records.models import AuditEvent, Evidence, Notification, Problem

from .conftest import task_url
from .test_api import api
from .test_races import logged_in, race, race_test
from .test_rectification import analyse, body, decide, login

S = Problem.Status
PART = "rectify_parts"
LEAD, OTHERS = "sanitation", ("legal", "facilities")
HEADS = ["head_sanitation", "head_legal", "head_facilities"]
TEXT = {"head_sanitation": "环卫处已整改：建立车辆派遣登记。",
        "head_legal": "法规处已整改：修订用车审批规定。",
        "head_facilities": "设施处已整改：车辆集中停放。"}


def user(username) -> User:
    return User.objects.get(username=username)


@pytest.fixture
def mode(settings):
    def set_mode(value):
        settings.DUTYCHAIN_COUNTERSIGN = {f"rectification.{PART}": value}
    return set_mode


def joint_problem(unit, jiwei_chen, description="节日期间公车私用，涉及三个处室") -> Problem:
    [problem] = register_problems(by=jiwei_chen, source="spot_check",
                                  found_on=timezone.localdate() - datetime.timedelta(days=3),
                                  items=[{"unit": unit(LEAD), "category": "hedonism",
                                          "description": description,
                                          "co_units": [unit(code) for code in OTHERS]}])
    return problem


def open_tasks(problem):
    return Task.objects.filter(process_id=problem.process_id, flow_task_type="HUMAN",
                               status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED])


def part_tasks(problem, *statuses):
    tasks = Task.objects.filter(process_id=problem.process_id,
                                flow_task__endswith=f".{PART}").order_by("pk")
    return tasks.filter(status__in=statuses) if statuses else tasks


def task_of(problem, username):
    return open_tasks(problem).get(owner__username=username)


def rectifying(problem) -> Problem:
    """Analysed by the lead unit's head and approved by leader_li: the parts open."""
    assert analyse(login(user("head_sanitation")), problem).status_code == 302
    assert decide(login(user("leader_li")), problem, "approve", "同意。").status_code == 302
    problem.refresh_from_db()
    assert problem.status == S.RECTIFYING
    return problem


def write_part(problem, username, text=None, **extra):
    task = task_of(problem, username)
    return login(user(username)).post(task_url(task), {"text": text or TEXT[username],
                                                       "_submit": "1", **extra})


def parts(problem):
    return list(CountersignPart.objects.filter(process_id=problem.process_id)
                .order_by("round", "position")
                .values_list("round", "position", "unit__code", "participant__username",
                             "status"))


def verify_task_owner(problem):
    return open_tasks(problem).get().owner.username


def snapshot(problem):
    problem.refresh_from_db()
    return (problem.status, parts(problem),
            list(Task.objects.filter(process_id=problem.process_id).order_by("pk")
                 .values_list("pk", "status", "owner_id")),
            AuditEvent.objects.exclude(action__startswith="account.").count(),
            Evidence.objects.count())


# -- all must act ----------------------------------------------------------------------------

def test_all_mode_completes_only_after_all_three_parts_then_verification_closes_it(
        bureau, unit, jiwei_chen, mode, django_assert_max_num_queries):
    mode("all")
    problem = rectifying(joint_problem(unit, jiwei_chen))

    # every participant has a task in their inbox, sight of the problem and a notification
    assert sorted(t.owner.username for t in open_tasks(problem)) == sorted(HEADS)
    assert problem.step == PART and problem.assignee.username == "head_sanitation"
    assert problem.due_date == problem.planned_date
    for username in HEADS:
        assert Notification.objects.filter(recipient__username=username, kind="assigned",
                                           key=f"records.problem:{problem.pk}").exists()
        page = login(user(username)).get(task_url(task_of(problem, username)))
        assert page.status_code == 200
        assert "节日期间公车私用" in body(page)
    inbox = login(user("head_legal")).get("/api/v1/tasks/", HTTP_AUTHORIZATION="")
    assert any(row["step"] == PART and row["actions"] == ["progress", "evidence",
                                                          "request_extension", "submit_part"]
               for row in inbox.json()["results"])

    assert write_part(problem, "head_legal").status_code == 302
    assert write_part(problem, "head_sanitation").status_code == 302
    problem.refresh_from_db()
    assert problem.status == S.RECTIFYING  # one part still missing
    assert [t.owner.username for t in open_tasks(problem)] == ["head_facilities"]
    page = body(login(user("head_facilities")).get(task_url(task_of(problem, "head_facilities"))))
    assert TEXT["head_legal"] in page and TEXT["head_sanitation"] in page  # the parts so far
    assert "已完成 2 / 3" in page

    assert write_part(problem, "head_facilities").status_code == 302
    problem.refresh_from_db()
    assert problem.status == S.VERIFYING and problem.rectified_at is not None
    assert verify_task_owner(problem) == "jiwei_chen"
    assert [p[4] for p in parts(problem)] == ["done"] * 3

    assert decide(login(jiwei_chen), problem, "close_out", "整改到位。").status_code == 302
    problem.refresh_from_db()
    assert problem.status == S.FILED

    # the history lists each part: step, unit, person, date and text
    with django_assert_max_num_queries(6):
        entries = [e for e in history(problem) if e.part is not None]
    assert [(e.owner.username, e.part.unit.code, e.part.text) for e in entries] == [
        ("head_sanitation", "sanitation", TEXT["head_sanitation"]),
        ("head_legal", "legal", TEXT["head_legal"]),
        ("head_facilities", "facilities", TEXT["head_facilities"])]
    detail = body(login(jiwei_chen).get(f"/problems/{problem.pk}/"))
    for text in TEXT.values():
        assert text in detail
    assert "法规" in detail  # the unit of a part is named


# -- any one decides -------------------------------------------------------------------------

def test_any_mode_completes_after_the_first_part_and_cancels_the_other_two(
        bureau, unit, jiwei_chen, mode):
    mode("any")
    problem = rectifying(joint_problem(unit, jiwei_chen))
    assert open_tasks(problem).count() == 3
    legal_task = task_of(problem, "head_legal")
    facilities_task = task_of(problem, "head_facilities")

    assert write_part(problem, "head_sanitation").status_code == 302
    problem.refresh_from_db()
    assert problem.status == S.VERIFYING
    assert verify_task_owner(problem) == "jiwei_chen"
    assert sorted(t.status for t in part_tasks(problem)) == ["CANCELED", "CANCELED", "DONE"]
    assert [p[4] for p in parts(problem)] == ["done", "not_needed", "not_needed"]

    # the history marks the cancelled ones “not needed”
    page = body(login(jiwei_chen).get(f"/problems/{problem.pk}/"))
    assert page.count("无需办理") >= 2 and TEXT["head_sanitation"] in page

    # a participant whose task was cancelled is told so, and nothing changes
    before = snapshot(problem)
    late = login(user("head_legal")).post(task_url(legal_task), {"text": "迟到的部分",
                                                                 "_submit": "1"})
    assert late.status_code == 409
    assert "您的部分无需办理" in body(late)
    response = api(user("head_facilities")).post(
        f"/api/v1/tasks/{facilities_task.pk}/submit_part/", {"text": "迟到的部分"}, format="json")
    assert response.status_code == 409 and "无需办理" in response.json()["detail"]
    assert snapshot(problem) == before

    assert decide(login(jiwei_chen), problem, "close_out", "").status_code == 302
    problem.refresh_from_db()
    assert problem.status == S.FILED


# -- one after another -----------------------------------------------------------------------

def test_sequence_mode_creates_the_tasks_one_at_a_time_in_order(bureau, unit, jiwei_chen, mode):
    mode("sequence")
    problem = rectifying(joint_problem(unit, jiwei_chen))
    order = []
    for username in HEADS:
        [task] = open_tasks(problem)
        order.append(task.owner.username)
        problem.refresh_from_db()
        assert problem.assignee.username == username  # the ledger names whose turn it is
        # the one whose turn has not come has nothing to act on
        for waiting in HEADS[HEADS.index(username) + 1:]:
            assert not open_tasks(problem).filter(owner__username=waiting).exists()
        assert write_part(problem, username).status_code == 302
    assert order == HEADS  # the lead unit first, then the others in unit order
    problem.refresh_from_db()
    assert problem.status == S.VERIFYING
    assert [p[4] for p in parts(problem)] == ["done"] * 3
    assert decide(login(jiwei_chen), problem, "close_out", "").status_code == 302
    problem.refresh_from_db()
    assert problem.status == S.FILED


def test_a_send_back_returns_the_problem_to_the_parts_in_a_new_round(bureau, unit, jiwei_chen,
                                                                     mode):
    mode("all")
    problem = rectifying(joint_problem(unit, jiwei_chen))
    for username in HEADS:
        assert write_part(problem, username).status_code == 302
    assert decide(login(jiwei_chen), problem, "send_back", "佐证材料不足。").status_code == 302
    problem.refresh_from_db()
    assert problem.status == S.RECTIFYING and problem.step == PART
    assert sorted(t.owner.username for t in open_tasks(problem)) == sorted(HEADS)
    assert [(p[0], p[4]) for p in parts(problem)] == [(1, "done")] * 3 + [(2, "pending")] * 3

    # the second round's page shows only that round's parts; the history keeps both
    page = body(login(user("head_legal")).get(task_url(task_of(problem, "head_legal"))))
    assert "佐证材料不足" in page
    for username in HEADS:
        assert write_part(problem, username, text=TEXT[username] + "（补充）").status_code == 302
    problem.refresh_from_db()
    assert problem.status == S.VERIFYING
    assert len([e for e in history(problem) if e.part is not None]) == 6


def test_a_single_unit_problem_keeps_the_one_rectify_step(bureau, unit, jiwei_chen):
    [problem] = register_problems(by=jiwei_chen, source="spot_check",
                                  found_on=timezone.localdate(), items=[
                                      {"unit": unit(LEAD), "category": "hedonism",
                                       "description": "单一处室问题"}])
    rectifying(problem)
    [task] = open_tasks(problem)
    assert task.flow_task.name == "rectify" and task.owner.username == "head_sanitation"
    assert not CountersignPart.objects.exists()


# -- who may act, and when -------------------------------------------------------------------

@pytest.mark.parametrize("username", ["head_command", "leader_li", "head_office"])
def test_a_non_participant_cannot_write_a_part_by_page_or_api(bureau, unit, jiwei_chen, mode,
                                                              username):
    mode("all")
    problem = rectifying(joint_problem(unit, jiwei_chen))
    task = task_of(problem, "head_legal")
    before = snapshot(problem)
    client = login(user(username))
    assert client.get(task_url(task)).status_code in (403, 404)
    response = client.post(task_url(task), {"text": "冒名的部分", "_submit": "1"})
    assert response.status_code in (403, 404)
    assert "冒名的部分" not in body(response)
    response = api(user(username)).post(f"/api/v1/tasks/{task.pk}/submit_part/",
                                        {"text": "冒名的部分"}, format="json")
    assert response.status_code == 404
    assert snapshot(problem) == before


def test_the_service_refuses_anyone_but_the_tasks_owner_and_the_wrong_state(
        bureau, unit, jiwei_chen, mode):
    mode("all")
    problem = rectifying(joint_problem(unit, jiwei_chen))
    task = task_of(problem, "head_legal")
    before = snapshot(problem)
    with pytest.raises(Exception, match="法规|只有|Only"):
        part_submit(problem=problem, task=task, by=user("head_command"),
                                  text="冒名")
    Problem.objects.filter(pk=problem.pk).update(status=S.VERIFYING)
    problem.refresh_from_db()
    with pytest.raises(Exception, match="待核验"):
        part_submit(problem=problem, task=task, by=user("head_legal"), text="x")
    Problem.objects.filter(pk=problem.pk).update(status=S.RECTIFYING)
    assert snapshot(problem) == before


def test_a_participant_submitting_twice_is_told_it_is_already_handled(bureau, unit, jiwei_chen,
                                                                      mode):
    mode("all")
    problem = rectifying(joint_problem(unit, jiwei_chen))
    task = task_of(problem, "head_legal")
    assert write_part(problem, "head_legal").status_code == 302
    before = snapshot(problem)
    again = login(user("head_legal")).post(task_url(task), {"text": "再交一次", "_submit": "1"})
    assert again.status_code == 409
    assert "已" in body(again) and "办理" in body(again)
    response = api(user("head_legal")).post(f"/api/v1/tasks/{task.pk}/submit_part/",
                                            {"text": "再交一次"}, format="json")
    assert response.status_code == 409
    assert snapshot(problem) == before


def test_an_empty_part_or_a_bad_file_is_refused_with_a_message_and_nothing_changes(
        bureau, unit, jiwei_chen, mode):
    mode("any")
    problem = rectifying(joint_problem(unit, jiwei_chen))
    before = snapshot(problem)
    empty = write_part(problem, "head_legal", text="   ")
    assert empty.status_code == 200 and "dc-errors" in body(empty)
    fake = write_part(problem, "head_legal",
                      file=SimpleUploadedFile("整改.pdf", b"not really a pdf"))
    assert fake.status_code == 200 and "整改.pdf" in body(fake)
    response = api(user("head_legal")).post(
        f"/api/v1/tasks/{task_of(problem, 'head_legal').pk}/submit_part/", {"text": ""},
        format="json")
    assert response.status_code == 400 and "text" in response.json()["errors"]
    assert snapshot(problem) == before


def test_a_delegated_heads_part_goes_to_the_acting_person_and_history_says_for_whom(
        bureau, unit, jiwei_chen, mode):
    mode("all")
    Delegation.objects.create(absent=user("head_legal"), acting=user("head_command"),
                              valid_from=timezone.localdate(),
                              valid_to=timezone.localdate() + datetime.timedelta(days=10))
    problem = rectifying(joint_problem(unit, jiwei_chen))
    task = task_of(problem, "head_command")
    assert task.data["on_behalf_of"] == user("head_legal").pk
    assert write_part(problem, "head_command", text="代为整改说明").status_code == 302
    [entry] = [e for e in history(problem) if e.part and e.part.status == "done"]
    assert entry.on_behalf_of.username == "head_legal"
    assert entry.part.on_behalf_of.username == "head_legal"


def test_the_mode_must_be_one_of_the_three(bureau, unit, jiwei_chen, settings):
    settings.DUTYCHAIN_COUNTERSIGN = {f"rectification.{PART}": "majority"}
    from django.core.exceptions import ImproperlyConfigured

    from flows.rectification import RectificationFlow

    with pytest.raises(ImproperlyConfigured, match="majority"):
        countersign.mode_for(RectificationFlow.instance.node(PART))


# -- registration ----------------------------------------------------------------------------

def test_the_registration_page_takes_the_other_units_involved(bureau, unit, jiwei_chen):
    client = login(jiwei_chen)
    assert "其他涉及单位" in body(client.get("/problems/register/"))
    data = {"title": "联合检查", "source": "spot_check",
            "found_on": str(timezone.localdate()), "p-TOTAL_FORMS": "1", "p-INITIAL_FORMS": "0",
            "p-MIN_NUM_FORMS": "1", "p-MAX_NUM_FORMS": "50", "p-0-unit": unit(LEAD).pk,
            "p-0-category": "hedonism", "p-0-description": "联合问题",
            "p-0-co_units": [unit(code).pk for code in OTHERS]}
    assert client.post("/problems/register/", data).status_code == 302
    problem = Problem.objects.get(description="联合问题")
    assert sorted(problem.co_units.values_list("code", flat=True)) == sorted(OTHERS)
    assert "法规" in body(client.get(f"/problems/{problem.pk}/"))


# -- the API, token only ---------------------------------------------------------------------

def test_the_api_journey_of_a_joint_problem_token_only(bureau, unit, jiwei_chen, mode):
    mode("all")
    committee = api(jiwei_chen)
    response = committee.post("/api/v1/problems/", {
        "source": "spot_check", "found_on": str(timezone.localdate()),
        "items": [{"unit": LEAD, "category": "hedonism", "description": "API联合问题",
                   "co_units": list(OTHERS)}]}, format="json")
    assert response.status_code == 201, response.content
    problem = Problem.objects.get(pk=response.json()[0]["id"])
    assert sorted(problem.co_units.values_list("code", flat=True)) == sorted(OTHERS)

    def act(username, action, data, fmt="json"):
        client = api(user(username))
        [row] = [r for r in client.get("/api/v1/tasks/").json()["results"]
                 if r["item"]["id"] == problem.pk]
        assert action in row["actions"]
        return client.post(f"/api/v1/tasks/{row['id']}/{action}/", data, format=fmt)

    planned = str(timezone.localdate() + datetime.timedelta(days=30))
    assert act("head_sanitation", "analyse", {"root_cause": "制度缺失", "measures": "建章立制",
                                              "planned_date": planned}).status_code == 200
    assert act("leader_li", "approve_plan", {"opinion": "同意"}).status_code == 200
    assert act("head_legal", "submit_part", {
        "text": TEXT["head_legal"],
        "file": SimpleUploadedFile("法规处佐证.pdf", b"%PDF-1.4 evidence")},
        fmt="multipart").json()["completed"] is True
    assert act("head_sanitation", "submit_part", {"text": TEXT["head_sanitation"]}).status_code \
        == 200
    assert act("head_facilities", "submit_part", {"text": TEXT["head_facilities"]}).status_code \
        == 200
    assert Evidence.objects.get(problem=problem).uploaded_by.username == "head_legal"
    assert act("jiwei_chen", "close_out", {"opinion": "整改到位"}).status_code == 200

    detail = committee.get(f"/api/v1/problems/{problem.pk}/").json()
    assert detail["status"] == "filed"
    assert [u["code"] for u in detail["co_units"]] == list(OTHERS)
    written = sorted((e["part"]["position"], e["part"]["unit"]["code"], e["part"]["status"],
                      e["part"]["text"]) for e in detail["history"] if e["part"])
    assert written == [(1, "sanitation", "done", TEXT["head_sanitation"]),
                       (2, "legal", "done", TEXT["head_legal"]),
                       (3, "facilities", "done", TEXT["head_facilities"])]


# -- a race on PostgreSQL --------------------------------------------------------------------

@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks; SQLite has none")


@pytest.mark.postgres
@race_test
def test_two_participants_at_once_in_any_mode_exactly_one_decides(postgres_only, bureau, unit,
                                                                  jiwei_chen, mode):
    mode("any")
    problem = rectifying(joint_problem(unit, jiwei_chen))
    legal, facilities = task_of(problem, "head_legal"), task_of(problem, "head_facilities")

    responses = race(
        (logged_in(user("head_legal")), task_url(legal), {"text": TEXT["head_legal"],
                                                          "_submit": "1"}),
        (logged_in(user("head_facilities")), task_url(facilities),
         {"text": TEXT["head_facilities"], "_submit": "1"}),
    )

    assert sorted(r.status_code for r in responses) == [302, 409]
    problem.refresh_from_db()
    assert problem.status == S.VERIFYING
    statuses = [p[4] for p in parts(problem)]
    assert statuses.count("done") == 1 and statuses.count("not_needed") == 2
    assert open_tasks(problem).get().owner.username == "jiwei_chen"
    assert AuditEvent.objects.filter(action="countersign.part").count() == 1
    assert AuditEvent.objects.filter(action="problem.rectified", target_id=str(problem.pk)) \
        .count() == 1


def test_a_delegation_starting_mid_countersign_moves_that_units_part(
        bureau, unit, jiwei_chen, mode, django_capture_on_commit_callbacks):
    mode("all")
    problem = rectifying(joint_problem(unit, jiwei_chen))
    with django_capture_on_commit_callbacks(execute=True):
        Delegation.objects.create(absent=user("head_legal"), acting=user("head_command"),
                                  valid_from=timezone.localdate(), reason="出差")
    task = task_of(problem, "head_command")  # legal's part, now with the acting person
    assert countersign.part_of(task).unit.code == "legal"
    assert task.data["on_behalf_of"] == user("head_legal").pk
    assert sorted(t.owner.username for t in open_tasks(problem)) == sorted(
        ["head_sanitation", "head_command", "head_facilities"])
    assert login(user("head_command")).get(task_url(task)).status_code == 200
    problem.refresh_from_db()
    assert problem.assignee.username == "head_sanitation"  # the lead unit's head, still
    assert write_part(problem, "head_command", text="代为整改说明").status_code == 302
    part = countersign.part_of(task)
    assert (part.participant.username, part.on_behalf_of.username) == ("head_command",
                                                                       "head_legal")


def test_withdrawing_a_joint_problem_mid_countersign_closes_every_part(bureau, unit, jiwei_chen,
                                                                       mode):
    mode("all")
    problem = rectifying(joint_problem(unit, jiwei_chen))
    assert write_part(problem, "head_legal").status_code == 302  # the join is waiting
    response = login(jiwei_chen).post(f"/problems/{problem.pk}/cancel/",
                                      {"opinion": "重复登记。"})
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.status == S.CANCELLED
    assert not open_tasks(problem).exists()
    assert not Task.objects.filter(process_id=problem.process_id,
                                   status__in=[STATUS.NEW, STATUS.STARTED]).exists()
    # the part written stays in the history
    assert TEXT["head_legal"] in body(login(jiwei_chen).get(f"/problems/{problem.pk}/"))
