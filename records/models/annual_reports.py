"""A leadership member's annual report to the secretary (年度履责情况汇报), and who may see
each one."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from .base import history
from .reports import QuarterlyReport, Report


class AnnualReport(Report):
    """What a leadership member did for strict governance of the party over a year, reported
    to the secretary (seed duty 6: 书记听取班子成员履责情况汇报): opened every January for each
    member of the leadership group, signed off or returned by the secretary."""

    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("leader"),
                               on_delete=models.PROTECT, related_name="annual_reports")
    # the bureau whose leadership group the leader belongs to
    unit = models.ForeignKey("accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="annual_reports")
    year = models.PositiveSmallIntegerField(_("year"))
    integrity = models.TextField(_("integrity and self-discipline"), blank=True,
                                 max_length=10000)
    # filled by the product, not by the leader: the units overseen on the opening day, each
    # with its quarterly reports' status and its open and overdue problems
    # (records.services.annual_reports.annual_report_annex)
    annex = models.JSONField(_("annex"), default=dict, blank=True)
    process = models.OneToOneField("viewflow.Process", on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="annual_report")
    opinions, copies, versions, urges = history("annual_report")

    class Meta:
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        ordering = ["-year", "unit__order", "leader__username"]
        constraints = [
            models.UniqueConstraint(fields=["leader", "year"], condition=~Q(status="cancelled"),
                                    name="one_live_annual_report_per_leader_year"),
        ]
        indexes = [models.Index(fields=["status", "step_due_date"])]

    def __str__(self):
        return _("%(leader)s · %(year)s annual report") % {"leader": self.leader,
                                                            "year": self.year}

    @property
    def period(self) -> str:
        return str(self.year)

    @property
    def annex_rows(self) -> list[dict]:
        """The annex's units, each quarter's report as (quarter, status, its label; "" for
        a quarter with no report)."""
        labels = dict(QuarterlyReport.Status.choices)
        return [{**unit, "reports": [(q, code, labels.get(code, ""))
                                     for q, code in sorted(unit["reports"].items())]}
                for unit in self.annex.get("units", [])]


class AnnualReportUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey("AnnualReport", on_delete=models.CASCADE)


class AnnualReportGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey("AnnualReport", on_delete=models.CASCADE)
