"""Deadline rules, in working days: each counts a step's deadline from the day the step
started (a submission from the end of its quarter), and is asked both when the step
starts and when the calendar changes under it (records.services.calendar)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from .models import Problem, QuarterlyReport
from .workdays import Calendar, add_working_days, quarter_end


def working_days(step: str) -> int:
    return settings.DUTYCHAIN_DEADLINES[step]


def report_due_date(year: int, quarter: int, calendar: Calendar | None = None) -> datetime.date:
    """Submission deadline: N working days after the quarter ends (the one rule: opening a
    report and recounting it after the calendar changed both ask here)."""
    return add_working_days(quarter_end(year, quarter), working_days("report_submit"), calendar)


def report_step_deadline(report: QuarterlyReport, step: str, started_on: datetime.date,
                         calendar: Calendar | None = None) -> datetime.date:
    """The deadline of a report's ``step`` that started on ``started_on``: the one rule, asked
    when the step starts and again when the calendar changes under it (records.services.calendar).

    A review is due N working days after it started; a draft by the submission deadline,
    and a returned report's revision no sooner than N working days after the return.
    """
    if step == "review":
        return add_working_days(started_on, working_days("report_review"), calendar)
    if report.status == QuarterlyReport.Status.RETURNED:
        return max(report.due_date,
                   add_working_days(started_on, working_days("report_revise"), calendar))
    return report.due_date


def problem_step_deadline(problem: Problem, step: str, started_on: datetime.date,
                          calendar: Calendar | None = None) -> datetime.date | None:
    """The deadline of a problem's ``step`` that started on ``started_on``: the one rule, asked
    when the step starts and again when the calendar changes under it (records.services.calendar).

    The analysis is due N working days after registration (a returned plan no sooner than
    N working days after the return); an approval or a verification N working days after
    it started; the rectification by the planned completion date, which people chose.
    """
    if step in Problem.PLANNED_DATE_STEPS:
        return problem.planned_date
    if step == "analyse":
        first = add_working_days(timezone.localdate(problem.registered_at),
                                 working_days("problem_analyse"), calendar)
        if problem.root_cause == "":
            return first
        return max(first, add_working_days(started_on, working_days("problem_revise"), calendar))
    if step == "approve_plan":
        return add_working_days(started_on, working_days("problem_plan_review"), calendar)
    return add_working_days(started_on, working_days("problem_verify"), calendar)
