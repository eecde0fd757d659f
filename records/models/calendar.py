"""The working-day calendar: an administrator's days and confirmed years."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WorkdayOverride(models.Model):
    """An administrator's word on one day: a holiday or a shifted working day (调休).

    Consulted before chinese-calendar, and the only source for years the library
    does not know yet (the State Council publishes each next year around November).
    """

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(
        _("working day"),
        help_text=_("Ticked: people work that day (a weekend day worked in lieu). "
                    "Unticked: a day off (a public holiday)."))
    note = models.CharField(_("note"), max_length=100, blank=True,
                            help_text=_("The festival, e.g. the Spring Festival."))

    class Meta:
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")
        ordering = ["date"]

    def __str__(self):
        kind = _("working day") if self.is_workday else _("holiday")
        return f"{self.date} {kind}"


class CalendarYear(models.Model):
    """A year whose holidays and shifted working days an administrator has entered and confirmed.

    A year is known (records.workdays.is_known) when chinese-calendar covers it or when
    it has a row here, written by importing the State Council's notice or by confirming
    the days entered by hand. Until then the product counts that year Monday–Friday
    provisionally and its automatic work waits.
    """

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    source = models.TextField(_("notice text"), blank=True,
                              help_text=_("The State Council's notice as it was pasted, if any."))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("confirmed calendar year")
        verbose_name_plural = _("confirmed calendar years")
        ordering = ["year"]

    def __str__(self):
        return str(self.year)
