"""What every kind of record has in common (records.kinds): its history — opinions, copies,
frozen versions, urges — reached from the record, whatever its kind."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def history(query_name: str) -> tuple[GenericRelation, ...]:
    """A record's opinions, copies, versions and urges; the rows of each are found by the
    record's kind name (``Opinion.objects.filter(report=…)``)."""
    return tuple(GenericRelation(f"records.{model}", content_type_field="record_type",
                                 object_id_field="record_id", related_query_name=query_name)
                 for model in ("Opinion", "CopyTo", "Version", "Urge"))


class ChainRecord(models.Model):
    """A record the chain moves along: a report, a problem, an annual report …

    Each kind has ``unit``, ``status``, ``process``, ``review_level``, ``is_open`` and
    ``is_overdue``, its history (``opinions, copies, versions, urges = history("report")``),
    and says below what the code serving every kind asks of it.
    """

    class Meta:
        abstract = True

    @property
    def step_due(self):
        """The deadline of the step in progress (None when none runs)."""
        raise NotImplementedError

    @property
    def step_due_is_provisional(self) -> bool:
        """The deadline was counted Monday–Friday into a year whose holidays are not known."""
        raise NotImplementedError

    @property
    def version_number(self) -> int:
        """How many times it was submitted: the number of its latest version."""
        raise NotImplementedError

    @property
    def submitter_id(self) -> int | None:
        """Who put it on the chain: a report's last submitter, a problem's registrar."""
        return None

    def drafter_ids(self) -> set[int]:
        """Who wrote it outside its tasks (a liaison's edits): they may not review it."""
        return set()

    def concerned_names(self) -> list[str]:
        """The names of the people it concerns: they may not decide on it."""
        return []


class EvidenceFile(models.Model):
    """A file kept as evidence (佐证材料) with its checksum, checked each time it is served
    (records.services.evidence): a problem's, a duty record's. Each kind adds what it
    proves and its ``file`` (stored under its own folder)."""

    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        abstract = True
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.name
