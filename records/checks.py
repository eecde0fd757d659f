"""System checks: what the records app needs from the machine it runs on, and from its
administrators (the next year's holidays)."""

from django.core.checks import Error, Tags, Warning, register
from django.utils.translation import gettext as _


@register()
def pdf_font_check(app_configs=None, **kwargs):
    """A font set in DUTYCHAIN_PDF_FONT must be usable; without one, the approval sheet's PDF
    takes an installed TrueType Chinese font or reportlab's built-in one, so no warning."""
    from .documents.sheet_pdf import SheetUnavailable, pdf_font_path

    try:
        pdf_font_path()
    except SheetUnavailable as error:
        return [Warning(
            error.message,
            hint="Set DUTYCHAIN_PDF_FONT to a TrueType (.ttf/.ttc) Chinese font, or unset it "
                 "to use Debian's (apt-get install fonts-wqy-zenhei) or reportlab's built-in "
                 "one; approval sheets are printed as .docx meanwhile.",
            id="records.W001")]
    return []


@register()
def annual_report_due_check(app_configs=None, **kwargs):
    """DUTYCHAIN_ANNUAL_REPORT_DUE must be a day of the year, "MM-DD"."""
    import datetime

    from django.conf import settings

    value = settings.DUTYCHAIN_ANNUAL_REPORT_DUE
    try:
        month, day = (int(part) for part in value.split("-"))
        datetime.date(2025, month, day)  # not a leap year: 02-29 would fall away
    except (TypeError, ValueError):
        return [Error(f"ANNUAL_REPORT_DUE is {value!r}, not a day of the year.",
                      hint='Write it as month-day, e.g. "01-20" (20 January).',
                      id="records.E001")]
    return []


@register(Tags.database)
def calendar_check(app_configs=None, databases=None, **kwargs):
    """From 1 November next year's holidays must be entered (and this year's, always).

    It reads the database, so it is a database check, run as Django runs those: by
    ``manage.py check --database default`` and by every ``migrate``, not by a bare
    ``check`` (``make test`` runs that one on a fresh clone, with no database to ask).
    A database not migrated yet has nothing to warn about.
    """
    from django.db import connections
    from django.utils import timezone

    from .models import CalendarYear
    from .workdays import library_years, years_due

    found = []
    for alias in databases or ():
        connection = connections[alias]
        if CalendarYear._meta.db_table not in connection.introspection.table_names():
            continue
        due = years_due(timezone.localdate())
        confirmed = set(CalendarYear.objects.using(alias).filter(year__in=due)
                        .values_list("year", flat=True))
        for year in due:
            if year in library_years() or year in confirmed:
                continue
            found.append(Warning(
                _("The %(year)s holiday arrangement has not been entered (chinese-calendar "
                  "knows %(first)s–%(last)s): %(year)s is counted Monday to Friday for now, and "
                  "reminders, escalations and the opening of quarterly reports wait in it.")
                % {"year": year, "first": library_years()[0], "last": library_years()[-1]},
                hint=_("Paste the State Council's notice (国务院办公厅关于%(year)s年部分节假日安排的通知) "
                       "on the admin's working-day calendar page (/admin/records/workdayoverride/"
                       "calendar/) and save it, or enter the days and confirm the year.")
                % {"year": year},
                id="records.W002"))
    return found
