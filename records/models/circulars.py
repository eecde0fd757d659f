"""Circulars (通报) published to every unit."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Circular(models.Model):
    """A published notice of problems found (通报), to all units."""

    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(pgettext_lazy("document", "title"), max_length=200)
    body = models.TextField(_("opening text"), blank=True, max_length=20000)
    issuer = models.CharField(_("issued by"), max_length=100)
    issued_on = models.DateField(_("date issued"))
    problems = models.ManyToManyField("Problem", related_name="circulars",
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
