"""Urging (催办): asking the current assignee of a report or problem to get on with it.

Who may urge: the item's submitter side (a report's ``submitted_by`` or its unit's
head and liaisons; a problem's ``registered_by`` or its unit's head and liaisons)
when the item waits on someone outside the unit, the supervising leader of the
item's unit (or whoever acts for them), and the discipline committee.

At most once per item per working day, whoever urges: the ``Urge`` table's unique
(item, day) key makes the second of two simultaneous clicks fail. A day off counts
as the next working day: that is when the assignee reads the urge, so an urge sent
on a Saturday uses up Monday's, and Friday's urge does not stop one on Saturday.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task

from accounts import chain
from accounts.models import User
from records import permissions
from records.audit import audit
from records.kinds import kind_of
from records.models import Notification, Urge
from records.notifications import notify
from records.selectors import OPEN_STATUSES
from records.workdays import Calendar

ONE_DAY = datetime.timedelta(days=1)


def urge_day(today: datetime.date | None = None) -> datetime.date:
    """The working day an urge sent ``today`` counts for (a day off → the next working day)."""
    today = today or timezone.localdate()
    calendar = Calendar(today, today + datetime.timedelta(days=40))
    day = today
    while not calendar.is_workday(day) and day < today + datetime.timedelta(days=40):
        day += ONE_DAY
    return day


def open_tasks(record) -> list[Task]:
    """The record's open human tasks with their owners (one query)."""
    if record.process_id is None:
        return []
    return list(Task.objects.filter(process_id=record.process_id, flow_task_type="HUMAN",
                                    status__in=OPEN_STATUSES, owner__isnull=False)
                .select_related("owner").order_by("created", "pk"))


def _behalf_id(task: Task) -> int | None:
    return (task.data or {}).get("on_behalf_of")



def _is_supervisor(user: User, record) -> bool:
    leader = chain.supervisor_of(record.unit)
    return leader is not None and user.pk in {leader.pk, chain.acting_for(leader).pk}


def _role(user: User, record) -> str | None:
    """Why ``user`` may urge: "committee", "supervisor", "submitter" — or None."""
    if not user.is_authenticated:
        return None
    if permissions.is_committee(user):
        return "committee"
    if record.submitter_id == user.pk:
        return "submitter"
    if _is_supervisor(user, record):
        return "supervisor"
    if user in permissions.unit_drafters(record.unit):
        return "submitter"
    return None


def refusal(user: User, record, tasks: list[Task] | None = None, *,
            check_today: bool = True) -> str | None:
    """Why ``user`` may not urge ``record`` now, in words; None when they may."""
    role = _role(user, record)
    if role is None:
        return _("Only the item's submitter, the supervising leader of its unit and the "
                 "discipline committee may urge it.")
    tasks = open_tasks(record) if tasks is None else tasks
    if not tasks:
        return _("This item has no open step: there is nobody to urge.")
    if any(user.pk in (task.owner_id, _behalf_id(task)) for task in tasks):
        return _("This item is waiting on you: there is nobody else to urge.")
    if role == "submitter":
        drafters = {u.pk for u in permissions.unit_drafters(record.unit)}
        if user.pk in drafters and all(task.owner_id in drafters for task in tasks):
            return _("This item is waiting on your own unit; urge from outside it.")
    if check_today and already_urged(record):
        return already_urged_message()
    return None


def already_urged_message() -> str:
    return _("This item was already urged today; urge again tomorrow.")


def already_urged(record, day: datetime.date | None = None) -> bool:
    return Urge.objects.of(record).filter(day=day or urge_day()).exists()


def urges_of(record) -> list[Urge]:
    """The item's urges in order, for its page (one query)."""
    return list(Urge.objects.of(record)
                .select_related("urged_by", "assignee", "on_behalf_of", "task")
                .order_by("created_at", "pk"))


def detail_url(record) -> str:
    return kind_of(record).url(record)


@transaction.atomic
def urge_create(*, record, by: User, message: str = "") -> Urge:
    """Urge the current assignee of ``record``: notify them (and whom they act for), record it.

    Raises PermissionDenied for people who may not urge, ValidationError when the item
    has nobody to urge or was urged already on this working day.
    """
    message = (message or "").strip()
    if len(message) > 1000:
        raise ValidationError({"message": _("Keep the message under 1000 characters.")})
    tasks = open_tasks(record)
    reason = refusal(by, record, tasks, check_today=False)
    if reason is not None:
        if _role(by, record) is None:
            raise PermissionDenied(reason)
        raise ValidationError(reason)
    day = urge_day()
    first = tasks[0]
    behalf_ids = {pk for pk in (_behalf_id(t) for t in tasks) if pk}
    behalf = User.objects.in_bulk(behalf_ids) if behalf_ids else {}
    try:
        with transaction.atomic():
            urged = Urge.objects.create(
                record=record, task=first, urged_by=by, assignee=first.owner,
                on_behalf_of=behalf.get(_behalf_id(first)), message=message, day=day)
    except IntegrityError:
        # someone else urged it on this working day, perhaps a moment ago
        raise ValidationError(already_urged_message()) from None

    link = detail_url(record)
    for task in tasks:
        what = _("%(item)s · %(step)s") % {"item": record, "step": task.flow_task.task_title}
        title = _("%(urger)s urges you: %(what)s") % {"urger": by, "what": what}
        body = message or _("%(urger)s asks you to handle it soon.") % {"urger": by}
        notify(recipients=[task.owner], kind=Notification.Kind.URGED, record=record,
               title=title, body=body, url=task.flow_task.reverse("execute", args=[task.process_id, task.pk]), day=day)
        absent = behalf.get(_behalf_id(task))
        if absent is not None:
            notify(recipients=[absent], kind=Notification.Kind.URGED, record=record,
                   title=_("%(urger)s urges %(owner)s, acting for you: %(what)s")
                   % {"urger": by, "owner": task.owner, "what": what},
                   body=body, url=link, day=day)
    audit(actor=by, action=f"{kind_of(record).key}.urge",
          target=record, assignees=[t.owner.username for t in tasks],
          steps=[t.flow_task.name for t in tasks], day=day.isoformat(), message=message)
    return urged


def urge_context(user: User, record) -> dict:
    """What an item's page needs about urging: its urges, and whether ``user`` may urge now."""
    urges = urges_of(record)
    may = refusal(user, record, check_today=False) is None
    day = urge_day() if may else None
    urged_today = may and any(u.day == day for u in urges)
    return {"urges": urges, "can_urge": may and not urged_today, "urged_today": urged_today}
