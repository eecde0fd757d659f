"""Demo quarterly reports: the two quarters before today's, dated from today.

The earlier quarter is finished: every unit submitted (one late, one returned once and
resubmitted) and every report is signed off. The last finished quarter is where it would be
today: reports submitted and signed off on the working days since it opened, one returned
and resubmitted, one still with its leader, one late, one not yet submitted (overdue once
its deadline has passed). Steps that would fall on today or later have not happened yet.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from flows.opening import open_report, reporting_units
from records.models import AnnualReport, QuarterlyReport
from records.workdays import add_working_days, last_finished_quarter, quarter_end

from .past import Past, act, review

# what each unit's head writes (seed duties 1, 5, 13, 17 of the 2022 work plan)
CONTENT = {
    "work_done": "组织党组理论学习中心组学习会3次，专题研究全面从严治党工作1次；"
                 "开展节日期间廉政提醒谈话，覆盖全体科级干部。",
    "problems": "个别支部“三会一课”记录不够规范，学习研讨深度不足。",
    "next_steps": "下季度开展支部规范化建设检查，组织集中警示教育1次。",
}
RETURN_OPINION = "请补充本季度廉政风险点排查情况。"
SUPPLEMENT = {"problems": CONTENT["problems"] + "廉政风险点排查发现2处，已制定防控措施。"}

# unit → (working day it submits, it is returned the day after and resubmitted N days later
# or 0, working days its leader takes to sign off or None: not yet); the deadline is the
# tenth working day after the quarter
LAST_QUARTER = {
    "office": (2, 0, 2), "personnel": (3, 0, 2), "finance": (4, 0, 1),
    "legal": (5, 2, 2), "sanitation": (6, 0, None), "facilities": (8, 0, 3),
    "command": (12, 0, 1), "enforcement": (3, 0, 2), "squad1": (7, 0, 2),
    "squad2": (None, 0, None),
}
EARLIER_QUARTER = {
    "office": (3, 0, 2), "personnel": (4, 0, 1), "finance": (4, 0, 2),
    "legal": (12, 0, 1), "sanitation": (5, 0, 2), "facilities": (6, 0, 1),
    "command": (4, 2, 2), "enforcement": (2, 0, 2), "squad1": (5, 0, 1),
    "squad2": (7, 0, 2),
}


def demo_quarters(today: datetime.date) -> list[tuple[int, int]]:
    """The quarter before the last finished one, and the last finished one."""
    year, quarter = last_finished_quarter(today)
    earlier = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return [earlier, (year, quarter)]


def _plan_quarter(past: Past, year: int, quarter: int, fates: dict) -> None:
    opened_on = add_working_days(quarter_end(year, quarter), 1)

    def day(working_days: int) -> datetime.date:
        return add_working_days(opened_on, working_days)

    def report(code: str) -> QuarterlyReport:
        return QuarterlyReport.objects.get(unit__code=code, year=year, quarter=quarter)

    def open_all():
        for unit in reporting_units().order_by("order", "code"):
            open_report(unit=unit, year=year, quarter=quarter)

    past.on(opened_on, 8, open_all)
    for code, (submits, resubmits_after, signs_after) in fates.items():
        if submits is None:
            continue
        past.on(day(submits), 16, lambda c=code: act(report(c), "submit", CONTENT))
        last = submits
        if resubmits_after:
            past.on(day(submits + 1), 10, lambda c=code: review(report(c), "return",
                                                                RETURN_OPINION))
            last = submits + 1 + resubmits_after
            past.on(day(last), 15, lambda c=code: act(report(c), "submit",
                                                      {**CONTENT, **SUPPLEMENT}))
        if signs_after is not None:
            past.on(day(last + signs_after), 11, lambda c=code: review(report(c), "sign_off",
                                                                      "同意。"))


@transaction.atomic
def load_demo_reports(today: datetime.date | None = None) -> int:
    """Play the two quarters' reports up to ``today`` (default: today); safe to repeat (any
    quarterly report there already: nothing). Returns how many quarters it played."""
    past = Past(today or timezone.localdate())
    planned = plan_demo_reports(past)
    past.play()
    return planned


def plan_demo_reports(past: Past) -> int:
    """The two quarters' steps on ``past`` (none when there are reports already); returns how
    many quarters."""
    if QuarterlyReport.objects.exists():
        return 0
    quarters = demo_quarters(past.today)
    for (year, quarter), fates in zip(quarters, (EARLIER_QUARTER, LAST_QUARTER), strict=True):
        _plan_quarter(past, year, quarter, fates)
    return len(quarters)


# the leaders' annual reports of last year: leader → (working day after the opening it is
# submitted, returned the day after and resubmitted N days later or 0, days the secretary
# takes to sign off)
ANNUAL = {"leader_wang": (6, 0, 2), "leader_li": (7, 0, 3), "leader_zhao": (8, 2, 2)}
ANNUAL_CONTENT = {
    "work_done": "认真履行“一岗双责”，每季度听取分管单位落实全面从严治党主体责任情况汇报，"
                 "全年讲党课1次，深入联系支部指导学习2次。",
    "problems": "对分管单位日常监督的频次不够，个别单位季度汇报存在迟报。",
    "next_steps": "建立分管单位履责情况月度调度机制，督促按期汇报、按时整改。",
    "integrity": "严格遵守中央八项规定精神，认真落实个人有关事项报告制度，无违规违纪情况。",
}


def plan_demo_annual_reports(past: Past) -> int:
    """Last year's annual reports (opened on this January's first working day), as far as
    the days since allow; returns how many years (0 or 1)."""
    from flows.opening import annual_opening_day, open_annual_reports

    year = past.today.year - 1
    opened_on = annual_opening_day(year)
    if AnnualReport.objects.filter(year=year).exists() or opened_on >= past.today:
        return 0

    def report(username: str) -> AnnualReport:
        return AnnualReport.objects.get(leader__username=username, year=year)

    past.on(opened_on, 8, lambda: open_annual_reports(year=year))
    for leader, (submits, resubmits_after, signs_after) in ANNUAL.items():
        submitted_on = add_working_days(opened_on, submits)
        past.on(submitted_on, 16, lambda u=leader: act(report(u), "submit", ANNUAL_CONTENT))
        last = submits
        if resubmits_after:
            past.on(add_working_days(opened_on, submits + 1), 10,
                    lambda u=leader: review(report(u), "return", "请补充分管单位问题整改情况。"))
            last = submits + 1 + resubmits_after
            past.on(add_working_days(opened_on, last), 15, lambda u=leader: act(
                report(u), "submit", {**ANNUAL_CONTENT, "problems": ANNUAL_CONTENT["problems"]
                                      + "执法一大队节日值班问题整改进度滞后。"}))
        past.on(add_working_days(opened_on, last + signs_after), 11,
                lambda u=leader: review(report(u), "sign_off", "同意。"))
    return 1
