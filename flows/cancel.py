"""Withdrawing a record opened or registered in error: it is cancelled with a reason,
never deleted, and the reason stays in its history."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from accounts.models import Post, User
from records import kinds, permissions


def can_cancel(user: User, record: Model) -> bool:
    """The discipline committee (and the secretary) withdraw what was opened in error."""
    return record.is_open and permissions.has_role(user, Post.Role.COMMITTEE,
                                                   Post.Role.SECRETARY)


def cancel_record(*, record: Model, by: User, reason: str) -> Model:
    """Cancel an item opened or registered in error: its process, then the record (its
    kind's service), with the reason in its history."""
    if not can_cancel(by, record):
        raise ValidationError(_("Only the discipline committee withdraws an open item."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"opinion": _("Give the reason for cancelling.")})
    kind = kinds.kind_of(record)
    with transaction.atomic():
        kind.flow.cancel(record.process)
        record.refresh_from_db()
        if not record.is_open:
            raise ValidationError(_("It was finished in the meantime; nothing was cancelled."))
        kind.cancel(**{kind.arg: record}, by=by, reason=reason)
    return record
