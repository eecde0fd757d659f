"""Withdrawing a record opened or registered in error: it is cancelled with a reason,
never deleted, and the reason stays in its history."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from accounts.models import Post, User
from records import permissions
from records.audit import audit
from records.models import Opinion, Problem, QuarterlyReport

from .quarterly import QuarterlyReportFlow
from .rectification import RectificationFlow

FLOWS = {QuarterlyReport: QuarterlyReportFlow, Problem: RectificationFlow}


def can_cancel(user: User, record: Model) -> bool:
    """The discipline committee (and the secretary) withdraw what was opened in error."""
    return record.is_open and permissions.has_role(user, Post.Role.COMMITTEE,
                                                   Post.Role.SECRETARY)


def cancel_record(*, record: Model, by: User, reason: str) -> Model:
    if not can_cancel(by, record):
        raise ValidationError(_("Only the discipline committee withdraws an open item."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"opinion": _("Give the reason for cancelling.")})
    flow = FLOWS[type(record)]
    with transaction.atomic():
        flow.instance.cancel(record.process)
        record.refresh_from_db()
        if not record.is_open:
            raise ValidationError(_("It was finished in the meantime; nothing was cancelled."))
        record.status = type(record).Status.CANCELLED
        if isinstance(record, QuarterlyReport):
            record.step_due_date = None
        else:
            record.due_date, record.step, record.assignee = None, "", None
        record.save()
        Opinion.objects.create(author=by, kind=Opinion.Kind.CANCEL, text=reason,
                               **{"report" if isinstance(record, QuarterlyReport)
                                  else "problem": record})
        audit(actor=by, action=f"{record._meta.model_name}.cancel", target=record, reason=reason)
    return record
