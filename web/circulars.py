"""Circular pages (通报): the list, issuing one, reading one, downloading its .docx.

Every member of the bureau reads circulars; only the discipline committee issues them.
A circular names problems of many units; the problem pages it links to keep their own
permissions.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic

from records import permissions, selectors
from records.documents import circulars as circular_docx
from records.forms import DateInput
from records.models import Circular, Problem, ProblemList
from records.services import circulars
from web.forms import show_errors

# how many problems the form offers when no filter narrows them
UNFILTERED_LIMIT = 300


class CircularForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, widget=forms.TextInput(
        attrs={"placeholder": "关于2026年中秋国庆节日期间明察暗访发现问题的通报"}))
    body = forms.CharField(label=gettext_lazy("Opening text"), required=False, max_length=8000,
                           widget=forms.Textarea(attrs={"rows": 6}))
    issuer = forms.CharField(label=gettext_lazy("Issued by"), max_length=100)
    # ISO: an <input type="date"> ignores the zh-hans "2026/11/27" form
    issued_on = forms.DateField(label=gettext_lazy("Date issued"),
                                widget=DateInput(format="%Y-%m-%d"))
    problems = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Problems"), queryset=selectors.issuable_problems(),
        error_messages={"required": gettext_lazy("Choose at least one problem to circulate.")})

    def clean_title(self):
        return self.cleaned_data["title"].strip()

    def clean_issued_on(self):
        issued_on = self.cleaned_data["issued_on"]
        if issued_on > timezone.localdate():
            raise ValidationError(_("The date of issue cannot be in the future."))
        return issued_on


def readable_circular_or_404(user, pk) -> Circular:
    if not circulars.can_read(user):
        raise Http404(_("Circulars are for members of the bureau."))
    return get_object_or_404(Circular, pk=pk)


class BureauMemberMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not circulars.can_read(request.user):
            raise Http404(_("Circulars are for members of the bureau."))
        return super().dispatch(request, *args, **kwargs)


class CircularListView(BureauMemberMixin, generic.ListView):
    template_name = "records/circular_list.html"
    context_object_name = "circulars"
    paginate_by = 30

    def get_queryset(self):
        # newest first: the register's order, latest year and number on top
        return Circular.objects.annotate(problem_count=Count("problems")).order_by(
            "-year", "-number")

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_issue=circulars.can_issue(self.request.user),
                                        **kwargs)


class CircularCreateView(LoginRequiredMixin, generic.TemplateView):
    """The committee picks problems (from one check, closed this quarter, or by hand) and issues."""

    template_name = "records/circular_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not circulars.can_issue(request.user):
            raise Http404(_("Only the discipline committee issues circulars."))
        return super().dispatch(request, *args, **kwargs)

    def _filters(self):
        params = self.request.GET
        problem_list = None
        if params.get("problem_list", "").isdigit():
            problem_list = ProblemList.objects.filter(pk=params["problem_list"]).first()
        return problem_list, params.get("closed") == "1"

    def get_context_data(self, form=None, **kwargs):
        problem_list, closed = self._filters()
        filtered = problem_list is not None or closed
        candidates = selectors.candidate_problems(problem_list=problem_list,
                                                  closed_this_quarter=closed)
        if form is None:
            form = CircularForm(initial={
                "issuer": settings.CIRCULAR_ISSUER, "issued_on": timezone.localdate(),
                "title": self._suggested_title(problem_list, closed)})
            # a filter picks its problems; the committee may untick some
            chosen = {p.pk for p in candidates} if filtered else set()
        else:
            chosen = {int(pk) for pk in form.data.getlist("problems") if pk.isdigit()}
        if filtered:
            candidates = list(candidates)
        else:
            candidates = list(candidates.order_by("-registered_at", "-pk")[:UNFILTERED_LIMIT])
        # problems ticked by hand that the current filter does not show stay in the form
        shown = {p.pk for p in candidates}
        missing = chosen - shown
        if missing:
            candidates += list(selectors.candidate_problems().filter(pk__in=missing))
        return super().get_context_data(
            form=form, groups=selectors.problems_by_unit(candidates), chosen=chosen,
            problem_lists=ProblemList.objects.order_by("-checked_on", "-pk")[:100],
            problem_list=problem_list, closed=closed, filtered=filtered,
            quarter_start=selectors.quarter_bounds(timezone.localdate())[0], **kwargs)

    @staticmethod
    def _suggested_title(problem_list, closed) -> str:
        """A first draft of the title; the document is Chinese whatever the interface is."""
        if problem_list is not None:
            return f"关于{problem_list.title}发现问题的通报"
        if closed:
            today = timezone.localdate()
            return f"关于{today.year}年第{(today.month - 1) // 3 + 1}季度问题整改销号情况的通报"
        return ""

    def post(self, request):
        form = CircularForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                circular = circulars.circular_issue(
                    by=request.user, title=data["title"], body=data["body"],
                    issuer=data["issuer"], issued_on=data["issued_on"],
                    problems=data["problems"])
            except ValidationError as error:
                show_errors(form, error)
            else:
                messages.success(request, _("Circular %(number)s issued.")
                                 % {"number": circular.document_number})
                return redirect("circulars:detail", pk=circular.pk)
        return self.render_to_response(self.get_context_data(form=form))


class CircularDetailView(BureauMemberMixin, generic.TemplateView):
    template_name = "records/circular_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        circular = readable_circular_or_404(user, kwargs["pk"])
        groups = selectors.circular_problems(circular)
        pks = [p.pk for group in groups for p in group.problems]
        # the circular names every unit's problems; links open only those the reader may see
        linked = set(permissions.visible(user, Problem).filter(pk__in=pks)
                     .values_list("pk", flat=True))
        return super().get_context_data(circular=circular, groups=groups, linked=linked,
                                        problem_count=len(pks), **kwargs)


class CircularDocxView(BureauMemberMixin, generic.View):
    def get(self, request, pk):
        circular = readable_circular_or_404(request.user, pk)
        content = circulars.circular_download(circular=circular, by=request.user)
        response = HttpResponse(content, content_type=circular_docx.DOCX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=circular_docx.docx_filename(circular))
        return response
