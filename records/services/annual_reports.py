"""The leaders' annual reports: one opened for a member of the leadership group, and the
annex the product fills in. Writing, submitting, signing off, returning and withdrawing
are every report's (records.services.reports)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from accounts import chain
from accounts.models import Post, Unit, User
from records import permissions
from records.audit import audit
from records.deadlines import annual_report_due_date
from records.models import AnnualReport, Problem, QuarterlyReport


def secretary_of(unit: Unit, day: datetime.date | None = None) -> User | None:
    """The party secretary of the bureau ``unit`` (the chain's secretary when the bureau has
    none of its own)."""
    found = chain.holders(unit, Post.Role.SECRETARY, day)
    return found[0] if found else chain.secretary(day)


def annual_report_annex(*, leader: User, year: int, units_on: datetime.date,
                        today: datetime.date | None = None) -> dict:
    """What the product adds to a leader's annual report: the units they oversaw on
    ``units_on`` (the opening day), each with the status of its quarterly reports of
    ``year`` and its problems open and overdue ``today``. Three queries."""
    today = today or timezone.localdate()
    units = chain.units_overseen_by(leader, units_on)
    ids = [unit.pk for unit in units]
    statuses: dict[int, dict[str, str]] = {pk: {} for pk in ids}
    for unit_id, quarter, status in (
            QuarterlyReport.objects.filter(unit_id__in=ids, year=year)
            .exclude(status=QuarterlyReport.Status.CANCELLED)
            .values_list("unit_id", "quarter", "status")):
        statuses[unit_id][str(quarter)] = status
    counts = {row["unit_id"]: row for row in (
        Problem.objects.filter(unit_id__in=ids, status__in=Problem.OPEN_STATUSES)
        .values("unit_id")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today))))}
    rows = [{"code": unit.code, "name": unit.name,
             "reports": {str(q): statuses[unit.pk].get(str(q), "") for q in (1, 2, 3, 4)},
             "open_problems": counts.get(unit.pk, {}).get("open", 0),
             "overdue_problems": counts.get(unit.pk, {}).get("overdue", 0)}
            for unit in units]
    return {"units_on": units_on.isoformat(), "as_of": today.isoformat(), "units": rows}


def annual_report_create(*, leader: User, unit: Unit, year: int, process, by: User | None,
                         day: datetime.date | None = None) -> AnnualReport:
    """Open ``leader``'s report on ``year`` (``day``: the opening day, whose chain names the
    units of the annex) for the new ``process``; the leader may read it from now on."""
    day = day or timezone.localdate()
    due = annual_report_due_date(year)
    report = AnnualReport.objects.create(
        leader=leader, unit=unit, year=year, due_date=due, step_due_date=due, process=process,
        opened_by=by, annex=annual_report_annex(leader=leader, year=year, units_on=day))
    permissions.grant_view(report, [leader])
    audit(actor=by, action="annual_report.open", target=report, leader=leader.username,
          year=year, due_date=due.isoformat(), units=len(report.annex["units"]))
    return report


def annual_report_refresh_annex(*, report: AnnualReport) -> AnnualReport:
    """The annex again, as it stands today, for the units of the opening day (at each
    submission, so that the secretary reads current figures)."""
    report.annex = annual_report_annex(
        leader=report.leader, year=report.year,
        units_on=datetime.date.fromisoformat(report.annex.get("units_on")
                                             or timezone.localdate(report.created_at)
                                             .isoformat()))
    report.save(update_fields=["annex", "updated_at"])
    audit(actor=None, action="annual_report.annex", target=report,
          as_of=report.annex["as_of"], units=len(report.annex["units"]))
    return report
