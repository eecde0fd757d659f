"""The year-end assessment through the API (issue 19): the committee, a unit's head, its
supervising leader and the secretary take one assessment from creation to its circular;
what the API refuses, as JSON naming the field; a sheet outside one's place is a 404 that
shows nothing; the leader's score stays hidden from the subject until publication; the lists
cost a fixed number of queries."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from records.models import Appeal, Assessment, AssessmentSheet, ScoreChange, ScoreLine
from records.services import assessments as rules

from .duty_helpers import issued_list, pdf

pytestmark = pytest.mark.usefixtures("on_a_known_day")

PASSWORD = "demo-pass-123"
YEAR = 2026


def login(username) -> APIClient:
    """A program with only a username and password."""
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": username, "password": PASSWORD},
                           format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}",
                       HTTP_ACCEPT_LANGUAGE="en")
    return client


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


def sheet_url(sheet, tail=""):
    return f"/api/v1/assessment-sheets/{getattr(sheet, 'pk', sheet)}/{tail}"


def line_url(sheet, line, action):
    return sheet_url(sheet, f"lines/{getattr(line, 'pk', line)}/{action}/")


def assessment_url(assessment, tail=""):
    return f"/api/v1/assessments/{getattr(assessment, 'pk', assessment)}/{tail}"


def post(client, url, data=None):
    return client.post(url, data or {}, format="json")


def sanitation(assessment) -> AssessmentSheet:
    return assessment.sheets.get(unit__code="sanitation", subject__isnull=True)


def manual_line(sheet) -> ScoreLine:
    return sheet.lines.filter(criterion__kind="manual").select_related("criterion").order_by(
        "criterion__number").first()


@pytest.fixture
def duty_list(bureau):
    return issued_list()


@pytest.fixture
def opened(duty_list, jiwei_chen):
    """This year's assessment, opened: self-scoring."""
    assessment = rules.assessment_create(year=YEAR, by=jiwei_chen)
    return rules.assessment_open(assessment=assessment, by=jiwei_chen)


def advance(assessment, by, to):
    while assessment.status != to:
        assessment = rules.assessment_advance(assessment=assessment, by=by)
    return assessment


# -- the journey ---------------------------------------------------------------------------

