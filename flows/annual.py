"""The leader's annual report (年度履责情况汇报), seed duty 6: leader → secretary."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from viewflow import this
from viewflow.workflow import flow

from accounts import chain
from accounts.models import Post, Unit, User
from records.models import AnnualReport
from records.services import annual_reports, reports

from . import steps, views
from .base import ChainFlowMixin, on_behalf_of, step_due
from .models import RecordProcess
from .nodes import ChainView, End, StartHandle, Switch


class AnnualReportFlow(ChainFlowMixin, flow.Flow):
    """Annual report

    Every January each member of the leadership group reports to the secretary on how
    they carried out their duties over the year; the secretary signs it off or returns it
    with an opinion.
    """

    process_class = RecordProcess
    record_model = AnnualReport
    record_kind = "annual_report"
    process_title = _("Annual report")
    process_description = _("A leadership member's annual report to the secretary.")

    start = (StartHandle(this.start_annual_report)
             .Annotation(title=pgettext_lazy("report", "Open")).Next(this.draft))

    draft = (
        ChainView(views.EditView.as_view())
        .Step(steps.ANNUAL_REPORT_DRAFT)
        .Annotation(title=_("Draft and submit"))
        .Assign(this.assign_leader)
        .Holders(this.leader)
        .onCreate(this.on_task_created)
        .Next(this.review)
    )

    review = (
        ChainView(views.DecisionView.as_view())
        .Step(steps.ANNUAL_REPORT_REVIEW)
        .Annotation(title=_("Secretary's review"))
        .Assign(this.assign_secretary)
        .Holders(this.secretary)
        .onCreate(this.on_task_created)
        .Next(this.is_signed_off)
    )

    is_signed_off = (
        Switch()
        .Annotation(title=_("Signed off?"))
        .Case(this.end, this.signed_off)
        .Default(this.draft)
    )

    end = End().Annotation(title=_("Archived"))

    def start_annual_report(self, activation, leader: User, unit: Unit, year: int,
                            by: User | None, day=None):
        activation.process.save()
        annual_reports.annual_report_create(leader=leader, unit=unit, year=year,
                                            process=activation.process, by=by, day=day)
        return activation.process

    def leader(self, record, task) -> list[User | None]:
        """The report's leader while they are in the leadership group."""
        return [record.leader] if record.leader in chain.holders(record.unit, Post.Role.LEADER) \
            else []

    def secretary(self, record, task) -> list[User | None]:
        return [annual_reports.secretary_of(record.unit)]

    def assign_leader(self, activation) -> User:
        record = self.record_of(activation.process)
        return self.assign(activation, chain.assignee_for(
            record.leader, _("%(leader)s's annual report") % {"leader": record.leader}))

    def assign_secretary(self, activation) -> User:
        record = self.record_of(activation.process)
        return self.assign(activation, chain.assignee_for(
            annual_reports.secretary_of(record.unit),
            _("%(unit)s has no party secretary.") % {"unit": record.unit}))

    def on_task_created(self, activation):
        task = activation.task
        record = self.record_of(activation.process)
        if task.flow_task is self.review:
            # the secretary reads the annex as it stands at the submission
            annual_reports.annual_report_refresh_annex(report=record)
        reports.report_step_started(report=record, step=task.flow_task.name, owner=task.owner,
                                    on_behalf_of=on_behalf_of(task),
                                    due=step_due(activation, record))

    def signed_off(self, activation) -> bool:
        return self.status_of(activation.process) == AnnualReport.Status.SIGNED_OFF
