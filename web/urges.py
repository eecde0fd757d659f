"""The 催办 button of a report's or a problem's page."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import generic

from flows.selectors import visible_or_404
from records.models import QuarterlyReport
from records.services.urges import detail_url, urge_create


class UrgeView(LoginRequiredMixin, generic.View):
    """POST: urge the item's current assignee, with an optional message."""

    model = QuarterlyReport

    def post(self, request, pk):
        record = visible_or_404(request.user, self.model, pk)  # 404 outside the item's chain
        try:
            urged = urge_create(record=record, by=request.user, message=request.POST.get("message", ""))
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) \
                else str(error)
            messages.error(request, text)
        else:
            messages.success(request, _("Urged %(name)s; they have been notified.")
                             % {"name": urged.assignee})
        return redirect(detail_url(record))
