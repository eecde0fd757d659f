"""The year-end assessment: what its computed lines say and why, people's scores, the
committee's changes, appeals, the quota and the rules that refuse bad input.

Sanitation's 2026 is known to the day: duty item 14 (a meeting each quarter) recorded in Q1
(late) and Q2 but not Q3; its Q1 report submitted three working days late, its Q2 report
returned twice, its Q3 report never submitted; one problem open past its deadline, one
closed late, one closed in time, one extension granted. Its supervising leader, leader_li,
reviewed the Q1 report late. The tests pin the explanation lines each of these makes.
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from flows.opening import open_report
from flows.registration import register_problems
from records.assessment_measures import explain
from records.assessment_selectors import sheet_view
from records.models import (
    Appeal,
    AssessmentScheme,
    AuditEvent,
    Criterion,
    DutyItem,
    ExtensionRequest,
    Grade,
    Problem,
    QuarterlyReport,
    ScoreChange,
)
from records.services import assessments as services
from records.services import duty_records

from .calendar_helpers import travel
from .duty_helpers import DAY, issued_list, pdf

D = datetime.date
TZ = ZoneInfo(settings.TIME_ZONE)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


def explained(sheet, name):
    """A line's explanation lines, in English, as (text, points, target kind, target id)."""
    line = sheet.lines.get(criterion__name=name)
    with translation.override("en"):
        return line, [(explain(e.code, e.params), e.points, e.target_kind, e.target_id)
                      for e in line.explanations.order_by("order", "pk")]


@pytest.fixture
def known_year(bureau, monkeypatch, unit, head_sanitation, jiwei_chen):
    """Sanitation's 2026 as the module's docstring tells it; today is DAY (20 November)."""
    sanitation = unit("sanitation")
    travel(monkeypatch, D(2026, 4, 3))
    duty_list = issued_list(item_changes={14: {"target": 1, "period": DutyItem.Period.QUARTER}})
    item = duty_list.items.get(number=14)
    late = duty_records.duty_record_create(
        by=head_sanitation, duty_list=duty_list, items=[item], kind="meeting",
        date=D(2026, 3, 20), summary="一季度作风建设专题会", late_reason="外出检查，回来补录",
        files=[pdf()])
    travel(monkeypatch, D(2026, 5, 8))
    duty_records.duty_record_create(
        by=head_sanitation, duty_list=duty_list, items=[item], kind="meeting",
        date=D(2026, 5, 7), summary="二季度作风建设专题会", files=[pdf()])
    travel(monkeypatch, DAY)
    reports = {}
    for quarter, fields in {
        1: dict(status="signed_off", version=1, due_date=D(2026, 4, 15),
                submitted_at=at(D(2026, 4, 20)), signed_off_at=at(D(2026, 4, 30))),
        2: dict(status="signed_off", version=3, due_date=D(2026, 7, 15),
                submitted_at=at(D(2026, 7, 10)), signed_off_at=at(D(2026, 7, 14))),
        3: dict(status="draft", version=0, due_date=D(2026, 10, 20), submitted_at=None),
    }.items():
        report = open_report(unit=sanitation, year=2026, quarter=quarter)
        QuarterlyReport.objects.filter(pk=report.pk).update(**fields)
        reports[quarter] = report
    overdue, closed_late, in_time = register_problems(
        by=jiwei_chen, source="spot_check", found_on=D(2026, 6, 1), items=[
            {"unit": sanitation, "category": "hedonism", "description": "公车私用"},
            {"unit": sanitation, "category": "formalism", "description": "台账不全"},
            {"unit": sanitation, "category": "bureaucratism", "description": "推诿扯皮"}])
    Problem.objects.filter(pk=overdue.pk).update(
        status="rectifying", approved_date=D(2026, 9, 30), due_date=D(2026, 10, 30))
    Problem.objects.filter(pk=closed_late.pk).update(
        status="closed", approved_date=D(2026, 7, 31), due_date=D(2026, 7, 31),
        closed_at=at(D(2026, 8, 10)))
    Problem.objects.filter(pk=in_time.pk).update(
        status="closed", approved_date=D(2026, 7, 31), due_date=D(2026, 7, 31),
        closed_at=at(D(2026, 7, 20)))
    ExtensionRequest.objects.create(
        problem=overdue, requested_by=head_sanitation, current_date=D(2026, 9, 30),
        new_date=D(2026, 10, 30), reason="设备未到货", decision="granted",
        decided_by=jiwei_chen, decided_at=at(D(2026, 9, 25)))
    return dict(unit=sanitation, late_record=late, reports=reports, overdue=overdue,
                closed_late=closed_late, item=item)


