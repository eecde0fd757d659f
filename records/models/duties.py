"""The year's duty list (责任清单): the items the whole year hangs on, each with who carries
it, its target and its period. Built by the discipline committee from the year's work plan,
issued by the secretary; an issued list changes only by a new version with a reason."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DutyList(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")
        CLOSED = "closed", _("Closed")

    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(pgettext_lazy("document", "title"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    version = models.PositiveSmallIntegerField(
        _("version"), default=1, help_text=_("Each change of an issued list is a new version."))
    source_text = models.TextField(_("work plan text"), blank=True,
                                   help_text=_("The plan the items were read from."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("built by"))
    created_at = models.DateTimeField(_("built at"), default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+", null=True, blank=True,
                                  verbose_name=_("issued by"))
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    record_within = models.PositiveSmallIntegerField(
        _("records due within (working days)"), default=5,
        help_text=_("A record entered later than this after the event counts as late (补录)."))
    lock_after = models.PositiveSmallIntegerField(
        _("quarters lock after (working days)"), default=10,
        help_text=_("After this, only the committee can reopen a quarter for a person."))

    class Meta:
        verbose_name = _("duty list")
        verbose_name_plural = _("duty lists")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["year"], name="one_duty_list_a_year")]

    def __str__(self):
        return self.title

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class Carrier(models.TextChoices):
    """Who carries a duty item: posts of the chain, resolved as of each day."""

    LEADERSHIP = "leadership", _("The leadership group")
    SECRETARY = "secretary", _("The secretary")
    LEADERS = "leaders", _("Each leadership member")
    UNIT_HEADS = "unit_heads", _("Each unit head")
    BRANCHES = "branches", _("Each party branch (its liaison)")
    COMMITTEE = "committee", _("The discipline committee")


class DutyItem(models.Model):
    class Period(models.TextChoices):
        YEAR = "year", _("A year")
        QUARTER = "quarter", _("A quarter")
        MONTH = "month", _("A month")
        EVENT = "event", _("Each time it happens")

    class Reviewer(models.TextChoices):
        SUPERVISOR = "supervisor", _("The supervising leader")
        SECRETARY = "secretary", _("The secretary")
        COMMITTEE = "committee", _("The discipline committee")

    duty_list = models.ForeignKey(DutyList, on_delete=models.CASCADE, related_name="items",
                                  verbose_name=_("duty list"))
    number = models.PositiveSmallIntegerField(_("No."))
    section = models.CharField(_("section"), max_length=200, blank=True)
    title = models.CharField(pgettext_lazy("document", "title"), max_length=200)
    text = models.TextField(_("text"), max_length=4000)
    target_needed = models.BooleanField(
        _("target needed"), default=False,
        help_text=_("The plan gives its count as X or XX: a target must be set for the year."))
    target = models.PositiveSmallIntegerField(
        _("target"), null=True, blank=True,
        help_text=_("How many times per period; empty with “as needed”."))
    as_needed = models.BooleanField(_("as needed"), default=False)
    period = models.CharField(_("period"), max_length=10, choices=Period.choices,
                              default=Period.YEAR)
    carriers = models.JSONField(_("carried by"), default=list, blank=True,
                                help_text=_("Posts of the chain (Carrier codes)."))
    deadline_working_days = models.PositiveSmallIntegerField(
        _("record within (working days)"), default=5,
        help_text=_("A record is due N working days after the period ends."))
    evidence_required = models.BooleanField(_("evidence required"), default=False)
    reviewer = models.CharField(_("reviewed by"), max_length=12, choices=Reviewer.choices,
                                default=Reviewer.SUPERVISOR)
    sample_percent = models.PositiveSmallIntegerField(
        _("records reviewed (%)"), default=100,
        help_text=_("The share of records drawn for review; the others are accepted as "
                    "recorded."))

    class Meta:
        verbose_name = _("duty item")
        verbose_name_plural = _("duty items")
        ordering = ["duty_list", "number"]
        constraints = [
            models.UniqueConstraint(fields=["duty_list", "number"], name="one_item_a_number"),
            models.CheckConstraint(condition=Q(target__isnull=True) | Q(target__gte=1),
                                   name="duty_target_positive"),
            models.CheckConstraint(condition=Q(sample_percent__lte=100),
                                   name="duty_sample_percent_at_most_100"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    @property
    def target_set(self) -> bool:
        return self.as_needed or self.target is not None

    def carrier_labels(self) -> list[str]:
        labels = dict(Carrier.choices)
        return [str(labels[code]) for code in self.carriers if code in labels]


class DutyListRevision(models.Model):
    """One version of a list once issued: why it changed, by whom, and the items as they were
    before (so every earlier version can be read)."""

    duty_list = models.ForeignKey(DutyList, on_delete=models.CASCADE, related_name="revisions",
                                  verbose_name=_("duty list"))
    version = models.PositiveSmallIntegerField(_("version"))
    reason = models.TextField(_("reason"), max_length=2000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name=_("changed by"))
    at = models.DateTimeField(_("changed at"), default=timezone.now)
    items_before = models.JSONField(_("items before"), default=list)

    class Meta:
        verbose_name = _("duty list version")
        verbose_name_plural = _("duty list versions")
        ordering = ["duty_list", "version"]
        constraints = [models.UniqueConstraint(fields=["duty_list", "version"],
                                               name="one_revision_a_version")]

    def __str__(self):
        return f"{self.duty_list} · v{self.version}"
