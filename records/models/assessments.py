"""The year-end assessment (考核): a scheme of criteria per year and subject group, one
assessment a year run through its phases, a score sheet per subject whose every line keeps
the explanations of what it lost, the changes people made to it and the appeals against it.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .base import EvidenceFile

POINTS = dict(max_digits=6, decimal_places=2)
ZERO = Decimal("0")


class SubjectGroup(models.TextChoices):
    LEADERS = "leaders", pgettext_lazy("assessed", "Leadership members")
    UNITS = "units", pgettext_lazy("assessed", "Units and divisions")


class AssessmentScheme(models.Model):
    """The criteria one subject group of one year is assessed by, with the weights, bands
    and quota. A scheme in use (its assessment opened) changes only by a new version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_USE = "in_use", _("In use")

    class Rounding(models.TextChoices):
        DOWN = "down", _("Round down")
        NEAREST = "nearest", _("Round to nearest")
        UP = "up", _("Round up")

    year = models.PositiveSmallIntegerField(_("year"))
    group = models.CharField(_("subject group"), max_length=10, choices=SubjectGroup.choices)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    title = models.CharField(pgettext_lazy("document", "title"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("based on"))
    reason = models.TextField(_("reason for this version"), blank=True, max_length=2000)
    # a criterion's score: these shares of the self, the leader's and the computed score
    weight_self = models.PositiveSmallIntegerField(_("weight of the self-score (%)"), default=10,
                                                   validators=[MaxValueValidator(100)])
    weight_leader = models.PositiveSmallIntegerField(_("weight of the leader's score (%)"),
                                                     default=20,
                                                     validators=[MaxValueValidator(100)])
    weight_automatic = models.PositiveSmallIntegerField(_("weight of the computed score (%)"),
                                                        default=70,
                                                        validators=[MaxValueValidator(100)])
    excellent_min = models.DecimalField(_("excellent from"), default=Decimal(90), **POINTS)
    good_min = models.DecimalField(_("good from"), default=Decimal(80), **POINTS)
    fair_min = models.DecimalField(_("fair from"), default=Decimal(70), **POINTS)
    # criteria at 0 a 良好 may have (优秀 may have none)
    good_zero_criteria = models.PositiveSmallIntegerField(_("criteria at 0 allowed for good"),
                                                          default=1)
    excellent_quota = models.PositiveSmallIntegerField(
        # xgettext:no-python-format
        _("quota of excellent (% of the group)"), default=20, validators=[MaxValueValidator(100)])
    quota_rounding = models.CharField(_("quota rounding"), max_length=10,
                                      choices=Rounding.choices, default=Rounding.DOWN)
    # a leader's deduction on a shared criterion: (100 - share)% of their own and share% of
    # the deductions of the units they oversee on the units' criterion of the same measure
    unit_share = models.PositiveSmallIntegerField(
        _("share of the overseen units' deductions (%)"), default=20,
        validators=[MaxValueValidator(100)])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["-year", "group", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["year", "group", "version"],
                                    name="one_scheme_version"),
            models.CheckConstraint(
                condition=Q(weight_self__lte=100, weight_leader__lte=100,
                            weight_automatic__lte=100),
                name="scheme_weights_percent"),
        ]

    def __str__(self):
        return f"{self.title} (v{self.version})"

    @property
    def is_in_use(self) -> bool:
        return self.status == self.Status.IN_USE


