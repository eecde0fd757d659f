"""Task pages: each shows the record with its history and the forms of one step.

Three kinds of page serve every step, each reading its step's actions from the step table
(flows/steps.py) — the same actions, forms and services the API takes:

- ``DecisionView``: an opinion and one button per decision (sign off, return, pass up …);
- ``EditView``: one form with a button per action (save the draft, submit);
- ``WorkView``: a form per action while a unit works (progress, evidence, more time), and
  the step's main action (report it done, submit the part).

A step's template is ``flows/<flow>/<node>.html``, or the page kind's own.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.loader import select_template
from django.utils.translation import gettext as _
from django.views import generic

from records import kinds
from records.forms import TransferForm
from records.versions import latest_changes

from . import actions, countersign, qualification, steps
from .path import path_ahead
from .selectors import history, human_tasks


class StepView(generic.TemplateView):
    """A task page: the record, its history and the path ahead around the step's forms."""

    page = ""  # the page kind's template: flows/<page>.html

    def dispatch(self, request, *args, **kwargs):
        self.activation = request.activation
        self.task = self.activation.task
        self.node = self.task.flow_task
        self.step = steps.of(self.node)
        self.kind = kinds.kind_of(self.node.flow_class.instance.record_model)
        self.record = self.kind.model.objects.select_related(
            "unit__parent__parent__parent").get(process_id=self.activation.process.pk)
        refused = qualification.refusal(self.task, self.record, request.user)
        if refused:
            raise PermissionDenied(refused)
        return super().dispatch(request, *args, **kwargs)

    def get_template_names(self):
        flow = actions.flow_name(self.node.flow_class)
        return [select_template([f"flows/{flow}/{self.node.name}.html",
                                 f"flows/{self.page}.html"]).template.name]

    def open_actions(self) -> dict[str, steps.Action]:
        """The step's actions open now, by their page button."""
        return {action.page_button: action for action in self.step.actions
                if not actions.refusal(action, self.task)}

    def get_context_data(self, **kwargs):
        from . import approvals

        # the history, the path ahead and recusal read the same steps of the process
        tasks = human_tasks(self.record)
        candidates = approvals.transfer_candidates(self.task, self.record, tasks)
        return super().get_context_data(
            record=self.record, task=self.task, history=history(self.record, tasks),
            record_partial=f"records/_{self.kind.key}_block.html",
            record_head=f"records/_{self.kind.key}.html",
            recused=self.task.data.get("recused") or None,
            level=(self.task.data.get("level"), self.task.data.get("levels")),
            transfer_form=TransferForm(candidates=candidates) if candidates else None,
            path=path_ahead(self.record, tasks),
            **{self.kind.arg: self.record},
            **kwargs,
        )

    def perform(self, action: steps.Action, fields: dict):
        return actions.perform(action, self.record, self.request.user, self.task, fields)

    def done(self, action: steps.Action):
        """A completing action was taken: the flow moves on, and the record's page says so."""
        self.activation.execute()
        messages.success(self.request, action.done)
        return redirect(self.kind.url(self.record))

    def stay(self, action: steps.Action):
        messages.success(self.request, action.done)
        return redirect(self.request.get_full_path())

    def form_for(self, action: steps.Action, data=None, files=None):
        if action.form is None:
            return None
        kwargs = {}
        if getattr(action.form, "takes_record", False):
            kwargs["record"] = self.record
        if hasattr(action.form, "_meta"):  # a model form, on the record as it is
            kwargs["instance"] = self.record
        return action.form(data, files, **kwargs)


class DecisionView(StepView):
    """A reviewer's step: an opinion and one of several buttons, each a decision."""

    page = "decision"

    def main_action(self) -> steps.Action:
        return next(action for action in self.step.actions if action.decision)

    def get_context_data(self, **kwargs):
        decisions = {button: (action.name, action.done, action.label, action.main)
                     for button, action in self.open_actions().items() if action.decision}
        kwargs.setdefault("form", self.form_for(self.main_action()))
        changes = latest_changes(self.record) if self.step.compare_versions else None
        return super().get_context_data(decisions=decisions, changes=changes, **kwargs)

    def post(self, request, *args, **kwargs):
        chosen = next((action for button, action in self.open_actions().items()
                       if button in request.POST and action.decision), None)
        form = self.form_for(chosen or self.main_action(), request.POST, request.FILES)
        if chosen is None:
            form.is_valid()
            form.add_error(None, ValidationError(_("Choose one of the decisions.")))
            return self.render_to_response(self.get_context_data(form=form))
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            self.perform(chosen, form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.render_to_response(self.get_context_data(form=form))
        return self.done(chosen)


class EditView(StepView):
    """One form, a button per action: save what is written so far, or send it on."""

    page = "edit"

    def main_action(self) -> steps.Action:
        return next(action for action in self.step.actions if action.main)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.form_for(self.main_action()))
        buttons = [(button, action.label, action.main)
                   for button, action in self.open_actions().items() if action.form]
        return super().get_context_data(buttons=buttons, **kwargs)

    def post(self, request, *args, **kwargs):
        chosen = next((action for button, action in self.open_actions().items()
                       if button in request.POST), None) or self.step.action(self.step.default)
        # a draft may be incomplete: the pressed button's form decides what is required
        form = self.form_for(chosen or self.main_action(), request.POST, request.FILES)
        if chosen is None:
            form.is_valid()
            form.add_error(None, ValidationError(_("Choose to save the draft or to send it.")))
            return self.render_to_response(self.get_context_data(form=form))
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            self.perform(chosen, form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.render_to_response(self.get_context_data(form=form))
        return self.done(chosen) if chosen.completes else self.stay(chosen)


class WorkView(StepView):
    """While a unit works: a form per action (progress, evidence, more time), and the
    step's main action (report it done, or submit the unit's part with its own form)."""

    page = "work"

    def main_action(self) -> steps.Action:
        return next(action for action in self.step.actions if action.main)

    def get_context_data(self, **kwargs):
        bound = kwargs.pop("bound", {})
        # keyed without the button's underscore: templates cannot read "forms._progress"
        forms = {action.page_button.lstrip("_"): bound.get(action.name)
                 or self.form_for(action)
                 for action in self.step.actions if not action.main and action.form}
        main = self.main_action()
        kwargs.setdefault("form", self.form_for(main))
        context = {"forms": forms, "done_error": kwargs.pop("done_error", None)}
        if countersign.PART_KEY in (self.task.data or {}):
            part = countersign.part_of(self.task)
            parts = countersign.parts_of(self.task.process_id, self.node.name,
                                         part.round if part else None)
            done, needed = countersign.progress(parts)
            context.update(part=part, parts=parts, parts_done=done, parts_needed=needed)
        return super().get_context_data(**context, **kwargs)

    def post(self, request, *args, **kwargs):
        chosen = next((action for button, action in self.open_actions().items()
                       if button in request.POST), None)
        if chosen is None:
            return self.render_to_response(self.get_context_data(
                done_error=[_("Choose what to do.")]))
        form = self.form_for(chosen, request.POST, request.FILES)
        try:
            if form is not None and not form.is_valid():
                raise ValidationError(_("Check the form."))
            self.perform(chosen, form.cleaned_data if form is not None else {})
        except ValidationError as error:
            if form is None:
                return self.render_to_response(self.get_context_data(
                    done_error=error.messages))
            if not form.errors:
                form.add_error(None, error)
            if chosen.main:
                return self.render_to_response(self.get_context_data(form=form))
            return self.render_to_response(self.get_context_data(bound={chosen.name: form}))
        return self.done(chosen) if chosen.completes else self.stay(chosen)
