"""Problem rectification (问题整改), seed duties 13, 19 and 20: found → analysed → approved →
rectified → verified and closed out (销号) → filed with the stationed group (备案)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from viewflow import this
from viewflow.workflow import flow

from accounts import chain
from accounts.models import Unit, User
from records.models import Problem
from records.services import problems

from . import countersign, routing, steps, views
from .base import ChainFlowMixin, on_behalf_of, step_due
from .models import ProblemProcess
from .nodes import ChainView, End, Function, If, StartHandle, Switch


class RectificationFlow(ChainFlowMixin, flow.Flow):
    """Problem rectification

    Every problem found gets an owner, a root-cause analysis, measures and a
    deadline, and is closed only when the discipline committee has verified it.
    """

    process_class = ProblemProcess
    record_model = Problem
    record_kind = "problem"
    process_title = gettext_lazy("Problem rectification")

    start = StartHandle(this.start_problem).Annotation(
        title=gettext_lazy("Register")).Next(this.analyse)

    analyse = (
        ChainView(views.EditView.as_view())
        .Step(steps.PROBLEM_ANALYSE)
        .Annotation(title=gettext_lazy("Root-cause analysis and measures"))
        .Assign(this.assign_unit_head)
        .Holders(this.unit_head)
        .onCreate(this.on_task_created)
        .Next(this.approve_plan)
    )

    approve_plan = (
        ChainView(views.DecisionView.as_view())
        .Step(steps.PROBLEM_APPROVE_PLAN)
        .Annotation(title=gettext_lazy("Approve the plan"))
        .Assign(this.assign_reviewer)
        .Holders(this.reviewers)
        .onCreate(this.on_task_created)
        .Next(this.is_plan_approved)
    )

    # approved → rectify; agreed at a lower level → the next level; returned → analyse again
    is_plan_approved = (
        Switch().Annotation(title=gettext_lazy("Plan approved?"))
        .Case(this.is_joint, this.plan_approved)
        .Case(this.approve_plan, this.plan_passed_up)
        .Default(this.analyse)
    )

    # a problem of one unit is rectified by that unit; a joint problem (several units
    # involved) by each unit's head writing its part: a countersign (会签)
    is_joint = (
        If(this.joint).Annotation(title=gettext_lazy("Several units involved?"))
        .Then(this.start_parts).Else(this.rectify)
    )

    start_parts = countersign.Start(this.part_units).Annotation(
        title=gettext_lazy("Open the units' parts")).Next(this.rectify_parts)

    rectify_parts = (
        countersign.PartView(views.WorkView.as_view())
        .Step(steps.PROBLEM_RECTIFY_PART)
        .Annotation(title=gettext_lazy("Rectify: a unit's part (countersign)"))
        .Assign(this.assign_part)
        .Holders(this.part_head)
        .onCreate(this.on_part_created)
        .Next(this.parts_joined)
    )

    parts_joined = countersign.Join().Annotation(
        title=gettext_lazy("Parts written")).Next(this.parts_done)

    parts_done = Function(this.report_parts_done).Annotation(
        title=gettext_lazy("Rectification reported")).Next(this.verify)

    rectify = (
        ChainView(views.WorkView.as_view())
        .Step(steps.PROBLEM_RECTIFY)
        .Annotation(title=gettext_lazy("Rectify"))
        .Assign(this.assign_unit_head)
        .Holders(this.unit_head)
        .onCreate(this.on_task_created)
        .Next(this.verify)
    )

    verify = (
        ChainView(views.DecisionView.as_view())
        .Step(steps.PROBLEM_VERIFY)
        .Annotation(title=gettext_lazy("Verify and close out"))
        .Assign(this.assign_verifier)
        .Holders(this.committee)
        .onCreate(this.on_task_created)
        .Next(this.is_closed)
    )

    is_closed = (
        If(this.closed).Annotation(title=gettext_lazy("Closed out?"))
        .Then(this.file).Else(this.is_joint)
    )

    file = Function(this.file_problem).Annotation(
        title=gettext_lazy("File with the stationed group")).Next(this.end)

    end = End().Annotation(title=gettext_lazy("Filed"))

    def start_problem(self, activation, **fields):
        activation.process.save()
        problems.problem_create(process=activation.process, **fields)
        return activation.process

    def assign_unit_head(self, activation) -> User:
        return self.assign(activation, chain.unit_head_assignee(activation.process.problem.unit))

    def assign_verifier(self, activation) -> User:
        """The committee member who registered it, or else the committee's longest-serving;
        by recusal another member, then the secretary (flows.routing.verifier)."""
        level = routing.verifier(self.record_of(activation.process))
        return self.assign(activation, level.assignee, level)

    def on_task_created(self, activation):
        task, problem = activation.task, activation.process.problem
        problems.problem_step_started(problem=problem, step=task.flow_task.name,
                                      owner=task.owner, on_behalf_of=on_behalf_of(task),
                                      due=step_due(activation, problem))

    def joint(self, activation) -> bool:
        return self.record_of(activation.process).co_units.exists()

    def part_units(self, activation) -> list[Unit]:
        """The lead (responsible) unit first, then the other units involved, in unit order."""
        problem = self.record_of(activation.process)
        others = problem.co_units.exclude(pk=problem.unit_id).order_by("order", "code")
        return [problem.unit, *others]

    def assign_part(self, activation) -> User:
        part = countersign.part_of(activation.task)
        return self.assign(activation, chain.unit_head_assignee(part.unit))

    def part_head(self, record, task) -> list[User | None]:
        part = countersign.part_of(task)
        return [chain.head_of(part.unit)] if part is not None and part.unit else []

    def on_part_created(self, activation):
        task = activation.task
        problem = self.record_of(activation.process)
        parts = countersign.parts_of(activation.process, task.flow_task.name)
        in_turn = parts[0].mode == countersign.Mode.SEQUENCE
        # each part is due by its step's rule (the plan's date), until an extension of that
        # part is granted
        part = next(p for p in parts if p.task_id == task.pk)
        part.due_date = step_due(activation, problem)
        part.save(update_fields=["due_date"])
        due = min((p.due_date for p in parts if p.status == countersign.Status.PENDING
                   and p.due_date is not None), default=problem.planned_date)
        problems.problem_part_started(
            problem=problem, step=task.flow_task.name, owner=task.owner,
            on_behalf_of=on_behalf_of(task),
            assignee=task.owner if in_turn else (parts[0].participant or task.owner),
            due=due)

    def task_due(self, activation, record):
        # a unit's part is due on its own date
        part = countersign.part_of(activation.task)
        return part.due_date if part is not None else record.step_due

    def report_parts_done(self, activation):
        problems.problem_parts_done(problem=self.record_of(activation.process))

    def plan_approved(self, activation) -> bool:
        return self.status_of(activation.process) == Problem.Status.RECTIFYING

    def plan_passed_up(self, activation) -> bool:
        return self.status_of(activation.process) == Problem.Status.PLAN_REVIEW

    def closed(self, activation) -> bool:
        return self.status_of(activation.process) == Problem.Status.CLOSED

    def file_problem(self, activation):
        problems.problem_file(problem=self.record_of(activation.process))