@pytest.fixture
def assessment(known_year, jiwei_chen):
    return services.assessment_create(year=2026, by=jiwei_chen)


def sheet_of(assessment, unit=None, subject=None):
    if subject is not None:
        return assessment.sheets.get(subject=subject)
    return assessment.sheets.get(unit=unit, subject__isnull=True)


# -- every point explained -----------------------------------------------------------------

def test_the_duty_records_line_explains_each_short_period_and_each_late_record(
        known_year, assessment):
    sheet = sheet_of(assessment, known_year["unit"])
    line, lines = explained(sheet, "履责纪实：学习教育与专题会议")
    item = known_year["item"]
    assert lines == [
        (f"{item.title}, Q3: target 1, done 0", Decimal("-0.50"), "duty_item", item.pk),
        (f"Duty record #{known_year['late_record'].pk} (2026-03-20) entered late",
         Decimal("-0.20"), "duty_record", known_year["late_record"].pk),
    ]
    assert line.automatic == Decimal("7.30") and line.final == Decimal("7.30")


def test_the_quarterly_reports_line_explains_lateness_returns_and_a_missing_report(
        known_year, assessment):
    sheet = sheet_of(assessment, known_year["unit"])
    line, lines = explained(sheet, "季度履责汇报")
    reports = known_year["reports"]
    assert lines == [
        ("Quarterly report 2026 Q1 submitted 3 working days late", Decimal("-1.00"),
         "report", reports[1].pk),
        ("Quarterly report 2026 Q2 returned 2 times (1 without deduction)", Decimal("-0.50"),
         "report", reports[2].pk),
        ("Quarterly report 2026 Q3 not submitted by 2026-11-20", Decimal("-3.00"),
         "report", reports[3].pk),
    ]
    assert line.automatic == Decimal("7.50")


def test_the_problems_line_explains_what_is_overdue_closed_late_and_extended(
        known_year, assessment):
    sheet = sheet_of(assessment, known_year["unit"])
    line, lines = explained(sheet, "问题整改销号")
    overdue, late = known_year["overdue"].pk, known_year["closed_late"].pk
    assert lines == [
        (f"Problem #{overdue} not closed out by 2026-11-20: 33 working days overdue",
         Decimal("-2.00"), "problem", overdue),
        (f"Problem #{late} closed out 6 working days after its deadline", Decimal("-1.00"),
         "problem", late),
        (f"Problem #{overdue}: deadline extended on 2026-09-25", Decimal("-0.50"),
         "problem", overdue),
    ]
    assert line.automatic == Decimal("12.50")

def test_lateness_in_two_quarters_running_flags_a_formal_talk(known_year, assessment):
    sheet = sheet_of(assessment, known_year["unit"])
    line, lines = explained(sheet, "约谈整改")
    assert lines == [("Flagged for a formal talk: late in 2026 Q3, 2026 Q4", Decimal("-1.00"),
                      "unit", known_year["unit"].pk)]
    # nothing else of sanitation's costs a point: a manual criterion starts full
    assert sheet.total == Decimal("100") - Decimal("0.7") - Decimal("4.5") - Decimal("3.5") \
        - Decimal("1")


def test_the_explanations_read_in_chinese_as_the_bureau_writes_them(known_year, assessment):
    sheet = sheet_of(assessment, known_year["unit"])
    line = sheet.lines.get(criterion__name="履责纪实：学习教育与专题会议")
    first = line.explanations.order_by("order").first()
    with translation.override("zh-hans"):
        assert explain(first.code, first.params).endswith("第3季度：目标 1 次，实际 0 次")


