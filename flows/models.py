from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process


class ReportProcess(Process):
    """The process of one quarterly report; the report itself is a record of its own."""

    class Meta:
        proxy = True

    @property
    def report(self):
        return self.quarterly_report

    @property
    def brief(self):
        try:
            return str(self.quarterly_report)
        except ObjectDoesNotExist:  # a process being started has no report yet
            return super().brief


class ProblemProcess(Process):
    """The rectification process of one problem."""

    class Meta:
        proxy = True

    @property
    def brief(self):
        try:
            return str(self.problem)
        except ObjectDoesNotExist:  # a process being started has no problem yet
            return super().brief


class RecordProcess(Process):
    """The process of one record of any kind (records.kinds): what a new flow uses."""

    class Meta:
        proxy = True

    @property
    def brief(self):
        from records.kinds import record_of_process

        record = record_of_process(self) if self.pk else None
        return str(record) if record is not None else super().brief


class CountersignPart(models.Model):
    """One participant's part of a countersign step (会签): who, for which unit, what they wrote.

    A countersign step opens one part per participant (flows/countersign.py); each part
    gets its own task. ``round`` counts the times the step was opened for the process
    (a step sent back opens a new round).
    """

    class Mode(models.TextChoices):
        ALL = "all", _("All must act")
        ANY = "any", _("Any one decides")
        SEQUENCE = "sequence", _("One after another")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Written")
        NOT_NEEDED = "not_needed", _("Not needed")

    process = models.ForeignKey("viewflow.Process", on_delete=models.PROTECT,
                                related_name="countersign_parts")
    step = models.CharField(_("step"), max_length=50)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    position = models.PositiveSmallIntegerField(_("position"))
    mode = models.CharField(_("countersign mode"), max_length=10, choices=Mode.choices)
    unit = models.ForeignKey("accounts.Unit", verbose_name=_("unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    participant = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("participant"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    on_behalf_of = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("on behalf of"))
    task = models.OneToOneField("viewflow.Task", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="countersign_part")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.PENDING)
    text = models.TextField(_("part"), blank=True, max_length=4000)
    due_date = models.DateField(_("deadline"), null=True, blank=True,
                                help_text=_("When the part is due: the plan's completion date, "
                                            "unless an extension of this part was granted."))
    acted_at = models.DateTimeField(_("acted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("countersign part")
        verbose_name_plural = _("countersign parts")
        ordering = ["process", "step", "round", "position"]
        constraints = [
            models.UniqueConstraint(fields=["process", "step", "round", "position"],
                                    name="countersign_part_unique_position"),
        ]

    def __str__(self):
        return f"{self.step} #{self.round}.{self.position} {self.unit or self.participant or ''}"
