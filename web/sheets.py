"""Downloads of an item's approval sheet (审批单) for the paper archive: PDF and .docx."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.views import generic

from flows.selectors import history, visible_or_404
from records import kinds
from records.documents.sheet_pdf import SheetUnavailable
from records.models import QuarterlyReport
from records.services import sheets


class SheetDownloadView(LoginRequiredMixin, generic.View):
    """/reports/<id>/sheet.pdf and the like: for exactly those who may view the item."""

    model = QuarterlyReport
    fmt = "pdf"

    def get(self, request, pk):
        record = visible_or_404(request.user, self.model, pk)
        back = kinds.kind_of(record).url(record)
        try:
            content, content_type, filename = sheets.sheet_print(
                record=record, steps=history(record), by=request.user, fmt=self.fmt)
        except SheetUnavailable as error:
            messages.error(request, error.message)
            return redirect(back)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(back)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=self.fmt != "pdf", filename=filename)
        return response
