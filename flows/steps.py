"""The step table: what each human step of each flow does, in one place.

A flow's graph names a node's step (``ChainView(...).Step(steps.REPORT_REVIEW)``); the
entry here says which actions the step offers — each with its form, the service it calls
and its label — when it is due, what a withdrawal returns it to, and who may take it
over, be copied on its decisions, or review it level by level. The task pages, the API
(one operation per action), the path ahead, bulk sign-off, the reminders, withdrawal and
recusal all read it, so from a node to the code that does the work is two hops: the
node's entry here, then the service.

An action's service is called as ``service(<record kind's arg>=record, by=…, task=…,
**fields)``, ``fields`` being what its form cleaned (only the fields sent); a decision's
also gets ``opinion`` and ``on_behalf_of``, and what it decides is copied (抄送) to
whom the step names. Settings may override a step's configuration per "flow.step"
(README: DUTYCHAIN_TRANSFER, DUTYCHAIN_COPY_TO, DUTYCHAIN_COUNTERSIGN, LEVEL_REVIEW_STEPS,
DUTYCHAIN_REMINDERS).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms as django_forms
from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from records import deadlines, kinds
from records.forms import (
    AnnualReportContentForm,
    AnnualReportSubmitForm,
    CountersignPartForm,
    EvidenceForm,
    ExtensionForm,
    PlanDraftForm,
    ProblemAnalysisForm,
    ProgressForm,
    ReportContentForm,
    ReportSubmitForm,
    ReviewForm,
    TransferForm,
)
from records.services import problems, reports
from records.services.evidence import evidence_add

from . import extensions, parts

# when an action may be taken at a step reviewed level by level (逐级审核)
LAST_LEVEL, LOWER_LEVELS = "last", "lower"


@dataclass(frozen=True)
class Action:
    """One thing a person may do at a step."""

    name: str  # in the API's path and in the audit: "sign_off"
    label: Promise  # the button
    service: Callable  # records.services.… (or a flows service): does the work
    form: type[django_forms.BaseForm] | None = None  # validates the fields, page and API
    completes: bool = False  # finishes the task: the flow moves on
    decision: bool = False  # a reviewer's decision: on_behalf_of, opinion, copies
    done: Promise = ""  # what the page says after it
    button: str = ""  # the page's button ("_" + name unless given)
    main: bool = False  # the page's main button
    levels: str = ""  # LAST_LEVEL or LOWER_LEVELS: only there (level-by-level review)

    @property
    def page_button(self) -> str:
        return self.button or f"_{self.name}"


@dataclass(frozen=True)
class Step:
    """One human step of a flow."""

    actions: tuple[Action, ...]
    # (record, day the step started, calendar or None) → its deadline: records.deadlines
    deadline: Callable
    # the owner writes what later steps judge: they may not review or verify it (recusal)
    drafting: bool = False
    # the node a withdrawal of this step returns to (its name in the same graph), and the
    # service that records the withdrawal: (record, by, reason, task)
    withdraw_to: str = ""
    withdraw: Callable | None = None
    # the posts whose holders may take it over (转办): "head", "liaison" of the record's
    # unit, or "leader", "committee", "secretary" around it
    transfer: tuple[str, ...] = ()
    # decision → roles its result is copied to (抄送): secretary, committee, stationed,
    # supervisor
    copy_to: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # assigned to the review of the record's unit (its supervising leader, recusal applied),
    # and reviewed level by level (逐级审核: the head of each unit above, then the leader)
    review: bool = False
    level_review: bool = False
    # a countersign (会签) step's mode: all, any or sequence (flows/countersign.py)
    countersign: str = ""
    # its page shows what changed since the submission before (versions on return)
    compare_versions: bool = False
    # the action a page's post without a button takes ("": it must name one)
    default: str = ""
    # whoever decides this step decides the record's extension requests too
    decides_extensions: bool = False

    def action(self, name: str) -> Action | None:
        return next((action for action in self.actions if action.name == name), None)


# -- actions several steps share --------------------------------------------------------------

# handing a task over (转办): flows/approvals.transfer does it (no service of its own)
TRANSFER = Action("transfer", _("Transfer"), service=None, form=TransferForm)

WORKING = (  # while a unit rectifies
    Action("progress", _("Note progress"), problems.problem_add_progress, ProgressForm,
           done=_("Progress noted.")),
    Action("evidence", _("Upload evidence"), evidence_add, EvidenceForm,
           done=_("Evidence uploaded.")),
    Action("request_extension", _("Ask for more time"), extensions.request, ExtensionForm,
           button="_extension",
           done=_("Extension requested; whoever decides the plan decides it.")),
)


def _review(decide: Action, pass_up, return_, *, returned: Promise) -> tuple[Action, ...]:
    """A review's decisions: the last level decides, a lower one passes it up; any level
    returns it with an opinion."""
    return (
        Action("return", _("Return with opinion"), return_, ReviewForm, completes=True,
               decision=True, done=returned),
        Action("pass_up", _("Agree and pass up"), pass_up, ReviewForm, completes=True,
               decision=True, main=True, levels=LOWER_LEVELS,
               done=_("Agreed and passed up to the next level.")),
        decide,
    )


# -- the quarterly report (flows/quarterly.py) -------------------------------------------------

REPORT_DRAFT = Step(
    drafting=True, deadline=deadlines.report_draft,
    transfer=("head", "liaison"),
    actions=(
        Action("save", _("Save the draft"), reports.report_save_draft, ReportContentForm,
               done=_("Draft saved. It has not been submitted yet.")),
        Action("submit", _("Submit for review"), reports.report_submit, ReportSubmitForm,
               completes=True, main=True,
               done=_("Submitted to the supervising leader for review.")),
    ))

REPORT_REVIEW = Step(
    deadline=deadlines.report_review, transfer=("leader",),
    withdraw_to="draft", withdraw=reports.report_withdraw,
    review=True, level_review=True, compare_versions=True, copy_to={"sign_off": ("secretary",)},
    actions=_review(
        Action("sign_off", _("Sign off"), reports.report_sign_off, ReviewForm, completes=True,
               decision=True, main=True, levels=LAST_LEVEL,
               done=_("Signed off and archived.")),
        reports.report_pass_up, reports.report_return,
        returned=_("Returned to the unit with your opinion.")))

# -- the leader's annual report (flows/annual.py): the report services, to the secretary ------

ANNUAL_REPORT_DRAFT = Step(
    drafting=True, deadline=deadlines.report_draft,
    actions=(
        Action("save", _("Save the draft"), reports.report_save_draft, AnnualReportContentForm,
               done=_("Draft saved. It has not been submitted yet.")),
        Action("submit", _("Submit for review"), reports.report_submit, AnnualReportSubmitForm,
               completes=True, main=True, done=_("Submitted to the secretary for review.")),
    ))

ANNUAL_REPORT_REVIEW = Step(
    deadline=deadlines.report_review,
    withdraw_to="draft", withdraw=reports.report_withdraw, compare_versions=True,
    actions=(
        Action("return", _("Return with opinion"), reports.report_return, ReviewForm,
               completes=True, decision=True, done=_("Returned to the leader with your opinion.")),
        Action("sign_off", _("Sign off"), reports.report_sign_off, ReviewForm, completes=True,
               decision=True, main=True, done=_("Signed off and archived.")),
    ))

# -- problem rectification (flows/rectification.py) --------------------------------------------

PROBLEM_ANALYSE = Step(
    drafting=True, default="analyse", deadline=deadlines.problem_analyse,
    transfer=("head", "liaison"),
    actions=(
        Action("save", _("Save the draft"), problems.problem_save_plan_draft, PlanDraftForm,
               done=_("Draft saved. It has not been sent yet.")),
        Action("analyse", _("Send the plan for approval"), problems.problem_analyse,
               ProblemAnalysisForm, completes=True, main=True, button="_submit",
               done=_("Plan sent to the supervising leader for approval.")),
    ))

PROBLEM_APPROVE_PLAN = Step(
    deadline=deadlines.problem_plan_review, transfer=("leader",),
    withdraw_to="analyse", withdraw=problems.problem_withdraw,
    review=True, compare_versions=True, decides_extensions=True,
    actions=_review(
        Action("approve_plan", _("Approve the plan"), problems.problem_approve_plan,
               ReviewForm, completes=True, decision=True, main=True, levels=LAST_LEVEL,
               button="_approve", done=_("Plan approved; the unit rectifies.")),
        problems.problem_pass_up_plan, problems.problem_return_plan,
        returned=_("Plan returned to the unit with your opinion.")))

PROBLEM_RECTIFY = Step(
    drafting=True, deadline=deadlines.problem_planned,
    transfer=("head", "liaison"),
    actions=(*WORKING,
             Action("report_done", _("Report the rectification done"),
                    problems.problem_report_rectified, completes=True, main=True,
                    button="_done",
                    done=_("Rectification reported; the discipline committee verifies it."))))

# a joint problem: each unit's head works on their part as on a one-unit rectification
PROBLEM_RECTIFY_PART = Step(
    drafting=True, deadline=deadlines.problem_planned, countersign="all",
    actions=(*WORKING,
             Action("submit_part", _("Submit my part"), parts.part_submit, CountersignPartForm,
                    completes=True, main=True, button="_submit",
                    done=_("Your unit's part is in."))))

PROBLEM_VERIFY = Step(
    deadline=deadlines.problem_verify, transfer=("committee",),
    withdraw_to="rectify", withdraw=problems.problem_withdraw,
    actions=(
        Action("send_back", _("Send back to rectify"), problems.problem_send_back, ReviewForm,
               completes=True, decision=True, done=_("Sent back to the unit to rectify.")),
        Action("close_out", _("Close out"), problems.problem_close_out, ReviewForm,
               completes=True, decision=True, main=True,
               done=_("Closed out and filed with the stationed group.")),
    ))


# -- reading the table, settings applied ----------------------------------------------------------

def key(node) -> str:
    """"quarterlyreport.review": a step's name in settings and in the API."""
    return f"{node.flow_class.__name__.removesuffix('Flow').lower()}.{node.name}"


