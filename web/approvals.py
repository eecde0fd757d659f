"""Pages for the approval actions that are not a step's own form: withdraw (撤回) from an
item's page, transfer (转办) from a task page. A contended flow lock is answered by
flows.middleware (409), as on every task page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import generic
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from flows import approvals
from flows.actions import TaskConflict
from flows.selectors import task_url, visible_or_404
from records import kinds
from records.forms import TransferForm
from records.models import QuarterlyReport


def _detail(record) -> str:
    return kinds.kind_of(record).detail_url


def _messages(error) -> str:
    return " ".join(getattr(error, "messages", [str(error)]))


class WithdrawView(LoginRequiredMixin, generic.View):
    """The submitter takes the item back before the reviewer acts."""

    model = QuarterlyReport

    def post(self, request, pk):
        record = visible_or_404(request.user, self.model, pk)
        try:
            approvals.withdraw(record=record, by=request.user,
                               reason=request.POST.get("reason", "")[:1000])
        except (ValidationError, TaskConflict) as error:
            messages.error(request, _messages(error))
        else:
            messages.success(request, _("Withdrawn: it is back with you to revise and submit "
                                        "again."))
        return redirect(_detail(record), pk=record.pk)


class TransferView(LoginRequiredMixin, generic.View):
    """The owner of an open task hands it to someone whose post qualifies, with a reason."""

    def post(self, request, task_pk):
        task = Task.objects.filter(pk=task_pk, owner_id=request.user.pk,
                                   flow_task_type="HUMAN").first()
        if task is None:
            raise Http404(_("No such task."))
        record = task.flow_task.flow_class.instance.record_of(task.process)
        form = TransferForm(request.POST, candidates=approvals.transfer_candidates(task, record))
        try:
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            approvals.transfer(task_pk=task.pk, by=request.user, to=form.cleaned_data["to"],
                               reason=form.cleaned_data["reason"])
        except (ValidationError, TaskConflict) as error:
            messages.error(request, _messages(error))
            if task.status == STATUS.ASSIGNED:
                return redirect(task_url(task))
            return redirect(_detail(record), pk=record.pk)
        messages.success(request, _("Transferred to %(name)s.") % {"name": form.cleaned_data["to"]})
        return redirect(_detail(record), pk=record.pk)
