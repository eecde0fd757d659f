"""The admin's working-day calendar page (工作日日历), linked from the working-day overrides.

Where the administrator sees which years the product knows (this year and the next: from
the library, entered on … by …, or missing), pastes the State Council's notice to enter a
year in one go — the days read from it are shown by festival, with anything odd, for
confirmation before anything is saved — and confirms a year whose days were entered by
hand. The writes are records/services/calendar.py's services.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import holiday_notice
from .models import CalendarYear, WorkdayOverride
from .services import calendar as holidays
from .workdays import library_years

TEMPLATE = "admin/records/workdayoverride/calendar.html"


class NoticeForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("The State Council's notice"), max_length=20000,
        widget=forms.Textarea(attrs={"rows": 14, "cols": 100}),
        help_text=gettext_lazy("Paste the whole notice (国务院办公厅关于某年部分节假日安排的通知), "
                               "title included."))
    year = forms.IntegerField(
        label=gettext_lazy("Year"), required=False, min_value=2000, max_value=2100,
        help_text=gettext_lazy("Only when the title does not name it."))


class ConfirmYearForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)


@dataclass
class YearStatus:
    """One year on the page: where its holidays come from, and what is entered for it."""

    year: int
    in_library: bool
    confirmed: CalendarYear | None
    holidays: int = 0
    workdays: int = 0

    @property
    def is_known(self) -> bool:
        return self.in_library or self.confirmed is not None


@dataclass
class PreviewDay:
    date: datetime.date
    weekday: str
    is_weekend: bool


@dataclass
class PreviewFestival:
    name: str
    holidays: list[PreviewDay] = field(default_factory=list)
    workdays: list[PreviewDay] = field(default_factory=list)


def year_statuses(today: datetime.date) -> list[YearStatus]:
    """This year and the next, with what is entered for each (two queries)."""
    years = [today.year, today.year + 1]
    confirmed = CalendarYear.objects.select_related("confirmed_by").in_bulk(years)
    statuses = {year: YearStatus(year, year in library_years(), confirmed.get(year))
                for year in years}
    counts = (WorkdayOverride.objects.annotate(year=ExtractYear("date"))
              .filter(year__in=years).values("year", "is_workday").annotate(n=Count("pk")))
    for row in counts:
        status = statuses[row["year"]]
        if row["is_workday"]:
            status.workdays = row["n"]
        else:
            status.holidays = row["n"]
    return list(statuses.values())


def _day(date: datetime.date) -> PreviewDay:
    return PreviewDay(date, holiday_notice.weekday_name(date), date.weekday() >= 5)


def preview(notice: holiday_notice.Notice) -> tuple[list[PreviewFestival], list[str]]:
    """The festivals as the page shows them, and what else to know about saving the year."""
    festivals = [PreviewFestival(f.name, [_day(d) for d in f.holidays],
                                 [_day(d) for d in f.workdays]) for f in notice.festivals]
    notes = list(notice.notes)
    if notice.year is None:
        return festivals, notes
    named = [day.date for day in notice.days]
    others = list(WorkdayOverride.objects.filter(date__year=notice.year)
                  .exclude(date__in=named).values_list("date", flat=True))
    if others:
        notes.append(_("Already entered for %(year)s but not in this notice, and kept: "
                       "%(dates)s. Delete them in the list if they are wrong.")
                     % {"year": notice.year, "dates": "、".join(d.isoformat() for d in others)})
    if notice.year in library_years():
        notes.append(_("chinese-calendar already knows %(year)s; what is saved here wins over "
                       "it.") % {"year": notice.year})
    confirmed = CalendarYear.objects.filter(year=notice.year).first()
    if confirmed is not None:
        notes.append(_("%(year)s was confirmed on %(day)s; saving enters this notice again.")
                     % {"year": notice.year, "day": timezone.localtime(
                         confirmed.confirmed_at).strftime("%Y-%m-%d %H:%M")})
    return festivals, notes


def calendar_view(model_admin, request):
    """The page: the years' status, the notice's import (preview, then save), confirming a
    year entered by hand."""
    if not (model_admin.has_add_permission(request)
            and model_admin.has_change_permission(request)):
        raise PermissionDenied
    if request.method == "POST" and "_confirm_year" in request.POST:
        return _confirm_year(request)
    form = NoticeForm(request.POST if request.method == "POST" else None)
    notice, festivals, notes = None, [], []
    if form.is_valid():
        text, year = form.cleaned_data["text"], form.cleaned_data["year"]
        notice = holiday_notice.parse(text, year)
        if "_save" in request.POST and not notice.errors:
            try:
                done = holidays.calendar_notice_import(text=text, year=year, by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _(
                    "%(year)s saved: %(holidays)s holidays and %(workdays)s shifted working "
                    "days (%(changed)s days changed); %(recounted)s open items had their "
                    "deadlines counted again.") % {
                    "year": done.year, "holidays": done.holidays, "workdays": done.workdays,
                    "changed": done.changed, "recounted": done.recounted})
                return redirect(request.path)
        festivals, notes = preview(notice)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Working-day calendar"),
        "years": year_statuses(timezone.localdate()),
        "library": library_years(),
        "form": form,
        "notice": notice,
        "festivals": festivals,
        "notes": notes,
    }
    return TemplateResponse(request, TEMPLATE, context)


def _confirm_year(request):
    form = ConfirmYearForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a year between 2000 and 2100."))
        return redirect(request.path)
    year = form.cleaned_data["year"]
    try:
        holidays.calendar_year_confirm(year=year, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(year)s is confirmed: its deadlines are no longer "
                                    "provisional, and automatic work goes ahead in it.")
                         % {"year": year})
    return redirect(request.path)
