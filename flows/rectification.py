"""Problem rectification (问题整改), seed duties 13, 19 and 20: found → analysed → approved →
rectified → verified and closed out (销号) → filed with the stationed group (备案)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow import this
from viewflow.workflow import flow

from accounts import chain
from accounts.models import Unit, User
from records import permissions, problems
from records.models import Problem, ProblemList

from . import routing, views
from .base import ChainFlowMixin, on_behalf_of
from .models import ProblemProcess
from .nodes import ChainView


class RectificationFlow(ChainFlowMixin, flow.Flow):
    """Problem rectification

    Every problem found gets an owner, a root-cause analysis, measures and a
    deadline, and is closed only when the discipline committee has verified it.
    """

    detail_url = "problems:detail"
    process_class = ProblemProcess
    record_model = Problem
    process_title = gettext_lazy("Problem rectification")

    start = flow.StartHandle(this.start_problem).Annotation(
        title=gettext_lazy("Register")).Next(this.analyse)

    analyse = (
        ChainView(views.AnalyseView.as_view())
        .Annotation(title=gettext_lazy("Root-cause analysis and measures"))
        .Assign(this.assign_unit_head)
        .onCreate(this.on_task_created)
        .Next(this.approve_plan)
    )

    approve_plan = (
        ChainView(views.ApprovePlanView.as_view())
        .Annotation(title=gettext_lazy("Approve the plan"))
        .Assign(this.assign_plan_reviewer)
        .onCreate(this.on_task_created)
        .Next(this.is_plan_approved)
    )

    # approved → rectify; agreed at a lower level → the next level; returned → analyse again
    is_plan_approved = (
        flow.Switch().Annotation(title=gettext_lazy("Plan approved?"))
        .Case(this.rectify, this.plan_approved)
        .Case(this.approve_plan, this.plan_passed_up)
        .Default(this.analyse)
    )

    rectify = (
        ChainView(views.RectifyView.as_view())
        .Annotation(title=gettext_lazy("Rectify"))
        .Assign(this.assign_unit_head)
        .onCreate(this.on_task_created)
        .Next(this.verify)
    )

    verify = (
        ChainView(views.VerifyView.as_view())
        .Annotation(title=gettext_lazy("Verify and close out"))
        .Assign(this.assign_verifier)
        .onCreate(this.on_task_created)
        .Next(this.is_closed)
    )

    is_closed = (
        flow.If(this.closed).Annotation(title=gettext_lazy("Closed out?"))
        .Then(this.file).Else(this.rectify)
    )

    file = flow.Function(this.file_problem).Annotation(
        title=gettext_lazy("File with the stationed group")).Next(this.end)

    end = flow.End().Annotation(title=gettext_lazy("Filed"))

    def start_problem(self, activation, **fields):
        activation.process.save()
        problems.problem_create(process=activation.process, **fields)
        return activation.process

    def assign_unit_head(self, activation) -> User:
        return self.assign(activation, chain.unit_head_assignee(activation.process.problem.unit))

    def assign_plan_reviewer(self, activation) -> User:
        return self.assign_reviewer(activation, "approve_plan")

    def assign_verifier(self, activation) -> User:
        """The committee member who registered it, or else the committee's longest-serving;
        by recusal another member, then the secretary (flows.routing.verifier)."""
        level = routing.verifier(self.record_of(activation.process))
        return self.assign(activation, level.assignee, level)

    def on_task_created(self, activation):
        task = activation.task
        problems.problem_step_started(problem=activation.process.problem,
                                      step=task.flow_task.name, owner=task.owner,
                                      on_behalf_of=on_behalf_of(task))

    def plan_approved(self, activation) -> bool:
        return self.record_of(activation.process).status == Problem.Status.RECTIFYING

    def plan_passed_up(self, activation) -> bool:
        return self.record_of(activation.process).status == Problem.Status.PLAN_REVIEW

    def closed(self, activation) -> bool:
        return self.record_of(activation.process).status == Problem.Status.CLOSED

    def file_problem(self, activation):
        problems.problem_file(problem=self.record_of(activation.process))


def register_problems(*, by: User, source: str, found_on: datetime.date,
                      items: list[dict], title: str = "") -> list[Problem]:
    """Register one problem, or a problem list from one check: one flow per problem.

    ``items`` holds unit, category, description and (optionally) person_concerned.
    All or nothing: one bad item registers none.
    """
    if not permissions.can_register_problems(by):
        raise ValidationError(_("Only the discipline committee and leaders register problems."))
    if not items:
        raise ValidationError(_("Add at least one problem."))
    with transaction.atomic():
        problem_list = None
        if title or len(items) > 1:
            problem_list = ProblemList.objects.create(
                title=title or _("Problems found on %(date)s") % {"date": found_on},
                source=source, checked_on=found_on, registered_by=by)
        created = []
        for item in items:
            try:
                process = RectificationFlow.start.run(
                    by=by, source=source, found_on=found_on, problem_list=problem_list,
                    unit=item["unit"], category=item["category"],
                    description=item["description"],
                    person_concerned=item.get("person_concerned", ""))
            except chain.ChainGap as gap:
                raise ValidationError(str(gap)) from gap
            created.append(process.problem)
    return created


def units_for_registration() -> list[Unit]:
    return list(Unit.objects.filter(is_active=True).exclude(kind=Unit.Kind.BUREAU))
