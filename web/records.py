"""What every kind of record's pages share (records.kinds): one record's page around its
content, its list, its audit trail, cancelling it, one of its versions. A kind without an
application of its own gets its pages from these (web/urls.py: record_app)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import generic

from flows import approvals
from flows.cancel import can_cancel, cancel_record
from flows.path import path_ahead
from flows.reminders import notices_for
from flows.selectors import history, open_task_of, task_url, visible_or_404
from records import kinds, permissions, versions
from records.models import AuditEvent, Opinion, QuarterlyReport
from records.services import urges as urging


def record_context(user, record) -> dict:
    """What every record's page shows besides its content: the history, the task waiting for
    ``user``, the notices, the path ahead, the versions, the urges and the actions ``user``
    may take (withdraw, cancel, urge, the audit trail)."""
    task = open_task_of(record, user)
    kind = kinds.kind_of(record)
    return {
        "record": record,
        "kind": kind,
        "history": history(record),
        "notices": notices_for(record),
        "task": task,
        "task_url": task_url(task) if task else None,
        "can_see_trail": permissions.sees_everything(user),
        "can_cancel": can_cancel(user, record),
        "can_withdraw": approvals.can_withdraw(user, record),
        "path": path_ahead(record),
        "side_opinions": Opinion.objects.of(record).filter(task__isnull=True)
                                .select_related("author"),
        "versions": versions.versions_of(record),
        "urge_url": reverse(f"{kind.namespace}:urge", args=[record.pk]),
        # the record's own pages (web/urls.py: record_paths)
        "pages": {name: reverse(f"{kind.namespace}:{name}", args=[record.pk])
                  for name in ("sheet_pdf", "sheet_docx", "trail", "withdraw", "cancel")},
        **urging.urge_context(user, record),
    }




class RecordDetailView(LoginRequiredMixin, generic.TemplateView):
    """One record's page: its content (the kind's own template, records/<model>_detail.html)
    and what every record's page shows (record_context)."""

    model = QuarterlyReport

    def get_template_names(self):
        return [f"records/{self.model._meta.model_name}_detail.html"]

    def get_context_data(self, **kwargs):
        record = self.get_record()
        return super().get_context_data(**{record._meta.model_name: record},
                                        **record_context(self.request.user, record), **kwargs)

    def get_record(self):
        return visible_or_404(self.request.user, self.model, self.kwargs["pk"])




class AuditTrailView(LoginRequiredMixin, generic.TemplateView):
    """The discipline committee (and the secretary) browse a record's audit trail."""

    template_name = "records/audit_trail.html"
    model = QuarterlyReport

    def get_context_data(self, **kwargs):
        user = self.request.user
        record = visible_or_404(user, self.model, kwargs["pk"])
        if not permissions.sees_everything(user):
            raise Http404(_("No such record."))
        events = AuditEvent.objects.filter(
            target_type=record._meta.label_lower, target_id=str(record.pk)
        ).select_related("actor").order_by("at", "pk")
        return super().get_context_data(record=record, events=events,
                                        back=kinds.kind_of(record).url(record), **kwargs)


class CancelView(LoginRequiredMixin, generic.View):
    """Withdraw an open item with a reason (the committee or the secretary)."""

    model = QuarterlyReport

    def post(self, request, pk):
        record = visible_or_404(request.user, self.model, pk)
        if not can_cancel(request.user, record):
            raise Http404(_("No such record."))
        try:
            cancel_record(record=record, by=request.user, reason=request.POST.get("opinion", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Cancelled; the reason is kept in its history."))
        return redirect(kinds.kind_of(record).url(record))


class VersionView(LoginRequiredMixin, generic.TemplateView):
    """One frozen version of a report (or a problem's plan), compared with the one before."""

    template_name = "records/version_detail.html"
    model = QuarterlyReport

    def get_context_data(self, **kwargs):
        record = visible_or_404(self.request.user, self.model, kwargs["pk"])
        every = list(versions.versions_of(record))
        by_number = {v.number: v for v in every}
        version = by_number.get(kwargs["number"])
        if version is None:
            raise Http404(_("No such version."))
        previous = by_number.get(version.number - 1)
        opinions = {}
        for opinion in Opinion.objects.of(record).filter(
                version__in=[version.number - 1, version.number]).select_related(
                "author", "on_behalf_of"):
            opinions.setdefault(opinion.version, []).append(opinion)
        changes = previous and {"previous": previous, "current": version,
                                "rows": versions.diff(previous, version),
                                "opinions": opinions.get(previous.number, [])}
        return super().get_context_data(
            record=record, version=version, versions=every, changes=changes,
            content=versions.labelled(version), opinions=opinions.get(version.number, []),
            back=kinds.kind_of(record).url(record), **kwargs)


class RecordListView(LoginRequiredMixin, generic.ListView):
    """The records of a kind that the person may read, newest first, open ones marked."""

    model = QuarterlyReport
    paginate_by = 50
    template_name = "records/record_list.html"
    context_object_name = "records"

    def get_queryset(self):
        related = [f.name for f in self.model._meta.concrete_fields
                   if f.is_relation and f.name != "process"]
        return permissions.visible(self.request.user, self.model).select_related(*related)

    @property
    def kind(self) -> kinds.RecordKind:
        return kinds.kind_of(self.model)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            kind=self.kind, title=self.model._meta.verbose_name_plural, **kwargs)
        context["rows"] = [(record, self.kind.url(record)) for record in context["records"]]
        return context
