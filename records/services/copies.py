"""Copy to (抄送): a record copied to people for their information — they may read it from
then on, and are told."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _
from viewflow.workflow.models import Task

from accounts.models import User
from records import notifications, permissions
from records.audit import audit
from records.kinds import kind_of
from records.models import CopyTo, Notification


def record_copy_to(*, record, recipients: Iterable[User | None], by: User | None,
                   task: Task | None, step: str = "") -> list[CopyTo]:
    """Copy ``record`` to ``recipients`` (each once per task): grants, audit, notices."""
    people = {u for u in recipients if u is not None and u.is_active and u != by}
    if not people:
        return []
    already = set(CopyTo.objects.of(record).filter(task=task, recipient__in=people)
                  .values_list("recipient_id", flat=True)) if task else set()
    copies = CopyTo.objects.bulk_create([
        CopyTo(record=record, recipient=u, by=by, task=task, step=step)
        for u in sorted(people, key=lambda u: u.pk) if u.pk not in already])
    if copies:
        permissions.grant_view(record, [c.recipient for c in copies])
        audit(actor=by, action="record.copy_to", target=record, step=step,
              to=sorted(c.recipient.username for c in copies))
        notifications.notify(
            recipients=[c.recipient for c in copies], kind=Notification.Kind.COPIED,
            record=record, title=_("Copied to you: %(record)s") % {"record": record},
            body=_("%(name)s copied it to you for your information.")
            % {"name": by or _("The system")}, url=kind_of(record).url(record))
    return copies