def test_an_assessment_from_creation_to_its_circular(duty_list):
    committee, head = login("jiwei_chen"), login("head_sanitation")
    leader, secretary = login("leader_li"), login("secretary")

    # the committee starts the year's assessment; nobody else may
    refused = head.post("/api/v1/assessments/", {"year": YEAR}, format="json")
    assert refused.status_code == 403 and "discipline committee" in refused.json()["detail"]
    made = committee.post("/api/v1/assessments/",
                          {"year": YEAR, "cut_off": "2026-11-20", "step_days": 5},
                          format="json")
    assert made.status_code == 201, made.json()
    assessment = made.json()
    assert (assessment["year"], assessment["status"], assessment["cut_off"]) == (
        YEAR, "preparing", "2026-11-20")
    assert assessment["status_label"] and assessment["circular"] is None
    assert assessment["waiting_on"] == []  # the committee sees whom a step waits on
    pk = assessment["id"]
    assert head.get(assessment_url(pk)).json()["waiting_on"] is None
    assert [a["id"] for a in head.get("/api/v1/assessments/").json()["results"]] == [pk]
    units_scheme = committee.get(f"/api/v1/assessment-schemes/{assessment['units_scheme']}/")
    assert units_scheme.status_code == 200 and units_scheme.json()["criteria"]
    assert post(committee, assessment_url(pk, "recompute/")).status_code == 200

    opened = post(committee, assessment_url(pk, "open/"))
    assert opened.status_code == 200 and opened.json()["status"] == "self_scoring"
    assert opened.json()["phase_due"]
    assert {w["person"]["username"] for w in opened.json()["waiting_on"]} >= {
        "head_sanitation", "leader_li"}

    # self-scoring: the head sees the unit's own sheet, its total not yet
    mine = head.get(assessment_url(pk, "sheets/")).json()
    assert [row["unit"]["code"] for row in mine["results"]] == ["sanitation"]
    assert mine["results"][0]["total"] is None and mine["results"][0]["rank"] is None
    sheet = mine["results"][0]["id"]
    detail = head.get(sheet_url(sheet)).json()
    assert detail["can_score"] and not detail["can_appeal"]
    line = next(row for row in detail["lines"] if row["criterion"]["kind"] == "manual")
    top = Decimal(line["criterion"]["max_points"])
    scored = post(head, line_url(sheet, line["id"], "score"),
                  {"score": str(top - 1), "reason": "少开展一次专题学习。"})
    assert scored.status_code == 200, scored.json()
    mine = next(row for row in scored.json()["lines"] if row["id"] == line["id"])
    assert Decimal(mine["self_score"]) == top - 1 and mine["final"] is None
    assert post(head, sheet_url(sheet, "submit/")).json()["self_at"]

    # the leaders' step: leader_li scores the unit they oversee, never their own sheet
    assert post(committee, assessment_url(pk, "advance/")).json()["status"] == "leader_scoring"
    listed = {row["name"]: row for row in leader.get(assessment_url(pk, "sheets/")).json()[
        "results"]}
    assert listed["市容环境卫生管理处"]["total"] is not None  # theirs to score
    own = listed["李明"]
    assert own["total"] is None and own["rank"] is None  # their own, unpublished
    own_line = next(row for row in leader.get(sheet_url(own["id"])).json()["lines"]
                    if row["criterion"]["kind"] == "manual")
    oneself = post(leader, line_url(own["id"], own_line["id"], "score"),
                   {"score": "0", "reason": "自评"})
    assert oneself.status_code == 403 and "Nobody scores themselves" in oneself.json()["detail"]
    by_leader = post(leader, line_url(sheet, line["id"], "score"),
                     {"score": str(top - 2), "reason": "核查发现少两次。"})
    assert by_leader.status_code == 200, by_leader.json()
    assert post(leader, sheet_url(sheet, "submit/")).json()["leader_at"]
    # the subject does not see the leader's score before publication
    seen = head.get(sheet_url(sheet)).json()
    seen_line = next(row for row in seen["lines"] if row["id"] == line["id"])
    assert seen_line["leader_score"] is None and seen_line["leader_reason"] is None
    assert seen_line["final"] is None and seen["total"] is None and not seen["shows_leader"]
    assert [c["stage"] for c in seen_line["changes"]] == ["self"]
    assert "核查发现少两次" not in str(seen)

    # the committee's review: an adjustment needs its reason
    assert post(committee, assessment_url(pk, "advance/")).json()["status"] == "review"
    no_reason = post(committee, line_url(sheet, line["id"], "adjust"), {"score": str(top)})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["errors"]
    adjusted = post(committee, line_url(sheet, line["id"], "adjust"),
                    {"score": str(top - Decimal("1.5")), "reason": "核实后扣1.5分。"})
    assert adjusted.status_code == 200, adjusted.json()
    line_now = next(row for row in adjusted.json()["lines"] if row["id"] == line["id"])
    assert Decimal(line_now["adjusted"]) == Decimal(line_now["final"]) == top - Decimal("1.5")
    assert head.get(sheet_url(sheet)).json()["lines"][0]["final"] is None

    # published: the subject sees every score now, and appeals the line
    published = post(committee, assessment_url(pk, "advance/"))
    assert published.json()["status"] == "published"
    seen = head.get(sheet_url(sheet)).json()
    seen_line = next(row for row in seen["lines"] if row["id"] == line["id"])
    assert Decimal(seen_line["leader_score"]) == top - 2
    assert Decimal(seen_line["final"]) == top - Decimal("1.5")
    assert [c["stage"] for c in seen_line["changes"]] == ["self", "leader", "review"]
    assert seen["total"] is not None and seen["grade"] and seen["rank"] is None
    assert seen["can_appeal"]
    appealed = post(head, line_url(sheet, line["id"], "appeal"),
                    {"text": "已补充开展一次专题学习，附会议记录。"})
    assert appealed.status_code == 201, appealed.json()
    [appeal] = next(row for row in appealed.json()["lines"] if row["id"] == line["id"])[
        "appeals"]
    assert appeal["status"] == "open" and appeal["by"]["username"] == "head_sanitation"

    # the secretary cannot approve while an appeal is open: the message says why
    early = post(secretary, assessment_url(pk, "approve/"))
    assert early.status_code == 400
    assert "1 appeals are still awaiting an answer" in early.json()["detail"]
    assert post(committee, assessment_url(pk, "approve/")).status_code == 403

    # upheld: the line's score changes
    answered = post(committee, sheet_url(sheet, f"appeals/{appeal['id']}/answer/"),
                    {"upheld": True, "answer": "经核实，会议记录属实。", "score": str(top)})
    assert answered.status_code == 200, answered.json()
    line_now = next(row for row in answered.json()["lines"] if row["id"] == line["id"])
    assert Decimal(line_now["final"]) == top
    assert line_now["appeals"][0]["status"] == "upheld"
    assert line_now["changes"][-1]["stage"] == "appeal"
    assert post(head, sheet_url(sheet, "acknowledge/")).json()["acknowledged_at"]

    approved = post(secretary, assessment_url(pk, "approve/"))
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    # approved: everyone with a post sees the ranking of what they may open
    assert head.get(assessment_url(pk, "sheets/")).json()["results"][0]["rank"] is not None

    circulated = post(committee, assessment_url(pk, "circular/"))
    assert circulated.status_code == 200, circulated.json()
    circular = circulated.json()["circular"]
    body = head.get(f"/api/v1/circulars/{circular}/").json()["body"]
    assert "市容环境卫生管理处" in body
    again = post(committee, assessment_url(pk, "circular/"))
    assert again.status_code == 400 and again.json()["detail"]
    assert Assessment.objects.get().circular_id == circular


