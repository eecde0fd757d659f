"""Notifications: in-app for everyone, and outside channels (email today; SMS or
DingTalk/WeCom tomorrow, each one class) delivered by Celery, each exactly once.

Deliveries are an outbox: each is a row written in the transaction that notifies, and
its job is published when that transaction commits. A process that dies between the
commit and the publish, or a broker that loses the message, would leave it pending for
ever; the resend sweep (``delivery_resend_stale``, on beat) enqueues those again, and
``deliver_now``'s row lock and status check keep every send to one.
"""

from __future__ import annotations

import datetime
import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.models import User

from .audit import append_many, audit_event
from .models import Delivery, Notification

logger = logging.getLogger(__name__)


class Channel:
    """A way to reach a person outside the app. Subclass, name it, list it in settings."""

    name = ""

    def reaches(self, user: User) -> bool:
        """Whether this channel has an address for ``user``."""
        raise NotImplementedError

    def send(self, notification: Notification) -> None:
        """Send it; raise to have the job retried."""
        raise NotImplementedError


class EmailChannel(Channel):
    name = "email"

    def reaches(self, user: User) -> bool:
        return bool(user.email)

    def send(self, notification: Notification) -> None:
        link = settings.SITE_URL.rstrip("/") + notification.url if notification.url else ""
        message = EmailMessage(
            subject=f"[{settings.EMAIL_SUBJECT_PREFIX_DUTYCHAIN}] {notification.title}",
            body="\n\n".join(part for part in (notification.body, link) if part),
            to=[notification.recipient.email],
            # receiving servers drop a second copy with the same Message-ID
            headers={"Message-ID": f"<notification-{notification.pk}@dutychain>"},
        )
        message.send(fail_silently=False)


def channels() -> list[Channel]:
    return [import_string(path)() for path in settings.NOTIFICATION_CHANNELS]


def item_key(record: Model) -> str:
    return f"{record._meta.label_lower}:{record.pk}"


def notify(*, recipients: Iterable[User | None], kind: str, record: Model, title: str,
           body: str = "", url: str = "", day: datetime.date | None = None,
           deadline: datetime.date | None = None, task: int | None = None
           ) -> list[Notification]:
    """Notify each recipient once per (item, kind, day) — once per ``task`` when it names the
    task announced; returns the ones that are new.

    Outside deliveries are enqueued when the surrounding transaction commits.
    """
    fields = dict(kind=kind, key=item_key(record), day=day or timezone.localdate(), title=title,
                  body=body, url=url, deadline=deadline, task=task)
    people = sorted({u for u in recipients if u is not None and u.is_active},
                    key=lambda u: u.pk)
    return _create_each([(user, fields) for user in people])


@dataclass(frozen=True)
class Announcement:
    """A new task, for its owner's notice: whose it is, for whom they act, what and by when."""

    owner: User
    record: Model
    task: int
    step: str
    url: str
    due: datetime.date | None = None
    on_behalf_of: User | None = None


def tasks_announce(announcements: Iterable[Announcement], *, day: datetime.date | None = None
                   ) -> list[Notification]:
    """Tell each new task's owner at once ("您有一条新的待办：…"), in the app and by their
    channels, once per task: a step entered again by a race, or a batch run twice, announces
    nothing new. A few inserts however many tasks (a quarter's opening announces thousands)."""
    day = day or timezone.localdate()
    with override(settings.LANGUAGE_CODE):
        return _create_each([_announcement(new, day) for new in announcements
                             if new.owner.is_active])


def _announcement(new: Announcement, day: datetime.date) -> tuple[User, dict]:
    what = _("%(item)s · %(step)s") % {"item": new.record, "step": new.step}
    lines = []
    if new.due:
        lines.append(_("Due on %(due)s.") % {"due": new.due})
    if new.on_behalf_of is not None:
        lines.append(_("You act for %(absent)s.") % {"absent": new.on_behalf_of})
    return new.owner, dict(
        kind=Notification.Kind.ASSIGNED, key=item_key(new.record), day=day, task=new.task,
        title=(_("New task: %(what)s") % {"what": what})[:200], body=" ".join(lines),
        url=new.url, deadline=new.due)


def _create_each(notices: list[tuple[User, dict]]) -> list[Notification]:
    """Create them all in one go; when one exists already (the unique keys say so), the
    others one by one."""
    if not notices:
        return []
    try:
        # each notification and its deliveries together: a notification committed alone
        # (the process dying in between) would never be emailed, since the unique key stops
        # the next sweep from creating it again
        with transaction.atomic():
            return _create(notices)
    except IntegrityError:
        pass  # someone was notified already: the unique key says so
    if len(notices) == 1:
        return []
    created = []
    for notice in notices:
        try:
            with transaction.atomic():
                created += _create([notice])
        except IntegrityError:
            continue
    return created


