"""What stays in a record's history: opinions, copies, frozen versions, urges, and the
append-only audit trail."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Opinion(models.Model):
    """A reviewer's written opinion (意见): kept forever, shown in order."""

    class Kind(models.TextChoices):
        SIGN_OFF = "sign_off", _("Signed off")
        RETURN = "return", _("Returned")
        APPROVE = "approve", _("Plan approved")
        CLOSE_OUT = "close_out", _("Closed out")
        SEND_BACK = "send_back", _("Sent back to rectify")
        GRANT = "grant", _("Extension granted")
        REFUSE = "refuse", _("Extension refused")
        CANCEL = "cancel", _("Cancelled")
        PASS_UP = "pass_up", _("Agreed, passed up for review")
        WITHDRAW = "withdraw", _("Withdrawn by the submitter")
        TRANSFER = "transfer", _("Transferred")

    # the kinds that decide a step (the others are notes on it: a withdrawal, a transfer)
    DECISIONS = (Kind.SIGN_OFF, Kind.RETURN, Kind.APPROVE, Kind.CLOSE_OUT, Kind.SEND_BACK,
                 Kind.PASS_UP)

    report = models.ForeignKey("QuarterlyReport", on_delete=models.PROTECT, related_name="opinions",
                               null=True, blank=True)
    problem = models.ForeignKey("Problem", on_delete=models.PROTECT, related_name="opinions",
                                null=True, blank=True)
    task = models.ForeignKey("viewflow.Task", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("author"))
    on_behalf_of = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("on behalf of"))
    kind = models.CharField(_("decision"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("opinion"), blank=True, max_length=4000)
    version = models.PositiveIntegerField(_("version reviewed"), default=0)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(report__isnull=False, problem__isnull=True)
                | Q(report__isnull=True, problem__isnull=False),
                name="opinion_on_exactly_one_record",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:40]}"


class CopyTo(models.Model):
    """A record copied (抄送) to someone for their information: they may read it from then on."""

    report = models.ForeignKey("QuarterlyReport", on_delete=models.PROTECT, related_name="copies",
                               null=True, blank=True)
    problem = models.ForeignKey("Problem", on_delete=models.PROTECT, related_name="copies",
                                null=True, blank=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="copies_received", verbose_name=_("copied to"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                           blank=True, related_name="copies_sent", verbose_name=_("copied by"))
    task = models.ForeignKey("viewflow.Task", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    step = models.CharField(_("step"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("copy")
        verbose_name_plural = _("copies")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(report__isnull=False, problem__isnull=True)
                | Q(report__isnull=True, problem__isnull=False),
                name="copy_of_exactly_one_record",
            ),
        ]
        indexes = [models.Index(fields=["recipient", "created_at"])]

    def __str__(self):
        return _("Copy to %(name)s") % {"name": self.recipient}


class Version(models.Model):
    """What one submission said, frozen (版本): a report's content or a problem's plan.

    Written by the submitting service in its transaction; never changed, never deleted.
    ``number`` follows the record's counter (QuarterlyReport.version, Problem.plan_version).
    """

    report = models.ForeignKey("QuarterlyReport", on_delete=models.PROTECT, related_name="versions",
                               null=True, blank=True)
    problem = models.ForeignKey("Problem", on_delete=models.PROTECT, related_name="versions",
                                null=True, blank=True)
    number = models.PositiveIntegerField(_("version"))
    content = models.JSONField(_("content"), default=dict)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    task = models.ForeignKey("viewflow.Task", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")

    class Meta:
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(report__isnull=False, problem__isnull=True)
                | Q(report__isnull=True, problem__isnull=False),
                name="version_of_exactly_one_record",
            ),
            models.UniqueConstraint(fields=["report", "number"], condition=Q(report__isnull=False),
                                    name="one_version_number_per_report"),
            models.UniqueConstraint(fields=["problem", "number"],
                                    condition=Q(problem__isnull=False),
                                    name="one_version_number_per_problem"),
            models.CheckConstraint(condition=Q(number__gte=1), name="version_number_from_1"),
        ]

    def __str__(self):
        return _("Version %(number)s") % {"number": self.number}

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("A version is frozen: it cannot be changed.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        name = "reports:version" if self.report_id else "problems:version"
        return reverse(name, args=[self.record_id, self.number])

    def delete(self, *args, **kwargs):
        raise ValueError("A version is kept forever: it cannot be deleted.")

    @property
    def record_id(self) -> int:
        return self.report_id or self.problem_id


class Urge(models.Model):
    """Someone urged (催办) the current assignee of an item: at most once per item per working day.

    ``day`` is the working day the urge counts for: the day it was sent, or, sent on
    a day off, the next working day (when the assignee will read it). The database
    allows one urge per item and day, so two clicks at once urge once.
    """

    report = models.ForeignKey("QuarterlyReport", on_delete=models.PROTECT, related_name="urges",
                               null=True, blank=True)
    problem = models.ForeignKey("Problem", on_delete=models.PROTECT, related_name="urges",
                                null=True, blank=True)
    task = models.ForeignKey("viewflow.Task", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    urged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("urged by"))
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("assignee"))
    on_behalf_of = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("on behalf of"))
    message = models.TextField(_("message"), blank=True, max_length=1000)
    day = models.DateField(_("working day"))
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("urge")
        verbose_name_plural = _("urges")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(report__isnull=False, problem__isnull=True)
                | Q(report__isnull=True, problem__isnull=False),
                name="urge_on_exactly_one_record",
            ),
            models.UniqueConstraint(fields=["report", "day"], condition=Q(report__isnull=False),
                                    name="one_urge_per_report_day"),
            models.UniqueConstraint(fields=["problem", "day"], condition=Q(problem__isnull=False),
                                    name="one_urge_per_problem_day"),
        ]

    def __str__(self):
        return f"{self.day} {self.urged_by} → {self.assignee}"

    @property
    def record(self):
        return self.report if self.report_id else self.problem


class AuditEvent(models.Model):
    """One append-only line of the audit trail: who did what to which record, when, from where.

    Each event carries an HMAC over its content and the previous event's, so
    ``manage.py verify_audit`` finds the first event altered, inserted or removed
    behind the application's back (records/audit.py).
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=50)
    target_type = models.CharField(max_length=50)
    target_id = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["target_type", "target_id", "at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target_type}#{self.target_id}"
