"""The duty list's heat map: a bureau's units × the items their heads and branches carry,
each cell coloured by its light, with the share on target, the late and returned rates and
the items most often red — to look at instead of reading."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import generic

from accounts import chain
from accounts.models import Unit
from records import permissions
from records.duty_seats import heat_map
from records.selectors import chosen_bureaus, current_duty_list, default_bureau

MAX_UNITS = 200


def _scope(user, code: str) -> tuple[list[Unit], Unit | None, list[Unit]]:
    """The units ``user`` looks at, the bureau chosen (None for a leader's own units) and
    the bureaus to choose from."""
    if permissions.sees_everything(user) or permissions.is_stationed(user):
        bureaus = chosen_bureaus(user)
        if not bureaus:
            return [], None, []
        chosen = next((bureau for bureau in bureaus if bureau.code == code), None)
        if code and chosen is None:
            raise Http404(_("No bureau has this code."))
        if chosen is None:
            chosen = default_bureau(user, bureaus)
        ids = chain.units_under(chosen)[1:]  # the units, not the bureau's own leadership
        units = list(Unit.objects.filter(pk__in=ids, is_active=True)
                     .order_by("order", "code")[:MAX_UNITS])
        return units, chosen, bureaus
    units = chain.units_overseen_by(user)
    if not units:
        raise Http404(_("The heat map is for leaders, the secretary and the committees."))
    return units[:MAX_UNITS], None, []


class HeatMapView(LoginRequiredMixin, generic.TemplateView):
    template_name = "records/duty_heatmap.html"

    def get(self, request, *args, **kwargs):
        unknown = set(request.GET) - {"bureau"}
        if unknown:
            return render(request, self.template_name, status=400, context={
                "bad_filter": _("Unknown filter: %(names)s.")
                % {"names": ", ".join(sorted(unknown))}})
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user = self.request.user
        code = self.request.GET.get("bureau", "")[:40]
        units, bureau, bureaus = _scope(user, code)
        duty_list = current_duty_list()
        today = timezone.localdate()
        heat = heat_map(duty_list, units, today) if duty_list else None
        return super().get_context_data(
            duty_list=duty_list, bureau=bureau, bureaus=bureaus, heat=heat,
            rows=[(unit, _cells(counters)) for unit, counters in heat.rows] if heat else [],
            **kwargs)


def _cells(counters) -> str:
    """A row's cells, written here rather than by the template: a bureau's map is some
    1,500 of them, and the template language took longer to draw them than the database
    to count them (bench/duties.py). Each item's title is escaped once per page."""
    return mark_safe("".join(  # noqa: S308 (the titles escaped, the rest numbers and codes)
        f'<td class="dc-heat dc-heat--{counter.light}" title="{_title(counter.item)}: '
        f'{counter.done}{_target(counter.item)}">{counter.done}</td>' for counter in counters))


def _title(item) -> str:
    if not hasattr(item, "_escaped_title"):
        item._escaped_title = escape(item.title)
    return item._escaped_title


def _target(item) -> str:
    return f" / {int(item.target)}" if item.target and not item.as_needed else ""
