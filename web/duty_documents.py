"""Downloads of the duty list's documents: the list as a notice (.docx), a person's
履责纪实手册 (.docx), the record list as an Excel workbook (records.documents.duties).

Whoever may not read a document gets a 404, as for the pages it comes from."""

from __future__ import annotations

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import generic

from accounts.models import User
from records.documents import duties as documents
from records.documents.gbt9704 import DOCX_CONTENT_TYPE
from records.selectors import current_duty_list, visible_duty_list_or_404
from records.services import duties
from web.duty_records import filtered_records, record_filters


def _docx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True,
                                                                 filename=filename)
    return response


class BureauMemberMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not duties.can_read(request.user):
            raise Http404(_("Duty lists are for members of the bureau."))
        return super().dispatch(request, *args, **kwargs)


class DutyListDocxView(BureauMemberMixin, generic.View):
    """The list as the notice that issues it, its items as the annex (a draft: only for the
    committee and the secretary, as the list's page)."""

    def get(self, request, pk):
        duty_list = visible_duty_list_or_404(request.user, pk)
        content = documents.duty_list_download(duty_list=duty_list, by=request.user)
        return _docx(content, documents.notice_filename(duty_list))


class HandbookForm(forms.Form):
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100)


class HandbookView(BureauMemberMixin, generic.View):
    """A person's 履责纪实手册 for a year (?year=, this year by default): one's own, or that
    of someone whose records one reads (records.documents.duties.may_read_handbook)."""

    def get(self, request, username=None):
        unknown = set(request.GET) - set(HandbookForm.base_fields)
        form = HandbookForm(request.GET)
        if unknown or not form.is_valid():
            # plain text: the names come from the query string
            return HttpResponseBadRequest(
                _("Unknown filter: %(names)s.") % {"names": ", ".join(sorted(unknown))}
                if unknown else _("Check the filters."), content_type="text/plain; charset=utf-8")
        duty_list = current_duty_list(form.cleaned_data["year"])
        if username is None:
            person = request.user
        else:
            person = get_object_or_404(User, username=username)
        if duty_list is None or not documents.may_read_handbook(request.user, person,
                                                                duty_list):
            raise Http404(_("There is no handbook here that you may read."))
        content = documents.handbook_download(by=request.user, person=person,
                                              duty_list=duty_list)
        return _docx(content, documents.handbook_filename(person, duty_list))


class RecordExportView(BureauMemberMixin, generic.View):
    """Exactly the record list's rows under the same filters (every page), as .xlsx."""

    def get(self, request):
        form, bad_filter = record_filters(request.user, request.GET)
        if bad_filter:
            return render(request, "records/duty_record_list.html", status=400,
                          context={"form": form, "bad_filter": bad_filter})
        data = form.cleaned_data
        rows = filtered_records(request.user, current_duty_list(), data)
        export = documents.records_export(by=request.user, rows=rows, filters=data)
        response = FileResponse(export.file, content_type=documents.XLSX)
        response["Content-Disposition"] = export.content_disposition
        return response

