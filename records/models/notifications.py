"""Notifications to people, their deliveries through outside channels, and background jobs
that failed for good."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Notification(models.Model):
    """One message to one person about one item (in-app; other channels via ``Delivery``).

    ``key`` names the item ("records.problem:12"); the database allows one
    notification per (recipient, kind, key, day), so a sweep that runs twice,
    two racing workers or a redelivered message cannot notify twice. A new task's
    notice names its task instead (``task``): one per task, however often the step is
    entered on a day.
    """

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Deadline approaching")
        DUE_TODAY = "due_today", _("Due today")
        DUE_TODAY_LEADER = "due_today_leader", _("Due today (for the leader)")
        OVERDUE = "overdue", _("Overdue: escalated")
        ASSIGNED = "assigned", _("New task")
        COPIED = "copied", _("Copied to you")
        TRANSFERRED = "transferred", _("Task transferred to you")
        WITHDRAWN = "withdrawn", _("Withdrawn by the submitter")
        URGED = "urged", _("Urged")
        NO_HOLDER = "no_holder", _("Nobody may act on a step")
        CALENDAR_MISSING = "calendar_missing", _("Holiday arrangement not entered")
        EXTENSION = "extension", _("Extension request to decide")
        DUTY_RECORD_REVIEW = "duty_record_review", _("Duty record to review")
        DUTY_RECORD_RETURNED = "duty_record_returned", _("Duty record returned")
        DUTY_BEHIND = "duty_behind", _("Behind on a duty item")
        ASSESSMENT = "assessment", _("Year-end assessment")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications", verbose_name=_("recipient"))
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    key = models.CharField(_("item"), max_length=60)
    day = models.DateField(_("day"))
    deadline = models.DateField(_("deadline"), null=True, blank=True,
                                help_text=_("The deadline the reminder was about."))
    title = models.CharField(pgettext_lazy("document", "title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    task = models.PositiveBigIntegerField(_("task"), null=True, blank=True,
                                          help_text=_("The task a new task's notice announced."))

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["recipient", "kind", "key", "day"],
                                               condition=Q(task__isnull=True),
                                               name="one_notification_per_item_kind_day"),
                       models.UniqueConstraint(fields=["recipient", "task"],
                                               condition=Q(task__isnull=False),
                                               name="one_notice_per_task")]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"]),
                   models.Index(fields=["key", "kind"])]

    def __str__(self):
        return f"{self.recipient}: {self.title}"


class Delivery(models.Model):
    """Sending one notification through one outside channel (email, SMS, DingTalk …).

    An outbox row: written with its notification, it stays pending until a job sends it.
    ``job_due_at`` is when the job last enqueued for it should run (when it was written,
    or when a failed attempt's retry is due); a pending delivery whose job is long past due
    was lost on the way and is enqueued again (records.notifications.delivery_resend_stale).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE,
                                     related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=30)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    job_due_at = models.DateTimeField(_("job due at"), default=timezone.now)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [models.UniqueConstraint(fields=["notification", "channel"],
                                               name="one_delivery_per_channel")]
        # the resend sweep reads the pending ones alone, oldest job first, however many
        # have been sent
        indexes = [models.Index(fields=["job_due_at"], condition=Q(status="pending"),
                                name="delivery_pending_job_due")]

    def __str__(self):
        return f"{self.channel} · {self.get_status_display()}"


class FailedJob(models.Model):
    """A background job that kept failing after its retries: shown to the administrator."""

    task_name = models.CharField(_("job"), max_length=200)
    task_id = models.CharField(max_length=100, blank=True)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    error = models.TextField(_("error"))
    traceback = models.TextField(blank=True)
    failed_at = models.DateTimeField(_("failed at"), default=timezone.now)
    rerun_at = models.DateTimeField(_("re-run at"), null=True, blank=True)

    class Meta:
        verbose_name = _("failed job")
        verbose_name_plural = _("failed jobs")
        ordering = ["-failed_at"]

    def __str__(self):
        return f"{self.task_name} · {self.failed_at:%Y-%m-%d %H:%M}"
