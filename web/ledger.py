"""The ledger (台账), its Excel export and the dashboard."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import generic

from records import ledger
from records.documents.ledger_export import XLSX, ledger_export
from records.duty_seats import units_for_a_talk
from records.lateness import repeatedly_late
from records.models import DutyList, Problem
from records.permissions import sees_everything

PER_PAGE = 50


def _query(params: dict) -> str:
    return "?" + urlencode(params) if params else "?"


class LedgerMixin:
    """What the page and the export share: the filters, read once, and the lights' dates."""

    def setup_ledger(self, request):
        self.units = ledger.unit_choices(request.user, request.GET.get("unit"))
        self.filters = ledger.LedgerFilters.from_params(request.GET,
                                                        [code for code, _name in self.units])
        self.lights = ledger.Lights.now()

    def rows(self):
        return ledger.ledger_rows(self.request.user, self.filters, self.lights)


class LedgerView(LoginRequiredMixin, LedgerMixin, generic.TemplateView):
    """Every problem the user may see, with its traffic light: filtered, counted, sorted."""

    template_name = "records/ledger.html"
    sortable = ("unit", "category", "status", "found_on", "due_date")

    def get_context_data(self, **kwargs):
        self.setup_ledger(self.request)
        filters = self.filters
        page = Paginator(self.rows(), PER_PAGE).get_page(self.request.GET.get("page"))
        rows = [ledger.decorate(problem, self.lights) for problem in page.object_list]
        counts = ledger.status_counts(self.request.user, filters, self.lights)
        statuses = [
            {"value": value, "label": label, "count": counts[value],
             "selected": filters.status == value,
             "url": _query(filters.params(status=value))}
            for value, label in Problem.Status.choices
        ]
        current = filters.sort.lstrip("-")
        descending = filters.sort.startswith("-")
        sort_links = {
            key: {
                "url": _query(filters.params(
                    sort=f"-{key}" if key == current and not descending else key)),
                "active": key == current,
                "descending": descending,
            }
            for key in self.sortable
        }
        return super().get_context_data(
            rows=rows, page=page, filters=filters, lights=self.lights,
            statuses=statuses, total=sum(counts.values()),
            all_statuses_url=_query(filters.params(status=None)),
            sort_links=sort_links,
            page_query=_query(filters.params()) + ("&" if filters.params() else ""),
            export_query=urlencode(filters.params()),
            units=self.units, years=ledger.year_choices(self.request.user),
            checks=ledger.check_choices(self.request.user),
            categories=Problem.Category.choices, sources=Problem.Source.choices,
            status_choices=Problem.Status.choices, light_choices=list(ledger.LIGHTS.items()),
            four_winds=Problem.FOUR_WINDS,
            **kwargs,
        )


class LedgerExportView(LoginRequiredMixin, LedgerMixin, generic.View):
    """Exactly the ledger's filtered rows (all pages) as an .xlsx workbook, streamed."""

    def get(self, request, *args, **kwargs):
        self.setup_ledger(request)
        export = ledger_export(by=request.user, filters=self.filters, lights=self.lights)
        response = FileResponse(export.file, content_type=XLSX)
        response["Content-Disposition"] = export.content_disposition
        return response


# -- the dashboard ---------------------------------------------------------------------------

CHART_WIDTH = 860
LABEL_WIDTH = 170
BAR_WIDTH = 400
ROW_HEIGHT = 30
BAR_HEIGHT = 18


def _chart(title, legend, items, scale_max, note=""):
    """Lay a horizontal bar chart out for SVG: every coordinate worked out here, not in CSS."""
    scale = BAR_WIDTH / scale_max if scale_max else 0
    rows = []
    for index, item in enumerate(items):
        x, segments = LABEL_WIDTH, []
        for css, value in item["segments"]:
            width = round(value * scale, 1)
            if css.endswith("--max"):
                # the longest time sits behind the average, from the axis
                segments.append({"css": css, "x": LABEL_WIDTH, "width": width, "value": value})
                continue
            if width:
                segments.append({"css": css, "x": x, "width": width, "value": value})
                x += width
        end = max([x] + [s["x"] + s["width"] for s in segments])
        rows.append({
            "label": item["label"], "text": item["text"], "highlight": item.get("highlight"),
            "y": index * ROW_HEIGHT, "bar_y": index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2,
            "text_y": index * ROW_HEIGHT + ROW_HEIGHT / 2 + 5, "segments": segments,
            "text_x": end + 6,
        })
    return {"title": title, "legend": legend, "rows": rows, "note": note,
            "height": max(len(rows), 1) * ROW_HEIGHT, "width": CHART_WIDTH, "row_height": ROW_HEIGHT,
            "label_x": LABEL_WIDTH - 8, "axis_x": LABEL_WIDTH, "bar_height": BAR_HEIGHT}


def _counts_text(row):
    return _("open %(open)s · overdue %(overdue)s · closed %(closed)s") % row


class DashboardView(LoginRequiredMixin, generic.TemplateView):
    """Pictures for the committee and the secretary: drawn here as SVG, no script, no service."""

    template_name = "records/dashboard.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not sees_everything(request.user):
            raise PermissionDenied(_("The dashboard is for the discipline committee and the "
                                     "secretary."))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        data = ledger.dashboard(self.request.user, today)
        status_legend = [("dc-bar--overdue", _("Overdue")), ("dc-bar--open", _("Open, on time")),
                         ("dc-bar--closed", _("Closed"))]

        def status_segments(row):
            return [("dc-bar--overdue", row["overdue"]),
                    ("dc-bar--open", row["open"] - row["overdue"]),
                    ("dc-bar--closed", row["closed"])]

        unit_max = max([row["open"] + row["closed"] for row in data.by_unit] + [0])
        by_unit = _chart(
            _("Problems by unit"), status_legend,
            [{"label": row["unit__name"], "text": _counts_text(row),
              "segments": status_segments(row)} for row in data.by_unit],
            unit_max)
        category_max = max([row["open"] + row["closed"] for row in data.by_category] + [0])
        by_category = _chart(
            _("Problems by category"), status_legend,
            [{"label": str(row["label"]), "text": _counts_text(row), "highlight": row["four_winds"],
              "segments": status_segments(row)} for row in data.by_category],
            category_max, note=_("The four winds (formalism, bureaucratism, hedonism, "
                                 "extravagance) are highlighted."))
        closing_max = max([row["longest"] for row in data.closing] + [0])
        closing = _chart(
            _("Working days from registration to close-out, by unit"),
            [("dc-bar--average", _("Average")), ("dc-bar--max", _("Longest"))],
            [{"label": row["unit__name"],
              "text": _("average %(average).1f · longest %(longest)s · %(count)s closed") % row,
              "segments": [("dc-bar--max", row["longest"]),
                           ("dc-bar--average", round(row["average"], 1))]}
             for row in data.closing],
            closing_max)
        return super().get_context_data(
            headline=data.headline, charts=[by_unit, by_category, closing],
            by_unit=data.by_unit, by_category=data.by_category, closing=data.closing,
            today=today, repeatedly_late=repeatedly_late(today),
            duty_talks=_duty_talks(today), **kwargs)


def _duty_talks(today):
    """Units two periods in a row below an item's target on this year's list."""
    duty_list = DutyList.objects.filter(year=today.year).exclude(
        status=DutyList.Status.DRAFT).first()
    return units_for_a_talk(duty_list, today) if duty_list else []
