"""Duty records (履责纪实): recorded once by whoever holds a post carrying the items, counted
for each item it serves, reviewed when drawn for review, locked a while after its quarter.

Every check is made at the moment of the action against the chain of that day (and, for the
record's date, the posts held that day); every change is audited."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import chain
from accounts.models import Post, Unit, User
from records import permissions
from records.audit import audit
from records.duty_seats import seat_for, seats_on
from records.lateness import quarter_of
from records.models import (
    DutyItem,
    DutyList,
    DutyRecord,
    DutyRecordEvidence,
    DutyRecordItem,
    DutyRecordVersion,
    DutyReopening,
    Notification,
)
from records.notifications import notify
from records.workdays import add_working_days, quarter_end, working_days_between

from .evidence import keep, validate_evidence

Status = DutyRecord.Status
Reviewer = DutyItem.Reviewer
CONTENT = ("kind", "date", "place", "organiser", "guests", "summary", "late_reason")
MAX_PARTICIPANTS = 200
MAX_FILES = 10


# -- who may do what ---------------------------------------------------------------------

def _reviewers(role: str, unit: Unit, day: datetime.date) -> list[User]:
    if role == Reviewer.SUPERVISOR:
        return [user for user in [chain.supervisor_of(unit, day)] if user]
    if role == Reviewer.SECRETARY:
        return [user for user in [chain.secretary(day)] if user]
    return chain.discipline_committee(day)


def reviewers_of(record: DutyRecord, day: datetime.date | None = None) -> list[User]:
    """Who reviews ``record`` on ``day``: the holders of its reviewer's post then, never its
    author (whose record goes one step up: supervisor → secretary → committee), with whoever
    acts for them under a delegation valid that day."""
    day = day or timezone.localdate()
    order = [Reviewer.SUPERVISOR, Reviewer.SECRETARY, Reviewer.COMMITTEE]
    found: list[User] = []
    for role in order[order.index(record.reviewer_role):]:
        found = [user for user in _reviewers(role, record.unit, day)
                 if user.pk != record.author_id]
        if found:
            break
    acting = [chain.acting_for(user, day) for user in found]
    return list({user.pk: user for user in found + acting
                 if user.pk != record.author_id}.values())


def can_review(user: User, record: DutyRecord) -> bool:
    return (record.status == Status.SUBMITTED and user.is_authenticated
            and any(reviewer.pk == user.pk for reviewer in reviewers_of(record)))


def participant_choices(user: User) -> list[User]:
    """Whom ``user`` may name as participants: the people of the chain around their unit
    (the page's choices and the API's check alike)."""
    Role = Post.Role
    units = chain.units_of(user, tuple(Role.values))
    return chain.people_around(units[0] if units else None,
                               (Role.SECRETARY, Role.LEADER, Role.HEAD, Role.LIAISON,
                                Role.COMMITTEE))


def can_reopen(user: User) -> bool:
    return permissions.is_committee(user)


def sees_talk(user: User, record: DutyRecord) -> bool:
    """A talk's content is for its author, its participants and its reviewer; everyone else
    sees only its date and who took part. Reads the participants prefetched with the record
    when they were (``prefetch_related("participants")``: a list costs no query a record)."""
    if not record.is_talk or user.pk in (record.author_id, record.reviewed_by_id):
        return True
    if any(person.pk == user.pk for person in record.participants.all()):
        return True
    return can_review(user, record)


# -- the checks of an entry ----------------------------------------------------------------

def lock_date(duty_list: DutyList, day: datetime.date) -> datetime.date:
    """The last day records dated ``day`` may be entered or changed: ``lock_after`` working
    days after its quarter ends."""
    year, quarter = quarter_of(day)
    return add_working_days(quarter_end(year, quarter), max(duty_list.lock_after, 1))


def is_locked(duty_list: DutyList, day: datetime.date, person: User,
              today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    if today <= lock_date(duty_list, day):
        return False
    return not DutyReopening.objects.filter(duty_list=duty_list, person=person,
                                            quarter=quarter_of(day)[1], until__gte=today).exists()


def _check_open(duty_list: DutyList, day: datetime.date, person: User) -> None:
    if is_locked(duty_list, day, person):
        raise ValidationError({"date": _(
            "Q%(quarter)s of %(year)s locked on %(locked)s: only the discipline committee can "
            "reopen it for you.") % {"quarter": quarter_of(day)[1], "year": day.year,
                                    "locked": lock_date(duty_list, day)}})


def _clean(duty_list: DutyList, by: User, fields: dict, items: list[DutyItem],
           today: datetime.date) -> tuple[dict, dict]:
    """The record's cleaned fields, and the place each item counts for (item → Seat)."""
    if duty_list.status != DutyList.Status.ISSUED:
        raise ValidationError(_("Records are kept against an issued list; the %(year)s list is "
                                "%(status)s.") % {"year": duty_list.year,
                                                  "status": duty_list.get_status_display()})
    kind = fields.get("kind")
    if kind not in DutyRecord.Kind.values:
        raise ValidationError({"kind": _("Choose what it was: %(kinds)s.") % {
            "kinds": "、".join(str(label) for label in DutyRecord.Kind.labels)}})
    day = fields.get("date")
    if not isinstance(day, datetime.date):
        raise ValidationError({"date": _("Give the date it happened.")})
    if day > today:
        raise ValidationError({"date": _("%(date)s is in the future: record what has "
                                         "happened.") % {"date": day}})
    if day.year != duty_list.year:
        raise ValidationError({"date": _("%(date)s is outside the %(year)s list's year.")
                               % {"date": day, "year": duty_list.year}})
    cleaned = {"kind": kind, "date": day}
    for name in ("place", "organiser", "guests", "summary", "late_reason"):
        value = (fields.get(name) or "").strip()
        limit = DutyRecord._meta.get_field(name).max_length
        if len(value) > limit:
            raise ValidationError({name: _("Keep it under %(n)s characters.") % {"n": limit}})
        cleaned[name] = value
    if not cleaned["summary"]:
        raise ValidationError({"summary": _("Say in a few lines what was done.")})
    if not items:
        raise ValidationError({"items": _("Choose the duty items it counts for.")})
    if any(item.duty_list_id != duty_list.pk for item in items):
        raise ValidationError({"items": _("Choose items of the %(year)s list.")
                               % {"year": duty_list.year}})
    seats = seats_on(by, day)
    if not seats:
        raise ValidationError({"date": _(
            "On %(date)s you held no post that carries duties: a record is dated within your "
            "assignment.") % {"date": day}})
    counted = {}
    for item in sorted(set(items), key=lambda item: item.number):
        seat = seat_for(item, seats)
        if seat is None:
            raise ValidationError({"items": _(
                "Item %(n)s (%(title)s) is not yours to record: it is carried by %(who)s.")
                % {"n": item.number, "title": item.title,
                   "who": "、".join(item.carrier_labels()) or "—"}})
        counted[item] = seat
    return cleaned, counted


