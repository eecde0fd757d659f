"""Reports put up for sign-off: what every kind has, and a unit's quarterly report
(季度履责情况汇报) with who may see each one."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from .base import ChainRecord, history


class Report(ChainRecord):
    """What every report put up for sign-off has (a unit's quarterly report, a leader's
    annual report): its sections, written, submitted (each submission frozen as a version),
    signed off or returned with an opinion. The report services (records.services.reports)
    serve every kind of report."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Drafting")
        SUBMITTED = "submitted", _("Awaiting review")
        RETURNED = "returned", _("Returned for revision")
        SIGNED_OFF = "signed_off", _("Signed off")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED)
    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)

    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.DRAFT)
    work_done = models.TextField(_("duties carried out"), blank=True, max_length=10000)
    problems = models.TextField(_("problems found"), blank=True, max_length=10000)
    next_steps = models.TextField(_("next steps"), blank=True, max_length=10000)
    review_level = models.PositiveSmallIntegerField(
        _("review level"), default=0,
        help_text=_("Levels of review passed since the last submission (level-by-level review)."))
    version = models.PositiveIntegerField(_("version"), default=0,
                                          help_text=_("How many times it was submitted."))
    due_date = models.DateField(_("submission deadline"))
    step_due_date = models.DateField(_("deadline of the current step"), null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("opened by"),
                                  null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    last_edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("last edited by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("submitted by"))
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("signed off by"))

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def step_due(self):
        return self.step_due_date

    @property
    def step_due_is_provisional(self) -> bool:
        return self.step_due_date_is_provisional

    @property
    def version_number(self) -> int:
        return self.version

    @property
    def submitter_id(self) -> int | None:
        return self.submitted_by_id

    def drafter_ids(self) -> set[int]:
        return {pk for pk in (self.submitted_by_id, self.last_edited_by_id) if pk}

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    @property
    def is_overdue(self) -> bool:
        return bool(self.is_open and self.step_due_date
                    and self.step_due_date < timezone.localdate())

    @property
    def due_date_is_provisional(self) -> bool:
        """The submission deadline was counted Monday–Friday in a year not entered yet."""
        from records.workdays import is_provisional

        return self.is_open and is_provisional(self.due_date)

    @property
    def step_due_date_is_provisional(self) -> bool:
        """The current step's deadline was counted Monday–Friday in a year not entered yet."""
        from records.workdays import is_provisional

        return self.is_open and is_provisional(self.step_due_date)


class QuarterlyReport(Report):
    """A unit's quarterly report on its main responsibility (季度履责情况汇报), seed duty 6."""

    unit = models.ForeignKey("accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="quarterly_reports")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=[(q, q) for q in (1, 2, 3, 4)])
    process = models.OneToOneField("viewflow.Process", on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="quarterly_report")
    # filled by the product, not by the unit: the quarter's accepted duty records and the
    # unit's counters (records.services.duty_annex)
    annex = models.JSONField(_("annex"), default=dict, blank=True)
    opinions, copies, versions, urges = history("report")

    class Meta:
        verbose_name = _("quarterly report")
        verbose_name_plural = _("quarterly reports")
        ordering = ["-year", "-quarter", "unit__order", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "quarter"], condition=~Q(status="cancelled"),
                name="one_live_report_per_unit_quarter",
            ),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4),
                                   name="report_quarter_1_to_4"),
        ]
        indexes = [
            models.Index(fields=["year", "quarter", "status"]),
            models.Index(fields=["status", "step_due_date"]),
        ]

    def __str__(self):
        return _("%(unit)s · %(year)s Q%(quarter)s report") % {
            "unit": self.unit, "year": self.year, "quarter": self.quarter}

    @property
    def period(self) -> str:
        return _("%(year)s Q%(quarter)s") % {"year": self.year, "quarter": self.quarter}


class QuarterlyReportUserObjectPermission(UserObjectPermissionBase):
    """guardian's direct foreign-key grant table: checks and lists stay single queries."""

    content_object = models.ForeignKey("QuarterlyReport", on_delete=models.CASCADE)


class QuarterlyReportGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey("QuarterlyReport", on_delete=models.CASCADE)
