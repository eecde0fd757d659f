"""Demo duty list: this year's list read from the seed's work plan (demo/work_plan_2022.txt)
in January by the discipline committee, its redacted counts set (and a count for the unit
heads' and branches' main items, which the plan leaves to each unit), issued by the
secretary."""

from __future__ import annotations

import datetime
from pathlib import Path

from accounts.models import User
from records.models import DutyList
from records.services import duties
from records.workdays import add_working_days

from .past import Past

PLAN = Path(__file__).with_name("work_plan_2022.txt")
# the counts the plan redacts (X, XX), as the committee set them for the demo's year
TARGETS = {1: 12, 4: 2, 5: 2, 17: 4}
# who carries each item, by the plan's wording
CARRIERS = {
    1: ["leadership"], 2: ["branches"], 3: ["leaders", "unit_heads"], 4: ["leadership"],
    5: ["leadership"], 6: ["secretary", "leaders"], 7: ["leaders"], 8: ["committee"],
    9: ["branches"], 10: ["branches"], 11: ["branches"], 12: ["leadership"],
    13: ["committee"], 14: ["unit_heads"], 15: ["leaders", "unit_heads"], 16: ["unit_heads"],
    17: ["committee"], 18: ["unit_heads"], 19: ["committee"], 20: ["committee"],
    21: ["leadership"], 22: ["leadership"],
}
# counts the committee sets where the plan gives none, with their period: each branch's
# 支委会 each month (item 2, "三会一课"), a unit's 作风 meeting each quarter
# (item 14) and its 廉政风险点排查 twice a year (item 18); the other unit items stay "as needed"
RHYTHMS = {2: (1, "month"), 14: (1, "quarter"), 18: (2, "year")}
REVIEWERS = {"unit_heads": "supervisor", "branches": "supervisor", "leaders": "secretary",
             "secretary": "committee", "leadership": "committee", "committee": "secretary"}


def reviewer_for(carriers: list[str]) -> str:
    """An item a unit carries is reviewed by the unit's supervising leader (a leader's own
    record of it goes up to the secretary); the others as REVIEWERS says."""
    if {"unit_heads", "branches"} & set(carriers):
        return "supervisor"
    return REVIEWERS[carriers[0]]


def demo_list_year(today: datetime.date) -> int:
    """This year's list once January's second week has passed, else last year's."""
    return today.year if _built_on(today.year) < today else today.year - 1


def _built_on(year: int) -> datetime.date:
    return add_working_days(datetime.date(year, 1, 9), 1)


def issue_day(year: int) -> datetime.date:
    """The day the secretary issues the demo's list of ``year`` (three working days after the
    committee built it)."""
    return add_working_days(_built_on(year), 3)


def plan_demo_duty_list(past: Past) -> int:
    """The list's steps on ``past`` (none when the year has one); returns how many lists."""
    year = demo_list_year(past.today)
    if DutyList.objects.filter(year=year).exists():
        return 0
    built_on = _built_on(year)

    def build():
        committee = User.objects.get(username="jiwei_chen")
        duty_list = duties.duty_list_from_plan(year=year, by=committee,
                                               text=PLAN.read_text(encoding="utf-8"))
        for item in duty_list.items.order_by("number"):
            carriers = CARRIERS.get(item.number, ["leadership"])
            changes = {"carriers": carriers, "reviewer": reviewer_for(carriers)}
            if item.number in TARGETS:
                changes["target"] = TARGETS[item.number]
            if item.number in RHYTHMS:
                changes["target"], changes["period"] = RHYTHMS[item.number]
            duties.duty_item_update(item=item, by=committee, **changes)

    def issue():
        duties.duty_list_issue(duty_list=DutyList.objects.get(year=year),
                               by=User.objects.get(username="secretary"))

    past.on(built_on, 10, build)
    past.on(issue_day(year), 15, issue)
    return 1