def test_a_leaders_lines_explain_reviews_and_the_overseen_units_share(
        known_year, assessment, leader_li):
    sheet = sheet_of(assessment, subject=leader_li)
    reports = known_year["reports"]
    _line, lines = explained(sheet, "听取审核季度汇报")
    assert lines == [("市容环境卫生管理处's report 2026 Q1 reviewed 8 working days after its "
                      "submission", Decimal("-0.50"), "report", reports[1].pk)]
    _line, lines = explained(sheet, "分管领域问题销号")
    assert [points for _t, points, _k, _i in lines] == [Decimal("-2.00"), Decimal("-1.00"),
                                                         Decimal("-0.50")]
    # 80 % of their own duty records' shortfall, 20 % of each overseen unit's
    _line, lines = explained(sheet, "分管领域履责纪实")
    unit_sheet = sheet_of(assessment, known_year["unit"])
    assert ("市容环境卫生管理处 lost 0.70 on this criterion; 20% counts here", Decimal("-0.14"),
            "sheet", unit_sheet.pk) in lines
    own = [row for row in lines if row[2] != "sheet"]
    assert own and all(text.endswith("(80% counts here)") for text, *_rest in own)


def test_the_computed_scores_freeze_when_the_assessment_opens(
        known_year, assessment, jiwei_chen, head_sanitation):
    services.assessment_open(assessment=assessment, by=jiwei_chen)
    sheet = sheet_of(assessment, known_year["unit"])
    before = sheet.lines.get(criterion__name="问题整改销号").automatic
    Problem.objects.filter(pk=known_year["closed_late"].pk).update(status="rectifying",
                                                                     closed_at=None)
    with translation.override("en"), pytest.raises(ValidationError, match="froze"):
        services.assessment_recompute(assessment=assessment, by=jiwei_chen)
    assert services.assessments_nightly() == 0
    assert sheet.lines.get(criterion__name="问题整改销号").automatic == before
    assert AssessmentScheme.objects.filter(status="in_use").count() == 2


# -- the process, who may do what --------------------------------------------------------

def to_phase(assessment, committee, status):
    services.assessment_open(assessment=assessment, by=committee) \
        if assessment.status == "preparing" else None
    order = ["self_scoring", "leader_scoring", "review", "published"]
    assessment.refresh_from_db()
    while order.index(assessment.status) < order.index(status):
        services.assessment_advance(assessment=assessment, by=committee)
        assessment.refresh_from_db()
    return assessment


def manual_line(sheet):
    return sheet.lines.filter(criterion__kind="manual").order_by("criterion__number").first()


def test_self_leader_and_committee_scores_weigh_into_the_line_each_with_its_reason(
        known_year, assessment, jiwei_chen, head_sanitation, leader_li):
    sheet = sheet_of(assessment, known_year["unit"])
    line = manual_line(sheet)  # 责任清单建立, out of 8
    to_phase(assessment, jiwei_chen, "self_scoring")
    line = services.line_score(line=line, by=head_sanitation, score="6", reason="缺两项措施")
    # 10 % self, 90 % the leader's (who has not scored: the self-score stands in)
    assert line.final == Decimal("6.00")
    services.sheet_submit(sheet=sheet, by=head_sanitation)
    to_phase(assessment, jiwei_chen, "leader_scoring")
    line = services.line_score(line=line, by=leader_li, score="8", reason="")
    assert line.final == Decimal("7.80")  # 0.1 × 6 + 0.9 × 8
    to_phase(assessment, jiwei_chen, "review")
    with pytest.raises(ValidationError, match="reason"):
        services.line_adjust(line=line, by=jiwei_chen, score="7", reason=" ")
    line = services.line_adjust(line=line, by=jiwei_chen, score="7", reason="抽查发现一项未落实")
    assert line.final == Decimal("7.00")
    assert [(c.stage, c.before, c.after, c.reason) for c in line.changes.all()] == [
        ("self", None, Decimal("6.00"), "缺两项措施"), ("leader", None, Decimal("8.00"), ""),
        ("review", Decimal("7.80"), Decimal("7.00"), "抽查发现一项未落实")]
    assert AuditEvent.objects.filter(action="assessment.adjust").count() == 1


