"""Downloads of an item's approval sheet (审批单) for the paper archive: PDF and .docx."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.views import generic

from flows.selectors import history
from records.documents.sheet_pdf import SheetUnavailable
from records.models import QuarterlyReport
from records.services import sheets
from web.problems import visible_problem_or_404
from web.reports import visible_report_or_404


class SheetDownloadView(LoginRequiredMixin, generic.View):
    """/reports/<id>/sheet.pdf and friends: for exactly those who may view the item."""

    model = QuarterlyReport
    fmt = "pdf"

    def get(self, request, pk):
        is_report = self.model is QuarterlyReport
        record = (visible_report_or_404 if is_report else visible_problem_or_404)(
            request.user, pk)
        back = "reports:detail" if is_report else "problems:detail"
        try:
            content, content_type, filename = sheets.sheet_print(
                record=record, steps=history(record), by=request.user, fmt=self.fmt)
        except SheetUnavailable as error:
            messages.error(request, error.message)
            return redirect(back, pk=record.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(back, pk=record.pk)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=self.fmt != "pdf", filename=filename)
        return response
