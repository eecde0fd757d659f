"""批量签收: a leader's page to sign off several submitted quarterly reports at once."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.views import generic

from flows.bulk import bulk_sign_off, can_bulk_sign_off, sign_off_queue
from flows.selectors import task_url


class BulkSignOffView(LoginRequiredMixin, generic.TemplateView):
    """GET lists the leader's reports awaiting review; POST signs off the ticked ones."""

    template_name = "records/bulk_sign_off.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_bulk_sign_off(request.user):
            raise PermissionDenied(_("Only leaders sign off quarterly reports."))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        rows = []
        for task in sign_off_queue(self.request.user):
            report = task.process.quarterly_report
            rows.append({"task": task, "report": report, "url": task_url(task)})
        return super().get_context_data(rows=rows, **kwargs)

    def post(self, request):
        chosen, unreadable = [], []
        for value in request.POST.getlist("tasks"):
            try:
                chosen.append(int(value))
            except (TypeError, ValueError):
                unreadable.append(value)
        if not chosen and not unreadable:
            messages.error(request, _("Tick the reports to sign off."))
            return self.render_to_response(self.get_context_data(
                common=request.POST.get("opinion", "")))
        opinions = {pk: request.POST.get(f"opinion_{pk}", "") for pk in chosen}
        results = bulk_sign_off(user=request.user, task_ids=chosen,
                                opinion=request.POST.get("opinion", ""), opinions=opinions,
                                request=request)
        signed = [r for r in results if r.ok]
        failed = [r for r in results if not r.ok]
        if signed:
            messages.success(request, _("%(n)s report(s) signed off.") % {"n": len(signed)})
        if failed or unreadable:
            messages.error(request, _("%(n)s could not be signed off; see why below.")
                           % {"n": len(failed) + len(unreadable)})
        return self.render_to_response(self.get_context_data(
            results=results, unreadable=unreadable))
