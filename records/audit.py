"""The audit trail's tamper evidence: a keyed hash chain over every event.

Each event's ``hash`` is an HMAC (keyed with settings.AUDIT_KEY, which is not in
the database) over its own content and the previous event's hash. Altering,
inserting or deleting an event directly in the database breaks the chain from
that point on, and ``verify()`` names the first broken event.
"""

from __future__ import annotations

import contextvars
import hashlib
import hmac
import json
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from .models import AuditEvent

# the request being served, so events record where they came from
current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_ip", default=None)
# the person logged in, for events raised by model changes (the admin's org-chart edits)
current_user: contextvars.ContextVar = contextvars.ContextVar("audit_user", default=None)
LOCK_ID = 7_310_001  # PostgreSQL advisory lock serialising appends to the chain


def digest(event: AuditEvent, prev_hash: str) -> str:
    content = json.dumps(
        [prev_hash, event.at.isoformat(), event.actor_id, event.action, event.target_type,
         event.target_id, event.data, event.ip],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    )
    return hmac.new(settings.AUDIT_KEY.encode(), content.encode(), hashlib.sha256).hexdigest()


def append(**fields) -> AuditEvent:
    """Append one event at the end of the chain."""
    # no savepoint of its own: an action appends its events inside its own transaction, and
    # a failed append fails the action (nothing catches it and goes on)
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_ID])
        last = AuditEvent.objects.order_by("-pk").values_list("hash", flat=True).first()
        event = AuditEvent(ip=current_ip.get(), **fields)
        event.prev_hash = last or ""
        # JSON round trip first, so the digest sees what the database will give back
        event.data = json.loads(json.dumps(event.data, default=str))
        event.hash = digest(event, event.prev_hash)
        event.save()
    return event


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
