"""The reports' writes — a unit's quarterly report, a leader's annual report: any kind of
report (records.models.Report) is drafted, submitted, signed off, returned, passed up or
withdrawn by the same services; opening a quarter's reports is the quarterly report's own.
One service per user-visible action, each audited."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import chain
from accounts.models import Unit, User
from records import permissions
from records.audit import audit, audit_event
from records.deadlines import report_due_date
from records.kinds import kind_of
from records.limits import limited_text
from records.models import Opinion, QuarterlyReport, Report
from records.workdays import quarter_end

if TYPE_CHECKING:
    from viewflow.workflow.models import Process

Status = Report.Status


def validate_period(year: int, quarter: int, today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    if quarter not in (1, 2, 3, 4):
        raise ValidationError(_("The quarter must be 1, 2, 3 or 4."))
    if not 2000 <= year <= today.year:
        raise ValidationError(_("The year must be between 2000 and %(year)s.") % {"year": today.year})
    if quarter_end(year, quarter) >= today:
        raise ValidationError(_("%(year)s Q%(quarter)s has not ended yet; a report is about a "
                                "finished quarter.") % {"year": year, "quarter": quarter})


def report_readers(unit: Unit, who=chain) -> list[User | None]:
    """Who may see a unit's report from the day it is opened: its head, its liaisons and its
    supervising leader (``who``: the chain, or a ``chain.Snapshot`` of it)."""
    return [who.head_of(unit), *who.liaisons_of(unit), who.supervisor_of(unit)]


def _opened_event(report: QuarterlyReport, by: User | None) -> dict:
    return audit_event(actor=by, action="report.open", target=report, unit=report.unit.code,
                       period=f"{report.year}Q{report.quarter}",
                       due_date=report.due_date.isoformat())


def report_create(*, unit: Unit, year: int, quarter: int, process, by: User | None
                  ) -> QuarterlyReport:
    """Create the report row for a newly started process, and grant its unit's drafters."""
    from records.audit import append

    due = report_due_date(year, quarter)
    report = QuarterlyReport.objects.create(
        unit=unit, year=year, quarter=quarter, due_date=due, step_due_date=due,
        process=process, opened_by=by,
    )
    permissions.grant_view(report, report_readers(unit))
    append(**_opened_event(report, by))
    return report


@dataclass(frozen=True)
class Opening:
    """One unit's report opened in a batch: its new process, and who the chain names for the
    first step (``on_behalf_of``: the absent head, when the step came through a delegation)."""

    unit: Unit
    process: Process
    owner: User
    on_behalf_of: User | None = None


def reports_open(*, openings: list[Opening], year: int, quarter: int, by: User | None,
                 step: str, deadline: Callable, who: chain.Snapshot) -> list[QuarterlyReport]:
    """report_create, then report_step_started for the first ``step``, for many new processes
    at once: the same rows, grants and audit events (in the same order) in a fixed number
    of queries. ``deadline``: the first step's rule (records.deadlines); ``who``: the chain of
    these units today."""
    from records.audit import append_many

    if not openings:
        return []
    due = report_due_date(year, quarter)
    today = timezone.localdate()
    reports = []
    for opening in openings:
        report = QuarterlyReport(unit=opening.unit, year=year, quarter=quarter, due_date=due,
                                 step_due_date=due, process=opening.process, opened_by=by)
        report.step_due_date = deadline(report, today)
        reports.append(report)
    QuarterlyReport.objects.bulk_create(reports)
    permissions.grant_view_many(
        (report, [*report_readers(o.unit, who), o.owner, o.on_behalf_of])
        for report, o in zip(reports, openings, strict=True))
    events = []
    for report, o in zip(reports, openings, strict=True):
        events += [_opened_event(report, by), _step_event(report, step, o.owner, o.on_behalf_of)]
    # last: the trail's lock is held until the commit
    append_many(events)
    return reports


def _write_content(report: Report, by: User, data: dict, *, complete: bool) -> None:
    """Copy the sections sent onto the report (a section not sent stays as it was); a
    complete report needs its duties described."""
    if not report.is_editable:
        raise ValidationError(_("This report is %(status)s and can no longer be edited.")
                              % {"status": report.get_status_display()})
    # what a report says, and what a version of it freezes
    sent = [field for field in kind_of(report).content_fields if field in data]
    if not sent and not complete:
        # an empty save changes nothing (a program's empty body must not wipe a draft)
        raise ValidationError(_("Nothing to save: send at least one of the report's sections."))
    for field in sent:
        setattr(report, field, limited_text(type(report), field, data[field]))
    if complete and not report.work_done:
        raise ValidationError({"work_done": _("Describe the duties carried out before submitting.")})
    report.last_edited_by = by


def report_save_draft(*, report: Report, by: User, task=None, **data
                      ) -> Report:
    """Save the draft without submitting it (the head or the liaison)."""
    _write_content(report, by, data, complete=False)
    report.save()
    audit(actor=by, action="report.save_draft", target=report, version=report.version)
    return report


