"""What the chain produces and keeps: reports, opinions, the audit trail, the calendar."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class WorkdayOverride(models.Model):
    """An administrator's word on one day: a holiday or a shifted working day (调休).

    Consulted before chinese-calendar, and the only source for years the library
    does not know yet (the State Council publishes each next year around November).
    """

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")
        ordering = ["date"]

    def __str__(self):
        kind = _("working day") if self.is_workday else _("holiday")
        return f"{self.date} {kind}"


class QuarterlyReport(models.Model):
    """A unit's quarterly report on its main responsibility (季度履责情况汇报), seed duty 6."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Drafting")
        SUBMITTED = "submitted", _("Awaiting review")
        RETURNED = "returned", _("Returned for revision")
        SIGNED_OFF = "signed_off", _("Signed off")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED)
    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)

    unit = models.ForeignKey("accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="quarterly_reports")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=[(q, q) for q in (1, 2, 3, 4)])
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.DRAFT)
    work_done = models.TextField(_("duties carried out"), blank=True)
    problems = models.TextField(_("problems found"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=0,
                                          help_text=_("How many times it was submitted."))
    due_date = models.DateField(_("submission deadline"))
    step_due_date = models.DateField(_("deadline of the current step"), null=True, blank=True)
    process = models.OneToOneField("viewflow.Process", on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="quarterly_report")
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

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    @property
    def is_overdue(self) -> bool:
        return bool(self.is_open and self.step_due_date
                    and self.step_due_date < timezone.localdate())


class Opinion(models.Model):
    """A reviewer's written opinion (意见): kept forever, shown in order."""

    class Kind(models.TextChoices):
        SIGN_OFF = "sign_off", _("Signed off")
        RETURN = "return", _("Returned")

    report = models.ForeignKey(QuarterlyReport, on_delete=models.PROTECT, related_name="opinions")
    task = models.ForeignKey("viewflow.Task", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("author"))
    on_behalf_of = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("on behalf of"))
    kind = models.CharField(_("decision"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("opinion"), blank=True)
    version = models.PositiveIntegerField(_("version reviewed"), default=0)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:40]}"


class AuditEvent(models.Model):
    """One append-only line of the audit trail: who did what to which record, when."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=50)
    target_type = models.CharField(max_length=50)
    target_id = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["target_type", "target_id", "at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target_type}#{self.target_id}"


class QuarterlyReportUserObjectPermission(UserObjectPermissionBase):
    """guardian's direct foreign-key grant table: checks and lists stay single queries."""

    content_object = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE)


class QuarterlyReportGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE)
