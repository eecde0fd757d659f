"""Report pages: the list, the leader's board, one report with its history, opening and drafting."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import generic

from accounts import chain
from accounts.models import Post
from flows import approvals
from flows.bulk import sign_off_queue
from flows.cancel import can_cancel
from flows.path import path_ahead
from flows.reminders import notices_for
from flows.selectors import history, open_task_of, task_url
from records import permissions, selectors, versions
from records.forms import BoardFilterForm, OpenReportForm, ReportContentForm
from records.models import AuditEvent, Problem, QuarterlyReport
from records.services import reports as services
from records.services import urges as urging
from records.workdays import last_finished_quarter


def visible_report_or_404(user, pk) -> QuarterlyReport:
    report = get_object_or_404(QuarterlyReport.objects.select_related("unit"), pk=pk)
    if not permissions.can_view(user, report):
        # 404, not 403: another unit's report does not even exist for you
        raise Http404(_("No such report."))
    return report


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


class ReportDetailView(LoginRequiredMixin, generic.TemplateView):
    template_name = "records/report_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        report = visible_report_or_404(user, kwargs["pk"])
        task = open_task_of(report, user)
        return super().get_context_data(
            report=report,
            history=history(report),
            notices=notices_for(report),
            task=task,
            task_url=task_url(task) if task else None,
            can_edit=permissions.can_edit_draft(user, report) and task is None,
            can_see_trail=permissions.sees_everything(user),
            can_cancel=can_cancel(user, report),
            can_withdraw=approvals.can_withdraw(user, report),
            path=path_ahead(report),
            side_opinions=report.opinions.filter(task__isnull=True).select_related("author"),
            versions=versions.versions_of(report),
            urge_url=reverse("reports:urge", args=[report.pk]),
            **urging.urge_context(user, report),
            **kwargs,
        )


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


class AuditTrailView(LoginRequiredMixin, generic.TemplateView):
    """The discipline committee (and the secretary) browse a record's audit trail."""

    template_name = "records/audit_trail.html"
    model = QuarterlyReport

    def get_context_data(self, **kwargs):
        user = self.request.user
        record = get_object_or_404(self.model.objects.select_related("unit"), pk=kwargs["pk"])
        if not (permissions.sees_everything(user) and permissions.can_view(user, record)):
            raise Http404(_("No such record."))
        events = AuditEvent.objects.filter(
            target_type=record._meta.label_lower, target_id=str(record.pk)
        ).select_related("actor").order_by("at", "pk")
        back = "reports:detail" if self.model is QuarterlyReport else "problems:detail"
        return super().get_context_data(record=record, events=events,
                                        back=reverse(back, args=[record.pk]), **kwargs)


class CancelView(LoginRequiredMixin, generic.View):
    """Withdraw an open item with a reason (the committee or the secretary)."""

    model = QuarterlyReport

    def post(self, request, pk):
        from flows.cancel import cancel_record

        record = get_object_or_404(self.model, pk=pk)
        if not (permissions.can_view(request.user, record) and can_cancel(request.user, record)):
            raise Http404(_("No such record."))
        detail = "reports:detail" if self.model is QuarterlyReport else "problems:detail"
        try:
            cancel_record(record=record, by=request.user, reason=request.POST.get("opinion", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Cancelled; the reason is kept in its history."))
        return redirect(detail, pk=record.pk)


class VersionView(LoginRequiredMixin, generic.TemplateView):
    """One frozen version of a report (or a problem's plan), compared with the one before."""

    template_name = "records/version_detail.html"
    model = QuarterlyReport

    def get_context_data(self, **kwargs):
        from web.problems import visible_problem_or_404

        user = self.request.user
        if self.model is QuarterlyReport:
            record, back = visible_report_or_404(user, kwargs["pk"]), "reports:detail"
        else:
            record, back = visible_problem_or_404(user, kwargs["pk"]), "problems:detail"
        every = list(versions.versions_of(record))
        by_number = {v.number: v for v in every}
        version = by_number.get(kwargs["number"])
        if version is None:
            raise Http404(_("No such version."))
        previous = by_number.get(version.number - 1)
        opinions = {}
        for opinion in record.opinions.filter(
                version__in=[version.number - 1, version.number]).select_related(
                "author", "on_behalf_of"):
            opinions.setdefault(opinion.version, []).append(opinion)
        changes = previous and {"previous": previous, "current": version,
                                "rows": versions.diff(previous, version),
                                "opinions": opinions.get(previous.number, [])}
        return super().get_context_data(
            record=record, version=version, versions=every, changes=changes,
            content=versions.labelled(version), opinions=opinions.get(version.number, []),
            back=reverse(back, args=[record.pk]), **kwargs)


ProblemVersionView = VersionView.as_view(model=Problem)