def test_the_subject_does_not_see_the_leaders_score_before_publication(
        known_year, assessment, jiwei_chen, head_sanitation, leader_li):
    sheet = sheet_of(assessment, known_year["unit"])
    to_phase(assessment, jiwei_chen, "leader_scoring")
    services.line_score(line=manual_line(sheet), by=leader_li, score="5", reason="清单不全")
    view = sheet_view(sheet, head_sanitation)
    assert not view.shows_leader and all(line.changes == [] for line in view.lines)
    assert sheet_view(sheet, leader_li).shows_leader
    to_phase(assessment, jiwei_chen, "published")
    sheet.assessment.refresh_from_db()
    assert sheet_view(sheet_of(assessment, known_year["unit"]), head_sanitation).shows_leader


def test_nobody_scores_themselves_or_a_sheet_not_theirs(
        known_year, assessment, jiwei_chen, head_sanitation, leader_li, leader_zhao, secretary):
    to_phase(assessment, jiwei_chen, "self_scoring")
    unit_sheet = sheet_of(assessment, known_year["unit"])
    with pytest.raises(PermissionDenied):
        services.line_score(line=manual_line(unit_sheet), by=leader_li, score="1", reason="x")
    to_phase(assessment, jiwei_chen, "leader_scoring")
    own = sheet_of(assessment, subject=leader_li)
    with translation.override("en"), pytest.raises(PermissionDenied, match="themselves"):
        services.line_score(line=manual_line(own), by=leader_li, score="1", reason="x")
    with pytest.raises(PermissionDenied):
        services.line_score(line=manual_line(unit_sheet), by=leader_zhao, score="1",
                            reason="x")
    with pytest.raises(PermissionDenied):
        services.line_score(line=manual_line(unit_sheet), by=head_sanitation, score="1",
                            reason="x")
    # the secretary scores the leadership members
    assert services.line_score(line=manual_line(own), by=secretary, score="7",
                               reason="清单分解不细").leader_score == Decimal("7.00")


@pytest.mark.parametrize("score, message", [
    ("8.5", "above"), ("-1", "below 0"), ("abc", "number")])
def test_a_score_outside_the_criterion_is_refused_and_changes_nothing(
        known_year, assessment, jiwei_chen, head_sanitation, score, message):
    to_phase(assessment, jiwei_chen, "self_scoring")
    line = manual_line(sheet_of(assessment, known_year["unit"]))
    with translation.override("en"), pytest.raises(ValidationError, match=message):
        services.line_score(line=line, by=head_sanitation, score=score, reason="x")
    line.refresh_from_db()
    assert line.self_score is None and not line.changes.exists()


def test_a_point_taken_needs_a_reason(known_year, assessment, jiwei_chen, head_sanitation):
    to_phase(assessment, jiwei_chen, "self_scoring")
    line = manual_line(sheet_of(assessment, known_year["unit"]))
    with pytest.raises(ValidationError, match="reason"):
        services.line_score(line=line, by=head_sanitation, score="7", reason="")


def test_scoring_after_the_steps_deadline_is_refused(
        known_year, assessment, jiwei_chen, head_sanitation, monkeypatch):
    to_phase(assessment, jiwei_chen, "self_scoring")
    assessment.refresh_from_db()
    travel(monkeypatch, assessment.phase_due + datetime.timedelta(days=1))
    line = manual_line(sheet_of(assessment, known_year["unit"]))
    with translation.override("en"), pytest.raises(ValidationError, match="deadline"):
        services.line_score(line=line, by=head_sanitation, score="8", reason="")


# -- appeals -----------------------------------------------------------------------------