class Criterion(models.Model):
    """One line of a scheme: its group, maximum, rule in words and how it is scored."""

    class Group(models.TextChoices):
        SETTING = "setting", _("Setting duties")
        CARRYING = "carrying", _("Carrying them out")
        SUPERVISING = "supervising", _("Supervising")
        ACCOUNTABILITY = "accountability", _("Accountability")

    class Kind(models.TextChoices):
        AUTOMATIC = "automatic", _("Computed from the records")
        MANUAL = "manual", _("Scored by a person")
        SPECIAL = "special", _("Special (bonus, deduction, veto)")

    class Special(models.TextChoices):
        BONUS = "bonus", _("Bonus")
        DEDUCTION = "deduction", _("Deduction")
        VETO = "veto", _("Veto")
        BAR = "bar", _("Bar to excellent")

    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.CASCADE,
                               related_name="criteria", verbose_name=_("scheme"))
    number = models.PositiveSmallIntegerField(_("No."))
    group = models.CharField(_("group"), max_length=16, choices=Group.choices)
    name = models.CharField(_("name"), max_length=200)
    max_points = models.DecimalField(_("maximum points"), validators=[MinValueValidator(0)],
                                     **POINTS)
    rule = models.TextField(_("rule"), max_length=4000)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # automatic: the measure (records.assessment_measures.MEASURES) and its numbers
    measure = models.CharField(_("measure"), max_length=40, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    special = models.CharField(_("special kind"), max_length=10, choices=Special.choices,
                               blank=True)
    shared_with_units = models.BooleanField(_("shared with the overseen units"), default=False)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["scheme", "number"]
        constraints = [models.UniqueConstraint(fields=["scheme", "number"],
                                               name="one_criterion_a_number")]

    def __str__(self):
        return f"{self.number}. {self.name}"

    @property
    def counts_in_total(self) -> bool:
        """Part of the 100 points (a special criterion adds or takes beside them)."""
        return self.kind != self.Kind.SPECIAL


class Assessment(models.Model):
    """One year's assessment of both subject groups, moved through its phases by the
    committee (records.services.assessments)."""

    class Status(models.TextChoices):
        PREPARING = "preparing", _("Preparing (scores recomputed nightly)")
        SELF_SCORING = "self_scoring", _("Self-scoring")
        LEADER_SCORING = "leader_scoring", _("Leaders scoring")
        REVIEW = "review", _("Committee review")
        PUBLISHED = "published", _("Published for feedback and appeals")
        APPROVED = "approved", _("Approved")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    title = models.CharField(pgettext_lazy("document", "title"), max_length=200)
    leaders_scheme = models.ForeignKey(AssessmentScheme, on_delete=models.PROTECT,
                                       related_name="+", verbose_name=_("leaders' scheme"))
    units_scheme = models.ForeignKey(AssessmentScheme, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("units' scheme"))
    cut_off = models.DateField(_("records counted up to"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.PREPARING)
    step_days = models.PositiveSmallIntegerField(_("working days per step"), default=5,
                                                 validators=[MinValueValidator(1),
                                                             MaxValueValidator(30)])
    phase_started = models.DateField(_("step started"), null=True, blank=True)
    phase_due = models.DateField(_("step due"), null=True, blank=True)
    computed_at = models.DateTimeField(_("scores computed at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    circular = models.OneToOneField("Circular", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="assessment", verbose_name=_("circular"))

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-year"]

    def __str__(self):
        return self.title

    def scheme_of(self, group: str) -> AssessmentScheme:
        return self.leaders_scheme if group == SubjectGroup.LEADERS else self.units_scheme

    @property
    def is_frozen(self) -> bool:
        """Its automatic scores no longer move (frozen when it opened)."""
        return self.status != self.Status.PREPARING

    @property
    def is_published(self) -> bool:
        return self.status in (self.Status.PUBLISHED, self.Status.APPROVED)


class Grade(models.TextChoices):
    EXCELLENT = "excellent", pgettext_lazy("grade", "Excellent")
    GOOD = "good", pgettext_lazy("grade", "Good")
    FAIR = "fair", pgettext_lazy("grade", "Fair")
    POOR = "poor", pgettext_lazy("grade", "Poor")


class AssessmentSheet(models.Model):
    """One subject's score sheet: a unit, or a leadership member."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="sheets",
                                   verbose_name=_("assessment"))
    group = models.CharField(_("subject group"), max_length=10, choices=SubjectGroup.choices)
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("unit"))
    # a leadership member (their unit is the bureau); none for a unit
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("leadership member"))
    self_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("self-scored by"))
    self_at = models.DateTimeField(_("self-scored at"), null=True, blank=True)
    leader_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("scored by"))
    leader_at = models.DateTimeField(_("scored at"), null=True, blank=True)
    total = models.DecimalField(_("total"), default=ZERO, **POINTS)
    zero_criteria = models.PositiveSmallIntegerField(_("criteria at 0"), default=0)
    vetoed = models.BooleanField(_("vetoed"), default=False)
    barred = models.BooleanField(_("barred from excellent"), default=False)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices, blank=True)
    # the committee's grade instead of the computed one, with its reason
    grade_set = models.CharField(_("grade set by the committee"), max_length=10,
                                 choices=Grade.choices, blank=True)
    grade_reason = models.TextField(_("reason for the grade"), blank=True, max_length=2000)
    acknowledged_at = models.DateTimeField(_("read and accepted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        ordering = ["assessment", "group", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "unit"],
                                    condition=Q(subject__isnull=True),
                                    name="one_sheet_a_unit"),
            models.UniqueConstraint(fields=["assessment", "subject"],
                                    condition=Q(subject__isnull=False),
                                    name="one_sheet_a_leader"),
        ]
        indexes = [models.Index(fields=["assessment", "group", "-total"])]

    def __str__(self):
        return str(self.subject) if self.subject_id else str(self.unit)

    @property
    def subject_name(self) -> str:
        return self.subject.get_full_name() or self.subject.username if self.subject_id \
            else self.unit.name


class ScoreLine(models.Model):
    """A criterion's score on a sheet: the computed, self and leader's scores, the
    committee's adjustment, and the final score they make."""

    sheet = models.ForeignKey(AssessmentSheet, on_delete=models.CASCADE, related_name="lines",
                              verbose_name=_("score sheet"))
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("criterion"))
    automatic = models.DecimalField(_("computed"), null=True, blank=True, **POINTS)
    self_score = models.DecimalField(_("self-score"), null=True, blank=True, **POINTS)
    self_reason = models.TextField(_("reason for the self-score"), blank=True, max_length=2000)
    leader_score = models.DecimalField(_("leader's score"), null=True, blank=True, **POINTS)
    leader_reason = models.TextField(_("reason for the leader's score"), blank=True,
                                     max_length=2000)
    adjusted = models.DecimalField(_("adjusted by the committee"), null=True, blank=True,
                                   **POINTS)
    adjust_reason = models.TextField(_("reason for the adjustment"), blank=True,
                                     max_length=2000)
    final = models.DecimalField(_("score"), default=ZERO, **POINTS)

    class Meta:
        verbose_name = _("score line")
        verbose_name_plural = _("score lines")
        ordering = ["sheet", "criterion__number"]
        constraints = [models.UniqueConstraint(fields=["sheet", "criterion"],
                                               name="one_line_a_criterion")]

    def __str__(self):
        return f"{self.sheet} · {self.criterion}"


class Explanation(models.Model):
    """Why a computed score lost (or kept) points: what was found, with a link to the record,
    report or problem that caused it. The text is written in the reader's language from
    ``code`` and ``params`` (records.assessment_measures.explain)."""

    line = models.ForeignKey(ScoreLine, on_delete=models.CASCADE, related_name="explanations",
                             verbose_name=_("score line"))
    order = models.PositiveSmallIntegerField(default=0)
    code = models.CharField(max_length=40)
    params = models.JSONField(default=dict)
    points = models.DecimalField(_("points"), **POINTS)  # what it costs: negative
    # what caused it: a record kind ("report", "problem", "duty_record", "annual_report",
    # "sheet") and the record's id
    target_kind = models.CharField(max_length=20, blank=True)
    target_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("explanation")
        verbose_name_plural = _("explanations")
        ordering = ["line", "order", "pk"]

    def __str__(self):
        return f"{self.code} {self.points}"


class ScoreChange(models.Model):
    """A person's change of a line: a self or leader's score, the committee's adjustment,
    an appeal's decision; with its reason, kept in order."""

    class Stage(models.TextChoices):
        SELF = "self", _("Self-score")
        LEADER = "leader", _("Leader's score")
        REVIEW = "review", _("Committee's adjustment")
        APPEAL = "appeal", _("Appeal decision")

    line = models.ForeignKey(ScoreLine, on_delete=models.CASCADE, related_name="changes",
                             verbose_name=_("score line"))
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    before = models.DecimalField(_("before"), null=True, blank=True, **POINTS)
    after = models.DecimalField(_("after"), null=True, blank=True, **POINTS)
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name=_("by"))
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("score change")
        verbose_name_plural = _("score changes")
        ordering = ["line", "at", "pk"]

    def __str__(self):
        return f"{self.get_stage_display()}: {self.before} → {self.after}"


def special_evidence_path(instance, filename):
    return f"assessments/{instance.sheet.assessment.year}/{instance.sheet_id}/{filename}"


class SpecialEntry(EvidenceFile):
    """A bonus, a deduction, a veto or a bar to 优秀 on a sheet, given by the committee with
    its evidence."""

    sheet = models.ForeignKey(AssessmentSheet, on_delete=models.CASCADE,
                              related_name="specials", verbose_name=_("score sheet"))
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("criterion"))
    points = models.DecimalField(_("points"), default=ZERO, **POINTS)
    reason = models.TextField(_("reason"), max_length=2000)
    file = models.FileField(_("file"), upload_to=special_evidence_path, max_length=255)

    class Meta(EvidenceFile.Meta):
        verbose_name = _("special entry")
        verbose_name_plural = _("special entries")


class Appeal(models.Model):
    """A subject's appeal against one line of their published sheet, and its answer."""

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting an answer")
        UPHELD = "upheld", _("Upheld: the line changed")
        REJECTED = "rejected", _("Not upheld")

    line = models.ForeignKey(ScoreLine, on_delete=models.CASCADE, related_name="appeals",
                             verbose_name=_("score line"))
    sheet = models.ForeignKey(AssessmentSheet, on_delete=models.CASCADE,
                              related_name="appeals", verbose_name=_("score sheet"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name=_("appealed by"))
    text = models.TextField(_("grounds"), max_length=4000)
    at = models.DateTimeField(_("appealed at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.OPEN)
    answer = models.TextField(_("answer"), blank=True, max_length=4000)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("answered by"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["status", "sheet"])]

    def __str__(self):
        return f"{self.sheet} · {self.line.criterion}"
