"""What can be done at each step of each flow, by name: the API's task actions.

The browser's task pages (flows/views.py) and this registry call the same
services with the same forms, so an action is validated exactly as its page
validates it. ``take`` runs one action the way viewflow runs a task page: under
the flow's row lock and a transaction, on a task the user owns and that is
still open; a completing action finishes the task and the flow moves on.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from django import forms as django_forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import User
from records.forms import (
    CountersignPartForm,
    EvidenceForm,
    ExtensionForm,
    PlanDraftForm,
    ProblemAnalysisForm,
    ProgressForm,
    ReportContentForm,
    ReviewForm,
    TransferForm,
)
from records.services import problems
from records.services import reports as services

from . import qualification
from .base import on_behalf_of


class TaskConflict(Exception):
    """The task was already handled (or is otherwise not open): nothing was changed."""


@dataclass(frozen=True)
class Action:
    name: str
    label: object
    # validates the fields, as on the task page; None when the action has none
    form: type[django_forms.Form] | None
    # handler(record, user, task, cleaned_data) → what the service returned
    handler: Callable
    # finishes the task (the flow moves to its next step)
    completes: bool
    # a ModelForm bound to the record, as on the page
    model_form: bool = False
    # (record, task) → "" when the action may be taken now, else why not
    refusal: Callable | None = None

    def refused(self, record, task) -> str:
        return self.refusal(record, task) if self.refusal else ""


def decide(service, field: str, decision: str, record, user, task, data) -> object:
    """A reviewer's decision, as on the page and through the API: the service, then the
    copies the step makes by configuration and by the reviewer's choice (抄送)."""
    from records import audit

    from . import approvals

    with audit.together():  # the decision and its copies: one append to the audit trail
        result = service(**{field: record}, by=user, opinion=data.get("opinion", ""),
                         task=task, on_behalf_of=on_behalf_of(task))
        step = task.flow_task.name
        approvals.copy_to(record=record, by=user, task=task, step=step, recipients=[
            *approvals.default_copies(record, step, decision), *(data.get("copy_to") or [])])
    return result


def _decision(service, field, decision):
    def handler(record, user, task, data):
        return decide(service, field, decision, record, user, task, data)
    return handler


def _is_last_level(task) -> bool:
    """Set when the task was assigned (and again when the chain moves it): flows/base.py."""
    return task.data.get("level", 1) >= task.data.get("levels", 1)


def _at_last_level(record, task) -> str:
    if _is_last_level(task):
        return ""
    return _("This goes on to the next level for review: pass it up or return it.")


def _below_last_level(record, task) -> str:
    if not _is_last_level(task):
        return ""
    return _("You are the last level of review: decide, or return it.")


def _save_plan(record, user, task, data):
    return problems.problem_save_plan_draft(problem=record, by=user, data=data)


def _save(record, user, task, data):
    return services.report_save_draft(report=record, by=user, data=data)


def _submit(record, user, task, data):
    return services.report_submit(report=record, by=user, data=data, task=task)


def _analyse(record, user, task, data):
    return problems.problem_analyse(problem=record, by=user, root_cause=data["root_cause"],
                                    measures=data["measures"],
                                    planned_date=data["planned_date"], task=task)


def _progress(record, user, task, data):
    return problems.problem_add_progress(problem=record, by=user, text=data["text"])


def _evidence(record, user, task, data):
    return problems.evidence_add(problem=record, by=user, upload=data["file"])


def _extension(record, user, task, data):
    from . import extensions

    return extensions.request(problem=record, by=user, task=task, new_date=data["new_date"],
                              reason=data["reason"])


def _report_done(record, user, task, data):
    return problems.problem_report_rectified(problem=record, by=user)


def _submit_part(record, user, task, data):
    from .registration import submit_rectification_part

    return submit_rectification_part(problem=record, task=task, by=user, text=data["text"],
                                     upload=data.get("file"))


