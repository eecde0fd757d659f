"""The kinds of record, one entry each (records.kinds says what an entry holds)."""

from django.db.models import Q

from .deadlines import annual_report_due_date, report_due_date
from .documents import sheet_heads
from .kinds import RecordKind, register
from .models import (
    AnnualReport,
    AnnualReportUserObjectPermission,
    Problem,
    ProblemUserObjectPermission,
    QuarterlyReport,
    QuarterlyReportUserObjectPermission,
)
from .services import problems, reports

register(RecordKind(
    key="report", model=QuarterlyReport, flow_path="flows.quarterly.QuarterlyReportFlow",
    arg="report", namespace="reports",
    content_fields=("work_done", "problems", "next_steps"),
    grant_table=QuarterlyReportUserObjectPermission,
    item_label=lambda report: report.period,
    sheet_head=sheet_heads.report_head,
    record_deadlines={"submission": ("due_date", lambda report, calendar: report_due_date(
        report.year, report.quarter, calendar))},
    cancel=reports.report_cancel,
))
register(RecordKind(
    key="problem", model=Problem, flow_path="flows.rectification.RectificationFlow", icon="build",
    arg="problem", namespace="problems",
    content_fields=("root_cause", "measures", "planned_date"),
    grant_table=ProblemUserObjectPermission,
    item_label=lambda problem: problem.get_category_display(),
    sheet_head=sheet_heads.problem_head,
    step_due_field="due_date",
    cancel=problems.problem_cancel,
    assignee_field="assignee",
    involved_units_field="co_units",
    stationed_rows=Q(filed_at__isnull=False),
    stationed_sees=lambda problem: problem.filed_at is not None,
))
# a leader's annual report is a report: the report services serve it (arg "report")
register(RecordKind(
    key="annual_report", model=AnnualReport, flow_path="flows.annual.AnnualReportFlow",
    icon="summarize", arg="report", namespace="annual_reports", related=("unit", "leader"),
    content_fields=("work_done", "problems", "next_steps", "integrity"),
    grant_table=AnnualReportUserObjectPermission,
    item_label=lambda report: report.period,
    sheet_head=sheet_heads.annual_report_head,
    record_deadlines={"submission": ("due_date", lambda report, calendar:
                                     annual_report_due_date(report.year, calendar))},
    cancel=reports.report_cancel,
))
