"""The quarterly report's annex of duty records: what the unit recorded and had accepted in
the quarter, and its counters at the quarter's end — so a unit head never types twice what
the product knows. Filled again each time the report's step changes."""

from __future__ import annotations

import datetime

from django.utils import timezone

from records.audit import audit
from records.duty_seats import (
    build_counter,
    monthly_counts,
    unit_items,
    unit_seat,
    year_calendar,
)
from records.models import DutyList, DutyRecord, QuarterlyReport
from records.workdays import quarter_end

MAX_RECORDS = 200
SUMMARY_CHARS = 120


def duty_annex(report: QuarterlyReport, today: datetime.date | None = None) -> dict:
    """The annex as it stands ``today`` (empty when the year has no issued list)."""
    today = today or timezone.localdate()
    duty_list = DutyList.objects.filter(year=report.year).exclude(
        status=DutyList.Status.DRAFT).first()
    if duty_list is None:
        return {}
    start = datetime.date(report.year, 3 * report.quarter - 2, 1)
    end = quarter_end(report.year, report.quarter)
    records = (DutyRecord.objects.filter(duty_list=duty_list, unit=report.unit,
                                         status=DutyRecord.Status.ACCEPTED,
                                         date__range=(start, end))
               .select_related("author").prefetch_related("counted__item")
               .order_by("date", "pk")[:MAX_RECORDS])
    rows = [{"date": record.date.isoformat(), "kind": record.get_kind_display(),
             "author": str(record.author), "late": record.is_late,
             "items": sorted(counted.item.number for counted in record.counted.all()),
             # a talk's content stays on the record, for those who took part
             "summary": "" if record.is_talk else record.summary[:SUMMARY_CHARS]}
            for record in records]
    items = unit_items(duty_list)
    seats = {item.pk: unit_seat(item, report.unit_id) for item in items}
    counts = monthly_counts(duty_list, list(set(seats.values())), items=items)
    as_of = min(today, end)
    counters, calendar = [], year_calendar(duty_list.year)
    for item in items:
        item.duty_list = duty_list
        by_month = {month: n for month, n in counts.get((item.pk, seats[item.pk].key), {})
                    .items() if month <= end.month}
        # once the quarter is over, its last period counts as ended (red when missed)
        counter = build_counter(item, seats[item.pk], by_month,
                                end + datetime.timedelta(days=1) if today > end else as_of,
                                calendar=calendar)
        in_quarter = sum(n for month, n in by_month.items() if start.month <= month)
        counters.append({"number": item.number, "title": item.title,
                         "period": item.get_period_display(), "in_quarter": in_quarter,
                         "done_year": counter.done_year,
                         "target": None if item.as_needed else item.target,
                         "light": counter.light})
    return {"as_of": as_of.isoformat(), "year": duty_list.year, "records": rows,
            "counters": counters, "more": len(rows) == MAX_RECORDS}


def report_duty_annex_refresh(*, report: QuarterlyReport) -> QuarterlyReport:
    annex = duty_annex(report)
    if annex != report.annex:
        report.annex = annex
        QuarterlyReport.objects.filter(pk=report.pk).update(annex=annex)
        if annex:
            audit(actor=None, action="report.duty_annex", target=report, as_of=annex["as_of"],
                  records=len(annex["records"]))
    return report


