"""Demo year-end assessments (考核): last year's played through to approval and its results
circular, this year's under way — dated from today (demo.past), through the real services.

Each year's assessment follows one calendar. The committee creates it a week after the
year's duty list is issued (preparing: its computed scores refreshed each night, so a unit
sees where it stands) and opens it on the first working day of December, counting the
records up to 30 November (self-scoring, five working days). Then the leaders score the
units they oversee and the secretary the leadership members; the committee's review group
changes a line with its reason and gives a bonus with its evidence; the results are
published; sanitation appeals a line and is upheld (the line changes), squad 2 appeals its
duty records' line and is not; the secretary approves, the committee circulates the grades.
What falls on today or later has not happened: on a December day this year's assessment is
where that leaves it (self-scoring under way, some sheets submitted), on the tests' known day
(20 November) it is still preparing.

Last year's scores need last year's records. The demo's history plays this year's list, its
records and the latest quarters; when that does not reach back to last year, last year's
list and the records kept against it are played too (the history's own planners, told the
year has ended: demo.duties, demo.duty_records), with its first three quarters' reports
(some late, some returned, some reviewed late: demo.reports) and a midyear check's problems
(one closed out in time, one late, one extended first).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Unit, User
from flows import extensions
from flows.registration import register_problems
from records.models import (
    Appeal,
    Assessment,
    AssessmentSheet,
    Problem,
    ProblemList,
    QuarterlyReport,
    ScoreLine,
)
from records.services import assessments as service
from records.workdays import Calendar, add_working_days

from .duties import demo_list_year, issue_day, plan_demo_duty_list
from .duty_records import pdf, plan_demo_duty_records
from .past import Past, act, review
from .reports import _plan_quarter, demo_quarters

COMMITTEE = "jiwei_chen"
TITLE = "{year}年度落实全面从严治党主体责任考核"

# -- the assessment ----------------------------------------------------------------------
#
# Who self-scores when (working days after the opening; 5 is the deadline) and what they
# take away, with their reasons; a sheet is a unit's code or a leader's username. A line
# nobody scores stands at its maximum (a computed line at what was computed).
SELF = {
    "office": (1, [("自查自纠", "3.5", "全年开展自查1次，少于2次。")]),
    "personnel": (1, [("三会一课与组织生活会", "3.5", "7月主题党日因集中培训顺延至8月，未按月开展。")]),
    "facilities": (1, [("自查自纠", "4", ""), ("交办事项", "2", "")]),
    "leader_wang": (1, [("谈心谈话", "3.5", "与分管处室负责人谈心谈话少1人。")]),
    "finance": (2, [("廉政风险防控", "2", "3月31日前未完成风险点更新，4月中旬补正。")]),
    "legal": (2, [("谈话提醒", "3", "全年提醒谈话2人次，覆盖面不足。")]),
    "enforcement": (2, [("谈话提醒", "3.5", "对执法队员日常提醒谈话记录不全。")]),
    "leader_li": (2, [("督办处置", "3", "对分管单位逾期事项督办不够及时1次。")]),
    "sanitation": (3, [("三会一课与组织生活会", "3", "11月支委会记录被退回后未及时更正。"),
                       ("通报整改", "3", "节日检查通报的投诉推诿问题整改反馈晚于时限。")]),
    "squad1": (3, [("三会一课与组织生活会", "3.5", "节日值班期间1次支委会延期召开。")]),
    "command": (4, [("督办事项", "2", "值班离岗问题督办后超过10个工作日办结。")]),
    "leader_zhao": (4, [("履责约谈", "3", "执法二大队应约谈事项年底前未完成约谈。")]),
    "squad2": (5, [("自查自纠", "4", ""), ("三会一课与组织生活会", "4", "")]),
}
# who scores which sheets when (working days after the leaders' step opens), and how
LEADER = {
    "leader_wang": [
        ("office", 1, [("自查自纠", "3.5", "同意自评。")]),
        ("personnel", 1, [("三会一课与组织生活会", "3.5", "主题党日顺延属实。")]),
        ("finance", 2, [("廉政风险防控", "2", "风险点更新滞后属实。")]),
    ],
    "leader_li": [
        ("legal", 1, [("谈话提醒", "3", "同意自评。")]),
        ("facilities", 1, [("自查自纠", "3", "自查发现问题少于2个，扣1分。")]),
        ("sanitation", 2, [("三会一课与组织生活会", "3", "支委会记录退回未更正属实。"),
                           ("通报整改", "3", "整改反馈超时属实。")]),
        ("command", 3, [("督办事项", "2", "督办后超期办结属实。")]),
    ],
    "leader_zhao": [
        ("enforcement", 2, [("谈话提醒", "3.5", "同意自评。")]),
        ("squad1", 2, [("三会一课与组织生活会", "3.5", "同意自评。")]),
        ("squad2", 4, [("三会一课与组织生活会", "2.5", "全年少开支委会3次，自评满分与记录不符。"),
                       ("自查自纠", "3", "仅开展自查1次，未发现问题。")]),
    ],
    "secretary": [
        ("leader_wang", 2, [("谈心谈话", "3.5", "同意自评。")]),
        ("leader_li", 3, [("审核意见", "1.5", "签批季度汇报意见过简2次。")]),
        ("leader_zhao", 3, [("履责约谈", "3", "对执法二大队约谈滞后属实。")]),
    ],
}
ADJUST = ("facilities", "自查自纠", "4", "经核查，该处4月、10月两次自查均有记录并发现问题3个，"
          "分管领导评分有误，予以调整。")
BONUS = ("office", "加分项", "1", "办公室公文处理规范化做法被市委办公室转发推广。",
         "市委办公室转发通知.pdf")
UPHELD = ("sanitation", "三会一课与组织生活会", "11月支委会记录已于12月初更正并通过审核，请予复核。",
          "经核实，记录已更正并通过分管领导审核，同意调整为3.5分。", "3.5")
REJECTED = ("squad2", "履责纪实：学习教育与专题会议", "部分月份支委会已召开，只是记录补录，不应按未开展扣分。",
            "经核查，所涉月份无支委会记录，补录的记录亦未通过审核，维持原评分。")
ACKNOWLEDGED = ["office", "personnel", "finance", "legal", "facilities", "enforcement",
                "leader_wang", "leader_li"]


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _sheet(year: int, who: str) -> AssessmentSheet:
    sheets = AssessmentSheet.objects.filter(assessment__year=year)
    if who.startswith(("leader_", "secretary")):
        return sheets.get(subject__username=who)
    return sheets.get(unit__code=who, subject__isnull=True)


def _line(year: int, who: str, criterion: str) -> ScoreLine:
    return ScoreLine.objects.get(sheet=_sheet(year, who), criterion__name=criterion)


def _speaker(year: int, who: str) -> User:
    """Who speaks for a sheet: the leadership member; a unit's head."""
    return _user(who if who.startswith("leader_") else f"head_{who}")