def _late(duty_list: DutyList, day: datetime.date, today: datetime.date) -> bool:
    return today > add_working_days(day, max(duty_list.record_within, 1))


def _check_late(duty_list: DutyList, cleaned: dict, today: datetime.date) -> bool:
    late = _late(duty_list, cleaned["date"], today)
    if late and not cleaned["late_reason"]:
        raise ValidationError({"late_reason": _(
            "This is %(n)s working days after the event, later than the %(limit)s allowed: "
            "say why it is recorded late (补录).") % {
                "n": working_days_between(cleaned["date"], today),
                "limit": duty_list.record_within}})
    if not late:
        cleaned["late_reason"] = ""
    return late


def _participants(people: Iterable[User]) -> list[User]:
    people = list({user.pk: user for user in people}.values())
    if len(people) > MAX_PARTICIPANTS:
        raise ValidationError({"participants": _("At most %(n)s participants from the chain; "
                                                 "name the others as guests.")
                               % {"n": MAX_PARTICIPANTS}})
    return people


def _check_files(items: Iterable[DutyItem], files: list[UploadedFile], has_files: bool) -> None:
    if len(files) > MAX_FILES:
        raise ValidationError({"file": _("At most %(n)s files at once.") % {"n": MAX_FILES}})
    for upload in files:
        validate_evidence(upload)
    needing = [item for item in items if item.evidence_required]
    if needing and not (files or has_files):
        raise ValidationError({"file": _(
            "Item %(n)s (%(title)s) needs evidence: attach the minutes, the sign-in sheet or "
            "a photo.") % {"n": needing[0].number, "title": needing[0].title}})


