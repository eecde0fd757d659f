"""What the duty records' tests share: the year's list as the demo sets it, issued."""

import datetime
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from demo.duties import CARRIERS, TARGETS, reviewer_for
from records.models import DutyList
from records.services import duties

PLAN = Path(__file__).resolve().parents[1] / "demo" / "work_plan_2022.txt"
# the day the duty tests live on (tests/conftest.py ``on_a_known_day``): late in a year whose
# holidays are known, with three quarters behind it — so that locks, a change of head and
# red lights are tested whatever day the suite runs
DAY = datetime.date(2026, 11, 20)
YEAR = DAY.year
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def issued_list(year: int | None = None, item_changes: dict | None = None) -> DutyList:
    """The demo's list for ``year`` (today's), issued; ``item_changes``: number → changes."""
    year = year or timezone.localdate().year
    committee = User.objects.get(username="jiwei_chen")
    duty_list = duties.duty_list_from_plan(year=year, by=committee,
                                           text=PLAN.read_text(encoding="utf-8"))
    for item in duty_list.items.order_by("number"):
        carriers = CARRIERS[item.number]
        changes = {"carriers": carriers, "reviewer": reviewer_for(carriers)}
        if item.number in TARGETS:
            changes["target"] = TARGETS[item.number]
        changes.update((item_changes or {}).get(item.number, {}))
        duties.duty_item_update(item=item, by=committee, **changes)
    return duties.duty_list_issue(duty_list=duty_list,
                                  by=User.objects.get(username="secretary"))


def pdf(name: str = "会议记录.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def recent_day(today: datetime.date | None = None) -> datetime.date:
    """A working day shortly before today, within the five days a record is due in (today
    itself in the year's first days: a record stays in its list's year)."""
    from records.workdays import is_workday

    today = today or timezone.localdate()
    day = today - datetime.timedelta(days=1)
    while not is_workday(day) and day.year == today.year:
        day -= datetime.timedelta(days=1)
    return day if day.year == today.year else today
