"""What the chain produces and keeps: reports, problems, opinions, evidence, circulars,
the audit trail, the calendar."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class WorkdayOverride(models.Model):
    """An administrator's word on one day: a holiday or a shifted working day (调休).

    Consulted before chinese-calendar, and the only source for years the library
    does not know yet (the State Council publishes each next year around November).
    """

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(
        _("working day"),
        help_text=_("Ticked: people work that day (a weekend day worked in lieu). "
                    "Unticked: a day off (a public holiday)."))
    note = models.CharField(_("note"), max_length=100, blank=True,
                            help_text=_("The festival, e.g. the Spring Festival."))

    class Meta:
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")
        ordering = ["date"]

    def __str__(self):
        kind = _("working day") if self.is_workday else _("holiday")
        return f"{self.date} {kind}"


class CalendarYear(models.Model):
    """A year whose holidays and shifted working days an administrator has entered and confirmed.

    A year is known (records.workdays.is_known) when chinese-calendar covers it or when
    it has a row here, written by importing the State Council's notice or by confirming
    the days entered by hand. Until then the product counts that year Monday–Friday
    provisionally and its automatic work waits.
    """

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    source = models.TextField(_("notice text"), blank=True,
                              help_text=_("The State Council's notice as it was pasted, if any."))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("confirmed calendar year")
        verbose_name_plural = _("confirmed calendar years")
        ordering = ["year"]

    def __str__(self):
        return str(self.year)


class QuarterlyReport(models.Model):
    """A unit's quarterly report on its main responsibility (季度履责情况汇报), seed duty 6."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Drafting")
        SUBMITTED = "submitted", _("Awaiting review")
        RETURNED = "returned", _("Returned for revision")
        SIGNED_OFF = "signed_off", _("Signed off")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED)
    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)

    unit = models.ForeignKey("accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="quarterly_reports")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=[(q, q) for q in (1, 2, 3, 4)])
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.DRAFT)
    work_done = models.TextField(_("duties carried out"), blank=True, max_length=10000)
    problems = models.TextField(_("problems found"), blank=True, max_length=10000)
    next_steps = models.TextField(_("next steps"), blank=True, max_length=10000)
    review_level = models.PositiveSmallIntegerField(
        _("review level"), default=0,
        help_text=_("Levels of review passed since the last submission (level-by-level review)."))
    version = models.PositiveIntegerField(_("version"), default=0,
                                          help_text=_("How many times it was submitted."))
    due_date = models.DateField(_("submission deadline"))
    step_due_date = models.DateField(_("deadline of the current step"), null=True, blank=True)
    process = models.OneToOneField("viewflow.Process", on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="quarterly_report")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("opened by"),
                                  null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    last_edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("last edited by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("submitted by"))
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("signed off by"))

    class Meta:
        verbose_name = _("quarterly report")
        verbose_name_plural = _("quarterly reports")
        ordering = ["-year", "-quarter", "unit__order", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "quarter"], condition=~Q(status="cancelled"),
                name="one_live_report_per_unit_quarter",
            ),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4),
                                   name="report_quarter_1_to_4"),
        ]
        indexes = [
            models.Index(fields=["year", "quarter", "status"]),
            models.Index(fields=["status", "step_due_date"]),
        ]

    def __str__(self):
        return _("%(unit)s · %(year)s Q%(quarter)s report") % {
            "unit": self.unit, "year": self.year, "quarter": self.quarter}

    @property
    def period(self) -> str:
        return _("%(year)s Q%(quarter)s") % {"year": self.year, "quarter": self.quarter}

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    @property
    def is_overdue(self) -> bool:
        return bool(self.is_open and self.step_due_date
                    and self.step_due_date < timezone.localdate())

    @property
    def due_date_is_provisional(self) -> bool:
        """The submission deadline was counted Monday–Friday in a year not entered yet."""
        from .workdays import is_provisional

        return self.is_open and is_provisional(self.due_date)

    @property
    def step_due_date_is_provisional(self) -> bool:
        """The current step's deadline was counted Monday–Friday in a year not entered yet."""
        from .workdays import is_provisional

        return self.is_open and is_provisional(self.step_due_date)


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

    report = models.ForeignKey(QuarterlyReport, on_delete=models.PROTECT, related_name="opinions",
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

    report = models.ForeignKey(QuarterlyReport, on_delete=models.PROTECT, related_name="copies",
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


class Problem(models.Model):
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
    def due_date_is_provisional(self) -> bool:
        """The current step's deadline was counted Monday–Friday in a year not entered yet
        (a planned completion date is the unit's own: never provisional)."""
        from .workdays import is_provisional

        return (self.is_open and self.step not in self.PLANNED_DATE_STEPS
                and is_provisional(self.due_date))

    @property
    def is_four_winds(self) -> bool:
        return self.category in self.FOUR_WINDS


class Version(models.Model):
    """What one submission said, frozen (版本): a report's content or a problem's plan.

    Written by the submitting service in its transaction; never changed, never deleted.
    ``number`` follows the record's counter (QuarterlyReport.version, Problem.plan_version).
    """

    report = models.ForeignKey(QuarterlyReport, on_delete=models.PROTECT, related_name="versions",
                               null=True, blank=True)
    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="versions",
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

    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="progress_notes")
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


class Evidence(models.Model):
    """A file proving rectification (佐证材料), with its checksum."""

    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=255)
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.name


class ExtensionRequest(models.Model):
    """The unit asks for more time before the deadline; the supervising leader decides."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="extensions")
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


class Circular(models.Model):
    """A published notice of problems found (通报), to all units."""

    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(pgettext_lazy("document", "title"), max_length=200)
    body = models.TextField(_("opening text"), blank=True, max_length=20000)
    issuer = models.CharField(_("issued by"), max_length=100)
    issued_on = models.DateField(_("date issued"))
    problems = models.ManyToManyField(Problem, related_name="circulars",
                                      verbose_name=_("problems"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("issued by (person)"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("circular")
        verbose_name_plural = _("circulars")
        ordering = ["-year", "-number"]
        constraints = [models.UniqueConstraint(fields=["year", "number"],
                                               name="one_circular_per_number")]

    def __str__(self):
        return f"{self.document_number} {self.title}"

    @property
    def document_number(self) -> str:
        return f"〔{self.year}〕{self.number}号"


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


class QuarterlyReportUserObjectPermission(UserObjectPermissionBase):
    """guardian's direct foreign-key grant table: checks and lists stay single queries."""

    content_object = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE)


class QuarterlyReportGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE)


class ProblemUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Problem, on_delete=models.CASCADE)


class ProblemGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Problem, on_delete=models.CASCADE)


class Notification(models.Model):
    """One message to one person about one item (in-app; other channels via ``Delivery``).

    ``key`` names the item ("records.problem:12"); the database allows one
    notification per (recipient, kind, key, day), so a sweep that runs twice,
    two racing workers or a redelivered message cannot notify twice.
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

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["recipient", "kind", "key", "day"],
                                               name="one_notification_per_item_kind_day")]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"]),
                   models.Index(fields=["key", "kind"])]

    def __str__(self):
        return f"{self.recipient}: {self.title}"


class Urge(models.Model):
    """Someone urged (催办) the current assignee of an item: at most once per item per working day.

    ``day`` is the working day the urge counts for: the day it was sent, or, sent on
    a day off, the next working day (when the assignee will read it). The database
    allows one urge per item and day, so two clicks at once urge once.
    """

    report = models.ForeignKey(QuarterlyReport, on_delete=models.PROTECT, related_name="urges",
                               null=True, blank=True)
    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="urges",
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