def _actions(*actions: Action) -> dict[str, Action]:
    return {action.name: action for action in actions}


def _review(field: str, decide_action: Action, pass_up, return_) -> dict[str, Action]:
    """A review step, level by level: the last level decides, a lower one passes it up;
    any level returns it."""
    return _actions(
        decide_action,
        Action("pass_up", gettext_lazy("Agree and pass up"), ReviewForm,
               _decision(pass_up, field, "pass_up"), True, refusal=_below_last_level),
        Action("return", gettext_lazy("Return with opinion"), ReviewForm,
               _decision(return_, field, "return"), True),
    )


# what a unit does while it rectifies, before it reports it done (or submits its part)
RECTIFYING = (
    Action("progress", gettext_lazy("Note progress"), ProgressForm, _progress, False),
    Action("evidence", gettext_lazy("Upload evidence"), EvidenceForm, _evidence, False),
    Action("request_extension", gettext_lazy("Ask for more time"), ExtensionForm, _extension,
           False),
)

# (flow name, node name) → action name → Action
ACTIONS: dict[tuple[str, str], dict[str, Action]] = {
    ("quarterlyreport", "draft"): _actions(
        Action("save", gettext_lazy("Save the draft"), ReportContentForm, _save, False, True),
        Action("submit", gettext_lazy("Submit"), ReportContentForm, _submit, True, True),
    ),
    ("quarterlyreport", "review"): _review(
        "report", Action("sign_off", gettext_lazy("Sign off"), ReviewForm,
                         _decision(services.report_sign_off, "report", "sign_off"), True,
                         refusal=_at_last_level),
        services.report_pass_up, services.report_return),
    ("rectification", "analyse"): _actions(
        Action("save", gettext_lazy("Save the draft"), PlanDraftForm, _save_plan, False),
        Action("analyse", gettext_lazy("Send the plan for approval"), ProblemAnalysisForm,
               _analyse, True, True),
    ),
    ("rectification", "approve_plan"): _review(
        "problem", Action("approve_plan", gettext_lazy("Approve the plan"), ReviewForm,
                          _decision(problems.problem_approve_plan, "problem", "approve_plan"),
                          True, refusal=_at_last_level),
        problems.problem_pass_up_plan, problems.problem_return_plan),
    ("rectification", "rectify"): _actions(
        *RECTIFYING,
        Action("report_done", gettext_lazy("Report the rectification done"), None,
               _report_done, True),
    ),
    # a joint problem: each unit's head works on their part as on a one-unit rectification
    ("rectification", "rectify_parts"): _actions(
        *RECTIFYING,
        Action("submit_part", gettext_lazy("Submit my part"), CountersignPartForm,
               _submit_part, True),
    ),
    ("rectification", "verify"): _actions(
        Action("close_out", gettext_lazy("Close out"), ReviewForm,
               _decision(problems.problem_close_out, "problem", "close_out"), True),
        Action("send_back", gettext_lazy("Send back to rectify"), ReviewForm,
               _decision(problems.problem_send_back, "problem", "send_back"), True),
    ),
}

# every step whose post others can hold may be handed over (转办): flows/approvals.py
TRANSFER = Action("transfer", gettext_lazy("Transfer"), TransferForm, None, False)
for (_flow, _step), _actions_of_step in ACTIONS.items():
    if f"{_flow}.{_step}" in settings.DUTYCHAIN_TRANSFER:
        _actions_of_step["transfer"] = TRANSFER

ACTION_NAMES = sorted({name for actions in ACTIONS.values() for name in actions})


def flow_name(flow_class) -> str:
    """quarterlyreport, rectification: as in the task pages' URLs."""
    return flow_class.__name__.removesuffix("Flow").lower()


def flow_key(task: Task) -> tuple[str, str]:
    return flow_name(task.flow_task.flow_class), task.flow_task.name


def actions_of(task: Task) -> dict[str, Action]:
    """The actions of the task's step (empty for a step we do not know)."""
    return ACTIONS.get(flow_key(task), {})


