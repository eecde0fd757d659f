"""The inbox, the liaison's queue and the archive: viewflow's lists with the columns people
need, counted without per-permission queries."""

from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.flow.views import (
    WorkflowArchiveListView,
    WorkflowInboxListView,
    WorkflowQueueListView,
)
from viewflow.workflow.flow.viewset import WorkflowAppViewset
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts import chain
from accounts.models import Post
from flows import extensions
from flows.selectors import record_of_task
from records import kinds
from records.models import QuarterlyReport
from records.selectors import OPEN_STATUSES

from .approvals import TransferView


class RecordColumnsMixin:
    """Inbox columns people need: which unit, which item, by when — red once overdue."""

    columns = ("task_id", "flow_task", "unit", "item", "deadline", "created")
    filterset_class = None
    paginate_by = 50

    def unit(self, task):
        record = record_of_task(task)
        return record.unit.name if record else ""

    unit.short_description = _("Unit")

    def item(self, task):
        record = record_of_task(task)
        return kinds.kind_of(record).item_label(record) if record else ""

    item.short_description = _("Item")

    def deadline(self, task):
        from web.templatetags.deadlines import provisional_mark

        record = record_of_task(task)
        due = record.step_due if record else None
        if not due:
            return ""
        provisional = record.step_due_is_provisional
        mark = format_html(" {}", provisional_mark(due)) if provisional else ""
        if record.is_overdue:
            return format_html('<span class="dc-overdue">{} · {}</span>{}', due, _("Overdue"),
                               mark)
        return format_html("{}{}", due, mark)

    deadline.short_description = _("Deadline")

    def with_records(self, queryset):
        return queryset.select_related("process", "owner").order_by("-created")

    def get_page_data(self, page):
        page = list(page)
        kinds.attach_records([task.process for task in page])  # a query per kind on the page
        return super().get_page_data(page)


class InboxView(RecordColumnsMixin, WorkflowInboxListView):
    bulk_actions = ()
    template_name = "flows/inbox.html"

    def get_context_data(self, **kwargs):
        from .bulk import sign_off_queue

        # a leader with reports to sign off is offered the bulk sign-off page (one query);
        # the extension requests they decide wait here too (延期申请待审批)
        return super().get_context_data(
            awaiting_sign_off=sign_off_queue(self.request.user).count(),
            extension_requests=extensions.awaiting_decision(self.request.user),
            today=timezone.localdate(), **kwargs)

    def get_queryset(self):
        return self.with_records(Task.objects.filter(
            owner=self.request.user, status=STATUS.ASSIGNED, flow_task_type="HUMAN"))


def liaison_queue(user):
    """Draft steps of the units where the user is the party-affairs liaison."""
    units = chain.units_of(user, (Post.Role.LIAISON,))
    return Task.objects.filter(
        status__in=OPEN_STATUSES, flow_task_type="HUMAN",
        process__quarterly_report__unit__in=units,
        process__quarterly_report__status__in=QuarterlyReport.EDITABLE_STATUSES,
    ).exclude(owner=user)


class QueueView(RecordColumnsMixin, WorkflowQueueListView):
    """For a liaison: the drafts they may write on the head's behalf."""

    title = _("Drafts I can help with")
    bulk_actions = ()

    def task_id(self, task):
        report = record_of_task(task)
        return format_html('<a href="{}">{}</a>', reverse("reports:edit", args=[report.pk]),
                           report)

    task_id.short_description = _("Report")

    def get_queryset(self):
        return self.with_records(liaison_queue(self.request.user))


class ArchiveView(RecordColumnsMixin, WorkflowArchiveListView):
    columns = ("task_id", "flow_task", "unit", "item", "created", "finished")

    def get_queryset(self):
        return self.with_records(Task.objects.filter(
            owner=self.request.user, finished__isnull=False, flow_task_type="HUMAN"))




class ChainWorkflowApp(WorkflowAppViewset):
    """Inbox, queue and archive, counted without per-permission queries."""

    title = _("My work")
    inbox_view_class = InboxView
    queue_view_class = QueueView
    archive_view_class = ArchiveView
    tasks_assign_path = None
    tasks_unassign_path = None
    transfer_path = path("tasks/<int:task_pk>/transfer/", TransferView.as_view(),
                         name="transfer")

    def get_context_data(self, request):
        if not request.user.is_authenticated:
            return {}
        return {
            "user_inbox": Task.objects.filter(owner=request.user, status=STATUS.ASSIGNED,
                                              flow_task_type="HUMAN"),
            "user_queue": liaison_queue(request.user),
        }