def of(node) -> Step | None:
    """The step of a flow node (None for a node people do not act on)."""
    return getattr(node, "step", None)


def actions(node) -> dict[str, Action]:
    """The actions of a node's step, by name, with transfer where the step allows it."""
    step = of(node)
    if step is None:
        return {}
    found = {action.name: action for action in step.actions}
    if transfer_roles(node):
        found[TRANSFER.name] = TRANSFER
    return found


def transfer_roles(node) -> tuple[str, ...]:
    step = of(node)
    configured = getattr(settings, "DUTYCHAIN_TRANSFER", None) or {}
    return tuple(configured.get(key(node), step.transfer if step else ()))


def copy_roles(node, decision: str) -> tuple[str, ...]:
    step = of(node)
    configured = getattr(settings, "DUTYCHAIN_COPY_TO", None) or {}
    by_decision = configured.get(key(node), step.copy_to if step else {})
    return tuple(by_decision.get(decision, ()))


def level_review(node) -> bool:
    configured = getattr(settings, "DUTYCHAIN_LEVEL_REVIEW", None)
    if configured is not None:
        return key(node) in configured
    step = of(node)
    return bool(step and step.level_review)


def reminder_rules(node) -> dict:
    """When a step's assignee is reminded: the defaults, overridden per "flow.step"."""
    config = settings.DUTYCHAIN_REMINDERS
    return {**config["default"], **config.get(key(node), {})}


def all_steps(flow_class) -> list:
    """The nodes of a flow that people act on, in the graph's order."""
    return [node for node in flow_class.instance.nodes() if of(node) is not None]


def flows() -> list:
    """Every flow of the product: the flow of each kind of record (records.kinds)."""
    return [kind.flow_class for kind in kinds.all_kinds() if kind.flow_class is not None]


def every_step() -> list:
    """Every node people act on, of every flow."""
    return [node for flow_class in flows() for node in all_steps(flow_class)]


def action_names() -> list[str]:
    """The name of every action of every step (the API's enum)."""
    return sorted({name for node in every_step() for name in actions(node)})