def open_actions(task: Task) -> list[str]:
    """The actions the task allows now (a lower level of review passes up, the last decides);
    reads only the task."""
    return [name for name, action in actions_of(task).items()
            if action.refusal not in (_at_last_level, _below_last_level)
            or not action.refused(None, task)]


def owned_task(task_pk: int, user: User) -> Task:
    task = Task.objects.filter(pk=task_pk, owner_id=user.pk, flow_task_type="HUMAN").first()
    # a task of somebody else's is a 404: the API does not say it exists
    if task is None or not actions_of(task):
        raise Http404(_("No such task."))
    return task


def _validate(action: Action, record, data: Mapping, files: Mapping) -> dict:
    if action.form is None:
        return {}
    # a model form writes what it cleaned onto its instance: a copy, so that a field not
    # sent does not blank the record the service saves
    kwargs = {"instance": copy.copy(record)} if action.model_form else {}
    if getattr(action.form, "takes_record", False):
        kwargs["record"] = record
    form = action.form(data, files, **kwargs)
    if not form.is_valid():
        raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
    # only what was sent: a field left out is left as it is (an empty save changes nothing)
    return {field: value for field, value in form.cleaned_data.items()
            if field in data or field in files}


@contextmanager
def own_open_task(task: Task, user: User):
    """Under the flow's row lock and a transaction, the task fresh from the database and its
    record: still the user's (else 404) and still open (else TaskConflict)."""
    flow_class = task.flow_task.flow_class
    with flow_class.lock(task.process_id), transaction.atomic():
        task = Task.objects.select_related("process").get(pk=task.pk)
        if task.owner_id != user.pk:
            raise Http404(_("No such task."))
        if task.status == STATUS.CANCELED and task.data.get("countersign_part"):
            raise TaskConflict(_("Another participant has already decided this step; your "
                                 "part is not needed. Nothing was changed."))
        if task.status != STATUS.ASSIGNED:
            raise TaskConflict(_("This task has already been handled; nothing was changed."))
        record = flow_class.instance.record_of(task.process)
        if record is None:
            raise Http404(_("No such task."))
        refused = qualification.refusal(task, record, user)
        if refused:
            raise PermissionDenied(refused)
        yield task, record


def take(*, task_pk: int, name: str, user: User, data: Mapping, files: Mapping | None = None,
         request=None, check: Callable[[Action], None] | None = None):
    """Take action ``name`` on the task; returns (task, record, what the service returned).

    ``check(action)``, when given, runs first (the API checks the body's types with it).
    Raises Http404 (not the user's task, or no such action), TaskConflict (already
    handled), ValidationError (the service's or the form's message), FlowLockFailed.
    """
    task = owned_task(task_pk, user)
    action = actions_of(task).get(name)
    if action is None:
        raise Http404(_("This task has no action “%(name)s”; its actions are: %(names)s.")
                      % {"name": name, "names": ", ".join(actions_of(task))})
    if check is not None:
        check(action)
    if not isinstance(data, Mapping):
        raise ValidationError(_("Send the fields as an object."))
    flow_class = task.flow_task.flow_class
    if action is TRANSFER:
        from . import approvals

        cleaned = _validate(action, None, data, {})
        task = approvals.transfer(task_pk=task.pk, by=user, to=cleaned.get("to"),
                                  reason=cleaned.get("reason", ""))
        return task, flow_class.instance.record_of(task.process), None
    with own_open_task(task, user) as (task, record):
        refusal = action.refused(record, task)
        if refusal:
            raise ValidationError(refusal)
        cleaned = _validate(action, record, data, files or {})
        if action.completes:
            activation = task.flow_task.activation_class(task)
            activation.start(request)
            result = action.handler(record, user, task, cleaned)
            activation.execute()
        else:
            result = action.handler(record, user, task, cleaned)
    record.refresh_from_db()
    return task, record, result
