"""Problems found and their rectification: the problem, its list, progress, evidence and
extension requests, and who may see each one."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from .base import ChainRecord, EvidenceFile, history


class Problem(ChainRecord):
    """A problem found (问题), followed from registration to close-out (销号) and filing (备案)."""

    class Source(models.TextChoices):
        SELF_INSPECTION = "self_inspection", _("Self-inspection")
        SPOT_CHECK = "spot_check", _("Spot check")
        SUPERVISION = "supervision", _("Supervision")
        INSPECTION_TOUR = "inspection_tour", _("Inspection tour")
        PUBLIC_REPORT = "public_report", _("Public report")
        REFERRAL = "referral", _("Higher-level referral")

    class Category(models.TextChoices):
        FORMALISM = "formalism", _("Formalism")
        BUREAUCRATISM = "bureaucratism", _("Bureaucratism")
        HEDONISM = "hedonism", _("Hedonism")
        EXTRAVAGANCE = "extravagance", _("Extravagance")
        DISCIPLINE = "discipline", _("Discipline")
        IDEOLOGY = "ideology", _("Ideology")
        WORK_STYLE = "work_style", _("Work style")
        OTHER = "other", _("Other")

    FOUR_WINDS = (Category.FORMALISM, Category.BUREAUCRATISM, Category.HEDONISM,
                  Category.EXTRAVAGANCE)

    class Status(models.TextChoices):
        ANALYSING = "analysing", _("Analysing")
        PLAN_REVIEW = "plan_review", _("Plan awaiting approval")
        RECTIFYING = "rectifying", _("Rectifying")
        VERIFYING = "verifying", _("Awaiting verification")
        CLOSED = "closed", _("Closed out")
        FILED = "filed", _("Closed and filed")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATUSES = (Status.ANALYSING, Status.PLAN_REVIEW, Status.RECTIFYING, Status.VERIFYING)
    DONE_STATUSES = (Status.CLOSED, Status.FILED)
    # steps whose deadline is the unit's planned completion date, a date people chose: it is
    # never counted in working days, so never provisional and never recounted
    PLANNED_DATE_STEPS = ("rectify", "rectify_parts")

    problem_list = models.ForeignKey("ProblemList", verbose_name=_("problem list"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="problems")
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.TextField(_("description"), max_length=4000)
    found_on = models.DateField(_("date found"))
    unit = models.ForeignKey("accounts.Unit", verbose_name=_("responsible unit"),
                             on_delete=models.PROTECT, related_name="problems")
    person_concerned = models.CharField(_("person concerned"), max_length=100, blank=True)
    co_units = models.ManyToManyField(
        "accounts.Unit", verbose_name=_("other units involved"), blank=True,
        related_name="joint_problems",
        help_text=_("Units that share the rectification with the responsible (lead) unit: "
                    "each unit's head writes its part (countersign)."))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                      related_name="+", verbose_name=_("registered by"))
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)

    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.ANALYSING)
    step = models.CharField(_("current step"), max_length=30, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("assignee"))
    due_date = models.DateField(_("deadline"), null=True, blank=True,
                                help_text=_("Deadline of the current step."))

    root_cause = models.TextField(_("root-cause analysis"), blank=True, max_length=10000)
    measures = models.TextField(_("rectification measures"), blank=True,
                                max_length=10000)
    planned_date = models.DateField(_("planned completion date"), null=True, blank=True)
    review_level = models.PositiveSmallIntegerField(
        _("review level"), default=0,
        help_text=_("Levels of review passed since the plan was last sent (level-by-level review)."))
    plan_version = models.PositiveIntegerField(
        _("plan version"), default=0, help_text=_("How many times the plan was submitted."))
    approved_date = models.DateField(
        _("approved completion date"), null=True, blank=True,
        help_text=_("As first approved; extensions do not move it, so statistics keep it."))
    rectified_at = models.DateTimeField(_("rectification reported at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed out at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("closed out by"))
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    process = models.OneToOneField("viewflow.Process", on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="problem")
    opinions, copies, versions, urges = history("problem")

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["-registered_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["category", "status"]),
            models.Index(fields=["source", "status"]),
            models.Index(fields=["found_on"]),
            models.Index(fields=["filed_at"]),
            models.Index(fields=["-found_on", "-id"], name="problem_ledger_default_order"),
        ]

    def __str__(self):
        return _("Problem #%(pk)s · %(unit)s") % {"pk": self.pk, "unit": self.unit}

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return bool(self.is_open and self.due_date and self.due_date < timezone.localdate())

    @property
    def step_due(self):
        return self.due_date

    @property
    def step_due_is_provisional(self) -> bool:
        return self.due_date_is_provisional

    @property
    def version_number(self) -> int:
        return self.plan_version

    @property
    def submitter_id(self) -> int | None:
        return self.registered_by_id

    def concerned_names(self) -> list[str]:
        name = (self.person_concerned or "").strip()
        return [name] if name else []

    @property
    def due_date_is_provisional(self) -> bool:
        """The current step's deadline was counted Monday–Friday in a year not entered yet
        (a planned completion date is the unit's own: never provisional)."""
        from records.workdays import is_provisional

        return (self.is_open and self.step not in self.PLANNED_DATE_STEPS
                and is_provisional(self.due_date))

    @property
    def is_four_winds(self) -> bool:
        return self.category in self.FOUR_WINDS


class ProblemList(models.Model):
    """One check that found problems (e.g. a holiday spot check, 明察暗访): a problem list."""

    title = models.CharField(pgettext_lazy("document", "title"), max_length=200)
    source = models.CharField(_("source"), max_length=20, choices=Problem.Source.choices)
    checked_on = models.DateField(_("date of the check"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                      related_name="+", verbose_name=_("registered by"))
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)

    class Meta:
        verbose_name = _("problem list")
        verbose_name_plural = _("problem lists")
        ordering = ["-checked_on", "-pk"]

    def __str__(self):
        return self.title


class ProgressNote(models.Model):
    """What the unit reports having done while rectifying."""

    problem = models.ForeignKey("Problem", on_delete=models.PROTECT, related_name="progress_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("author"))
    text = models.TextField(_("progress"), max_length=4000)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text[:40]


def evidence_path(instance, filename):
    return f"evidence/{instance.problem_id}/{instance.sha256[:16]}-{uuid.uuid4().hex[:8]}"


class Evidence(EvidenceFile):
    """A file proving rectification (佐证材料), with its checksum."""

    problem = models.ForeignKey("Problem", on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=255)

    class Meta(EvidenceFile.Meta):
        pass


class ExtensionRequest(models.Model):
    """The unit asks for more time before the deadline; the supervising leader decides."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")
        LAPSED = "lapsed", _("No longer needed: the rectification was reported done")

    problem = models.ForeignKey("Problem", on_delete=models.PROTECT, related_name="extensions")
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("unit's part"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
        help_text=_("For a joint problem: the unit whose part of the rectification is to be "
                    "extended. Empty: the whole problem."))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    current_date = models.DateField(_("deadline when asked"))
    new_date = models.DateField(_("requested new deadline"))
    reason = models.TextField(_("reason"), max_length=2000)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices,
                                default=Decision.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decider = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("to be decided by"),
        help_text=_("Who decides it by today's chain (the post holder; whoever acts for them "
                    "decides while they are away). Follows the chain while it is pending."))
    decide_by = models.DateField(_("decide by"), null=True, blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["problem"],
                                    condition=Q(decision="pending", unit__isnull=True),
                                    name="one_pending_extension_per_problem"),
            models.UniqueConstraint(fields=["problem", "unit"],
                                    condition=Q(decision="pending", unit__isnull=False),
                                    name="one_pending_extension_per_part"),
        ]

    def __str__(self):
        return f"{self.current_date} → {self.new_date} ({self.get_decision_display()})"


class ProblemUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey("Problem", on_delete=models.CASCADE)


class ProblemGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey("Problem", on_delete=models.CASCADE)
