"""Duty records (履责纪实): what a person did for a duty item of the year's list — one record
for one thing done (一事一记), counted for every item it serves — with its evidence, its
versions and its review; and the committee's reopening of a locked quarter for a person."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .base import EvidenceFile
from .duties import Carrier, DutyItem


class DutyRecord(models.Model):
    class Kind(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        STUDY = "study", _("Study session")
        TALK = "talk", _("Talk")
        INSPECTION = "inspection", _("Inspection")
        LECTURE = "lecture", _("Lecture")
        VISIT = "visit", _("Visit")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting review")
        RETURNED = "returned", _("Returned for revision")
        ACCEPTED = "accepted", _("Accepted")

    # what counts towards a target: recorded and not returned
    COUNTING = (Status.SUBMITTED, Status.ACCEPTED)

    duty_list = models.ForeignKey("DutyList", on_delete=models.PROTECT, related_name="records",
                                  verbose_name=_("duty list"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="duty_records", verbose_name=_("recorded by"))
    # the unit whose post the author recorded for (a head's unit, a leader's bureau)
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT,
                             related_name="duty_records", verbose_name=_("unit"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    organiser = models.CharField(_("organiser"), max_length=100, blank=True)
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                          related_name="duty_records_attended",
                                          verbose_name=_("participants"))
    guests = models.CharField(_("other participants"), max_length=500, blank=True,
                              help_text=_("People outside the chain, by name."))
    summary = models.TextField(_("summary"), max_length=4000)
    items = models.ManyToManyField(DutyItem, through="DutyRecordItem", related_name="records",
                                   verbose_name=_("counts for"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.SUBMITTED)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    is_late = models.BooleanField(_("recorded late (补录)"), default=False)
    late_reason = models.CharField(_("reason for the late record"), max_length=500, blank=True)
    # sampled for review at submission; the others are accepted as recorded
    sampled = models.BooleanField(_("sampled for review"), default=True)
    reviewer_role = models.CharField(_("reviewed by"), max_length=12,
                                     choices=DutyItem.Reviewer.choices)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    # kept with the record for the rates of a bureau's thousands (the versions say when)
    was_returned = models.BooleanField(_("returned at least once"), default=False)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)

    class Meta:
        verbose_name = _("duty record")
        verbose_name_plural = _("duty records")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["duty_list", "unit", "date"]),
            models.Index(fields=["author", "date"]),
            models.Index(fields=["status", "reviewer_role"], condition=Q(status="submitted"),
                         name="duty_records_to_review"),
            # the ledgers' newest-first page (ORDER BY -date, -pk, 50 rows) read from the
            # index's end instead of sorting the year's records (bench/duties.py)
            models.Index(fields=["duty_list", "-date", "-id"], name="duty_records_newest"),
            # the ledgers' counts by status read from the index alone
            models.Index(fields=["duty_list", "status", "id"], name="duty_records_by_status"),
        ]

    def __str__(self):
        return _("%(date)s · %(kind)s · %(author)s") % {
            "date": self.date, "kind": self.get_kind_display(), "author": self.author}

    @property
    def is_talk(self) -> bool:
        return self.kind == self.Kind.TALK

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.RETURNED


class DutyRecordItem(models.Model):
    """One item a record counts for, and whose counter it adds to: the post's place it was
    recorded for (its carrier and unit; the leader, for an item each leader carries). Kept
    with the record's date and whether it counts, so counters are one indexed aggregate."""

    record = models.ForeignKey(DutyRecord, on_delete=models.CASCADE, related_name="counted")
    item = models.ForeignKey(DutyItem, on_delete=models.PROTECT, related_name="counted")
    carrier = models.CharField(max_length=12, choices=Carrier.choices)
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")
    date = models.DateField()
    counts = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record", "item"],
                                               name="a_record_counts_once_an_item")]
        indexes = [models.Index(fields=["unit", "date"], condition=Q(counts=True),
                                name="duty_counted_by_unit"),
                   models.Index(fields=["item", "date"], condition=Q(counts=True),
                                name="duty_counted_by_item"),
                   # the record list's item filter, within a bureau's units
                   models.Index(fields=["item", "unit"], name="duty_counted_item_unit")]

    def __str__(self):
        return f"{self.record_id} → {self.item_id}"


class DutyRecordVersion(models.Model):
    """A record as submitted each time, and what the reviewer said of it."""

    record = models.ForeignKey(DutyRecord, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    content = models.JSONField(_("content"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decision = models.CharField(_("decision"), max_length=10, blank=True)
    opinion = models.TextField(_("opinion"), max_length=2000, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["record", "number"]
        constraints = [models.UniqueConstraint(fields=["record", "number"],
                                               name="one_duty_record_version_a_number")]

    def __str__(self):
        return f"{self.record_id} · v{self.number}"


def duty_evidence_path(instance, filename):
    return f"duty-evidence/{instance.record_id}/{instance.sha256[:16]}-{uuid.uuid4().hex[:8]}"


class DutyRecordEvidence(EvidenceFile):
    """A file proving what a record says (会议记录, 照片 …), with its checksum."""

    record = models.ForeignKey(DutyRecord, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(_("file"), upload_to=duty_evidence_path, max_length=255)

    class Meta(EvidenceFile.Meta):
        pass


class DutyReopening(models.Model):
    """The committee reopens a locked quarter for one person, for a while, with a reason."""

    duty_list = models.ForeignKey("DutyList", on_delete=models.PROTECT,
                                  related_name="reopenings", verbose_name=_("duty list"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("person"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    until = models.DateField(_("open until"))
    reason = models.CharField(_("reason"), max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                           related_name="+", verbose_name=_("reopened by"))
    at = models.DateTimeField(_("reopened at"), default=timezone.now)

    class Meta:
        verbose_name = _("reopened quarter")
        verbose_name_plural = _("reopened quarters")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.person} · Q{self.quarter} · {self.until}"
