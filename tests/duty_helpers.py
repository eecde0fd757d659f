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
YEAR = timezone.localdate().year
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def issued_list(year: int = YEAR, item_changes: dict | None = None) -> DutyList:
    """The demo's list for ``year``, issued; ``item_changes``: number → changes."""
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
    """A working day shortly before today, within the five days a record is due in."""
    from records.workdays import is_workday

    day = (today or timezone.localdate()) - datetime.timedelta(days=1)
    while not is_workday(day):
        day -= datetime.timedelta(days=1)
    return day