def test_every_line_carries_its_explanations_with_their_links(opened, leader_li):
    """A leadership member's computed line: what was found, what it cost, what caused it."""
    own = opened.sheets.get(subject=leader_li)
    seen = api(leader_li).get(sheet_url(own)).json()
    explained = [row for row in seen["lines"] if row["explanations"]]
    assert explained
    first = explained[0]["explanations"][0]
    assert set(first) == {"text", "points", "link_kind", "link_id", "url"}
    assert first["text"] and Decimal(first["points"]) < 0
    assert explained[0]["criterion"]["kind"] == "automatic"
    assert Decimal(explained[0]["computed"]) < Decimal(explained[0]["criterion"]["max_points"])


def test_the_committee_adds_a_special_entry_with_its_evidence(opened, jiwei_chen):
    assessment = advance(opened, jiwei_chen, Assessment.Status.REVIEW)
    sheet = sanitation(assessment)
    scheme = api(jiwei_chen).get(f"/api/v1/assessment-schemes/{assessment.units_scheme_id}/")
    bonus = next(c for c in scheme.json()["criteria"] if c["special"] == "bonus")
    url = sheet_url(sheet, "specials/")
    client = api(jiwei_chen)
    missing = client.post(url, {"criterion": bonus["number"], "points": "1",
                                "reason": "市级表彰"}, format="multipart")
    assert missing.status_code == 400 and "file" in missing.json()["errors"]
    unknown = client.post(url, {"criterion": 999, "points": "1", "reason": "表彰",
                                "file": pdf("表彰.pdf")}, format="multipart")
    assert unknown.status_code == 400 and "criterion" in unknown.json()["errors"]
    made = client.post(url, {"criterion": bonus["number"], "points": "1", "reason": "市级表彰",
                             "file": pdf("表彰.pdf")}, format="multipart")
    assert made.status_code == 201, made.json()
    [entry] = made.json()["specials"]
    assert (entry["criterion"], entry["special"], entry["name"]) == (
        bonus["number"], "bonus", "表彰.pdf")
    assert "file" not in entry and entry["sha256"]
    graded = post(client, sheet_url(sheet, "grade/"), {"grade": "good", "reason": "综合评定"})
    assert graded.status_code == 200 and graded.json()["grade_set"] == "good"


# -- bad input -------------------------------------------------------------------------------