def _assessment(year: int) -> Assessment:
    return Assessment.objects.get(year=year)


def _self_score(year: int, who: str, scores: list) -> None:
    by = _speaker(year, who)
    for criterion, score, reason in scores:
        service.line_score(line=_line(year, who, criterion), by=by, score=Decimal(score),
                           reason=reason)
    service.sheet_submit(sheet=_sheet(year, who), by=by)


def _leader_score(year: int, scorer: str, who: str, scores: list) -> None:
    by = _user(scorer)
    for criterion, score, reason in scores:
        service.line_score(line=_line(year, who, criterion), by=by, score=Decimal(score),
                           reason=reason)
    service.sheet_submit(sheet=_sheet(year, who), by=by)


def _adjust(year: int, who: str, criterion: str, score: str, reason: str) -> None:
    service.line_adjust(line=_line(year, who, criterion), by=_user(COMMITTEE), score=score,
                        reason=reason)


def _acknowledge(year: int, who: str) -> None:
    service.sheet_acknowledge(sheet=_sheet(year, who), by=_speaker(year, who))


def _bonus(year: int) -> None:
    who, criterion, score, reason, name = BONUS
    sheet = _sheet(year, who)
    special = sheet.assessment.scheme_of(sheet.group).criteria.get(name=criterion)
    upload = SimpleUploadedFile(name, pdf(f"DutyChain demo: commendation of {year}"),
                                content_type="application/pdf")
    service.special_add(sheet=sheet, criterion=special, by=_user(COMMITTEE), score=score,
                        reason=reason, upload=upload)


def _appeal(year: int, who: str, criterion: str, text: str) -> None:
    service.appeal_lodge(line=_line(year, who, criterion), by=_speaker(year, who), text=text)


def _answer(year: int, who: str, criterion: str, answer: str, score: str | None) -> None:
    appeal = Appeal.objects.get(line=_line(year, who, criterion), status=Appeal.Status.OPEN)
    service.appeal_answer(appeal=appeal, by=_user(COMMITTEE), upheld=score is not None,
                          answer=answer, score=score)


