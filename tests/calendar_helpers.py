"""What the calendar's tests share: moving "today", the notices, the 2027 days they enter.

No 2027 notice had been published when these tests were written: ``NEW_YEAR_2027`` is a
made-up notice of one festival (New Year's Day, Friday 1 January 2027, one day off), enough
for the days the tests look at; it is entered only inside tests, never in the product.
"""

import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.utils import timezone

NOTICES = Path(__file__).parent / "holiday_notices"
D = datetime.date

NEW_YEAR_2027 = """国务院办公厅关于2027年部分节假日安排的通知（测试用，虚构）
一、元旦：1月1日（周五）放假1天，不调休。
"""


def notice(year: int) -> str:
    """The notice of ``year`` as tests/holiday_notices holds it (written in the notices' form
    from what they decided)."""
    return (NOTICES / f"{year}.txt").read_text(encoding="utf-8")


def travel(monkeypatch, day: datetime.date, hour: int = 9) -> None:
    """Make it ``hour`` o'clock on ``day`` for everything that asks django.utils.timezone,
    now() and localdate() alike, and for the fields whose default is ``timezone.now`` (a
    step starts when its task is ``created``; a problem is due counting from
    ``registered_at``). Travelling again goes on from the real clock."""
    real_now = getattr(timezone.now, "real", timezone.now)
    real_localdate = getattr(timezone.localdate, "real", timezone.localdate)
    moment = datetime.datetime(day.year, day.month, day.day, hour,
                               tzinfo=ZoneInfo(settings.TIME_ZONE)).astimezone(datetime.UTC)

    def now():
        return moment

    def localdate(value=None, timezone=None):
        return day if value is None else real_localdate(value, timezone)

    now.real, localdate.real = real_now, real_localdate
    monkeypatch.setattr(timezone, "now", now)
    monkeypatch.setattr(timezone, "localdate", localdate)
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if getattr(field, "default", None) is real_now:
                monkeypatch.setattr(field, "_get_default", now)


def enter_2027(by) -> None:
    """The administrator saves the (made-up) 2027 notice: 1 January off, 2027 confirmed."""
    from records.services.calendar import calendar_notice_import

    calendar_notice_import(text=NEW_YEAR_2027, by=by)
