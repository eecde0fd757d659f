"""The year-end assessment's documents and dashboard: a subject's score sheet (.docx), the
workbook of every line (.xlsx) and the dashboard (records.documents.assessments,
records.assessment_dashboard).

Whoever may not read one gets a 404, as for the pages it comes from: a sheet's .docx for
whoever may open the sheet (services.can_view_sheet); the workbook and the dashboard for
the discipline committee and the secretary (services.sees_all).
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import generic

from records.assessment_dashboard import assessment_dashboard
from records.documents import assessments as documents
from records.documents.gbt9704 import DOCX_CONTENT_TYPE
from records.models.assessments import Assessment, AssessmentSheet
from records.services import assessments as rules
from web.ledger import _chart as bar_chart


class SeesAllMixin(LoginRequiredMixin):
    """The committee and the secretary only; the others get a 404."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not rules.sees_all(request.user):
            raise Http404(_("This is for the discipline committee and the secretary."))
        return super().dispatch(request, *args, **kwargs)


def _assessment_or_404(pk) -> Assessment:
    return get_object_or_404(Assessment.objects.select_related("leaders_scheme",
                                                               "units_scheme"), pk=pk)


class SheetDocxView(LoginRequiredMixin, generic.View):
    """A subject's score sheet as a Word document, as its reader may see it."""

    def get(self, request, pk):
        sheet = get_object_or_404(AssessmentSheet.objects.select_related(
            "assessment", "assessment__leaders_scheme", "assessment__units_scheme", "unit",
            "subject"), pk=pk)
        if not rules.can_view_sheet(request.user, sheet):
            raise Http404(_("There is no score sheet here that you may read."))
        content = documents.sheet_download(sheet=sheet, by=request.user)
        response = HttpResponse(content, content_type=DOCX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=documents.sheet_filename(sheet))
        return response


class ExportView(SeesAllMixin, generic.View):
    """Every line of every sheet of an assessment, as .xlsx, streamed from a temporary
    file."""

    def get(self, request, pk):
        export = documents.assessment_export(assessment=_assessment_or_404(pk),
                                             by=request.user)
        response = FileResponse(export.file, content_type=documents.XLSX)
        response["Content-Disposition"] = export.content_disposition
        return response


def _points(value) -> str:
    """As the template's ``floatformat:"-2"`` writes it: 97.80, 15."""
    return floatformat(value, -2)


def _short(label: str, size: int = 12) -> str:
    """A chart's label within its column (the table under the chart has it whole)."""
    return label if len(label) <= size else label[:size - 1] + "…"


class DashboardView(SeesAllMixin, generic.TemplateView):
    """Pictures of an assessment: the spread of the totals, the costliest criteria, the
    averages by supervising leader, the subjects below the fair band; drawn here as SVG,
    no script."""

    template_name = "records/assessment_dashboard.html"

    def get_context_data(self, **kwargs):
        assessment = _assessment_or_404(kwargs["pk"])
        data = assessment_dashboard(assessment, timezone.localdate())
        count_legend = [("dc-bar--average", _("Subjects"))]
        charts = []
        for group in data.groups:
            charts.append(bar_chart(
                _("%(group)s: totals by band") % {"group": group.label}, count_legend,
                [{"label": str(label), "text": str(count), "segments": [
                    ("dc-bar--average", count)]} for label, count in group.band_rows],
                max(group.bands)))
            charts.append(bar_chart(
                _("%(group)s: grades") % {"group": group.label}, count_legend,
                [{"label": str(label), "text": str(count), "segments": [
                    ("dc-bar--average", count)]} for label, count in group.grade_rows],
                max(count for _label, count in group.grade_rows)))
        lost = max([float(row.lost) for row in data.costliest] + [0])
        charts.append(bar_chart(
            _("The criteria that cost the most points"),
            [("dc-bar--overdue", _("Points lost over every sheet"))],
            [{"label": _short(f"{row.number}. {row.name}"),
              "text": ngettext("%(lost)s lost on %(n)s sheet (%(group)s, out of %(max)s)",
                               "%(lost)s lost on %(n)s sheets (%(group)s, out of %(max)s)",
                               row.sheets) % {
                  "lost": _points(row.lost), "n": row.sheets, "group": row.group_label,
                  "max": _points(row.max_points)},
              "segments": [("dc-bar--overdue", float(row.lost))]} for row in data.costliest],
            lost, note=_("The maximum less the final score, summed over the sheets.")))
        charts.append(bar_chart(
            _("The units' average total by supervising leader"),
            [("dc-bar--closed", _("Average total"))],
            [{"label": str(row.leader) if row.leader else _("No supervising leader"),
              "text": ngettext("%(average)s over %(n)s unit", "%(average)s over %(n)s units",
                               row.units) % {"average": _points(row.average), "n": row.units},
              "segments": [("dc-bar--closed", float(row.average))]} for row in data.by_leader],
            100, note=_("The leader who oversaw each unit on %(day)s, the day records are "
                        "counted up to.") % {"day": data.cut_off.isoformat()}))
        return super().get_context_data(
            assessment=assessment, data=data, charts=charts,
            leaders_min=_points(assessment.leaders_scheme.fair_min),
            units_min=_points(assessment.units_scheme.fair_min), **kwargs)
