"""The year-end assessment in pages (issue 19): the committee starts, opens and moves it on,
adjusts with reasons, adds special entries with evidence, grades, answers appeals and
circulates the results; a unit's head self-scores, never sees the leader's score before
publication, appeals a line and accepts the sheet; a supervising leader scores the units
they oversee and nobody else; the secretary approves once every appeal is answered. Bad
input is refused with the service's message and changes nothing; lists cost a fixed number
of queries."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from accounts.models import Unit, User
from records.models.assessments import (
    Appeal,
    Assessment,
    AssessmentScheme,
    Criterion,
    ScoreChange,
    SpecialEntry,
)
from records.services import assessments as service

from .calendar_helpers import travel
from .duty_helpers import PDF, issued_list, pdf

pytestmark = pytest.mark.usefixtures("on_a_known_day")

Status = Assessment.Status


@pytest.fixture
def duty_list(bureau):
    return issued_list()


@pytest.fixture
def prepared(duty_list, jiwei_chen):
    return service.assessment_create(year=duty_list.year, by=jiwei_chen)


@pytest.fixture
def opened(prepared, jiwei_chen):
    return service.assessment_open(assessment=prepared, by=jiwei_chen)


def said(msgid: str, **params) -> str:
    """A service's message as the page shows it: in the page's language, escaped."""
    with translation.override("zh-hans"):
        text = gettext(msgid)
        if params:
            text = text % {name: str(value) for name, value in params.items()}
    return escape(text)


def advance(assessment, by, to: str) -> Assessment:
    while assessment.status != to:
        assessment = service.assessment_advance(assessment=assessment, by=by)
    return assessment


def sheet_of(assessment, code: str | None = None, user: User | None = None):
    if user is not None:
        return assessment.sheets.get(subject=user)
    return assessment.sheets.get(unit__code=code, subject__isnull=True)


def manual_line(sheet, number: int | None = None):
    lines = sheet.lines.select_related("criterion").filter(criterion__kind="manual")
    return lines.get(criterion__number=number) if number else lines.order_by(
        "criterion__number").first()


def act(client, sheet, **data):
    return client.post(f"/assessments/sheets/{sheet.pk}/act/", data)


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


# -- the committee -------------------------------------------------------------------------

def test_the_committee_starts_a_year_and_opens_it_from_the_pages(duty_list, jiwei_chen,
                                                                   client_for):
    client = client_for(jiwei_chen)
    index = page(client, "/assessments/")
    assert 'action="/assessments/new/"' in index
    response = client.post("/assessments/new/", {"year": duty_list.year, "cut_off": "",
                                                 "step_days": 5, "title": ""})
    made = Assessment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/assessments/{made.pk}/"
    assert made.status == Status.PREPARING and made.sheets.count() == 13
    detail = page(client, f"/assessments/{made.pk}/")
    assert 'data-action="recompute"' in detail and 'data-action="open"' in detail
    assert detail.count("data-rank=") == 13  # the committee sees the ranking

    # the same year twice: refused with the service's message, nothing made
    again = client.post("/assessments/new/", {"year": duty_list.year, "step_days": 5})
    assert again.status_code == 400
    assert said("%(year)s already has its assessment.", year=duty_list.year) in \
        again.content.decode()
    assert Assessment.objects.count() == 1

    assert client.post(f"/assessments/{made.pk}/act/", {"action": "recompute"}).status_code \
        == 302
    response = client.post(f"/assessments/{made.pk}/act/", {"action": "open"})
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.status == Status.SELF_SCORING and made.phase_due
    assert made.units_scheme.status == AssessmentScheme.Status.IN_USE
    index = page(client, "/assessments/")
    assert made.phase_due.isoformat() in index
    assert 'data-user="head_sanitation"' in index  # self-scoring waits on every head
    assert client.post(f"/assessments/{made.pk}/act/", {"action": "advance"}).status_code \
        == 302
    made.refresh_from_db()
    assert made.status == Status.LEADER_SCORING
    assert 'data-user="leader_li"' in page(client, "/assessments/")
    # a step taken again: the message, nothing changed
    twice = client.post(f"/assessments/{made.pk}/act/", {"action": "open"})
    assert twice.status_code == 400
    assert said("This cannot be done while the assessment is “%(status)s”.",
                status=Status.LEADER_SCORING.label) in twice.content.decode()
    assert client.post(f"/assessments/{made.pk}/act/", {"action": "nonsense"}).status_code \
        == 400


def test_only_the_committee_starts_or_moves_an_assessment(prepared, head_sanitation,
                                                          secretary, client_for):
    head = client_for(head_sanitation)
    assert 'action="/assessments/new/"' not in page(head, "/assessments/")
    assert head.get("/assessments/new/").status_code == 404
    detail = page(head, f"/assessments/{prepared.pk}/")
    assert "data-action=" not in detail and "data-rank=" not in detail
    response = head.post(f"/assessments/{prepared.pk}/act/", {"action": "open"})
    assert response.status_code == 403
    assert said("Only the discipline committee does this.") in response.content.decode()
    prepared.refresh_from_db()
    assert prepared.status == Status.PREPARING
    # the secretary sees everything but moves nothing but approval
    assert 'data-action="open"' not in page(client_for(secretary),
                                            f"/assessments/{prepared.pk}/")


def test_the_committee_adjusts_adds_evidence_and_grades_in_review(
        opened, jiwei_chen, client_for):
    assessment = advance(opened, jiwei_chen, Status.REVIEW)
    sheet = sheet_of(assessment, "sanitation")
    line = manual_line(sheet)
    client = client_for(jiwei_chen)
    text = page(client, f"/assessments/sheets/{sheet.pk}/")
    assert 'value="adjust"' in text and 'value="special"' in text and 'value="grade"' in text
    assert f"/assessments/sheets/{sheet.pk}/docx/" in text

    # an adjustment needs a reason: refused, the line as it was
    response = act(client, sheet, action="adjust", line=line.pk, score="1", reason="")
    assert response.status_code == 400
    assert said("Give the reason for the adjustment.") in response.content.decode()
    line.refresh_from_db()
    assert line.adjusted is None and not line.changes.exists()

    response = act(client, sheet, action="adjust", line=line.pk, score="1",
                   reason="核查会议记录，全年仅开展一次。")
    assert response.status_code == 302
    assert response["Location"] == f"/assessments/sheets/{sheet.pk}/#line-{line.pk}"
    line.refresh_from_db()
    assert line.adjusted == Decimal("1") and line.final == Decimal("1")
    assert line.changes.get().stage == ScoreChange.Stage.REVIEW
    text = page(client, f"/assessments/sheets/{sheet.pk}/")
    assert "核查会议记录，全年仅开展一次。" in text

    # a bonus with its evidence
    bonus = Criterion.objects.get(scheme=assessment.units_scheme, special="bonus")
    sheet.refresh_from_db()
    before = sheet.total
    response = client.post(f"/assessments/sheets/{sheet.pk}/act/", {
        "action": "special", "criterion": bonus.pk, "points": "1",
        "reason": "经验做法被市委推广。", "file": pdf("推广文件.pdf")})
    assert response.status_code == 302
    entry = SpecialEntry.objects.get()
    sheet.refresh_from_db()
    assert entry.points == Decimal("1") and sheet.total == before + 1
    text = page(client, f"/assessments/sheets/{sheet.pk}/")
    link = f"/assessments/sheets/{sheet.pk}/special/{entry.pk}/"
    assert link in text and "推广文件.pdf" in text
    download = client.get(link)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    # without a file: the file's message, nothing added
    response = client.post(f"/assessments/sheets/{sheet.pk}/act/", {
        "action": "special", "criterion": bonus.pk, "points": "1", "reason": "再加一项。"})
    assert response.status_code == 400
    assert said("Choose a file to upload.") in response.content.decode()
    assert SpecialEntry.objects.count() == 1

    # a grade with its reason
    response = act(client, sheet, action="grade", grade="fair", reason="整改不实，降为一般。")
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert (sheet.grade_set, sheet.grade) == ("fair", "fair")
    assert "整改不实，降为一般。" in page(client, f"/assessments/sheets/{sheet.pk}/")
    response = act(client, sheet, action="grade", grade="good", reason="")
    assert response.status_code == 400
    assert said("Give the reason for the grade.") in response.content.decode()
    sheet.refresh_from_db()
    assert sheet.grade_set == "fair"

    # the entry withdrawn, with a reason
    response = act(client, sheet, action="special_remove", entry=entry.pk, reason="文件有误。")
    assert response.status_code == 302 and not SpecialEntry.objects.exists()


def test_an_adjustment_is_refused_outside_the_review(opened, jiwei_chen, client_for):
    sheet = sheet_of(opened, "sanitation")
    line = manual_line(sheet)
    response = act(client_for(jiwei_chen), sheet, action="adjust", line=line.pk, score="1",
                   reason="提前调整。")
    assert response.status_code == 400
    assert said("This cannot be done while the assessment is “%(status)s”.",
                status=Status.SELF_SCORING.label) in response.content.decode()
    line.refresh_from_db()
    assert line.adjusted is None


# -- a unit's head ------------------------------------------------------------------------

def test_a_head_self_scores_with_a_reason_and_submits(opened, head_sanitation, client_for):
    sheet = sheet_of(opened, "sanitation")
    line = manual_line(sheet)
    top = line.criterion.max_points
    client = client_for(head_sanitation)
    index = page(client, "/assessments/")
    assert f'data-sheet="{sheet.pk}"' in index
    text = page(client, f"/assessments/sheets/{sheet.pk}/")
    assert 'value="score"' in text and 'value="submit"' in text
    assert 'data-figure="total"' not in text  # no total before publication

    # a point taken away needs its reason
    response = act(client, sheet, action="score", line=line.pk, score=str(top - 1), reason="")
    assert response.status_code == 400
    body = response.content.decode()
    assert said("Give the reason for each point taken away.") in body
    assert f'value="{top - 1}"' in body  # what was typed is shown again
    line.refresh_from_db()
    assert line.self_score is None

    response = act(client, sheet, action="score", line=line.pk, score=str(top - 1),
                   reason="全年仅更新一次责任清单。")
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.self_score, line.self_reason) == (top - 1, "全年仅更新一次责任清单。")

    assert act(client, sheet, action="submit").status_code == 302
    sheet.refresh_from_db()
    assert sheet.self_at is not None and sheet.self_by == head_sanitation
    assert "全年仅更新一次责任清单。" in page(client, f"/assessments/sheets/{sheet.pk}/")


def test_a_score_above_the_maximum_is_refused(opened, head_sanitation, client_for):
    sheet = sheet_of(opened, "sanitation")
    line = manual_line(sheet)
    top = line.criterion.max_points
    response = act(client_for(head_sanitation), sheet, action="score", line=line.pk,
                   score=str(top + 1), reason="多加一分。")
    assert response.status_code == 400
    assert said("%(name)s is out of %(max)s: %(score)s is above it.", name=line.criterion.name,
                max=top, score=Decimal(top + 1).quantize(Decimal("0.01"))) \
        in response.content.decode()
    response = act(client_for(head_sanitation), sheet, action="score", line=line.pk,
                   score="五分", reason="")
    assert response.status_code == 400
    assert said("Give the score as a number.") in response.content.decode()
    line.refresh_from_db()
    assert line.self_score is None and not line.changes.exists()


def test_scoring_after_the_deadline_is_refused(opened, head_sanitation, client_for,
                                                monkeypatch):
    sheet = sheet_of(opened, "sanitation")
    line = manual_line(sheet)
    travel(monkeypatch, opened.phase_due + datetime.timedelta(days=1))
    client = client_for(head_sanitation)
    text = page(client, f"/assessments/sheets/{sheet.pk}/")
    assert 'value="score"' not in text  # the form is gone
    response = act(client, sheet, action="score", line=line.pk,
                   score=str(line.criterion.max_points), reason="")
    assert response.status_code == 400
    assert said("The deadline of this step was %(day)s: it is closed.",
                day=opened.phase_due) in response.content.decode()
    line.refresh_from_db()
    assert line.self_score is None


def test_a_head_never_sees_the_leaders_score_before_publication(
        opened, jiwei_chen, head_sanitation, leader_li, client_for):
    sheet = sheet_of(opened, "sanitation")
    line = manual_line(sheet)
    assessment = advance(opened, jiwei_chen, Status.LEADER_SCORING)
    service.line_score(line=line, by=leader_li, score=line.criterion.max_points - 2,
                       reason="督查发现清单未分解到岗。")
    head = client_for(head_sanitation)
    text = page(head, f"/assessments/sheets/{sheet.pk}/")
    assert "督查发现清单未分解到岗" not in text
    assert 'data-col="leader"' not in text and 'data-col="final"' not in text
    assert 'data-figure="total"' not in text
    assessment = advance(assessment, jiwei_chen, Status.REVIEW)
    assert "督查发现清单未分解到岗" not in page(head, f"/assessments/sheets/{sheet.pk}/")
    advance(assessment, jiwei_chen, Status.PUBLISHED)
    text = page(head, f"/assessments/sheets/{sheet.pk}/")
    assert "督查发现清单未分解到岗" in text and 'data-figure="total"' in text


def test_an_appeal_outside_publication_is_refused(opened, jiwei_chen, head_sanitation,
                                                  client_for):
    assessment = advance(opened, jiwei_chen, Status.REVIEW)
    sheet = sheet_of(assessment, "sanitation")
    line = manual_line(sheet)
    response = act(client_for(head_sanitation), sheet, action="appeal", line=line.pk,
                   text="扣分依据不足。")
    assert response.status_code == 400
    assert said("This cannot be done while the assessment is “%(status)s”.",
                status=Status.REVIEW.label) in response.content.decode()
    assert not Appeal.objects.exists()


def test_after_publication_a_head_appeals_the_committee_answers_the_secretary_approves(
        opened, jiwei_chen, head_sanitation, secretary, client_for):
    assessment = advance(opened, jiwei_chen, Status.REVIEW)
    sheet = sheet_of(assessment, "sanitation")
    line = manual_line(sheet)
    service.line_adjust(line=line, by=jiwei_chen, score=1, reason="全年仅开展一次。")
    assessment = advance(assessment, jiwei_chen, Status.PUBLISHED)
    head, committee = client_for(head_sanitation), client_for(jiwei_chen)
    text = page(head, f"/assessments/sheets/{sheet.pk}/")
    assert "全年仅开展一次。" in text and 'value="appeal"' in text

    # an appeal needs its grounds
    response = act(head, sheet, action="appeal", line=line.pk, text=" ")
    assert response.status_code == 400
    assert said("Say why the line should change.") in response.content.decode()
    response = act(head, sheet, action="appeal", line=line.pk, text="第二季度另有一次会议记录。")
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert (appeal.line, appeal.status) == (line, Appeal.Status.OPEN)

    # the secretary cannot approve with an appeal open: the message, nothing changed
    response = client_for(secretary).post(f"/assessments/{assessment.pk}/act/",
                                          {"action": "approve"})
    assert response.status_code == 400
    assert said("%(n)s appeals are still awaiting an answer: answer them before the results "
                "are approved.", n=1) in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == Status.PUBLISHED
    # the ranking shows the open appeal to the committee
    detail = page(committee, f"/assessments/{assessment.pk}/")
    assert f'data-sheet="{sheet.pk}"' in detail and 'class="dc-overdue">1</span>' in detail

    # upheld without a new score: refused; with it, the line changes
    response = act(committee, sheet, action="answer", appeal=appeal.pk, upheld="yes",
                   answer="核实有记录。")
    assert response.status_code == 400
    assert said("Give the line's new score.") in response.content.decode()
    response = act(committee, sheet, action="answer", appeal=appeal.pk, upheld="yes",
                   score="2", answer="核实有记录，改为2分。")
    assert response.status_code == 302
    appeal.refresh_from_db()
    line.refresh_from_db()
    assert appeal.status == Appeal.Status.UPHELD and line.final == Decimal("2")
    assert line.changes.filter(stage=ScoreChange.Stage.APPEAL).count() == 1
    assert "核实有记录，改为2分。" in page(head, f"/assessments/sheets/{sheet.pk}/")

    assert act(head, sheet, action="acknowledge").status_code == 302
    sheet.refresh_from_db()
    assert sheet.acknowledged_at is not None
    assert 'value="appeal"' not in page(head, f"/assessments/sheets/{sheet.pk}/")

    response = client_for(secretary).post(f"/assessments/{assessment.pk}/act/",
                                          {"action": "approve"})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == Status.APPROVED
    response = committee.post(f"/assessments/{assessment.pk}/act/", {"action": "circular"})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.circular_id
    assert f"/circulars/{assessment.circular_id}/" in page(head, f"/assessments/{assessment.pk}/")
    # approved: the ranking for everyone with a post, each opening only their own sheets
    text = page(head, f"/assessments/{assessment.pk}/")
    assert text.count("data-rank=") == 13
    assert f'href="/assessments/sheets/{sheet.pk}/"' in text
    other = sheet_of(assessment, "legal")
    assert f'data-sheet="{other.pk}"' in text
    assert f'href="/assessments/sheets/{other.pk}/"' not in text


# -- a supervising leader ------------------------------------------------------------------

def test_a_leader_scores_the_units_they_oversee_and_nobody_else(
        opened, jiwei_chen, leader_li, client_for):
    assessment = advance(opened, jiwei_chen, Status.LEADER_SCORING)
    sanitation = sheet_of(assessment, "sanitation")
    office = sheet_of(assessment, "office")  # leader_wang's
    own = sheet_of(assessment, user=leader_li)
    client = client_for(leader_li)
    index = page(client, "/assessments/")
    assert f'data-sheet="{sanitation.pk}"' in index and f'data-sheet="{office.pk}"' not in index

    line = manual_line(sanitation)
    response = act(client, sanitation, action="score", line=line.pk,
                   score=str(line.criterion.max_points - 1), reason="督查发现谈话记录缺失。")
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.leader_score == line.criterion.max_points - 1
    assert act(client, sanitation, action="submit").status_code == 302
    sanitation.refresh_from_db()
    assert sanitation.leader_by == leader_li
    assert f'data-sheet="{sanitation.pk}"' in page(client, "/assessments/")

    # their own sheet: readable, never scored by them
    own_line = manual_line(own)
    assert 'value="score"' not in page(client, f"/assessments/sheets/{own.pk}/")
    response = act(client, own, action="score", line=own_line.pk,
                   score=str(own_line.criterion.max_points), reason="")
    assert response.status_code == 403
    assert said("Nobody scores themselves or their own unit: this sheet is scored by "
                "%(who)s.", who=service.scorer_of(own)) in response.content.decode()
    own_line.refresh_from_db()
    assert own_line.leader_score is None

    # a unit they do not oversee: not found, whatever is asked
    office_line = manual_line(office)
    assert client.get(f"/assessments/sheets/{office.pk}/").status_code == 404
    assert act(client, office, action="score", line=office_line.pk, score="1",
               reason="越权。").status_code == 404
    office_line.refresh_from_db()
    assert office_line.leader_score is None


def test_a_leader_sees_the_sheets_they_score_only_once_the_leaders_score(
        opened, leader_li, client_for):
    sanitation = sheet_of(opened, "sanitation")
    assert client_for(leader_li).get(f"/assessments/sheets/{sanitation.pk}/").status_code \
        == 404


def test_the_secretary_scores_the_leadership_members(opened, jiwei_chen, secretary,
                                                     leader_li, client_for):
    assessment = advance(opened, jiwei_chen, Status.LEADER_SCORING)
    own = sheet_of(assessment, user=leader_li)
    client = client_for(secretary)
    index = page(client, "/assessments/")
    for sheet in assessment.sheets.filter(group="leaders"):
        assert f'data-sheet="{sheet.pk}"' in index.split('class="dc-body dc-to-score"')[1]
    line = manual_line(own)
    response = act(client, own, action="score", line=line.pk,
                   score=str(line.criterion.max_points), reason="")
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.leader_score == line.criterion.max_points


# -- who sees what, ids that are not the sheet's -----------------------------------------

def test_other_units_and_people_without_a_post_get_404(opened, outsider, client_for):
    sheet = sheet_of(opened, "sanitation")
    client = client_for(outsider)
    assert client.get(f"/assessments/sheets/{sheet.pk}/").status_code == 404
    assert act(client, sheet, action="submit").status_code == 404
    # someone without a post is turned away before any page (accounts.middleware)
    nobody = User.objects.create_user(username="visitor", password="x")
    client = client_for(nobody)
    for url in ("/assessments/", f"/assessments/{opened.pk}/", "/assessments/schemes/",
                f"/assessments/sheets/{sheet.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_ids_of_another_sheet_are_not_found(opened, jiwei_chen, head_sanitation,
                                            client_for):
    sheet, other = sheet_of(opened, "sanitation"), sheet_of(opened, "legal")
    theirs = manual_line(other)
    head = client_for(head_sanitation)
    assert act(head, sheet, action="score", line=theirs.pk, score="1", reason="x") \
        .status_code == 404
    assert act(head, sheet, action="score", line="abc", score="1").status_code == 404
    assert act(head, sheet, action="score", score="1").status_code == 404
    theirs.refresh_from_db()
    assert theirs.self_score is None
    assert act(head, sheet, action="nonsense").status_code == 400
    assessment = advance(opened, jiwei_chen, Status.REVIEW)
    committee = client_for(jiwei_chen)
    bonus = Criterion.objects.get(scheme=assessment.units_scheme, special="bonus")
    entry = service.special_add(sheet=other, criterion=bonus, by=jiwei_chen, score=1,
                                reason="表彰。", upload=pdf())
    assert act(committee, sheet, action="special_remove", entry=entry.pk,
               reason="x").status_code == 404
    assert committee.get(f"/assessments/sheets/{sheet.pk}/special/{entry.pk}/").status_code \
        == 404
    assessment = advance(assessment, jiwei_chen, Status.PUBLISHED)
    appeal = service.appeal_lodge(line=theirs, by=User.objects.get(username="head_legal"),
                                  text="不服。")
    assert act(committee, sheet, action="answer", appeal=appeal.pk, upheld="no",
               answer="x").status_code == 404
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.OPEN
    assert SpecialEntry.objects.count() == 1


def test_a_special_criterion_of_another_scheme_is_refused(opened, jiwei_chen, client_for):
    assessment = advance(opened, jiwei_chen, Status.REVIEW)
    sheet = sheet_of(assessment, "sanitation")
    leaders_bonus = Criterion.objects.get(scheme=assessment.leaders_scheme, special="bonus")
    response = client_for(jiwei_chen).post(f"/assessments/sheets/{sheet.pk}/act/", {
        "action": "special", "criterion": leaders_bonus.pk, "points": "1",
        "reason": "表彰。", "file": pdf()})
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    assert not SpecialEntry.objects.exists()


def test_the_sheet_writes_out_every_explanation_with_its_link(opened, leader_li, client_for):
    sheet = sheet_of(opened, user=leader_li)  # short of duty records: explained
    text = page(client_for(leader_li), f"/assessments/sheets/{sheet.pk}/")
    from records.assessment_measures import explain
    from records.models.assessments import Explanation

    explanations = list(Explanation.objects.filter(line__sheet=sheet))
    assert explanations
    with translation.override("zh-hans"):
        for explanation in explanations:
            assert escape(explain(explanation.code, explanation.params)) in text
    assert str(explanations[0].points) in text


def test_deductions_beyond_the_maximum_say_the_line_stops_at_0(opened, jiwei_chen,
                                                                head_sanitation, client_for):
    from records.assessment_measures import explain
    from records.models.assessments import Explanation

    sheet = sheet_of(opened, "sanitation")
    line = sheet.lines.select_related("criterion").filter(criterion__kind="automatic") \
        .order_by("criterion__number").first()
    top = line.criterion.max_points
    Explanation.objects.filter(line=line).delete()
    Explanation.objects.bulk_create([
        Explanation(line=line, order=0, code="problem_open", points=-top,
                    params={"id": 7, "day": "2026-11-20", "days": 12}),
        Explanation(line=line, order=1, code="unit_share", points=Decimal("-1"),
                    params={"unit": "市政设施管理处", "lost": "5", "share": 20},
                    target_kind="sheet", target_id=sheet.pk)])
    text = page(client_for(head_sanitation), f"/assessments/sheets/{sheet.pk}/")
    with translation.override("zh-hans"):
        assert escape(explain("floor", {"lost": top + 1})) in text
        assert escape(explain("problem_open", {"id": 7, "day": "2026-11-20", "days": 12})) \
            in text
    # the explanation of what caused it links to it
    assert f'<a href="/assessments/sheets/{sheet.pk}/">' in text
    assert f"-{top}" in text


def test_a_special_entrys_evidence_altered_after_upload_is_not_served(
        opened, jiwei_chen, client_for):
    from records.models import AuditEvent

    assessment = advance(opened, jiwei_chen, Status.REVIEW)
    sheet = sheet_of(assessment, "sanitation")
    bonus = Criterion.objects.get(scheme=assessment.units_scheme, special="bonus")
    entry = service.special_add(sheet=sheet, criterion=bonus, by=jiwei_chen, score=1,
                                reason="表彰。", upload=pdf())
    with open(entry.file.path, "ab") as stored:
        stored.write(b"altered")
    response = client_for(jiwei_chen).get(f"/assessments/sheets/{sheet.pk}/special/{entry.pk}/")
    assert response.status_code == 409
    assert AuditEvent.objects.filter(action="assessment.evidence_tampered").exists()


# -- schemes -------------------------------------------------------------------------------

def test_anyone_with_a_post_reads_the_schemes_and_only_the_committee_changes_them(
        opened, head_sanitation, client_for):
    scheme = opened.units_scheme
    client = client_for(head_sanitation)
    text = page(client, "/assessments/schemes/")
    assert f"/assessments/schemes/{scheme.pk}/" in text and 'name="action"' not in text
    text = page(client, f"/assessments/schemes/{scheme.pk}/")
    assert 'data-figure="total">100.00<' in text and scheme.criteria.first().name in text
    assert client.get(f"/assessments/schemes/{scheme.pk}/criteria/1/").status_code == 404
    assert client.post("/assessments/schemes/", {"action": "default", "year": 2027,
                                                 "group": "units"}).status_code == 404
    assert client.post(f"/assessments/schemes/{scheme.pk}/", {"title": "x"}).status_code == 404


def test_the_committee_copies_edits_and_versions_schemes(opened, jiwei_chen, client_for):
    client = client_for(jiwei_chen)
    in_use = opened.units_scheme
    response = client.post("/assessments/schemes/", {"action": "copy", "source": in_use.pk,
                                                     "year": opened.year + 1})
    copy = AssessmentScheme.objects.get(year=opened.year + 1)
    assert response.status_code == 302
    assert response["Location"] == f"/assessments/schemes/{copy.pk}/"
    assert copy.status == AssessmentScheme.Status.DRAFT and copy.criteria.count() == \
        in_use.criteria.count()

    # the draft's settings: the weights must add up, shown as the scheme's problems
    data = {name: getattr(copy, name) for name in service.SCHEME_FIELDS}
    response = client.post(f"/assessments/schemes/{copy.pk}/", dict(data, weight_self=20))
    assert response.status_code == 302
    copy.refresh_from_db()
    assert copy.weight_self == 20
    text = page(client, f"/assessments/schemes/{copy.pk}/")
    assert said("The weights of the self, the leader's and the computed score must add up "
                "to 100%.") in text

    # a scheme in use is refused with the service's message, unchanged
    data = {name: getattr(in_use, name) for name in service.SCHEME_FIELDS}
    response = client.post(f"/assessments/schemes/{in_use.pk}/", dict(data, weight_self=20))
    assert response.status_code == 400
    assert said("This scheme is in use: it changes only by a new version.") in \
        response.content.decode()
    in_use.refresh_from_db()
    assert in_use.weight_self == 10
    number = in_use.criteria.filter(kind="automatic").first().number
    response = client.post(f"/assessments/schemes/{in_use.pk}/criteria/{number}/",
                           criterion_data(in_use.criteria.get(number=number), max_points="9"))
    assert response.status_code == 400
    assert said("This scheme is in use: it changes only by a new version.") in \
        response.content.decode()

    # a criterion of the draft, its parameters as JSON
    criterion = copy.criteria.get(number=number)
    text = page(client, f"/assessments/schemes/{copy.pk}/criteria/{number}/")
    assert "per_missing" in text
    response = client.post(f"/assessments/schemes/{copy.pk}/criteria/{number}/",
                           criterion_data(criterion, params="{per_missing: 1"))
    assert response.status_code == 400
    assert said("The parameters are not valid JSON.") in response.content.decode()
    response = client.post(f"/assessments/schemes/{copy.pk}/criteria/{number}/",
                           criterion_data(criterion, params="[1, 2]"))
    assert response.status_code == 400
    response = client.post(f"/assessments/schemes/{copy.pk}/criteria/{number}/",
                           criterion_data(criterion, params='{"per_missing": "1"}'))
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert criterion.params == {"per_missing": "1"}

    # a new version of the scheme in use needs its reason
    response = client.post("/assessments/schemes/", {"action": "version", "scheme": in_use.pk,
                                                     "reason": ""})
    assert response.status_code == 400
    assert said("Say why the scheme needs a new version.") in response.content.decode()
    response = client.post("/assessments/schemes/", {"action": "version", "scheme": in_use.pk,
                                                     "reason": "上级文件调整分值。"})
    assert response.status_code == 302
    assert AssessmentScheme.objects.get(year=in_use.year, group=in_use.group,
                                        version=2).reason == "上级文件调整分值。"
    # the default scheme for a year that has one: refused
    response = client.post("/assessments/schemes/", {"action": "default", "year": opened.year,
                                                     "group": "units"})
    assert response.status_code == 400
    assert said("%(year)s already has a scheme for this group: copy or version it.",
                year=opened.year) in response.content.decode()


def criterion_data(criterion, **changes) -> dict:
    data = {name: getattr(criterion, name) for name in service.CRITERION_FIELDS}
    data["params"] = "" if not criterion.params else json.dumps(criterion.params)
    data["shared_with_units"] = "on" if criterion.shared_with_units else ""
    data.update(changes)
    return {name: value for name, value in data.items() if value != ""}


# -- query budgets -----------------------------------------------------------------------

def _queries(client, url: str) -> int:
    client.get(url)  # the chain of the day is asked once and shared after
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _more_units(n: int) -> None:
    bureau = Unit.objects.get(code="bureau")
    for i in range(n):
        Unit.objects.create(code=f"extra{i}", name=f"新增单位{i}", kind=Unit.Kind.DIVISION,
                            parent=bureau, order=100 + i)


def test_the_index_and_the_assessment_cost_the_same_queries_for_more_sheets(
        prepared, jiwei_chen, head_sanitation, client_for):
    committee, head = client_for(jiwei_chen), client_for(head_sanitation)
    urls = ["/assessments/", f"/assessments/{prepared.pk}/"]
    before = {(who, url): _queries(client, url) for who, client in
              (("committee", committee), ("head", head)) for url in urls}
    _more_units(6)
    service.assessment_recompute(assessment=prepared)
    assert prepared.sheets.count() == 19
    after = {(who, url): _queries(client, url) for who, client in
             (("committee", committee), ("head", head)) for url in urls}
    assert after == before
    # session, user, the chart's version, the assessments, my sheets (or the visible
    # sheets), the ranking of each group with its open appeals, the bell's count; the
    # session saved: far from one per sheet
    assert all(count <= 16 for count in after.values()), after


def test_the_index_in_self_scoring_costs_no_query_per_sheet(opened, jiwei_chen, client_for):
    client = client_for(jiwei_chen)
    # as above, and whom self-scoring waits on (the heads of the day, shared by the chain)
    counts = _queries(client, "/assessments/")
    assert counts <= 16, counts


def test_the_sheet_costs_the_same_queries_however_long_its_history(
        opened, jiwei_chen, head_sanitation, client_for):
    sheet = sheet_of(opened, "sanitation")
    head, committee = client_for(head_sanitation), client_for(jiwei_chen)
    url = f"/assessments/sheets/{sheet.pk}/"
    counts = []
    lines = list(sheet.lines.select_related("criterion").filter(criterion__kind="manual")[:3])
    for line in lines:
        service.line_score(line=line, by=head_sanitation, score=line.criterion.max_points - 1,
                           reason="少一次。")
        counts.append((_queries(head, url), _queries(committee, url)))
    assert counts[0] == counts[1] == counts[2], counts
    # session, user, the chart's version, the sheet, its lines with their explanations,
    # changes and appeals, its special entries, the bell's count (the chain of the day,
    # shared: who is subject, scorer, committee)
    assert max(max(pair) for pair in counts) <= 20, counts