def test_an_upheld_appeal_changes_its_line_and_the_total(
        known_year, assessment, jiwei_chen, head_sanitation, secretary):
    to_phase(assessment, jiwei_chen, "published")
    sheet = sheet_of(assessment, known_year["unit"])
    line = sheet.lines.get(criterion__name="季度履责汇报")
    total = sheet.total
    appeal = services.appeal_lodge(line=line, by=head_sanitation,
                                   text="二季度退回系系统故障所致，非本单位原因")
    with translation.override("en"), pytest.raises(ValidationError, match="already"):
        services.appeal_lodge(line=line, by=head_sanitation, text="再次申诉")
    with translation.override("en"), pytest.raises(ValidationError, match="appeals are still"):
        services.assessment_approve(assessment=assessment, by=secretary)
    with pytest.raises(ValidationError, match="score"):
        services.appeal_answer(appeal=appeal, by=jiwei_chen, upheld=True, answer="属实")
    services.appeal_answer(appeal=appeal, by=jiwei_chen, upheld=True, score="8",
                           answer="经核实，二季度退回系系统故障，不扣分")
    line.refresh_from_db()
    sheet.refresh_from_db()
    assert line.final == Decimal("8.00") and line.adjusted == Decimal("8.00")
    assert sheet.total == total + Decimal("0.50")
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.UPHELD
    change = line.changes.get(stage=ScoreChange.Stage.APPEAL)
    assert (change.before, change.after) == (Decimal("7.50"), Decimal("8.00"))
    # the other: not upheld, the line stays
    other = sheet.lines.get(criterion__name="问题整改销号")
    rejected = services.appeal_lodge(line=other, by=head_sanitation, text="问题已整改")
    services.appeal_answer(appeal=rejected, by=jiwei_chen, upheld=False,
                           answer="截至统计日未销号，维持")
    other.refresh_from_db()
    assert other.final == Decimal("12.50") and not other.changes.exists()
    assessment = services.assessment_approve(assessment=assessment, by=secretary)
    assert assessment.status == "approved"


def test_only_the_subject_appeals_and_only_while_published(
        known_year, assessment, jiwei_chen, head_sanitation, leader_li):
    line = manual_line(sheet_of(assessment, known_year["unit"]))
    to_phase(assessment, jiwei_chen, "review")
    with pytest.raises(ValidationError):
        services.appeal_lodge(line=line, by=head_sanitation, text="不服")
    to_phase(assessment, jiwei_chen, "published")
    with pytest.raises(PermissionDenied):
        services.appeal_lodge(line=line, by=leader_li, text="不服")


# -- grades and the quota ----------------------------------------------------------------

def test_excellent_goes_to_the_best_within_the_quota(known_year, assessment, jiwei_chen):
    to_phase(assessment, jiwei_chen, "review")
    units = list(assessment.sheets.filter(group="units").order_by("rank"))
    # ten units, 20 %: two; sanitation (90.3) is good; the others, all 100, by their order
    assert services.quota_of(assessment.units_scheme, len(units)) == 2
    assert [s.grade for s in units].count(Grade.EXCELLENT) == 2
    assert units[0].grade == units[1].grade == Grade.EXCELLENT
    third = units[2]
    with translation.override("en"), pytest.raises(ValidationError, match="quota"):
        services.grade_set(sheet=third, by=jiwei_chen, grade=Grade.EXCELLENT,
                           reason="工作突出")
    services.grade_set(sheet=units[0], by=jiwei_chen, grade=Grade.GOOD,
                       reason="被上级通报一次，不宜评优")
    third = services.grade_set(sheet=third, by=jiwei_chen, grade=Grade.EXCELLENT,
                               reason="工作突出")
    assert third.grade == Grade.EXCELLENT
    grades = dict(assessment.sheets.filter(group="units").values_list("pk", "grade"))
    assert list(grades.values()).count(Grade.EXCELLENT) == 2
    assert grades[units[0].pk] == Grade.GOOD


