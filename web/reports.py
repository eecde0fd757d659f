"""Report pages: the list, the leader's board, one report with its history, opening and drafting."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import generic

from accounts import chain
from accounts.models import Post
from flows.bulk import sign_off_queue
from flows.selectors import visible_or_404
from records import permissions, selectors
from records.forms import BoardFilterForm, OpenReportForm, ReportContentForm
from records.models import QuarterlyReport
from records.services import reports as services
from records.workdays import last_finished_quarter
from web.records import RecordDetailView


def visible_report_or_404(user, pk) -> QuarterlyReport:
    return visible_or_404(user, QuarterlyReport, pk)


def _int_param(params, name, allowed) -> int | None:
    """A whole number from the query string, or None when it is missing or not allowed."""
    try:
        value = int(params.get(name, ""))
    except ValueError:
        return None
    return value if value in allowed else None


class ReportListView(LoginRequiredMixin, generic.ListView):
    template_name = "records/report_list.html"
    paginate_by = 50
    context_object_name = "reports"

    def get_queryset(self):
        params = self.request.GET
        return selectors.report_list(
            self.request.user,
            year=_int_param(params, "year", range(2000, 2101)),
            quarter=_int_param(params, "quarter", range(1, 5)),
            status=params.get("status") if params.get("status") in QuarterlyReport.Status.values else None,
            unit=params.get("unit") or None,
            overdue=params.get("overdue") == "1",
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(statuses=QuarterlyReport.Status.choices,
                                        params=self.request.GET, **kwargs)


class ReportDetailView(RecordDetailView):
    template_name = "records/report_detail.html"

    def get_template_names(self):
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(report=context["record"], can_edit=permissions.can_edit_draft(
            self.request.user, context["record"]) and context["task"] is None)
        return context


class ReportEditView(LoginRequiredMixin, generic.UpdateView):
    """The liaison (or the head) drafts without submitting; only the head submits."""

    form_class = ReportContentForm
    template_name = "records/report_edit.html"
    context_object_name = "report"

    def get_object(self, queryset=None):
        report = visible_report_or_404(self.request.user, self.kwargs["pk"])
        if not permissions.can_edit_draft(self.request.user, report):
            raise Http404(_("You cannot edit this report."))
        return report

    def form_valid(self, form):
        try:
            services.report_save_draft(report=self.object, by=self.request.user,
                                       **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Draft saved. The unit head submits it."))
        return redirect(reverse("reports:detail", args=[self.object.pk]))


class BoardView(LoginRequiredMixin, generic.TemplateView):
    """A leader's board: the units they oversee × the quarter's report status."""

    template_name = "records/board.html"

    def get_context_data(self, **kwargs):
        default_year, default_quarter = last_finished_quarter(timezone.localdate())
        form = BoardFilterForm(self.request.GET or None)
        year, quarter = default_year, default_quarter
        if form.is_bound and form.is_valid():
            year = form.cleaned_data["year"] or default_year
            quarter = form.cleaned_data["quarter"] or default_quarter
        rows = selectors.board(self.request.user, year, quarter)
        visible = set(
            permissions.visible(self.request.user, QuarterlyReport)
            .filter(pk__in=[r.pk for _u, r in rows if r]).values_list("pk", flat=True)
        )
        counts = {status: 0 for status in QuarterlyReport.Status.values}
        for _unit, report in rows:
            if report:
                counts[report.status] += 1
        return super().get_context_data(
            rows=rows, visible=visible, year=year, quarter=quarter, form=form,
            missing=sum(1 for _u, r in rows if r is None),
            overdue=sum(1 for _u, r in rows if r and r.is_overdue),
            counts=counts, statuses=QuarterlyReport.Status,
            awaiting_sign_off=sign_off_queue(self.request.user).count(), **kwargs,
        )


class OpenReportView(LoginRequiredMixin, generic.FormView):
    """A unit head opens their unit's report by hand (e.g. for a quarter that was missed)."""

    form_class = OpenReportForm
    template_name = "records/report_open.html"

    def units(self):
        return chain.units_of(self.request.user, (Post.Role.HEAD,))

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.units():
            raise Http404(_("Only a unit head can open a report."))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "units": self.units()}

    def get_initial(self):
        year, quarter = last_finished_quarter(timezone.localdate())
        return {"year": year, "quarter": quarter}

    def form_valid(self, form):
        from flows.opening import open_report

        data = form.cleaned_data
        try:
            services.validate_period(data["year"], data["quarter"])
            report = open_report(unit=data["unit"], year=data["year"], quarter=data["quarter"],
                                 by=self.request.user)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        except chain.ChainGap as gap:
            form.add_error(None, str(gap))
            return self.form_invalid(form)
        if report is None:
            form.add_error(None, _("%(unit)s already has a report for %(year)s Q%(quarter)s.")
                           % {"unit": data["unit"], "year": data["year"], "quarter": data["quarter"]})
            return self.form_invalid(form)
        messages.success(self.request, _("Report opened; it is in your inbox."))
        return redirect(reverse("reports:detail", args=[report.pk]))