def _check_duplicate(by: User, cleaned: dict, items: Iterable[DutyItem],
                     exclude: int | None = None) -> None:
    wanted = sorted(item.pk for item in items)
    same = DutyRecord.objects.filter(author=by, date=cleaned["date"], kind=cleaned["kind"],
                                     summary=cleaned["summary"]).exclude(pk=exclude)
    for record in same.annotate(n=Count("counted")).filter(n=len(wanted)):
        if sorted(record.counted.values_list("item_id", flat=True)) == wanted:
            raise ValidationError(_("You recorded this already (record No. %(pk)s of "
                                    "%(date)s).") % {"pk": record.pk, "date": record.date})


def _draw(items: Iterable[DutyItem]) -> bool:
    """Whether a record is drawn for review: at the highest share its items ask for."""
    percent = max((item.sample_percent for item in items), default=100)
    return percent >= 100 or secrets.randbelow(100) < percent


def _content(record: DutyRecord) -> dict:
    content = {name: getattr(record, name) for name in CONTENT}
    content["date"] = record.date.isoformat()
    content["items"] = sorted(record.counted.values_list("item__number", flat=True))
    content["participants"] = sorted(record.participants.values_list("username", flat=True))
    content["files"] = list(record.evidence.values_list("name", flat=True))
    return content


def _keep_files(record: DutyRecord, by: User, files: list[UploadedFile]) -> None:
    for upload in files:
        keep(DutyRecordEvidence(record=record), upload, by=by, target=record,
             prefix="duty_record")


def _count(record: DutyRecord, counted: dict) -> None:
    record.counted.all().delete()
    DutyRecordItem.objects.bulk_create(
        DutyRecordItem(record=record, item=item, carrier=seat.carrier, unit_id=seat.unit_id,
                       leader_id=seat.leader_id, date=record.date,
                       counts=record.status in DutyRecord.COUNTING)
        for item, seat in counted.items())


def _notify_reviewers(record: DutyRecord) -> None:
    from django.urls import reverse

    notify(recipients=reviewers_of(record), kind=Notification.Kind.DUTY_RECORD_REVIEW, record=record,
           title=_("A duty record to review: %(record)s") % {"record": record},
           url=reverse("duties:record", args=[record.pk]))


# -- the actions -------------------------------------------------------------------------

@transaction.atomic
def duty_record_create(*, by: User, duty_list: DutyList, items: list[DutyItem],
                       participants: Iterable[User] = (), files: list[UploadedFile] = (),
                       **fields) -> DutyRecord:
    """Record one thing done, for every item of ``by``'s posts it counts for."""
    today = timezone.localdate()
    duty_list = DutyList.objects.get(pk=duty_list.pk)
    # one person's entries one at a time (an exact duplicate sent twice at once is refused),
    # everyone else's alongside
    User.objects.select_for_update().filter(pk=by.pk).exists()
    unknown = sorted(set(fields) - set(CONTENT))
    if unknown:
        raise ValidationError(_("These cannot be recorded: %(names)s.")
                              % {"names": ", ".join(unknown)})
    cleaned, counted = _clean(duty_list, by, fields, list(items), today)
    _check_open(duty_list, cleaned["date"], by)
    late = _check_late(duty_list, cleaned, today)
    people = _participants(participants)
    files = list(files)
    _check_files(counted, files, has_files=False)
    _check_duplicate(by, cleaned, counted)
    first = min(counted, key=lambda item: item.number)
    sampled = _draw(counted)
    record = DutyRecord.objects.create(
        duty_list=duty_list, author=by, unit_id=counted[first].unit_id, is_late=late,
        sampled=sampled, reviewer_role=first.reviewer,
        status=Status.SUBMITTED if sampled else Status.ACCEPTED, **cleaned)
    record.participants.set(people)
    _count(record, counted)
    _keep_files(record, by, files)
    content = _content(record)
    DutyRecordVersion.objects.create(record=record, number=1, content=content,
                                     submitted_by=by,
                                     decision="" if sampled else Status.ACCEPTED)
    audit(actor=by, action="duty_record.create", target=record, items=content["items"],
          date=record.date.isoformat(), late=late, sampled=sampled,
          unit=record.unit_id)
    if sampled:
        _notify_reviewers(record)
    return record