def test_a_criterion_at_zero_or_a_veto_bars_excellent(
        known_year, assessment, jiwei_chen):
    to_phase(assessment, jiwei_chen, "review")
    best = assessment.sheets.filter(group="units").order_by("rank").first()
    line = manual_line(best)
    services.line_adjust(line=line, by=jiwei_chen, score="0", reason="未建立责任清单")
    best.refresh_from_db()
    assert best.zero_criteria == 1 and best.grade == Grade.GOOD
    with translation.override("en"), pytest.raises(ValidationError, match="at 0"):
        services.grade_set(sheet=best, by=jiwei_chen, grade=Grade.EXCELLENT, reason="x")
    veto = Criterion.objects.get(scheme=assessment.units_scheme, special="veto")
    second = assessment.sheets.filter(group="units", grade=Grade.EXCELLENT).first()
    with pytest.raises(ValidationError):
        services.special_add(sheet=second, criterion=veto, by=jiwei_chen, reason="x",
                             upload=None)
    services.special_add(sheet=second, criterion=veto, by=jiwei_chen,
                         reason="单位负责人受党纪处分", upload=pdf("处分决定.pdf"))
    second.refresh_from_db()
    assert second.vetoed and second.grade == Grade.POOR
    # the quota moved on to the next who may have it
    assert assessment.sheets.filter(group="units", grade=Grade.EXCELLENT).count() == 2


def test_a_bonus_adds_within_its_cap_and_needs_evidence(known_year, assessment, jiwei_chen):
    to_phase(assessment, jiwei_chen, "review")
    sheet = sheet_of(assessment, known_year["unit"])
    bonus = Criterion.objects.get(scheme=assessment.units_scheme, special="bonus")
    total = sheet.total
    services.special_add(sheet=sheet, criterion=bonus, by=jiwei_chen, score="2",
                         reason="经验做法被市纪委推广", upload=pdf("推广文件.pdf"))
    with translation.override("en"), pytest.raises(ValidationError, match="allows 3"):
        services.special_add(sheet=sheet, criterion=bonus, by=jiwei_chen, score="1.5",
                             reason="再次表彰", upload=pdf("表彰.pdf"))
    sheet.refresh_from_db()
    assert sheet.total == total + 2


@pytest.mark.parametrize("rounding, expected", [("down", 0), ("nearest", 1), ("up", 1)])
def test_the_quota_rounds_as_configured(bureau, jiwei_chen, rounding, expected):
    scheme = services.scheme_default(year=2026, group="leaders", by=jiwei_chen)
    scheme.quota_rounding = rounding
    assert services.quota_of(scheme, 3) == expected


# -- schemes -------------------------------------------------------------------------------

def test_the_default_schemes_total_100_and_a_scheme_in_use_changes_only_by_a_new_version(
        known_year, assessment, jiwei_chen):
    for scheme in (assessment.leaders_scheme, assessment.units_scheme):
        assert services.scheme_problems(scheme) == []
    services.assessment_open(assessment=assessment, by=jiwei_chen)
    scheme = AssessmentScheme.objects.get(pk=assessment.units_scheme_id)
    criterion = scheme.criteria.get(number=1)
    with translation.override("en"), pytest.raises(ValidationError, match="in use"):
        services.criterion_update(criterion=criterion, by=jiwei_chen, max_points=Decimal(9))
    with pytest.raises(ValidationError):
        services.scheme_new_version(scheme=scheme, by=jiwei_chen, reason="")
    new = services.scheme_new_version(scheme=scheme, by=jiwei_chen, reason="调整清单分值")
    assert (new.version, new.status) == (2, "draft")
    services.criterion_update(criterion=new.criteria.get(number=1), by=jiwei_chen,
                              max_points=Decimal(9))
    with translation.override("en"):
        assert services.scheme_problems(new) == ["The criteria total 101.00 points, not 100."]
    criterion.refresh_from_db()
    assert criterion.max_points == Decimal(8)


def test_next_year_copies_last_years_scheme(known_year, assessment, jiwei_chen):
    copy = services.scheme_copy(source=assessment.units_scheme, year=2027, by=jiwei_chen)
    assert copy.title.startswith("2027") and copy.criteria.count() == \
        assessment.units_scheme.criteria.count()


def test_only_the_committee_runs_the_assessment(known_year, head_sanitation, leader_li):
    for person in (head_sanitation, leader_li):
        with pytest.raises(PermissionDenied):
            services.assessment_create(year=2026, by=person)
