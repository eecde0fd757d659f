"""What each kind of record puts at the head of its approval sheet (records.kinds)."""

from django.utils.translation import gettext as _

from records.models import AnnualReport, Problem, QuarterlyReport

from .sheets import SheetHead, SheetRow, day, extension_row, name, summarise, verbose


def report_head(report: QuarterlyReport) -> SheetHead:
    title = _("Quarterly report approval sheet")
    number = f"HB-{report.year}Q{report.quarter}-{report.pk:06d}"
    fields = [
        (verbose(QuarterlyReport, "unit"), report.unit.name),
        (_("Period"), _("%(year)s, quarter %(quarter)s") % {"year": report.year,
                                                            "quarter": report.quarter}),
        (verbose(QuarterlyReport, "status"), str(report.get_status_display())),
        (verbose(QuarterlyReport, "version"), str(report.version)),
        (verbose(QuarterlyReport, "due_date"), day(report.due_date)),
        (verbose(QuarterlyReport, "submitted_at"), day(report.submitted_at)),
        (verbose(QuarterlyReport, "signed_off_by"), name(report.signed_off_by)),
        (verbose(QuarterlyReport, "signed_off_at"), day(report.signed_off_at)),
    ]
    content = [(verbose(QuarterlyReport, name), summarise(getattr(report, name)))
               for name in ("work_done", "problems", "next_steps")]
    first = SheetRow(step=_("Opened"), person=name(report.opened_by) or _("System"),
                     received=report.created_at, finished=report.created_at,
                     at=report.created_at)
    return SheetHead(title, number, fields, content, first, opinion_versions=True)


def annual_report_head(report: AnnualReport) -> SheetHead:
    title = _("Annual report approval sheet")
    number = f"ND-{report.year}-{report.pk:06d}"
    fields = [
        (verbose(AnnualReport, "leader"), name(report.leader)),
        (verbose(AnnualReport, "unit"), report.unit.name),
        (verbose(AnnualReport, "year"), str(report.year)),
        (verbose(AnnualReport, "status"), str(report.get_status_display())),
        (verbose(AnnualReport, "version"), str(report.version)),
        (verbose(AnnualReport, "due_date"), day(report.due_date)),
        (verbose(AnnualReport, "submitted_at"), day(report.submitted_at)),
        (verbose(AnnualReport, "signed_off_by"), name(report.signed_off_by)),
        (verbose(AnnualReport, "signed_off_at"), day(report.signed_off_at)),
    ]
    content = [(verbose(AnnualReport, field), summarise(getattr(report, field)))
               for field in ("work_done", "problems", "next_steps", "integrity")]
    first = SheetRow(step=_("Opened"), person=name(report.opened_by) or _("System"),
                     received=report.created_at, finished=report.created_at,
                     at=report.created_at)
    return SheetHead(title, number, fields, content, first, opinion_versions=True)


def problem_head(problem: Problem) -> SheetHead:
    title = _("Problem rectification approval sheet")
    number = f"WT-{problem.found_on.year}-{problem.pk:06d}"
    fields = [
        (verbose(Problem, "unit"), problem.unit.name),
        (verbose(Problem, "source"), str(problem.get_source_display())),
        (verbose(Problem, "category"), str(problem.get_category_display())),
        (verbose(Problem, "found_on"), day(problem.found_on)),
        (verbose(Problem, "problem_list"),
         problem.problem_list.title if problem.problem_list_id else ""),
        (verbose(Problem, "person_concerned"), problem.person_concerned),
        (verbose(Problem, "planned_date"), day(problem.planned_date)),
        (verbose(Problem, "approved_date"), day(problem.approved_date)),
        (verbose(Problem, "due_date"), day(problem.due_date) if problem.is_open else ""),
        (verbose(Problem, "status"), str(problem.get_status_display())),
        (verbose(Problem, "closed_at"), day(problem.closed_at)),
        (verbose(Problem, "filed_at"), day(problem.filed_at)),
    ]
    content = [(verbose(Problem, name), summarise(getattr(problem, name)))
               for name in ("description", "root_cause", "measures")]
    first = SheetRow(step=_("Registered"), person=name(problem.registered_by),
                     received=problem.registered_at, finished=problem.registered_at,
                     at=problem.registered_at)
    extensions = [extension_row(request)
                  for request in problem.extensions.select_related("requested_by")]
    return SheetHead(title, number, fields, content, first, side_rows=extensions)
