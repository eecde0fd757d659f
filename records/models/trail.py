"""What stays in a record's history: opinions, copies, frozen versions, urges, and the
append-only audit trail."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OnRecordQuerySet(models.QuerySet):
    """Rows of a record's history: ``of(record)`` for one record of any kind."""

    def of(self, record):
        return self.filter(record_type=ContentType.objects.get_for_model(record),
                           record_id=record.pk)

    def of_many(self, records):
        """Of several records of one kind (one query)."""
        records = list(records)
        if not records:
            return self.none()
        return self.filter(record_type=ContentType.objects.get_for_model(records[0]),
                           record_id__in=[record.pk for record in records])


class OnRecord(models.Model):
    """A row of a record's history, linked to its record of whichever kind (records.kinds)
    in one way: a new kind of record needs no new column here."""

    record_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    record_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("record_type", "record_id")

    objects = OnRecordQuerySet.as_manager()

    class Meta:
        abstract = True


class Opinion(OnRecord):
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

    class Meta(OnRecord.Meta):
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["record_type", "record_id", "created_at"],
                                name="opinion_record")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:40]}"


class CopyTo(OnRecord):
    """A record copied (抄送) to someone for their information: they may read it from then on."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="copies_received", verbose_name=_("copied to"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                           blank=True, related_name="copies_sent", verbose_name=_("copied by"))
    task = models.ForeignKey("viewflow.Task", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    step = models.CharField(_("step"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta(OnRecord.Meta):
        verbose_name = _("copy")
        verbose_name_plural = _("copies")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["recipient", "created_at"]),
                   models.Index(fields=["record_type", "record_id"], name="copyto_record")]

    def __str__(self):
        return _("Copy to %(name)s") % {"name": self.recipient}


class Version(OnRecord):
    """What one submission said, frozen (版本): a report's content or a problem's plan.

    Written by the submitting service in its transaction; never changed, never deleted.
    ``number`` follows the record's counter (QuarterlyReport.version, Problem.plan_version).
    """

    number = models.PositiveIntegerField(_("version"))
    content = models.JSONField(_("content"), default=dict)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    task = models.ForeignKey("viewflow.Task", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")

    class Meta(OnRecord.Meta):
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["record_type", "record_id", "number"],
                                    name="one_version_number_per_record"),
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

        from records import kinds

        return reverse(kinds.of_type(self.record_type_id).version_url,
                       args=[self.record_id, self.number])

    def delete(self, *args, **kwargs):
        raise ValueError("A version is kept forever: it cannot be deleted.")


class Urge(OnRecord):
    """Someone urged (催办) the current assignee of an item: at most once per item per working day.

    ``day`` is the working day the urge counts for: the day it was sent, or, sent on
    a day off, the next working day (when the assignee will read it). The database
    allows one urge per item and day, so two clicks at once urge once.
    """

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

    class Meta(OnRecord.Meta):
        verbose_name = _("urge")
        verbose_name_plural = _("urges")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["record_type", "record_id", "day"],
                                    name="one_urge_per_record_day"),
        ]

    def __str__(self):
        return f"{self.day} {self.urged_by} → {self.assignee}"


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
