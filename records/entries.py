"""The kinds of record, one entry each (records.kinds says what an entry holds)."""

from django.db.models import Q

from .deadlines import report_due_date
from .documents import sheet_heads
from .kinds import RecordKind, register
from .models import (
    Problem,
    ProblemUserObjectPermission,
    QuarterlyReport,
    QuarterlyReportUserObjectPermission,
)
from .services import problems, reports

register(RecordKind(
    key="report", model=QuarterlyReport, arg="report", namespace="reports",
    content_fields=("work_done", "problems", "next_steps"),
    grant_table=QuarterlyReportUserObjectPermission,
    item_label=lambda report: report.period,
    sheet_head=sheet_heads.report_head,
    record_deadlines={"submission": ("due_date", lambda report, calendar: report_due_date(
        report.year, report.quarter, calendar))},
    cancel=reports.report_cancel,
))
register(RecordKind(
    key="problem", model=Problem, arg="problem", namespace="problems",
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