@pytest.mark.parametrize("data, field", [
    ({"score": "99"}, "score"),  # above the criterion's maximum
    ({"score": "-1", "reason": "扣分"}, "score"),  # below the floor
    ({"score": "abc"}, "score"),
    ({"score": None}, "score"),
    ({}, "score"),
    ({"score": "1"}, "reason"),  # points taken away, no reason
    ({"score": "1", "reason": ["not", "text"]}, "reason"),
])
def test_a_bad_score_is_a_json_400_naming_the_field_and_changes_nothing(
        opened, head_sanitation, data, field):
    sheet = sanitation(opened)
    line = manual_line(sheet)
    response = post(api(head_sanitation), line_url(sheet, line, "score"), data)
    assert response.status_code == 400, response.json()
    assert response["Content-Type"] == "application/json"
    assert field in response.json()["errors"] and response.json()["detail"]
    assert not ScoreChange.objects.exists()
    line.refresh_from_db()
    assert line.self_score is None


def test_a_score_above_the_maximum_says_the_maximum(opened, head_sanitation):
    sheet = sanitation(opened)
    line = manual_line(sheet)
    response = post(api(head_sanitation), line_url(sheet, line, "score"), {"score": "99"})
    assert response.json()["errors"]["score"] == [
        f"{line.criterion.name} is out of {line.criterion.max_points}: 99.00 is above it."]


@pytest.mark.parametrize("path, data, field", [
    ("adjust", {"score": "1"}, "reason"),
    ("adjust", {"score": "1", "reason": "   "}, "reason"),
    ("adjust", {"score": "99", "reason": "核实"}, "score"),
    ("grade", {"grade": "best", "reason": "x"}, "grade"),
    ("grade", {"grade": "good"}, "reason"),
])
def test_the_committees_changes_need_their_reasons(opened, jiwei_chen, path, data, field):
    assessment = advance(opened, jiwei_chen, Assessment.Status.REVIEW)
    sheet = sanitation(assessment)
    url = line_url(sheet, manual_line(sheet), path) if path == "adjust" else \
        sheet_url(sheet, f"{path}/")
    response = post(api(jiwei_chen), url, data)
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert not ScoreChange.objects.exists()
    assert AssessmentSheet.objects.get(pk=sheet.pk).grade_set == ""


def test_an_appeal_needs_its_grounds_and_an_upheld_answer_its_score(
        opened, jiwei_chen, head_sanitation):
    assessment = advance(opened, jiwei_chen, Assessment.Status.PUBLISHED)
    sheet = sanitation(assessment)
    line = manual_line(sheet)
    head = api(head_sanitation)
    empty = post(head, line_url(sheet, line, "appeal"), {"text": "  "})
    assert empty.status_code == 400 and "text" in empty.json()["errors"]
    assert post(head, line_url(sheet, line, "appeal"), {"text": "不服"}).status_code == 201
    twice = post(head, line_url(sheet, line, "appeal"), {"text": "再次申诉"})
    assert twice.status_code == 400 and twice.json()["detail"]
    appeal = Appeal.objects.get()
    url = sheet_url(sheet, f"appeals/{appeal.pk}/answer/")
    no_score = post(api(jiwei_chen), url, {"upheld": True, "answer": "同意"})
    assert no_score.status_code == 400 and "score" in no_score.json()["errors"]
    no_answer = post(api(jiwei_chen), url, {"upheld": False})
    assert no_answer.status_code == 400 and "answer" in no_answer.json()["errors"]
    assert post(head, url, {"upheld": False, "answer": "自己答复"}).status_code == 403
    assert Appeal.objects.get().status == "open"


def test_creating_refuses_a_year_to_come_and_a_second_assessment(opened, jiwei_chen):
    client = api(jiwei_chen)
    future = client.post("/api/v1/assessments/", {"year": YEAR + 1}, format="json")
    assert future.status_code == 400 and "year" in future.json()["errors"]
    again = client.post("/api/v1/assessments/", {"year": YEAR}, format="json")
    assert again.status_code == 400 and "already has its assessment" in again.json()["detail"]
    wrong_day = client.post("/api/v1/assessments/", {"year": 2025, "cut_off": "2026-01-01"},
                            format="json")
    assert wrong_day.status_code == 400 and "cut_off" in wrong_day.json()["errors"]
    assert Assessment.objects.count() == 1


