"""Task pages: each shows the record with its history and the form of one step."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic

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
from records.models import Problem, QuarterlyReport
from records.services import problems
from records.services import reports as services
from records.versions import latest_changes

from . import countersign, qualification
from .actions import actions_of
from .path import path_ahead
from .selectors import history, human_tasks


class RecordTaskView(generic.FormView):
    """A task page of a record: the step's form, the record and its history around it."""

    record_model = QuarterlyReport
    detail_url = "reports:detail"
    record_partial = "records/_report_block.html"

    def dispatch(self, request, *args, **kwargs):
        self.activation = request.activation
        self.record = self.record_model.objects.select_related(
            "unit__parent__parent__parent").get(
            process_id=self.activation.process.pk)
        refused = qualification.refusal(self.activation.task, self.record, request.user)
        if refused:
            raise PermissionDenied(refused)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        from . import approvals

        task = self.activation.task
        # the history, the path ahead and recusal read the same steps of the process
        tasks = human_tasks(self.record)
        candidates = approvals.transfer_candidates(task, self.record, tasks)
        return super().get_context_data(
            record=self.record, task=task, history=history(self.record, tasks),
            record_partial=self.record_partial,
            recused=task.data.get("recused") or None,
            level=(task.data.get("level"), task.data.get("levels")),
            transfer_form=TransferForm(candidates=candidates) if candidates else None,
            path=path_ahead(self.record, tasks),
            **{self.record_model._meta.model_name.replace("quarterly", ""): self.record},
            **kwargs,
        )

    def done(self, message):
        self.activation.execute()
        messages.success(self.request, message)
        return redirect(reverse(self.detail_url, args=[self.record.pk]))

    def fail(self, form, error: ValidationError):
        form.add_error(None, error)
        return self.form_invalid(form)


class DecisionView(RecordTaskView):
    """A reviewer's step: an opinion and one of several buttons, each an action of
    flows/actions.py (the same the API takes)."""

    form_class = ReviewForm
    template_name = "flows/decision.html"
    # button name → (action name, success message, button label, is the main action)
    decisions: dict = {}
    # the step reviews a submission: show what changed since the one before
    compare_versions = False

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "record": self.record}

    def get_decisions(self) -> dict:
        """The decisions open at this step now (a lower level passes up, the last decides)."""
        step_actions = actions_of(self.activation.task)
        return {name: decision for name, decision in self.decisions.items()
                if not step_actions[decision[0]].refused(self.record, self.activation.task)}

    def get_context_data(self, **kwargs):
        changes = latest_changes(self.record) if self.compare_versions else None
        return super().get_context_data(decisions=self.get_decisions(), changes=changes,
                                        **kwargs)

    def form_valid(self, form):
        decisions = self.get_decisions()
        chosen = next((name for name in decisions if name in self.request.POST), None)
        if chosen is None:
            return self.fail(form, ValidationError(_("Choose one of the decisions.")))
        action_name, message, _label, _main = decisions[chosen]
        action = actions_of(self.activation.task)[action_name]
        try:
            action.handler(self.record, self.request.user, self.activation.task,
                           form.cleaned_data)
        except ValidationError as error:
            return self.fail(form, error)
        return self.done(message)


class DraftView(RecordTaskView):
    """The unit head writes the report, saves it as a draft, and submits it."""

    form_class = ReportContentForm
    template_name = "flows/quarterly/draft.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.record}

    def form_valid(self, form):
        try:
            if "_save" in self.request.POST:
                services.report_save_draft(report=self.record, by=self.request.user,
                                           data=form.cleaned_data)
                messages.success(self.request, _("Draft saved. It has not been submitted yet."))
                return redirect(self.request.get_full_path())
            if "_submit" not in self.request.POST:
                raise ValidationError(_("Choose to save the draft or to submit it."))
            services.report_submit(report=self.record, by=self.request.user,
                                   data=form.cleaned_data, task=self.activation.task)
        except ValidationError as error:
            return self.fail(form, error)
        return self.done(_("Submitted to the supervising leader for review."))


class ReviewView(DecisionView):
    """The supervising leader signs the report off or returns it with an opinion."""

    compare_versions = True
    decisions = {
        "_return": ("return", gettext_lazy("Returned to the unit with your opinion."),
                    gettext_lazy("Return with opinion"), False),
        "_pass_up": ("pass_up", gettext_lazy("Agreed and passed up to the next level."),
                     gettext_lazy("Agree and pass up"), True),
        "_sign_off": ("sign_off", gettext_lazy("Signed off and archived."), gettext_lazy("Sign off"), True),
    }


class ProblemTaskView(RecordTaskView):
    record_model = Problem
    detail_url = "problems:detail"
    record_partial = "records/_problem_block.html"


class AnalyseView(ProblemTaskView):
    """The unit head writes the root-cause analysis and the measures."""

    form_class = ProblemAnalysisForm
    template_name = "flows/rectification/analyse.html"

    def get_form_class(self):
        # a draft may be incomplete; only sending it needs every field
        return PlanDraftForm if "_save" in self.request.POST else ProblemAnalysisForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.record}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            if "_save" in self.request.POST:
                problems.problem_save_plan_draft(problem=self.record, by=self.request.user,
                                                 data=data)
                messages.success(self.request, _("Draft saved. It has not been sent yet."))
                return redirect(self.request.get_full_path())
            problems.problem_analyse(problem=self.record, by=self.request.user,
                                     root_cause=data["root_cause"], measures=data["measures"],
                                     planned_date=data["planned_date"],
                                     task=self.activation.task)
        except ValidationError as error:
            return self.fail(form, error)
        return self.done(_("Plan sent to the supervising leader for approval."))


