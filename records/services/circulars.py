"""Circulars (通报): the discipline committee publishes problems to every unit of the bureau.

Issuing allocates the year's next number (〔2026〕1号, 〔2026〕2号 …) under the unique
constraint (year, number), retrying when another circular took the number meanwhile.
The .docx follows the layout of GB/T 9704 (党政机关公文格式): A4, fixed margins,
小标宋 title, 仿宋 body, 黑体 first-level headings, issuer and date right-aligned.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from records import dates, permissions
from records.audit import audit
from records.documents.circulars import build_docx
from records.models import Circular, Problem

MAX_ATTEMPTS = 5

# Fonts of GB/T 9704. Word falls back to the alternative named in the font table
# (see _declare_fonts) when a machine lacks the 方正 / GB2312 fonts. The document is
# Chinese whatever language the reader's interface is in.


# --- who may do what -------------------------------------------------------------------

def can_read(user: User) -> bool:
    """Every member of the bureau (anyone holding a post today) reads circulars."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(permissions._roles(user))


def can_issue(user: User) -> bool:
    """Only the discipline committee issues circulars."""
    return permissions.is_committee(user)


# --- choosing the problems -------------------------------------------------------------

def validate_circular(*, title: str, issuer: str, issued_on: datetime.date | None,
                      problems: list[Problem], about_problems: bool = True) -> None:
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("Give the circular a title.")
    if not (issuer or "").strip():
        errors["issuer"] = _("Name the issuing body.")
    if issued_on is None:
        errors["issued_on"] = _("Give the date of issue.")
    elif issued_on > timezone.localdate():
        errors["issued_on"] = _("The date of issue cannot be in the future.")
    elif issued_on < dates.EARLIEST:
        errors["issued_on"] = _("%(date)s is too early: choose a date from %(earliest)s on.") % {
            "date": issued_on, "earliest": dates.EARLIEST}
    if not problems and about_problems:
        errors["problems"] = _("Choose at least one problem to circulate.")
    elif Problem.objects.filter(pk__in=[p.pk for p in problems],
                                status=Problem.Status.CANCELLED).exists():
        # the stored status, not the (possibly stale) instances handed in
        errors["problems"] = _("A cancelled problem cannot be circulated.")
    if errors:
        raise ValidationError(errors)


def next_number(year: int) -> int:
    """The year's next free number (the unique constraint settles any race)."""
    latest = Circular.objects.filter(year=year).aggregate(latest=Max("number"))["latest"]
    return (latest or 0) + 1


def circular_issue(*, by: User, title: str, body: str = "", issuer: str = "",
                   issued_on: datetime.date | None = None,
                   problems: Iterable[Problem], about_problems: bool = True) -> Circular:
    """Issue a circular naming ``problems`` (none when it is not ``about_problems``: the
    results of an assessment): numbered in its year's sequence, audited."""
    if not can_issue(by):
        raise ValidationError(_("Only the discipline committee issues circulars."))
    problems = list({p.pk: p for p in problems}.values())
    issuer = (issuer or settings.CIRCULAR_ISSUER).strip()
    issued_on = issued_on or timezone.localdate()
    validate_circular(title=title, issuer=issuer, issued_on=issued_on, problems=problems,
                      about_problems=about_problems)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                circular = Circular.objects.create(
                    year=issued_on.year, number=next_number(issued_on.year),
                    title=title.strip(), body=(body or "").strip(), issuer=issuer,
                    issued_on=issued_on, created_by=by)
                circular.problems.set(problems)
                audit(actor=by, action="circular.issue", target=circular,
                      number=circular.document_number, problems=[p.pk for p in problems])
                return circular
        except IntegrityError:
            # someone issued the same number meanwhile: take the next one
            if attempt == MAX_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


# --- the .docx -------------------------------------------------------------------------

def circular_download(*, circular: Circular, by: User) -> bytes:
    """The .docx of a circular for a reader of the bureau, audited."""
    if not can_read(by):
        raise ValidationError(_("Only members of the bureau read circulars."))
    content = build_docx(circular)
    audit(actor=by, action="circular.download", target=circular,
          number=circular.document_number)
    return content

