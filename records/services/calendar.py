"""Keeping the working-day calendar (工作日日历): every change to it, and what follows from it.

The State Council publishes each next year's holidays around November; chinese-calendar
knows only the years of its release. Administrators keep the rest here: one day at a
time (``workday_override_save``), a whole year from the pasted notice
(``calendar_notice_import``), or by confirming a year entered by hand
(``calendar_year_confirm``). Each change is audited, and the deadlines of open steps that
were counted over a changed day are counted again with the same rule that set them
(``deadlines_recount``; the rules are records/deadlines.py's, named by the step table):
each record's trail and its history say from what to what and why. Closed steps, and dates people chose (a planned completion date, an
extension), keep theirs.

While a year is unknown, automatic work waits and says so: ``calendar_missing_notify``
tells the administrators and the secretary, once a day, what to enter.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts import chain
from accounts.models import Post, User
from records import holiday_notice, kinds
from records.audit import audit, audit_event
from records.deadlines import report_due_date
from records.models import CalendarYear, Notification, WorkdayOverride
from records.workdays import Calendar, forget_confirmed_years, quarter_end, unknown_years

OPEN_TASK_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


@dataclass(frozen=True)
class Imported:
    """What saving a notice did."""

    year: int
    holidays: int
    workdays: int
    changed: int
    recounted: int


def _entry(override: WorkdayOverride | None) -> dict | None:
    if override is None:
        return None
    return {"date": override.date.isoformat(), "is_workday": override.is_workday,
            "note": override.note}


@transaction.atomic
def workday_override_save(*, override: WorkdayOverride, by: User) -> WorkdayOverride:
    """An administrator enters or corrects one day: a holiday, or a weekend day worked in lieu."""
    before = (WorkdayOverride.objects.select_for_update().filter(pk=override.pk).first()
              if override.pk else None)
    override.note = (override.note or "").strip()
    override.save()
    audit(actor=by, action="calendar.day_set", target=override, entry=_entry(override),
          before=_entry(before))
    changed = {override.date}
    if before is not None and before.date != override.date:
        changed.add(before.date)
    if before is None or (before.date, before.is_workday) != (override.date, override.is_workday):
        deadlines_recount(days=changed, by=by, why={
            "reason": "day", "date": override.date.isoformat(),
            "is_workday": override.is_workday})
    return override


@transaction.atomic
def workday_overrides_delete(*, overrides: list[WorkdayOverride], by: User) -> None:
    """An administrator removes entered days: the library (or Monday–Friday) applies again."""
    from records.audit import append_many

    if not overrides:
        return
    append_many([audit_event(actor=by, action="calendar.day_remove", target=override,
                             before=_entry(override)) for override in overrides])
    days = {override.date for override in overrides}
    WorkdayOverride.objects.filter(pk__in=[override.pk for override in overrides]).delete()
    deadlines_recount(days=days, by=by, why={
        "reason": "day_removed", "date": "、".join(sorted(day.isoformat() for day in days))})


@transaction.atomic
def calendar_year_confirm(*, year: int, by: User, note: str = "") -> CalendarYear:
    """An administrator confirms that a year's holidays and shifted working days are all
    entered: the year is known from now on, and automatic work goes ahead in it."""
    entered = WorkdayOverride.objects.filter(date__year=year, is_workday=False).exists()
    if not entered:
        raise ValidationError(_("No holiday of %(year)s is entered yet. Enter its holidays and "
                                "shifted working days first (or paste the State Council's "
                                "notice), then confirm the year.") % {"year": year})
    confirmed, _created = CalendarYear.objects.update_or_create(
        year=year, defaults={"confirmed_at": timezone.now(), "confirmed_by": by,
                             "note": (note or "").strip()})
    audit(actor=by, action="calendar.confirm_year", target=confirmed, year=year,
          source="by hand")
    forget_confirmed_years()
    return confirmed


@transaction.atomic
def calendar_notice_import(*, text: str, year: int | None = None, by: User) -> Imported:
    """An administrator saves a pasted State Council notice: its holidays and shifted working
    days become entered days, and its year is confirmed (read again here, not trusted from
    the preview)."""
    notice = holiday_notice.parse(text, year)
    if notice.errors:
        raise ValidationError(notice.errors)
    days = notice.days
    existing = {o.date: o for o in WorkdayOverride.objects.select_for_update()
                .filter(date__in=[day.date for day in days])}
    new, updated, changed = [], [], set()
    for day in days:
        found = existing.get(day.date)
        if found is None:
            new.append(WorkdayOverride(date=day.date, is_workday=day.is_workday,
                                       note=day.festival))
            changed.add(day.date)
        elif (found.is_workday, found.note) != (day.is_workday, day.festival):
            if found.is_workday != day.is_workday:
                changed.add(day.date)
            found.is_workday, found.note = day.is_workday, day.festival
            updated.append(found)
    WorkdayOverride.objects.bulk_create(new)
    WorkdayOverride.objects.bulk_update(updated, ["is_workday", "note"])
    confirmed, _created = CalendarYear.objects.update_or_create(
        year=notice.year, defaults={"confirmed_at": timezone.now(), "confirmed_by": by,
                                    "source": text.strip(), "note": ""})
    audit(actor=by, action="calendar.import_notice", target=confirmed, year=notice.year,
          holidays=len(notice.holidays), workdays=len(notice.workdays),
          changed=sorted(day.isoformat() for day in changed))
    forget_confirmed_years()
    recounted = deadlines_recount(days=changed, by=by,
                                  why={"reason": "notice", "year": notice.year})
    return Imported(year=notice.year, holidays=len(notice.holidays),
                    workdays=len(notice.workdays), changed=len(changed), recounted=recounted)


def deadlines_recount(*, days: Iterable[datetime.date], by: User | None, why: dict) -> int:
    """Count again the deadlines of open items that were counted over one of ``days``;
    returns how many items changed. Each change is an audit event of its record and a note
    on its open step (shown in the record's history) saying from what to what and ``why``.

    Each deadline is counted again by the rule that set it: a record's own (a report's
    submission deadline: records.kinds ``record_deadlines``), then its open step's (the
    step table's rule, which the step's node carries). A fixed number of queries whatever
    the number of items: each kind's open items whose deadline is on or after the first
    changed day, their open steps, one calendar.
    """
    days = sorted(set(days))
    if not days:
        return 0
    first, last = days[0], days[-1]
    found = []
    for kind in kinds.all_kinds():
        fields = [kind.step_due_field, *(field for field, _rule in kind.record_deadlines.values())]
        since = Q()
        for field in fields:
            since |= Q(**{f"{field}__gte": first})
        found += [(kind, record) for record in kind.model.objects.select_for_update()
                  .filter(status__in=kind.model.OPEN_STATUSES).filter(since).order_by("pk")]
    steps = _open_steps([record.process_id for _kind, record in found])
    # one window for every rule: from well before the earliest day any of them counts from
    earliest = min([first, *(timezone.localdate(step.created) for step in steps.values())])
    calendar = Calendar(earliest - datetime.timedelta(days=400),
                        last + datetime.timedelta(days=120))
    changes = []  # (record, its open step or None, [(which deadline, old, new)])
    for kind, record in found:
        fields = []
        for which, (field, rule) in kind.record_deadlines.items():
            due = rule(record, calendar)
            if due != getattr(record, field):
                fields.append((which, getattr(record, field), due))
                setattr(record, field, due)
        step = steps.get(record.process_id)
        rule = getattr(getattr(step.flow_task, "step", None), "deadline", None) if step else None
        if rule is not None and getattr(rule, "counted", True):
            due = rule(record, timezone.localdate(step.created), calendar)
            if due != getattr(record, kind.step_due_field):
                fields.append(("step", getattr(record, kind.step_due_field), due))
                setattr(record, kind.step_due_field, due)
        if fields:
            changes.append((kind, record, step, fields))
    if changes:
        _write(changes, by, why)
    return len(changes)


def _open_steps(process_ids: list[int]) -> dict[int, Task]:
    """The open human step of each process (the latest, should there be several)."""
    if not process_ids:
        return {}
    steps = {}
    for task in (Task.objects.select_for_update()
                 .filter(process_id__in=process_ids, status__in=OPEN_TASK_STATUSES,
                         flow_task_type="HUMAN").order_by("created", "pk")):
        steps[task.process_id] = task
    return steps


def _write(changes: list, by: User | None, why: dict) -> None:
    from records.audit import append_many

    at = timezone.now().isoformat()
    for kind in {kind.key: kind for kind, *_rest in changes}.values():
        kind.model.objects.bulk_update(
            [record for changed_kind, record, _step, _fields in changes if changed_kind is kind],
            [kind.step_due_field, *(field for field, _rule in kind.record_deadlines.values())])
    steps, events = [], []
    for kind, record, step, fields in changes:
        described = [{"deadline": which, "old": old.isoformat() if old else None,
                      "new": new.isoformat() if new else None} for which, old, new in fields]
        events.append(audit_event(actor=by, action=f"{kind.key}.deadline_recount",
                                  target=record, changes=described, why=why))
        if step is not None:
            step.data.setdefault("deadline_changes", []).extend(
                {**change, "at": at, "why": why} for change in described)
            steps.append(step)
    Task.objects.bulk_update(steps, ["data"])
    append_many(events)  # last: the trail's lock is held until the commit


def opening_waits_for(*, year: int, quarter: int, today: datetime.date | None = None
                      ) -> list[int]:
    """The years not known yet that opening a quarter's reports would count its deadlines
    over (and ``today``'s, when the opening is automatic): [] when it may go ahead."""
    start = quarter_end(year, quarter)
    end = report_due_date(year, quarter)
    if today is not None:
        start, end = min(start, today), max(end, today)
    return unknown_years(start, end)


def calendar_keepers(day: datetime.date) -> tuple[list[User], list[User]]:
    """Who is told what to enter: the administrators, and the secretaries who are not."""
    admins = list(User.objects.filter(is_active=True)
                  .filter(Q(is_superuser=True) | Q(is_staff=True)).order_by("pk"))
    secretaries = [user for user in chain.holders(None, Post.Role.SECRETARY, day)
                   if user not in admins]
    return admins, secretaries


def calendar_missing_notify(*, today: datetime.date, years: list[int]) -> list[Notification]:
    """Tell the administrators and the secretary, once a day, that automatic work waits for
    the arrangement of ``years`` to be entered, and where to enter it."""
    from records.notifications import notify

    admins, secretaries = calendar_keepers(today)
    names = "、".join(str(year) for year in years)
    with override(settings.LANGUAGE_CODE):
        title = _("The %(years)s holiday arrangement is not entered: reminders, escalations "
                  "and opening the quarter's reports wait") % {"years": names}
        common = dict(kind=Notification.Kind.CALENDAR_MISSING, record=CalendarYear(year=years[0]),
                      title=title[:200], day=today)
        told = notify(recipients=admins, url=reverse("admin:records_workdayoverride_calendar"),
                      body=_("Nothing is sent on a day that may be a public holiday. Paste the "
                             "State Council's notice on the working-day calendar page of the "
                             "admin and save it (or enter the days and confirm the year); "
                             "automatic work then resumes and provisional deadlines are "
                             "counted again."), **common)
        told += notify(recipients=secretaries,
                       body=_("Nothing is sent on a day that may be a public holiday. The "
                              "administrator enters the State Council's notice in the admin; "
                              "automatic work then resumes."), **common)
    return told