def _create(notices: list[tuple[User, dict]]) -> list[Notification]:
    """The people's notifications and their deliveries, a few inserts whatever their number
    (an overdue item's seven people, a city's thousands of items each morning); each
    delivery is enqueued when the transaction commits."""
    from .tasks import deliver  # the task module imports this one

    notifications = Notification.objects.bulk_create(
        [Notification(recipient=user, **fields) for user, fields in notices])
    ways = channels()
    deliveries = Delivery.objects.bulk_create(
        [Delivery(notification=notification, channel=channel.name)
         for notification in notifications for channel in ways
         if channel.reaches(notification.recipient)])
    for delivery in deliveries:
        transaction.on_commit(lambda pk=delivery.pk: deliver.delay(pk))
    return notifications


def deliver_now(delivery_id: int) -> bool:
    """Send one delivery, holding its row lock until the send is recorded.

    If the worker dies before the commit, the row is still pending and the
    redelivered job sends it; once committed as sent, a rerun does nothing.
    """
    with transaction.atomic():
        delivery = (Delivery.objects.select_for_update().select_related(
            "notification__recipient").filter(pk=delivery_id).first())
        if delivery is None or delivery.status == Delivery.Status.SENT:
            return False
        channel = next((c for c in channels() if c.name == delivery.channel), None)
        if channel is None:
            raise LookupError(f"No channel named {delivery.channel!r} is configured")
        delivery.attempts += 1
        _pause_for_tests()
        channel.send(delivery.notification)
        delivery.status, delivery.sent_at, delivery.last_error = (
            Delivery.Status.SENT, timezone.now(), "")
        delivery.save()
    return True


def _pause_for_tests() -> None:
    """Test hook: wait before sending while the file named by DUTYCHAIN_TEST_DELIVERY_PAUSE exists.

    Lets a test kill the worker in the middle of a delivery (row locked, nothing
    committed): the process id is written to "<file>.pid" first, and the wait ends
    when the test removes the file (or after a minute). Unset, as everywhere but in
    tests/test_worker_reliability.py, it does nothing.
    """
    marker = getattr(settings, "DUTYCHAIN_TEST_DELIVERY_PAUSE", "")
    if not marker or not os.path.exists(marker):
        return
    with open(f"{marker}.pid", "w") as pid_file:
        pid_file.write(str(os.getpid()))
    give_up = time.monotonic() + 60
    while os.path.exists(marker) and time.monotonic() < give_up:
        time.sleep(0.05)


def record_failed_attempt(delivery_id: int, error: str, *, final: bool = False,
                          retry_in: float = 0) -> None:
    """Count an attempt whose send raised and keep its error; the last one marks it failed,
    the others say when their retry is due (``retry_in`` seconds from now, at the latest),
    so that the resend sweep leaves a delivery alone while its retry waits.

    deliver_now's own count of the attempt rolled back with the failed send, so it
    is recorded here, in one statement of its own.
    """
    changes = {"attempts": F("attempts") + 1, "last_error": error[:2000]}
    if final:
        changes["status"] = Delivery.Status.FAILED
    else:
        changes["job_due_at"] = timezone.now() + datetime.timedelta(seconds=retry_in)
    Delivery.objects.filter(pk=delivery_id).exclude(status=Delivery.Status.SENT).update(**changes)


RESEND_BATCH = 2000  # deliveries a sweep enqueues again at most: a lost morning's go in a few


def resend_after() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.DELIVERY_RESEND_AFTER_MINUTES)


def delivery_resend_stale(*, queue: str | None = None) -> int:
    """Send again the emails (and other outside messages) whose job never arrived; returns
    how many were enqueued.

    A pending delivery whose job is more than DELIVERY_RESEND_AFTER_MINUTES overdue is
    claimed (its job due again now, so that the next sweep leaves it alone for another
    window), audited, and enqueued again when the claim commits. Two sweeps at once claim
    each delivery once: a row another sweep holds, or that a job is sending right now, is
    skipped. A job that was only late still sends once: deliver_now locks the row and
    sends only what is not sent yet. Failed deliveries are the administrator's (failed
    jobs), never resent here.
    """
    from .tasks import deliver  # the task module imports this one

    now = timezone.now()
    with transaction.atomic():
        stale = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=Delivery.Status.PENDING, job_due_at__lt=now - resend_after())
            .order_by("job_due_at")
            .only("pk", "notification_id", "channel", "attempts", "job_due_at")[:RESEND_BATCH])
        if not stale:
            return 0
        Delivery.objects.filter(pk__in=[d.pk for d in stale]).update(job_due_at=now)
        append_many([audit_event(actor=None, action="delivery.resend", target=delivery,
                                 notification=delivery.notification_id,
                                 channel=delivery.channel, attempts=delivery.attempts,
                                 job_was_due_at=delivery.job_due_at.isoformat())
                     for delivery in stale])
        for delivery in stale:
            transaction.on_commit(partial(deliver.apply_async, (delivery.pk,), queue=queue))
    logger.warning("Enqueued %d deliveries again whose job never arrived: %s", len(stale),
                   [d.pk for d in stale][:20])
    return len(stale)


def mark_failed(delivery_id: int, error: str) -> None:
    Delivery.objects.filter(pk=delivery_id).exclude(status=Delivery.Status.SENT).update(
        status=Delivery.Status.FAILED, last_error=error[:2000])


def unread_count(user: User) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
