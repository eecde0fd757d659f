"""What every kind of record has in common (records.kinds): its history — opinions, copies,
frozen versions, urges — reached from the record, whatever its kind."""

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models


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
