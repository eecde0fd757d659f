"""Taking an action on a task: the one way the task pages, the API and bulk sign-off act.

``take`` runs an action of the task's step (flows/steps.py) the way viewflow runs a task
page: under the flow's row lock and a transaction, on a task the user owns, that is still
open, and that they may still act on today (flows/qualification.py). The action's form
validates the fields exactly as on the page; its service does the work; a completing
action finishes the task and the flow moves on.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from contextlib import contextmanager

from django import forms as django_forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import User
from records import audit, kinds

from . import qualification, steps
from .base import on_behalf_of
from .steps import LAST_LEVEL, LOWER_LEVELS, Action


class TaskConflict(Exception):
    """The task was already handled (or is otherwise not open): nothing was changed."""


def flow_name(flow_class) -> str:
    """quarterlyreport, rectification: as in the task pages' URLs."""
    return flow_class.__name__.removesuffix("Flow").lower()


def flow_key(task: Task) -> tuple[str, str]:
    return flow_name(task.flow_task.flow_class), task.flow_task.name


def actions_of(task: Task) -> dict[str, Action]:
    """The actions of the task's step (empty for a step people do not act on)."""
    return steps.actions(task.flow_task)


def _is_last_level(task) -> bool:
    """Set when the task was assigned (and again when the chain moves it): flows/base.py."""
    return task.data.get("level", 1) >= task.data.get("levels", 1)


def refusal(action: Action, task: Task) -> str:
    """Why ``action`` may not be taken at ``task`` now ("" when it may): in a review level by
    level, the last level decides and a lower one passes up."""
    if action.levels == LAST_LEVEL and not _is_last_level(task):
        return _("This goes on to the next level for review: pass it up or return it.")
    if action.levels == LOWER_LEVELS and _is_last_level(task):
        return _("You are the last level of review: decide, or return it.")
    return ""


def open_actions(task: Task) -> list[str]:
    """The actions the task allows now; reads only the task."""
    return [name for name, action in actions_of(task).items() if not refusal(action, task)]


def owned_task(task_pk: int, user: User) -> Task:
    task = Task.objects.filter(pk=task_pk, owner_id=user.pk, flow_task_type="HUMAN").first()
    # a task of somebody else's is a 404: the API does not say it exists
    if task is None or not actions_of(task):
        raise Http404(_("No such task."))
    return task


def validate(action: Action, record, data: Mapping, files: Mapping) -> dict:
    """The fields of ``action`` cleaned by its form, as on the page (only those sent)."""
    form_class = action.form
    if form_class is None:
        return {}
    kwargs = {}
    if issubclass(form_class, django_forms.ModelForm):
        # a model form writes what it cleaned onto its instance: a copy, so that a field not
        # sent does not blank the record the service saves
        kwargs["instance"] = copy.copy(record)
    if getattr(form_class, "takes_record", False):
        kwargs["record"] = record
    form = form_class(data, files, **kwargs)
    if not form.is_valid():
        raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
    # only what was sent: a field left out is left as it is (an empty save changes nothing)
    return {field: value for field, value in form.cleaned_data.items()
            if field in data or field in files}


def perform(action: Action, record, user: User, task: Task, fields: dict):
    """Call the action's service (flows/steps.py says how); a decision is also copied (抄送)
    to whom its step names and the decider chose, in one append to the audit trail."""
    arg = {kinds.kind_of(record).arg: record}
    if not action.decision:
        return action.service(**arg, by=user, task=task, **fields)
    from . import approvals

    with audit.together():
        result = action.service(**arg, by=user, task=task, on_behalf_of=on_behalf_of(task),
                                opinion=fields.get("opinion", ""))
        node = task.flow_task
        approvals.copy_to(record=record, by=user, task=task, step=node.name, recipients=[
            *approvals.default_copies(record, node, action.name),
            *(fields.get("copy_to") or [])])
    return result


@contextmanager
def own_open_task(task: Task, user: User):
    """Under the flow's row lock and a transaction, the task fresh from the database and its
    record: still the user's (else 404), still open (else TaskConflict), and still theirs to
    act on today (else PermissionDenied)."""
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


def run(action: Action, task: Task, record, user: User, fields: dict, request=None):
    """Take ``action`` on a task locked and checked by ``own_open_task``: a completing action
    finishes the task. (A task page runs ``perform`` in viewflow's activation instead.)"""
    if not action.completes:
        return perform(action, record, user, task, fields)
    activation = task.flow_task.activation_class(task)
    activation.start(request)
    result = perform(action, record, user, task, fields)
    activation.execute()
    return result


def take(*, task_pk: int, name: str, user: User, data: Mapping, files: Mapping | None = None,
         request=None, check: Callable[[Action], None] | None = None):
    """Take action ``name`` on the task; returns (task, record, what the service returned).

    ``check(action)``, when given, runs first (the API checks the body's types with it).
    Raises Http404 (not the user's task, or no such action), TaskConflict (already
    handled), PermissionDenied (no longer theirs to act on), ValidationError (the
    service's or the form's message), FlowLockFailed.
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
    if action is steps.TRANSFER:
        from . import approvals

        cleaned = validate(action, None, data, {})
        task = approvals.transfer(task_pk=task.pk, by=user, to=cleaned.get("to"),
                                  reason=cleaned.get("reason", ""))
        return task, flow_class.instance.record_of(task.process), None
    with own_open_task(task, user) as (task, record):
        reason = refusal(action, task)
        if reason:
            raise ValidationError(reason)
        fields = validate(action, record, data, files or {})
        result = run(action, task, record, user, fields, request)
    record.refresh_from_db()
    return task, record, result