def _plan_assessment(past: Past, year: int) -> None:
    """``year``'s assessment, step by step on its calendar."""
    calendar = Calendar(datetime.date(year, 1, 1), datetime.date(year + 1, 3, 31))

    def after(day: datetime.date, days: int) -> datetime.date:
        return add_working_days(day, days, calendar) if days else day

    def on(day: datetime.date, hour: int, do: Callable, *args) -> None:
        past.on(day, hour, lambda: do(*args))

    def committee() -> User:
        return _user(COMMITTEE)

    def advance() -> None:
        service.assessment_advance(assessment=_assessment(year), by=committee())

    opened = after(datetime.date(year, 11, 30), 1)
    on(after(issue_day(year), 5), 10, lambda: service.assessment_create(
        year=year, by=committee(), cut_off=datetime.date(year, 11, 30),
        title=TITLE.format(year=year)))
    on(opened, 9, lambda: service.assessment_open(assessment=_assessment(year), by=committee()))
    for who, (days, scores) in SELF.items():
        on(after(opened, days), 15, _self_score, year, who, scores)
    leaders_start = after(opened, 6)
    review_start = after(leaders_start, 6)
    published = after(review_start, 3)
    on(leaders_start, 9, advance)
    for scorer, sheets in LEADER.items():
        for who, days, scores in sheets:
            on(after(leaders_start, days), 16, _leader_score, year, scorer, who, scores)
    on(review_start, 9, advance)
    on(after(review_start, 1), 10, _adjust, year, *ADJUST)
    on(after(review_start, 2), 11, _bonus, year)
    on(published, 9, advance)
    upheld, rejected = UPHELD, REJECTED
    on(after(published, 1), 10, _appeal, year, *upheld[:3])
    on(after(published, 2), 14, _appeal, year, *rejected[:3])
    on(after(published, 3), 10, _answer, year, *upheld[:2], *upheld[3:])
    on(after(published, 3), 11, _answer, year, *rejected[:2], rejected[3], None)
    for number, who in enumerate(ACKNOWLEDGED):
        on(after(published, 2 + number % 3), 16, _acknowledge, year, who)
    approved = after(published, 6)
    on(approved, 10, lambda: service.assessment_approve(assessment=_assessment(year),
                                                        by=_user("secretary")))
    on(after(approved, 1), 10, lambda: service.assessment_circular(
        assessment=_assessment(year), by=committee(),
        title=f"关于{TITLE.format(year=year)}结果的通报"))


def _plan_nightly(past: Past) -> None:
    """Last night's run of the beat job: the assessment still preparing is as of yesterday."""
    past.on(past.today - datetime.timedelta(days=1), 2, service.assessments_nightly)


# -- last year's records -----------------------------------------------------------------

class _YearEnded:
    """``past`` as the history's planners would see it on the first day of the next year:
    given it, they plan ``year`` whole. Every step still goes on ``past`` (the January
    reviews of December's records too)."""

    def __init__(self, past: Past, year: int):
        self.past = past
        self.today = datetime.date(year + 1, 1, 1)

    def on(self, day: datetime.date, hour: int, do: Callable[[], None]) -> None:
        self.past.on(day, hour, do)


# the first three quarters' reports of last year: unit → (working day it submits, returned
# and resubmitted N days later or 0, working days its leader takes to sign off); the
# deadline is the tenth working day, a review's the fifth
QUARTERS = {
    1: {"office": (3, 0, 2), "personnel": (4, 0, 1), "finance": (4, 0, 2), "legal": (12, 0, 1),
        "sanitation": (5, 0, 2), "facilities": (6, 0, 1), "command": (4, 2, 2),
        "enforcement": (2, 0, 2), "squad1": (5, 0, 1), "squad2": (7, 0, 2)},
    2: {"office": (3, 0, 2), "personnel": (4, 0, 1), "finance": (11, 0, 2), "legal": (5, 0, 2),
        "sanitation": (5, 2, 2), "facilities": (6, 0, 1), "command": (4, 0, 8),
        "enforcement": (2, 0, 2), "squad1": (5, 0, 1), "squad2": (13, 0, 2)},
    3: {"office": (2, 0, 2), "personnel": (3, 0, 2), "finance": (4, 0, 1), "legal": (5, 0, 2),
        "sanitation": (6, 0, 3), "facilities": (8, 0, 3), "command": (7, 0, 1),
        "enforcement": (3, 0, 2), "squad1": (7, 2, 2), "squad2": (12, 0, 2)},
}
CHECK = "{year}年上半年作风建设专项检查"
PROBLEMS = [
    # unit, category, description, calendar days to its planned date, what happens
    ("facilities", "work_style", "市政设施管理处窗口服务办件超时，群众反映办事来回跑。", 30,
     "in_time"),
    ("squad1", "formalism", "执法一大队执法记录仪使用登记与实际不符，存在事后补登。", 21, "late"),
    ("legal", "bureaucratism", "政策法规处对基层请示件答复不及时，超过规定时限。", 30,
     "extended"),
]
ROOT_CAUSE = "日常管理制度执行不严，监督检查流于形式。"
MEASURES = "1. 修订相关管理制度；2. 开展专题学习；3. 对责任人进行提醒谈话。"


