"""Problem pages: one problem with its history and evidence, registering, downloads, extensions."""


from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import generic

from flows import extensions
from flows.extensions import pending_extension_or_404, visible_problem_or_404
from records import permissions
from records.forms import OpinionForm, ProblemFormSet, ProblemListForm
from records.models import Evidence, Problem
from web.evidence import serve_evidence
from web.records import RecordDetailView


class ProblemDetailView(RecordDetailView):
    model = Problem

    def get_record(self):
        return visible_problem_or_404(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        problem = context["problem"]
        context.update(
            evidence=problem.evidence.select_related("uploaded_by"),
            notes=problem.progress_notes.select_related("author"),
            extensions=problem.extensions.select_related("requested_by", "decided_by", "unit",
                                                       "decider"),
            deciding=extensions.pending_for(self.request.user, problem),
            decide_form=OpinionForm())
        return context


class ExtensionDecisionView(LoginRequiredMixin, generic.View):
    """Whoever decides the plan (recusal applied) grants or refuses a pending extension."""

    def post(self, request, pk):
        problem = visible_problem_or_404(request.user, pk)
        pending = pending_extension_or_404(request.user, problem, request.POST.get("extension"))
        form = OpinionForm(request.POST)
        grant = "_grant" in request.POST
        if not form.is_valid() or not (grant or "_refuse" in request.POST):
            messages.error(request, _("Choose to grant or to refuse the extension."))
            return redirect("problems:detail", pk=pk)
        try:
            extensions.decide(extension=pending, by=request.user, grant=grant,
                              opinion=form.cleaned_data["opinion"])
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("Extension granted.") if grant
                             else _("Extension refused."))
        return redirect("problems:detail", pk=pk)


class EvidenceDownloadView(LoginRequiredMixin, generic.View):
    def get(self, request, pk, evidence_pk):
        problem = visible_problem_or_404(request.user, pk)
        evidence = get_object_or_404(Evidence, pk=evidence_pk, problem=problem)
        return serve_evidence(request, evidence)


class RegisterView(LoginRequiredMixin, generic.TemplateView):
    """The committee or a leader registers a problem, or a whole problem list from one check."""

    template_name = "records/problem_register.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.can_register_problems(request.user):
            raise Http404(_("Only the discipline committee and leaders register problems."))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("list_form", ProblemListForm(initial={
            "found_on": timezone.localdate(), "source": Problem.Source.SPOT_CHECK}))
        kwargs.setdefault("formset", ProblemFormSet(prefix="p"))
        return super().get_context_data(**kwargs)

    def post(self, request):
        from flows.registration import register_problems

        list_form = ProblemListForm(request.POST)
        formset = ProblemFormSet(request.POST, prefix="p")
        if list_form.is_valid() and formset.is_valid():
            items = [f.cleaned_data for f in formset.forms
                     if f.cleaned_data and not f.cleaned_data.get("DELETE")]
            data = list_form.cleaned_data
            try:
                created = register_problems(by=request.user, source=data["source"],
                                            found_on=data["found_on"], items=items,
                                            title=data["title"] if len(items) > 1 else "")
            except ValidationError as error:
                list_form.add_error(None, error.messages)
            else:
                messages.success(request, _("%(n)s problem(s) registered; each unit head has "
                                            "a task.") % {"n": len(created)})
                if len(created) == 1:
                    return redirect(reverse("problems:detail", args=[created[0].pk]))
                return redirect(reverse("problems:index"))
        return self.render_to_response(self.get_context_data(list_form=list_form,
                                                             formset=formset))
