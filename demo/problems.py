"""Demo problems: the bureau's latest holiday spot check (明察暗访), in various states.

Dated from today: the check ran on the last day of the most recent public holiday that
ended at least three weeks (fifteen working days) before today, and each problem has moved
along on the working days since, as the demo people would have moved it (demo.past).
Driven through the real services and flows, so the history, grants and audit trail are
what the product itself writes.
"""

from __future__ import annotations

import datetime

import chinese_calendar
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.models import Unit, User
from flows.registration import register_problems
from records.models import Problem, ProblemList
from records.workdays import add_working_days

from .past import Past, act, review, working_days_before

FESTIVALS = {"New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
             "Labour Day": "劳动节", "Dragon Boat Festival": "端午节",
             "Mid-autumn Festival": "中秋节", "National Day": "国庆节"}
# the check's own name marks the demo's list: loading again finds it and adds nothing
MARK = "期间明察暗访"
# at most this far back for a holiday, and at least this many working days before today
LOOK_BACK_DAYS = 120
SETTLE_WORKING_DAYS = 15
ITEMS = [
    # unit, category, description, person concerned, how far it got
    ("enforcement", "hedonism", "10月3日，执法支队1辆执法车辆停放在郊区某农家乐停车场，涉嫌公车私用。",
     "执法支队队员某某", "filed"),
    ("squad1", "formalism", "执法一大队节日值班表与实际在岗人员不符，值班记录系事后补填。",
     "", "extension"),
    ("squad2", "work_style", "执法二大队服务窗口工作人员上班时间玩手机，群众反映办事等候时间过长。",
     "", "verifying"),
    ("sanitation", "bureaucratism", "市容环境卫生管理处对群众投诉的占道经营问题推诿扯皮，超过7日未答复。",
     "", "plan_review"),
    ("command", "discipline", "数字城管指挥中心节日值班人员擅自离岗约2小时，未履行请假手续。",
     "", "overdue"),
]
# a joint problem: once its plan is approved, each unit's head writes its part (countersign)
CO_UNITS = {"sanitation": ("legal", "facilities")}


def spot_check(today: datetime.date) -> tuple[datetime.date, str]:
    """The day of the demo's check and its title: the last day of the most recent public
    holiday that ended SETTLE_WORKING_DAYS working days or more before ``today``; in years the
    holiday library does not know, the last weekend before then."""
    latest = working_days_before(today, SETTLE_WORKING_DAYS)
    day = latest
    while latest - day <= datetime.timedelta(days=LOOK_BACK_DAYS):
        try:
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:  # a year the library does not know
            break
        if on_holiday and name in FESTIVALS:
            if name == "National Day" and _mid_autumn_within(day):
                return day, f"{day.year}年中秋国庆节日{MARK}"
            return day, f"{day.year}年{FESTIVALS[name]}{MARK}"
        day -= datetime.timedelta(days=1)
    day = latest
    while day.weekday() != 6:
        day -= datetime.timedelta(days=1)
    return day, f"{day.year}年{day.month}月周末{MARK}"


def _mid_autumn_within(day: datetime.date) -> bool:
    """Whether the holiday that ``day`` belongs to takes in the Mid-Autumn Festival too (one
    stretch of days off, as in 2025)."""
    while True:
        try:
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            return False
        if not on_holiday:
            return False
        if name == "Mid-autumn Festival":
            return True
        day -= datetime.timedelta(days=1)


def _user(username: str) -> User:
    return User.objects.get(username=username)


ROOT_CAUSE = "节日期间监督管理责任落实不到位，制度执行不严。"
MEASURES = "1. 开展专题警示教育；2. 修订相关管理制度；3. 对相关人员进行提醒谈话。"
# the sanitation plan was returned once: its second version answers the leader's opinion
RETURN_OPINION = "整改措施不够具体，请明确投诉办理时限和责任人。"
REVISED_MEASURES = ("1. 开展专题警示教育；2. 修订投诉办理制度，明确3个工作日内答复；"
                    "3. 对相关人员进行提醒谈话。")
EVIDENCE = b"%PDF-1.4\n% demo evidence\n"


def _plan(problem: Problem, measures: str = MEASURES, days: int = 20,
          planned: datetime.date | None = None) -> None:
    planned = planned or timezone.localdate() + datetime.timedelta(days=days)
    act(problem, "analyse", {"root_cause": ROOT_CAUSE, "measures": measures,
                             "planned_date": planned.isoformat()})


