"""The demo's duty records (履责纪实): a year of records against the demo's list, in every
state, dated from today whatever the day — in the list's first January weeks, mid-year, and
in the January after the list's year."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Unit, User
from demo.duties import demo_list_year, issue_day
from demo.duty_records import pdf, year_plan
from demo.history import load_demo_history
from records.audit import verify
from records.duty_seats import Light, my_counters, unit_counters
from records.models import DutyList, DutyRecord, DutyRecordEvidence
from records.workdays import add_working_days, is_workday

from .calendar_helpers import travel

D = datetime.date


@pytest.mark.parametrize("today", [None, D(2026, 1, 20), D(2026, 7, 15), D(2027, 1, 8)])
def test_the_demo_keeps_the_lists_year_of_records_in_every_state(bureau, monkeypatch, today):
    if today is not None:
        travel(monkeypatch, today, hour=8)
    today = timezone.localdate()
    year = demo_list_year(today)
    if today <= add_working_days(issue_day(year), 2):
        pytest.skip("the list was issued less than three working days ago: few records yet")
    load_demo_history()
    duty_list = DutyList.objects.get(year=year)
    records = DutyRecord.objects.filter(duty_list=duty_list)

    # every state: accepted, awaiting review, returned and not corrected yet
    assert set(records.values_list("status", flat=True)) == {"accepted", "submitted", "returned"}
    assert records.filter(status="returned", unit__code="sanitation").exists()
    # some entered late, each with its reason; some with a file
    assert records.filter(is_late=True).exists()
    assert not records.filter(is_late=True, late_reason="").exists()
    assert not records.filter(is_late=False).exclude(late_reason="").exists()
    assert DutyRecordEvidence.objects.filter(record__in=records).exists()
    # within the list's year, none after today, each entered and reviewed on a working day
    dates = sorted(records.values_list("date", flat=True))
    assert D(year, 1, 1) <= dates[0] and dates[-1] < today and dates[-1] <= D(year, 12, 31)
    assert all(is_workday(timezone.localtime(at).date())
               for at in records.values_list("created_at", flat=True))
    for record in records.exclude(status="submitted").select_related("author", "reviewed_by"):
        assert record.reviewed_by != record.author
        assert timezone.localtime(record.created_at) < timezone.localtime(record.reviewed_at)
        assert is_workday(timezone.localtime(record.reviewed_at).date())
    assert verify()[1] is None

    # sanitation's head: green items beside its behind one, once a month of the list has
    # ended (before, nothing can be behind: a target of one a month expects one only on the
    # month's last day)
    sanitation = User.objects.get(username="head_sanitation")
    lights = {counter.item.number: counter.light
              for counter in my_counters(sanitation, duty_list, today)}
    assert Light.GREEN in lights.values()
    month_ended = today > D(year, 1, 31)
    if month_ended:
        assert lights[2] == Light.RED and lights[14] == Light.GREEN
        # and squad 2 is behind on its branch's meetings
        squad2 = Unit.objects.get(code="squad2")
        behind = {counter.item.number: counter.light
                  for counter in unit_counters(duty_list, [squad2], today)[squad2.pk]}
        assert behind[2] == Light.RED
    else:
        assert set(lights.values()) <= {Light.GREEN, Light.NONE}

    # once: loading again adds nothing
    count = records.count()
    assert load_demo_history()["steps"] == 0 and records.count() == count


def test_the_years_plan_is_drawn_the_same_each_time(db):
    first, again = year_plan(2026), year_plan(2026)
    assert first == again and len(first) > 150
    assert {entry.kind for entry in first} == {"meeting", "study", "inspection", "talk",
                                               "lecture"}


def test_the_evidence_is_a_pdf_that_says_what_it_is():
    made = pdf("DutyChain demo (minutes)")
    assert made.startswith(b"%PDF-1.4") and made.rstrip().endswith(b"%%EOF")
    xref = int(made.rsplit(b"startxref\n", 1)[1].split()[0])
    assert made[xref:].startswith(b"xref")
    assert b"(DutyChain demo \\(minutes\\)) Tj" in made