@transaction.atomic
def duty_record_resubmit(*, record: DutyRecord, by: User, items: list[DutyItem],
                         participants: Iterable[User] = (), files: list[UploadedFile] = (),
                         **fields) -> DutyRecord:
    """The author corrects a returned record and submits it again: a new version."""
    today = timezone.localdate()
    record = DutyRecord.objects.select_for_update().get(pk=record.pk)
    if record.author_id != by.pk:
        raise PermissionDenied(_("Only the person who recorded it changes a record."))
    if record.status != Status.RETURNED:
        raise ValidationError(_("This record is %(status)s: only a returned record can be "
                                "changed.") % {"status": record.get_status_display()})
    unknown = sorted(set(fields) - set(CONTENT))
    if unknown:
        raise ValidationError(_("These cannot be recorded: %(names)s.")
                              % {"names": ", ".join(unknown)})
    cleaned, counted = _clean(record.duty_list, by, fields, list(items), today)
    for day in {record.date, cleaned["date"]}:
        _check_open(record.duty_list, day, by)
    # lateness is counted from the event to the first entry, not to the correction
    first_entry = timezone.localtime(record.created_at).date()
    late = _late(record.duty_list, cleaned["date"], first_entry)
    if late and not cleaned["late_reason"]:
        cleaned["late_reason"] = record.late_reason
        if not cleaned["late_reason"]:
            raise ValidationError({"late_reason": _(
                "This is %(n)s working days after the event, later than the %(limit)s "
                "allowed: say why it is recorded late (补录).") % {
                    "n": working_days_between(cleaned["date"], first_entry),
                    "limit": record.duty_list.record_within}})
    if not late:
        cleaned["late_reason"] = ""
    people = _participants(participants)
    files = list(files)
    _check_files(counted, files, has_files=record.evidence.exists())
    _check_duplicate(by, cleaned, counted, exclude=record.pk)
    for name, value in cleaned.items():
        setattr(record, name, value)
    first = min(counted, key=lambda item: item.number)
    record.unit_id, record.reviewer_role = counted[first].unit_id, first.reviewer
    record.is_late, record.status, record.version = late, Status.SUBMITTED, record.version + 1
    record.save()
    record.participants.set(people)
    _count(record, counted)
    _keep_files(record, by, files)
    DutyRecordVersion.objects.create(record=record, number=record.version,
                                     content=_content(record), submitted_by=by)
    audit(actor=by, action="duty_record.resubmit", target=record, version=record.version)
    _notify_reviewers(record)
    return record


@transaction.atomic
def duty_record_review(*, record: DutyRecord, by: User, accept: bool, opinion: str = ""
                       ) -> DutyRecord:
    """The reviewer accepts the record (read-only from then on) or returns it with an
    opinion; a returned record stops counting until it is submitted again."""
    record = DutyRecord.objects.select_for_update().select_related("unit").get(pk=record.pk)
    if not any(reviewer.pk == by.pk for reviewer in reviewers_of(record)):
        raise PermissionDenied(_("You do not review this record today."))
    if record.status != Status.SUBMITTED:
        raise ValidationError(_("This record is %(status)s: there is nothing to review.")
                              % {"status": record.get_status_display()})
    opinion = (opinion or "").strip()
    if len(opinion) > 2000:
        raise ValidationError({"opinion": _("Keep it under %(n)s characters.") % {"n": 2000}})
    if not accept and not opinion:
        raise ValidationError({"opinion": _("Say what to correct when you return a record.")})
    record.status = Status.ACCEPTED if accept else Status.RETURNED
    record.reviewed_by, record.reviewed_at = by, timezone.now()
    record.was_returned = record.was_returned or not accept
    record.save(update_fields=["status", "reviewed_by", "reviewed_at", "was_returned",
                               "updated_at"])
    record.counted.update(counts=accept)
    record.versions.filter(number=record.version).update(
        decision=record.status, opinion=opinion, decided_by=by, decided_at=record.reviewed_at)
    audit(actor=by, action="duty_record.accept" if accept else "duty_record.return",
          target=record, version=record.version, opinion=opinion or None)
    if not accept:
        from django.urls import reverse

        notify(recipients=[record.author], kind=Notification.Kind.DUTY_RECORD_RETURNED, record=record,
               title=_("Your duty record was returned: %(record)s") % {"record": record},
               body=opinion, url=reverse("duties:record", args=[record.pk]))
    return record