@transaction.atomic
def report_submit(*, report: Report, by: User, task=None, **data) -> Report:
    """The unit head submits the report to the supervising leader; the text is frozen as a
    version (``task``: the draft task that submitted it)."""
    from records.versions import freeze

    _write_content(report, by, data, complete=True)
    report.status = Status.SUBMITTED
    report.review_level = 0
    report.version += 1
    report.submitted_at = timezone.now()
    report.submitted_by = by
    report.save()
    freeze(record=report, number=report.version, by=by, task=task)
    audit(actor=by, action="report.submit", target=report, version=report.version,
          late=timezone.localdate() > report.due_date)
    return report


def _decide(*, report: Report, by: User, kind: str, opinion: str, task=None,
            on_behalf_of: User | None = None) -> Opinion:
    if report.status != Status.SUBMITTED:
        raise ValidationError(_("This report is %(status)s; there is nothing to review.")
                              % {"status": report.get_status_display()})
    text = limited_text(Opinion, "text", opinion, key="opinion")
    return Opinion.objects.create(record=report, task=task, author=by, on_behalf_of=on_behalf_of,
                                  kind=kind, text=text, version=report.version)


@transaction.atomic
def report_sign_off(*, report: Report, by: User, opinion: str = "", task=None,
                    on_behalf_of: User | None = None) -> Report:
    """The supervising leader signs the report off; it is archived, read-only."""
    _decide(report=report, by=by, kind=Opinion.Kind.SIGN_OFF, opinion=opinion, task=task,
            on_behalf_of=on_behalf_of)
    report.status = Status.SIGNED_OFF
    report.signed_off_at = timezone.now()
    report.signed_off_by = by
    report.step_due_date = None
    report.save()
    audit(actor=by, action="report.sign_off", target=report, version=report.version,
          on_behalf_of=on_behalf_of.pk if on_behalf_of else None)
    return report


@transaction.atomic
def report_return(*, report: Report, by: User, opinion: str, task=None,
                  on_behalf_of: User | None = None) -> Report:
    """The supervising leader returns the report with an opinion; the drafter revises it."""
    if not (opinion or "").strip():
        raise ValidationError({"opinion": _("Write an opinion saying what to revise.")})
    _decide(report=report, by=by, kind=Opinion.Kind.RETURN, opinion=opinion, task=task,
            on_behalf_of=on_behalf_of)
    report.status = Status.RETURNED
    report.save()
    audit(actor=by, action="report.return", target=report, version=report.version,
          on_behalf_of=on_behalf_of.pk if on_behalf_of else None)
    return report


@transaction.atomic
def report_pass_up(*, report: Report, by: User, opinion: str = "", task=None,
                   on_behalf_of: User | None = None) -> Report:
    """A reviewer below the last level agrees and passes the report up (逐级审核)."""
    _decide(report=report, by=by, kind=Opinion.Kind.PASS_UP, opinion=opinion, task=task,
            on_behalf_of=on_behalf_of)
    report.review_level += 1
    report.save()
    audit(actor=by, action="report.pass_up", target=report, version=report.version,
          level=report.review_level, on_behalf_of=on_behalf_of.pk if on_behalf_of else None)
    return report


def report_withdraw(*, report: Report, by: User, reason: str = "", task=None
                    ) -> Report:
    """The submitter takes a report back before any reviewer has acted (撤回)."""
    if report.status != Status.SUBMITTED:
        raise ValidationError(_("This report is %(status)s; only a submitted report can be "
                                "withdrawn.") % {"status": report.get_status_display()})
    Opinion.objects.create(record=report, task=task, author=by, kind=Opinion.Kind.WITHDRAW,
                           text=(reason or "").strip(), version=report.version)
    report.status = Status.DRAFT
    report.review_level = 0
    report.save()
    audit(actor=by, action="report.withdraw", target=report, version=report.version,
          task=task.pk if task else None)
    return report


def report_step_started(*, report: Report, step: str, owner: User,
                        on_behalf_of: User | None, due: datetime.date | None
                        ) -> Report:
    """A new task of the report's flow was assigned: its deadline (``due``, by the step's
    rule) and its owner's grant."""
    from records.audit import append

    report.step_due_date = due
    report.save(update_fields=["step_due_date", "updated_at"])
    permissions.grant_view(report, [owner, on_behalf_of])
    append(**_step_event(report, step, owner, on_behalf_of))
    return report


def _step_event(report: Report, step: str, owner: User, on_behalf_of: User | None
                ) -> dict:
    return audit_event(actor=None, action=f"report.assign.{step}", target=report,
                       owner=owner.username,
                       on_behalf_of=on_behalf_of.username if on_behalf_of else None,
                       due=report.step_due_date.isoformat())


def report_cancel(*, report: Report, by: User, reason: str) -> Report:
    """A report opened in error is cancelled with a reason (its process was cancelled by the
    caller): never deleted, and the reason stays in its history."""
    report.status = Status.CANCELLED
    report.step_due_date = None
    report.save()
    Opinion.objects.create(record=report, author=by, kind=Opinion.Kind.CANCEL, text=reason)
    audit(actor=by, action=f"{report._meta.model_name}.cancel", target=report, reason=reason)
    return report