def _plan_check(past: Past, year: int) -> None:
    """A midyear check of ``year``: its problems registered and moved to close-out."""
    calendar = Calendar(datetime.date(year, 1, 1), datetime.date(year + 1, 3, 31))
    found_on = add_working_days(datetime.date(year, 6, 15), 1, calendar)
    registered = add_working_days(found_on, 1, calendar)
    made: dict[str, int] = {}

    def day(days: int) -> datetime.date:
        return add_working_days(registered, days, calendar)

    def problem(code: str) -> Problem:
        return Problem.objects.get(pk=made[code])

    def register():
        units = {unit.code: unit for unit in Unit.objects.filter(
            code__in=[code for code, *_rest in PROBLEMS])}
        created = register_problems(
            by=_user(COMMITTEE), source=Problem.Source.SUPERVISION, found_on=found_on,
            title=CHECK.format(year=year),
            items=[{"unit": units[code], "category": category, "description": text}
                   for code, category, text, _days, _fate in PROBLEMS])
        made.update({code: p.pk for (code, *_rest), p in zip(PROBLEMS, created, strict=True)})

    def rectified(code: str) -> None:
        act(problem(code), "progress", {"text": "已完成制度修订并组织专题学习。"})
        act(problem(code), "evidence", files={"file": ContentFile(
            pdf(f"DutyChain demo: rectification of {code}, {year}"), name="整改情况说明.pdf")})
        act(problem(code), "report_done")

    def extend(code: str) -> None:
        extension = problem(code).extensions.get(decision="pending")
        extensions.decide(extension=extension, by=extensions.decider(problem(code)).user,
                          grant=True, opinion="同意延期，请按新期限完成整改。")

    past.on(registered, 10, register)
    for code, _category, _text, days, fate in PROBLEMS:
        planned = found_on + datetime.timedelta(days=days)
        past.on(day(3), 15, lambda c=code, p=planned: act(problem(c), "analyse", {
            "root_cause": ROOT_CAUSE, "measures": MEASURES, "planned_date": p.isoformat()}))
        past.on(day(5), 11, lambda c=code: review(problem(c), "approve_plan",
                                                  "同意整改方案，抓紧落实。"))
        if fate == "extended":
            past.on(day(12), 15, lambda c=code, p=planned: act(problem(c), "request_extension", {
                "new_date": (p + datetime.timedelta(days=20)).isoformat(),
                "reason": "涉及制度修订，需经局务会审议后印发。"}))
            past.on(day(13), 10, lambda c=code: extend(c))
        done = {"in_time": 10, "late": 20, "extended": 25}[fate]
        past.on(day(done), 16, lambda c=code: rectified(c))
        past.on(day(done + 2), 10, lambda c=code: review(problem(c), "close_out",
                                                        "整改到位，同意销号。"))


def _plan_last_year(past: Past, year: int) -> None:
    """``year``'s list, records, first three quarters' reports and midyear check, as far
    as the demo's history does not play them."""
    if demo_list_year(past.today) != year:
        ended = _YearEnded(past, year)
        plan_demo_duty_list(ended)
        plan_demo_duty_records(ended)
    played = set(demo_quarters(past.today))
    for quarter, fates in QUARTERS.items():
        if (year, quarter) not in played and not QuarterlyReport.objects.filter(
                year=year, quarter=quarter).exists():
            _plan_quarter(past, year, quarter, fates)
    if not ProblemList.objects.filter(title=CHECK.format(year=year)).exists():
        _plan_check(past, year)


def plan_demo_assessments(past: Past) -> int:
    """Last year's assessment and this year's on ``past`` (none already there), with last
    year's records when the history lacks them; returns how many assessments it plans."""
    this_year = past.today.year
    planned = 0
    for year in (this_year - 1, this_year):
        if Assessment.objects.filter(year=year).exists():
            continue
        if year < this_year:
            _plan_last_year(past, year)
        _plan_assessment(past, year)
        planned += 1
    if planned:
        _plan_nightly(past)
    return planned
