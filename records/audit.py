"""The audit trail's tamper evidence: a keyed hash chain over every event.

Each event's ``hash`` is an HMAC (keyed with settings.AUDIT_KEY, which is not in
the database) over its own content and the previous event's hash. Altering,
inserting or deleting an event directly in the database breaks the chain from
that point on, and ``verify()`` names the first broken event.
"""

from __future__ import annotations

import contextvars
import datetime
import hashlib
import hmac
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from accounts.models import User

from .models import AuditEvent

# the request being served, so events record where they came from
current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_ip", default=None)
# the person logged in, for events raised by model changes (the admin's org-chart edits)
current_user: contextvars.ContextVar = contextvars.ContextVar("audit_user", default=None)
LOCK_ID = 7_310_001  # PostgreSQL advisory lock serialising appends to the chain


def digest(event: AuditEvent, prev_hash: str) -> str:
    content = json.dumps(
        # the moment in UTC, as the database gives it back, whatever zone it was made in
        [prev_hash, event.at.astimezone(datetime.UTC).isoformat(), event.actor_id, event.action,
         event.target_type, event.target_id, event.data, event.ip],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    )
    return hmac.new(settings.AUDIT_KEY.encode(), content.encode(), hashlib.sha256).hexdigest()


# events of the actions running together (``together``), not written yet
_pending: contextvars.ContextVar[list | None] = contextvars.ContextVar("audit_pending",
                                                                       default=None)


def append(**fields) -> AuditEvent | None:
    """Append one event at the end of the chain (within ``together()``: when it ends)."""
    pending = _pending.get()
    if pending is None:
        return append_many([fields])[0]
    fields.setdefault("at", AuditEvent._meta.get_field("at").get_default())
    pending.append(fields)
    return None


@contextmanager
def together() -> Iterator[None]:
    """The events appended within the block are appended when it ends, in their order, with
    one lock and one insert (a sign-off and its copies: one append, not one each). An
    exception leaving the block drops them, with the work it undoes. Nothing within may
    catch an exception around work that appends: its events would outlive the work."""
    if _pending.get() is not None:
        yield  # within an outer block: its end appends these too
        return
    events: list[dict] = []
    token = _pending.set(events)
    try:
        yield
    finally:
        _pending.reset(token)
    append_many(events)


def append_many(events: list[dict]) -> list[AuditEvent]:
    """Append events at the end of the chain, in the order given, under one lock and in one
    insert: the chain is the same as appending them one by one.

    The lock is held until the surrounding transaction commits: call this last in a long
    transaction, so that other writers wait for the commit only, not for the work before it.
    """
    if not events:
        return []
    # no savepoint of its own: an action appends its events inside its own transaction, and
    # a failed append fails the action (nothing catches it and goes on)
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_ID])
        prev = AuditEvent.objects.order_by("-pk").values_list("hash", flat=True).first() or ""
        ip = current_ip.get()
        chained = []
        for fields in events:
            event = AuditEvent(ip=ip, **fields)
            event.prev_hash = prev
            # the digest sees what the database will give back: the time in UTC (a clock in
            # another zone, such as the benchmark seed's, would otherwise never verify), the
            # data after a JSON round trip
            event.at = event.at.astimezone(datetime.UTC)
            event.data = json.loads(json.dumps(event.data, default=str))
            event.hash = prev = digest(event, event.prev_hash)
            chained.append(event)
        # ids follow the list's order (one INSERT … RETURNING, rows in order): the chain's order
        AuditEvent.objects.bulk_create(chained)
    return chained


@dataclass
class Finding:
    event_id: int
    problem: str


def verify(chunk_size: int = 5000) -> tuple[int, Finding | None]:
    """Walk the chain in order: (events checked, the first broken one or None)."""
    prev, checked = "", 0
    events = AuditEvent.objects.order_by("pk").only(
        "pk", "at", "actor_id", "action", "target_type", "target_id", "data", "ip",
        "prev_hash", "hash")
    for event in events.iterator(chunk_size=chunk_size):
        if event.prev_hash != prev:
            return checked, Finding(event.pk, "the event before it was removed, or this one "
                                              "was inserted")
        if not hmac.compare_digest(event.hash, digest(event, prev)):
            return checked, Finding(event.pk, "its content was altered, or it was inserted")
        prev = event.hash
        checked += 1
    return checked, None


def audit_event(*, actor: User | None, action: str, target, **data) -> dict:
    """The fields of one audit event, for records.audit.append (or append_many)."""
    return dict(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        data=data,
    )


def audit(*, actor: User | None, action: str, target, **data) -> AuditEvent | None:
    """Append one event to the audit trail (hash-chained: see records/audit.py; within
    audit.together(), when that block ends)."""
    return append(**audit_event(actor=actor, action=action, target=target, **data))