class ApprovePlanView(DecisionView, ProblemTaskView):
    """The supervising leader approves the plan or returns it."""

    compare_versions = True
    decisions = {
        "_return": ("return", gettext_lazy("Plan returned to the unit with your opinion."),
                    gettext_lazy("Return with opinion"), False),
        "_pass_up": ("pass_up", gettext_lazy("Agreed and passed up to the next level."),
                     gettext_lazy("Agree and pass up"), True),
        "_approve": ("approve_plan", gettext_lazy("Plan approved; the unit rectifies."),
                          gettext_lazy("Approve the plan"), True),
    }


class VerifyView(DecisionView, ProblemTaskView):
    """A discipline committee member closes the problem out or sends it back."""

    decisions = {
        "_send_back": ("send_back", gettext_lazy("Sent back to the unit to rectify."),
                       gettext_lazy("Send back to rectify"), False),
        "_close_out": ("close_out", gettext_lazy("Closed out and filed with the stationed group."),
                       gettext_lazy("Close out"), True),
    }


class RectifyingMixin:
    """While a unit rectifies: note progress, upload evidence, ask for more time — each a
    form of its own on the page, each the action the API takes (flows/actions.RECTIFYING)."""

    forms = {"_progress": ProgressForm, "_evidence": EvidenceForm, "_extension": ExtensionForm}
    done_messages = {"_progress": gettext_lazy("Progress noted."),
                "_evidence": gettext_lazy("Evidence uploaded."),
                "_extension": gettext_lazy("Extension requested; whoever decides the plan "
                                           "decides it.")}
    actions = {"_progress": "progress", "_evidence": "evidence",
               "_extension": "request_extension"}

    def rectifying_context(self, kwargs) -> dict:
        bound = kwargs.pop("bound", {})
        # keyed without the button's underscore: templates cannot read "forms._progress"
        return {"forms": {name.lstrip("_"): bound.get(name) or form()
                          for name, form in self.forms.items()}}

    def rectifying_post(self, request):
        """The response to one of the rectifying forms, or None when none was sent."""
        name = next((n for n in self.forms if n in request.POST), None)
        if name is None:
            return None
        form = self.forms[name](request.POST, request.FILES)
        action = actions_of(self.activation.task)[self.actions[name]]
        try:
            if not form.is_valid():
                raise ValidationError(_("Check the form."))
            action.handler(self.record, request.user, self.activation.task, form.cleaned_data)
        except ValidationError as error:
            if form.is_bound and not form.errors:
                form.add_error(None, error)
            return self.render_to_response(self.get_context_data(bound={name: form}))
        messages.success(request, self.done_messages[name])
        return redirect(request.get_full_path())


class RectifyView(RectifyingMixin, ProblemTaskView):
    """The unit notes progress, uploads evidence, may ask for more time, and reports it done."""

    template_name = "flows/rectification/rectify.html"

    def get_form(self, form_class=None):
        return None

    def get_context_data(self, **kwargs):
        return super().get_context_data(**self.rectifying_context(kwargs),
                                        done_error=kwargs.pop("done_error", None), **kwargs)

    def post(self, request, *args, **kwargs):
        if "_done" in request.POST:
            try:
                problems.problem_report_rectified(problem=self.record, by=request.user)
            except ValidationError as error:
                return self.render_to_response(self.get_context_data(done_error=error.messages))
            return self.done(_("Rectification reported; the discipline committee verifies it."))
        response = self.rectifying_post(request)
        if response is None:
            return self.render_to_response(self.get_context_data(
                done_error=[_("Choose what to do.")]))
        return response


class RectifyPartView(RectifyingMixin, ProblemTaskView):
    """A unit head works on their unit's part of a joint rectification (countersign): notes
    progress, uploads evidence, may ask for more time for the part, and submits it."""

    form_class = CountersignPartForm
    template_name = "flows/rectification/rectify_part.html"

    def get_context_data(self, **kwargs):
        task = self.activation.task
        part = countersign.part_of(task)
        parts = countersign.parts_of(task.process_id, task.flow_task.name,
                                     part.round if part else None)
        done, needed = countersign.progress(parts)
        return super().get_context_data(part=part, parts=parts, parts_done=done,
                                        parts_needed=needed, **self.rectifying_context(kwargs),
                                        **kwargs)

    def post(self, request, *args, **kwargs):
        return self.rectifying_post(request) or super().post(request, *args, **kwargs)

    def form_valid(self, form):
        from .registration import submit_rectification_part

        data = form.cleaned_data
        try:
            submit_rectification_part(problem=self.record, task=self.activation.task,
                                      by=self.request.user, text=data["text"],
                                      upload=data.get("file"))
        except ValidationError as error:
            return self.fail(form, error)
        return self.done(_("Your unit's part is in."))
