"""The audit trail: every event chained, and tampering in SQL found by verify_audit."""

import datetime
import zoneinfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from records.audit import verify
from records.models import AuditEvent

from .conftest import review, submit


@pytest.fixture
def trail(sanitation_report, head_sanitation, leader_li, client_for):
    submit(client_for(head_sanitation), sanitation_report)
    review(client_for(leader_li), sanitation_report, "return", "请补充。")
    events = list(AuditEvent.objects.order_by("pk"))
    assert len(events) >= 5
    return events


def _sql(statement, params):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_an_untouched_trail_verifies(trail):
    assert verify() == (len(trail), None)
    call_command("verify_audit")


def test_events_record_who_and_from_where(trail, head_sanitation):
    submitted = AuditEvent.objects.get(action="report.submit")
    assert submitted.actor == head_sanitation and submitted.ip == "127.0.0.1"
    assert submitted.prev_hash == AuditEvent.objects.filter(pk__lt=submitted.pk).last().hash


def test_an_event_altered_in_sql_is_found(trail):
    target = trail[2]
    _sql("UPDATE records_auditevent SET data = %s WHERE id = %s",
         ['{"version": 99}', target.pk])
    checked, finding = verify()
    assert finding.event_id == target.pk and checked == 2
    with pytest.raises(CommandError, match=f"#{target.pk}"):
        call_command("verify_audit")


def test_an_event_deleted_in_sql_is_found(trail):
    _sql("DELETE FROM records_auditevent WHERE id = %s", [trail[1].pk])
    assert verify()[1].event_id == trail[2].pk


def test_an_event_inserted_in_sql_is_found(trail):
    forged = trail[3]
    _sql("INSERT INTO records_auditevent (at, action, target_type, target_id, data, prev_hash, "
         "hash) VALUES (%s, %s, %s, %s, %s, %s, %s)",
         [forged.at, "report.sign_off", forged.target_type, forged.target_id, "{}",
          trail[-1].hash, "0" * 64])
    checked, finding = verify()
    assert checked == len(trail) and finding.event_id > trail[-1].pk


def test_a_forger_without_the_key_cannot_recompute_the_chain(trail, settings):
    from records.audit import digest

    settings.AUDIT_KEY = "a key guessed by someone with database access"
    target = AuditEvent.objects.get(pk=trail[2].pk)
    target.data = {"version": 99}
    _sql("UPDATE records_auditevent SET data = %s, hash = %s WHERE id = %s",
         ['{"version": 99}', digest(target, target.prev_hash), target.pk])
    settings.AUDIT_KEY = settings.SECRET_KEY
    assert verify()[1].event_id == target.pk


def test_an_event_stamped_in_another_time_zone_verifies(db):
    """The database gives every time back in UTC: the digest must be taken over that."""
    from records.audit import append

    at = datetime.datetime(2026, 10, 8, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    append(action="report.open", target_type="records.quarterlyreport", target_id="1",
           data={}, at=at)

    assert verify() == (1, None)


def test_events_appended_together_are_one_append_in_their_order(db):
    """A sign-off and its copies append together: one lock and one insert, the same chain."""
    from django.test.utils import CaptureQueriesContext

    from records import audit

    def event(n):
        return dict(action=f"test.{n}", target_type="records.quarterlyreport", target_id="1",
                    data={"n": n})

    audit.append(**event(0))
    with CaptureQueriesContext(connection) as queries:
        with audit.together():
            audit.append(**event(1))
            with audit.together():  # an inner block joins the outer one
                audit.append(**event(2))
            audit.append(**event(3))
            assert AuditEvent.objects.count() == 1  # nothing written before the end
    # the chain's lock (PostgreSQL), its last hash, one insert (and the count above)
    appended = [q for q in queries.captured_queries if "COUNT(" not in q["sql"]]
    assert len(appended) == (3 if connection.vendor == "postgresql" else 2)
    assert list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)) == [
        "test.0", "test.1", "test.2", "test.3"]
    assert verify() == (4, None)


def test_events_of_work_undone_are_not_appended(db):
    from django.db import transaction

    from records import audit

    with pytest.raises(ValueError), transaction.atomic(), audit.together():
        audit.append(action="test.undone", target_type="records.quarterlyreport",
                     target_id="1", data={})
        raise ValueError
    assert not AuditEvent.objects.exists()
    audit.append(action="test.done", target_type="records.quarterlyreport", target_id="1",
                 data={})
    assert verify() == (1, None)
