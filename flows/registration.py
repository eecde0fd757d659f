"""Registering problems — one, or a whole problem list from one check — each starting its
rectification flow; and a unit's part of a joint rectification (countersign)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import chain
from accounts.models import Unit, User
from records import permissions
from records.models import Problem, ProblemList

from .rectification import RectificationFlow


def register_problems(*, by: User, source: str, found_on: datetime.date,
                      items: list[dict], title: str = "") -> list[Problem]:
    """Register one problem, or a problem list from one check: one flow per problem.

    ``items`` holds unit, category, description and (optionally) person_concerned.
    All or nothing: one bad item registers none.
    """
    if not permissions.can_register_problems(by):
        raise ValidationError(_("Only the discipline committee and leaders register problems."))
    if not items:
        raise ValidationError(_("Add at least one problem."))
    with transaction.atomic():
        problem_list = None
        if title or len(items) > 1:
            problem_list = ProblemList.objects.create(
                title=title or _("Problems found on %(date)s") % {"date": found_on},
                source=source, checked_on=found_on, registered_by=by)
        created = []
        for item in items:
            try:
                process = RectificationFlow.start.run(
                    by=by, source=source, found_on=found_on, problem_list=problem_list,
                    unit=item["unit"], category=item["category"],
                    description=item["description"],
                    person_concerned=item.get("person_concerned", ""),
                    co_units=item.get("co_units") or ())
            except chain.ChainGap as gap:
                raise ValidationError(str(gap)) from gap
            created.append(process.problem)
    return created


def units_for_registration() -> list[Unit]:
    return list(Unit.objects.filter(is_active=True).exclude(kind=Unit.Kind.BUREAU))