def test_a_phase_out_of_order_is_refused_with_the_reason(opened, jiwei_chen, secretary):
    assert post(api(jiwei_chen), assessment_url(opened, "open/")).status_code == 400
    recompute = post(api(jiwei_chen), assessment_url(opened, "recompute/"))
    assert recompute.status_code == 400 and "froze" in recompute.json()["detail"]
    approve = post(api(secretary), assessment_url(opened, "approve/"))
    assert approve.status_code == 400 and "Self-scoring" in approve.json()["detail"]
    assert Assessment.objects.get().status == "self_scoring"


def test_a_list_refuses_a_filter_it_does_not_take(opened, jiwei_chen):
    client = api(jiwei_chen)
    for url in ("/api/v1/assessments/", assessment_url(opened, "sheets/"),
                "/api/v1/assessment-schemes/"):
        response = client.get(url, {"status": "approved"})
        assert response.status_code == 400 and "filters" in response.json()["errors"], url
    assert client.get(assessment_url(opened, "sheets/"), {"group": "x"}).status_code == 400
    leaders = client.get(assessment_url(opened, "sheets/"), {"group": "leaders"}).json()
    assert leaders["count"] == 3
    assert client.get(assessment_url(opened, "sheets/"), {"page": 9}).status_code == 404


# -- who sees what ---------------------------------------------------------------------------

def test_another_units_sheet_is_a_404_that_shows_nothing(opened, jiwei_chen, head_sanitation,
                                                         head_legal, outsider, leader_zhao):
    assessment = advance(opened, jiwei_chen, Assessment.Status.PUBLISHED)
    sheet = sanitation(assessment)
    line = manual_line(sheet)
    final_before = ScoreLine.objects.get(pk=line.pk).final
    for user in (head_legal, outsider, leader_zhao):
        client = api(user)
        for response in (
                client.get(sheet_url(sheet)),
                post(client, line_url(sheet, line, "score"), {"score": "0", "reason": "x"}),
                post(client, line_url(sheet, line, "appeal"), {"text": "x"}),
                post(client, line_url(sheet, line, "adjust"), {"score": "0", "reason": "x"}),
                post(client, sheet_url(sheet, "acknowledge/")),
                post(client, sheet_url(sheet, "grade/"), {"grade": "poor", "reason": "x"})):
            assert response.status_code == 404, (user, response.json())
            assert response["Content-Type"] == "application/json"
            assert "市容环境卫生" not in response.content.decode()
        assert sheet.pk not in [row["id"] for row in client.get(
            assessment_url(assessment, "sheets/")).json().get("results", [])]
    # someone with no post in the chain: no assessment at all
    nobody = api(User.objects.create_user(username="no_post", password=PASSWORD))
    assert nobody.get("/api/v1/assessments/").json()["count"] == 0
    assert nobody.get(assessment_url(assessment)).status_code == 404
    assert nobody.get(assessment_url(assessment, "sheets/")).status_code == 404
    assert nobody.get("/api/v1/assessment-schemes/").json()["count"] == 0
    assert nobody.get(f"/api/v1/assessment-schemes/{assessment.units_scheme_id}/"
                      ).status_code == 404
    assert not Appeal.objects.exists()
    assert ScoreLine.objects.get(pk=line.pk).final == final_before


def test_a_line_or_appeal_of_another_sheet_is_a_404(opened, jiwei_chen, head_sanitation,
                                                   head_legal):
    assessment = advance(opened, jiwei_chen, Assessment.Status.PUBLISHED)
    mine, theirs = sanitation(assessment), assessment.sheets.get(unit__code="legal")
    other_line = manual_line(theirs)
    head = api(head_sanitation)
    response = post(head, line_url(mine, other_line, "appeal"), {"text": "x"})
    assert response.status_code == 404 and response.json()["detail"]
    rules.appeal_lodge(line=other_line, by=head_legal, text="不服")
    appeal = Appeal.objects.get()
    answer = post(api(jiwei_chen), sheet_url(mine, f"appeals/{appeal.pk}/answer/"),
                  {"upheld": False, "answer": "不予支持"})
    assert answer.status_code == 404
    assert Appeal.objects.get().status == "open"


