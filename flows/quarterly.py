"""Quarterly report (季度履责汇报), seed duty 6: unit head → supervising leader."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from viewflow import this
from viewflow.workflow import flow

from accounts import chain
from accounts.models import Unit, User
from records.models import QuarterlyReport
from records.services import duty_annex
from records.services import reports as services

from . import steps, views
from .base import ChainFlowMixin, on_behalf_of, step_due
from .models import ReportProcess
from .nodes import ChainView, End, StartHandle, Switch


class QuarterlyReportFlow(ChainFlowMixin, flow.Flow):
    """Quarterly report

    A unit reports each quarter on its main responsibility to the leader who
    oversees it; the leader signs it off or returns it with an opinion.
    """

    process_class = ReportProcess
    record_model = QuarterlyReport
    record_kind = "report"
    process_title = _("Quarterly report")
    process_description = _("A unit's quarterly report to its supervising leader.")

    start = StartHandle(this.start_report).Annotation(title=pgettext_lazy("report", "Open")).Next(this.draft)

    draft = (
        ChainView(views.EditView.as_view())
        .Step(steps.REPORT_DRAFT)
        .Annotation(title=_("Draft and submit"))
        .Assign(this.assign_unit_head)
        .Holders(this.unit_head)
        .onCreate(this.on_task_created)
        .Next(this.review)
    )

    review = (
        ChainView(views.DecisionView.as_view())
        .Step(steps.REPORT_REVIEW)
        .Annotation(title=_("Review"))
        .Assign(this.assign_reviewer)
        .Holders(this.reviewers)
        .onCreate(this.on_task_created)
        .Next(this.is_signed_off)
    )

    # signed off → archived; agreed at a lower level → the next level reviews; returned → draft
    is_signed_off = (
        Switch()
        .Annotation(title=_("Signed off?"))
        .Case(this.end, this.signed_off)
        .Case(this.review, this.passed_up)
        .Default(this.draft)
    )

    end = End().Annotation(title=_("Archived"))

    def start_report(self, activation, unit: Unit, year: int, quarter: int, by: User | None):
        activation.process.save()
        services.report_create(unit=unit, year=year, quarter=quarter,
                               process=activation.process, by=by)
        return activation.process

    def assign_unit_head(self, activation) -> User:
        return self.assign(activation, chain.unit_head_assignee(activation.process.report.unit))

    def on_task_created(self, activation):
        task, report = activation.task, activation.process.report
        # the annex of duty records, as the drafter starts and the reviewers read it
        duty_annex.report_duty_annex_refresh(report=report)
        services.report_step_started(report=report, step=task.flow_task.name, owner=task.owner,
                                     on_behalf_of=on_behalf_of(task),
                                     due=step_due(activation, report))

    def signed_off(self, activation) -> bool:
        return self.status_of(activation.process) == QuarterlyReport.Status.SIGNED_OFF

    def passed_up(self, activation) -> bool:
        return self.status_of(activation.process) == QuarterlyReport.Status.SUBMITTED