def _rectify_notes(problem: Problem) -> None:
    act(problem, "progress", {"text": "已召开专题会议，完成制度修订。"})
    act(problem, "evidence", files={"file": ContentFile(EVIDENCE, name="整改情况说明.pdf")})


@transaction.atomic
def load_demo_problems(today: datetime.date | None = None) -> int:
    """Register the check's problem list and move each problem along the working days up
    to ``today`` (default: today); safe to repeat (a demo check already there: nothing).
    Returns how many problems it registered."""
    past = Past(today or timezone.localdate())
    made = plan_demo_problems(past)
    past.play()
    return len(made)


def plan_demo_problems(past: Past) -> dict[str, Problem]:
    """The check's steps on ``past``; the problems by unit code once it has played (empty
    when the demo's check is there already)."""
    made: dict[str, Problem] = {}
    if ProblemList.objects.filter(title__endswith=MARK,
                                  registered_by__username="jiwei_chen").exists():
        return made
    today = past.today
    found_on, title = spot_check(today)
    registered_on = add_working_days(found_on, 1)
    codes = [i[0] for i in ITEMS] + [code for co in CO_UNITS.values() for code in co]

    def day(working_days: int) -> datetime.date:
        return add_working_days(registered_on, working_days) if working_days else registered_on

    def register():
        units = {u.code: u for u in Unit.objects.filter(code__in=codes)}
        created = register_problems(
            by=_user("jiwei_chen"), source=Problem.Source.SPOT_CHECK, found_on=found_on, title=title,
            items=[{"unit": units[code], "category": category, "description": text,
                    "person_concerned": person,
                    "co_units": [units[other] for other in CO_UNITS.get(code, ())]}
                   for code, category, text, person, _state in ITEMS])
        made.update({code: problem for (code, *_rest), problem in
                     zip(ITEMS, created, strict=True)})

    def problem(code: str) -> Problem:
        return Problem.objects.get(pk=made[code].pk)

    past.on(day(0), 10, register)
    # command's problem is never analysed: its deadline (ten working days) passes
    for code in ("enforcement", "squad2"):
        past.on(day(3), 15, lambda c=code: _plan(problem(c)))
    # squad1 promises a date some weeks after today (it will ask for more time)
    past.on(day(3), 15, lambda: _plan(problem("squad1"),
                                      planned=today + datetime.timedelta(days=20)))
    # sanitation's plan is returned once; the revised plan (measures more precise, the same
    # date) reaches the leader four working days before today, so its approval falls due
    # the next working day
    sanitation_date = today + datetime.timedelta(days=30)
    past.on(day(3), 15, lambda: _plan(problem("sanitation"), planned=sanitation_date))
    past.on(day(5), 11, lambda: review(problem("sanitation"), "return", RETURN_OPINION))
    replanned = max(day(7), working_days_before(today, 4))
    past.on(replanned, 9, lambda: _plan(problem("sanitation"), measures=REVISED_MEASURES,
                                        planned=sanitation_date))
    for code in ("enforcement", "squad1", "squad2"):
        past.on(day(5), 11, lambda c=code: review(problem(c), "approve_plan",
                                                  "同意整改方案，抓紧落实。"))
    # enforcement rectifies and is closed out (the flow files it with the stationed group)
    past.on(day(7), 16, lambda: _rectify_notes(problem("enforcement")))
    past.on(day(8), 10, lambda: act(problem("enforcement"), "report_done"))
    past.on(day(10), 14, lambda: review(problem("enforcement"), "close_out",
                                        "整改到位，同意销号。"))
    # squad2 reported done two working days ago: it waits for verification
    past.on(max(day(8), working_days_before(today, 3)), 16,
            lambda: _rectify_notes(problem("squad2")))
    past.on(max(day(9), working_days_before(today, 2)), 10,
            lambda: act(problem("squad2"), "report_done"))
    # squad1 notes progress and, the day before today, asks for more time
    past.on(day(7), 16, lambda: act(problem("squad1"), "progress",
                                    {"text": "已重新核对值班安排。"}))
    asked = max(day(8), working_days_before(today, 1))
    past.on(asked, 15, lambda: act(problem("squad1"), "request_extension", {
        "new_date": (problem("squad1").due_date + datetime.timedelta(days=15)).isoformat(),
        "reason": "需待下月支部会议集中学习后完成整改。"}))
    return made