@transaction.atomic
def duty_record_evidence_add(*, record: DutyRecord, by: User, file: UploadedFile | None
                             ) -> DutyRecordEvidence:
    """The author adds a file to a record not yet accepted, before its quarter locks."""
    record = DutyRecord.objects.select_for_update().get(pk=record.pk)
    if record.author_id != by.pk:
        raise PermissionDenied(_("Only the person who recorded it adds its evidence."))
    if record.status == Status.ACCEPTED:
        raise ValidationError(_("An accepted record no longer changes."))
    _check_open(record.duty_list, record.date, by)
    validate_evidence(file)
    return keep(DutyRecordEvidence(record=record), file, by=by, target=record,
                prefix="duty_record")


@transaction.atomic
def duty_quarter_reopen(*, duty_list: DutyList, person: User, quarter: int, reason: str,
                        by: User) -> DutyReopening:
    """The committee reopens a locked quarter for one person, for ``lock_after`` working
    days from today, with a reason kept in the history."""
    if not can_reopen(by):
        raise PermissionDenied(_("Only the discipline committee reopens a locked quarter."))
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": _("Choose a quarter from 1 to 4.")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the quarter is reopened.")})
    if len(reason) > 500:
        raise ValidationError({"reason": _("Keep it under %(n)s characters.") % {"n": 500}})
    today = timezone.localdate()
    if today <= lock_date(duty_list, quarter_end(duty_list.year, quarter)):
        raise ValidationError({"quarter": _("Q%(quarter)s is still open until %(date)s.") % {
            "quarter": quarter, "date": lock_date(duty_list, quarter_end(duty_list.year,
                                                                          quarter))}})
    reopening = DutyReopening.objects.create(
        duty_list=duty_list, person=person, quarter=quarter, reason=reason, by=by,
        until=add_working_days(today, max(duty_list.lock_after, 1)))
    audit(actor=by, action="duty_list.reopen", target=duty_list, person=person.pk,
          quarter=quarter, until=reopening.until.isoformat(), reason=reason)
    return reopening


# -- reminders -----------------------------------------------------------------------------

YEAR_END_LEAD = 15  # working days before the year ends


def reminder_days(year: int) -> set[datetime.date]:
    """The days the sweep tells people what is behind on their list: the last working day of
    each of the first three quarters, and the day ``YEAR_END_LEAD`` working days before the
    year ends (time enough to catch up)."""
    from records.workdays import is_workday

    days = set()
    for quarter in (1, 2, 3):
        day = quarter_end(year, quarter)
        while not is_workday(day):
            day -= datetime.timedelta(days=1)
        days.add(day)
    day, counted = datetime.date(year, 12, 31), 0
    while True:
        if is_workday(day):
            counted += 1
            if counted == YEAR_END_LEAD:
                break
        day -= datetime.timedelta(days=1)
    days.add(day)
    return days


def duty_reminders(today: datetime.date, acting: dict[int, User] | None = None) -> int:
    """On a reminder day, tell each holder of a place whose items are behind (yellow) or
    ended a period below target (red) which ones, once a day (and whoever acts for them
    today). Returns how many were told."""
    from django.urls import reverse

    from records.duty_seats import Light, every_place

    if today not in reminder_days(today.year):
        return 0
    duty_list = DutyList.objects.filter(year=today.year, status=DutyList.Status.ISSUED).first()
    if duty_list is None:
        return 0
    acting = acting if acting is not None else chain.stand_ins(today)
    places, holders = every_place(duty_list, today)
    behind: dict[int, tuple[User, list]] = {}
    for seat, counters in places.items():
        late = [counter for counter in counters if counter.light in (Light.YELLOW, Light.RED)]
        if not late:
            continue
        for post in holders[seat]:
            person, found = behind.setdefault(post.user_id, (post.user, []))
            found += [counter for counter in late if counter.item not in
                      [known.item for known in found]]
    told = 0
    for person, counters in behind.values():
        numbers = "、".join(str(counter.item.number) for counter in
                           sorted(counters, key=lambda counter: counter.item.number))
        told += len(notify(
            recipients=[person, acting.get(person.pk)], kind=Notification.Kind.DUTY_BEHIND,
            record=duty_list, url=reverse("duties:mine"), day=today,
            title=(_("%(n)s items of your duty list are behind: No. %(numbers)s")
                   % {"n": len(counters), "numbers": numbers})[:200]))
    return told
