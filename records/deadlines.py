"""Deadline rules, in working days: each counts a step's deadline from the day the step
started (a submission from the end of its quarter). The step table (flows/steps.py) names
each step's rule; it is asked when the step starts and again when the calendar changes
under it (records.services.calendar)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy

from .models import Problem, Report
from .workdays import Calendar, add_working_days, quarter_end

ONE_DAY = datetime.timedelta(days=1)


def working_days(step: str) -> int:
    return settings.DUTYCHAIN_DEADLINES[step]


def report_due_date(year: int, quarter: int, calendar: Calendar | None = None) -> datetime.date:
    """Submission deadline: N working days after the quarter ends (the one rule: opening a
    report and recounting it after the calendar changed both ask here)."""
    return add_working_days(quarter_end(year, quarter), working_days("report_submit"), calendar)


def annual_report_due_date(year: int, calendar: Calendar | None = None) -> datetime.date:
    """A year's annual reports are due on DUTYCHAIN_ANNUAL_REPORT_DUE ("01-20") of the next
    year, or on the last working day before it when that is a day off."""
    month, day = (int(part) for part in settings.DUTYCHAIN_ANNUAL_REPORT_DUE.split("-"))
    due = datetime.date(year + 1, month, day)
    calendar = calendar or Calendar(due - datetime.timedelta(days=40), due)
    while not calendar.is_workday(due):
        due -= ONE_DAY
    return due


# -- the rules a step table names (flows/steps.py): (record, the day the step started,
# a calendar already read or None) → the step's deadline

def extension_decide_by(requested_on: datetime.date, current: datetime.date | None
                        ) -> datetime.date:
    """An extension request is decided within N working days of its asking, and before the
    deadline it would move passes (on that day at the latest)."""
    due = add_working_days(requested_on, working_days("extension_decide"))
    return min(due, current) if current and current >= requested_on else due


def report_draft(report: Report, started_on: datetime.date,
                 calendar: Calendar | None = None) -> datetime.date:
    """A draft by the submission deadline; a returned report's revision no sooner than N
    working days after the return."""
    if report.status == Report.Status.RETURNED:
        return max(report.due_date,
                   add_working_days(started_on, working_days("report_revise"), calendar))
    return report.due_date


def report_review(report: Report, started_on: datetime.date,
                  calendar: Calendar | None = None) -> datetime.date:
    """A review N working days after it started."""
    return add_working_days(started_on, working_days("report_review"), calendar)


def problem_analyse(problem: Problem, started_on: datetime.date,
                    calendar: Calendar | None = None) -> datetime.date:
    """The analysis N working days after registration; a returned plan no sooner than N
    working days after the return."""
    first = add_working_days(timezone.localdate(problem.registered_at),
                             working_days("problem_analyse"), calendar)
    if problem.root_cause == "":
        return first
    return max(first, add_working_days(started_on, working_days("problem_revise"), calendar))


def problem_plan_review(problem: Problem, started_on: datetime.date,
                        calendar: Calendar | None = None) -> datetime.date:
    """The plan's approval N working days after it was sent."""
    return add_working_days(started_on, working_days("problem_plan_review"), calendar)


def problem_planned(problem: Problem, started_on: datetime.date,
                    calendar: Calendar | None = None) -> datetime.date | None:
    """The rectification by the planned completion date, which people chose: never counted,
    never recounted."""
    return problem.planned_date


problem_planned.counted = False
problem_planned.path_note = gettext_lazy("by the planned completion date")


def problem_verify(problem: Problem, started_on: datetime.date,
                   calendar: Calendar | None = None) -> datetime.date:
    """The verification N working days after the rectification was reported."""
    return add_working_days(started_on, working_days("problem_verify"), calendar)
