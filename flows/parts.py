"""A unit's part of a joint rectification (countersign, 会签): each unit's head writes what
the unit did, with optional evidence."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from records.models import Problem
from records.services.evidence import evidence_add, validate_evidence

from . import countersign, extensions


@transaction.atomic
def part_submit(*, problem: Problem, by: User, task, text: str, file=None
                ) -> countersign.CountersignPart:
    """A unit head writes their unit's part of a joint rectification, with optional evidence.

    The caller (task page or API, under the flow's lock) completes the task afterwards.
    """
    if problem.status != Problem.Status.RECTIFYING:
        raise ValidationError(_("This problem is %(status)s; that cannot be done now.")
                              % {"status": problem.get_status_display()})
    if file is not None:
        validate_evidence(file)
    part = countersign.submit_part(task=task, by=by, text=text, target=problem)
    if file is not None:
        evidence_add(problem=problem, by=by, file=file)
    extensions.refresh_due_date(problem, reason="part written")
    return part