def test_a_leader_opens_the_sheets_they_score_only_from_the_leaders_step(
        opened, jiwei_chen, leader_li):
    sheet = sanitation(opened)
    client = api(leader_li)
    assert client.get(sheet_url(sheet)).status_code == 404  # self-scoring: not yet
    assert [row["name"] for row in client.get(assessment_url(opened, "sheets/")).json()[
        "results"]] == ["李明"]
    advance(opened, jiwei_chen, Assessment.Status.LEADER_SCORING)
    assert client.get(sheet_url(sheet)).json()["can_score"]


@pytest.mark.parametrize("phase", ["self_scoring", "leader_scoring", "review", "published",
                                   "approved"])
def test_what_the_sheet_list_shows_is_what_each_reader_may_see(
        opened, jiwei_chen, secretary, head_sanitation, leader_li, paizhu_sun, phase):
    assessment = advance(opened, jiwei_chen, phase) if phase != "approved" else \
        rules.assessment_approve(assessment=advance(opened, jiwei_chen, "published"),
                                 by=secretary)
    for user in (jiwei_chen, secretary, head_sanitation, leader_li, paizhu_sun):
        rows = api(user).get(assessment_url(assessment, "sheets/")).json()["results"]
        sheets = AssessmentSheet.objects.select_related("assessment", "unit", "subject") \
            .in_bulk([row["id"] for row in rows])
        ranking = rules.shows_ranking(user, assessment)
        for row in rows:
            leader = rules.shows_leader_score(user, sheets[row["id"]])
            assert (row["total"] is not None) == leader == row["shows_leader"], (user, row)
            assert (row["rank"] is not None) == ranking, (user, row)


# -- query budgets ---------------------------------------------------------------------------

def test_the_lists_cost_a_fixed_number_of_queries(opened, jiwei_chen, leader_li,
                                                  head_sanitation,
                                                  django_assert_max_num_queries):
    assessment = advance(opened, jiwei_chen, Assessment.Status.LEADER_SCORING)
    sheets, sheet = assessment_url(assessment, "sheets/"), sheet_url(sanitation(assessment))
    for user in (jiwei_chen, leader_li, head_sanitation):
        client = api(user)
        for url in ("/api/v1/assessments/", sheets, "/api/v1/assessment-schemes/", sheet):
            assert client.get(url).status_code == 200  # first visit: the chain's answers
        # the chart's version; the assessment; the delegations (whom one acts for: asked
        # for the sheets one speaks for and for those one scores); the count and the page;
        # the sheets of the page one scores (a leader, a head: whose totals they see)
        with django_assert_max_num_queries(8):
            assert client.get(sheets).status_code == 200
        # the chart's version (the roles are the chain's answer); the count and the page
        with django_assert_max_num_queries(3):
            assert client.get("/api/v1/assessments/").status_code == 200
        with django_assert_max_num_queries(3):
            assert client.get("/api/v1/assessment-schemes/").status_code == 200
        # a sheet, whole: the sheet; the chart's version; the lines with their criteria,
        # explanations, changes and appeals; the special entries; whether one holds a post
        # in its unit (asked by each of may-open, may-see-the-scores, may-score)
        with django_assert_max_num_queries(10):
            assert client.get(sheet).status_code == 200


def _sheet_list_queries(client, url, **filters) -> tuple[int, int]:
    """(the sheets listed, the queries of a second visit)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    listed = client.get(url, filters).json()["count"]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, filters).status_code == 200
    return listed, len(queries)


def test_the_sheet_list_costs_the_same_for_one_sheet_and_for_many(opened, jiwei_chen,
                                                                  leader_li):
    assessment = advance(opened, jiwei_chen, Assessment.Status.LEADER_SCORING)
    url = assessment_url(assessment, "sheets/")
    for user, many in ((jiwei_chen, "units"), (leader_li, "units")):
        client = api(user)
        one, few = _sheet_list_queries(client, url, group="leaders"), \
            _sheet_list_queries(client, url, group=many)
        assert few[0] > one[0] >= 1 and few[1] == one[1], (user, one, few)
