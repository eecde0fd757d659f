"""The org chart as data: units, posts, who oversees whom, delegations.

Every period is a closed range of dates: ``valid_from`` to ``valid_to``, both
inclusive; an empty ``valid_to`` means "until further notice".
"""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords


class User(AbstractUser):
    """A person with a login; their roles come from their posts."""

    name = models.CharField(_("full name"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.name or self.username

    def get_full_name(self):
        return self.name or super().get_full_name()


class PeriodQuerySet(models.QuerySet):
    def on(self, day):
        """Rows in force on ``day``."""
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)


class Period(models.Model):
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True,
                                help_text=_("Last day, inclusive; empty means open-ended."))

    objects = PeriodQuerySet.as_manager()

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end date is before the start date.")})

    def overlaps(self, other_from, other_to) -> bool:
        return (self.valid_to is None or other_from <= self.valid_to) and (
            other_to is None or self.valid_from <= other_to
        )


class Unit(models.Model):
    """A node of the org tree: the bureau, its divisions, subordinate units, squads."""

    class Kind(models.TextChoices):
        BUREAU = "bureau", _("Bureau")
        DIVISION = "division", _("Division")
        SUBORDINATE = "subordinate", _("Subordinate unit")
        SQUAD = "squad", _("Squad")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["order", "code"]

    def __str__(self):
        return self.name

    def clean(self):
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk:
                raise ValidationError({"parent": _("A unit cannot be its own ancestor.")})
            ancestor = ancestor.parent


class Post(Period):
    """A person's role in a unit for a period."""

    class Role(models.TextChoices):
        SECRETARY = "secretary", _("Party secretary")
        LEADER = "leader", _("Supervising leader")
        HEAD = "head", _("Unit head")
        LIAISON = "liaison", _("Party-affairs liaison")
        COMMITTEE = "committee", _("Discipline committee")
        STATIONED = "stationed", _("Stationed discipline group")
        ADMIN = "admin", _("Administrator")

    user = models.ForeignKey(User, verbose_name=_("person"), on_delete=models.PROTECT,
                             related_name="posts")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="posts")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    title = models.CharField(pgettext_lazy("post", "title"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [models.Index(fields=["unit", "role", "valid_from"]),
                   models.Index(fields=["user", "role"])]

    def __str__(self):
        return f"{self.user} · {self.unit} · {self.get_role_display()}"


class Oversight(Period):
    """A leader oversees a unit (分管) for a period; one leader per unit on any day."""

    leader = models.ForeignKey(User, verbose_name=_("supervising leader"),
                               on_delete=models.PROTECT, related_name="oversights")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="oversights")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("oversight")
        verbose_name_plural = _("oversights")
        indexes = [models.Index(fields=["unit", "valid_from"]),
                   models.Index(fields=["leader", "valid_from"])]
        # On PostgreSQL an exclusion constraint (migration 0002) also forbids overlaps.

    def __str__(self):
        return f"{self.leader} → {self.unit}"

    def clean(self):
        super().clean()
        if not (self.unit_id and self.valid_from):
            return
        clashes = Oversight.objects.filter(unit_id=self.unit_id).exclude(pk=self.pk)
        for other in clashes:
            if self.overlaps(other.valid_from, other.valid_to):
                raise ValidationError(
                    _("%(unit)s is already overseen by %(leader)s from %(start)s to %(end)s; "
                      "end that oversight first.")
                    % {"unit": self.unit, "leader": other.leader, "start": other.valid_from,
                       "end": other.valid_to or _("open-ended")}
                )


class Delegation(Period):
    """An absent person's tasks go to an acting person for a period (委托/代理)."""

    absent = models.ForeignKey(User, verbose_name=_("absent person"), on_delete=models.PROTECT,
                               related_name="delegations_given")
    acting = models.ForeignKey(User, verbose_name=_("acting person"), on_delete=models.PROTECT,
                               related_name="delegations_taken")
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        indexes = [models.Index(fields=["absent", "valid_from"])]

    def __str__(self):
        return f"{self.absent} → {self.acting}"

    def clean(self):
        super().clean()
        if self.absent_id and self.absent_id == self.acting_id:
            raise ValidationError(_("A person cannot delegate to themselves."))
        if not (self.absent_id and self.valid_from):
            return
        for other in Delegation.objects.filter(absent_id=self.absent_id).exclude(pk=self.pk):
            if self.overlaps(other.valid_from, other.valid_to):
                raise ValidationError(
                    _("%(person)s already has a delegation in this period.")
                    % {"person": self.absent}
                )


class ChartVersion(models.Model):
    """A token that changes with every change to the org chart (accounts/signals.py).

    Each process remembers the chain's answers under the token they were read with
    (accounts.chain): an answer holds while the token is the one in this table. The token
    is random, so a change rolled back never brings an old token back with other answers.
    """

    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("org chart version")
        verbose_name_plural = _("org chart versions")

    def __str__(self):
        return self.token
