"""The year's duty list: built by the discipline committee (from the plan's text, or copied
from last year's list), its items set one by one, issued by the secretary, and changed once
issued only by a new version with a reason. Every change is audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from records import permissions
from records.audit import audit
from records.duty_plan import parse_plan
from records.models import Carrier, DutyItem, DutyList, DutyListRevision

EDITABLE_FIELDS = ("title", "text", "target", "as_needed", "period", "carriers",
                   "deadline_working_days", "evidence_required", "reviewer", "sample_percent")
MAX_ITEMS = 200


def can_build(user: User) -> bool:
    """The discipline committee builds the year's list."""
    return permissions.is_committee(user)


def can_issue(user: User) -> bool:
    """The secretary issues it."""
    return user.is_authenticated and "secretary" in permissions.roles(user)


def can_read(user: User) -> bool:
    """Every member of the bureau reads the issued list; drafts are the committee's and the
    secretary's."""
    return user.is_authenticated and bool(permissions.roles(user))


def _check_year(year) -> int:
    today = timezone.localdate()
    if not isinstance(year, int) or not today.year - 1 <= year <= today.year + 1:
        raise ValidationError({"year": _("A duty list is built for last year, this year or "
                                         "next year (%(first)s–%(last)s).")
                               % {"first": today.year - 1, "last": today.year + 1}})
    return year


def _create(year: int, title: str, by: User, source_text: str) -> DutyList:
    if not can_build(by):
        raise PermissionDenied(_("Only the discipline committee builds the duty list."))
    _check_year(year)
    title = (title or "").strip() or _("%(year)s duty list of comprehensive strict party "
                                       "governance") % {"year": year}
    try:
        with transaction.atomic():
            return DutyList.objects.create(year=year, title=title[:200], created_by=by,
                                           source_text=source_text)
    except IntegrityError:
        raise ValidationError({"year": _("There is a duty list for %(year)s already.")
                               % {"year": year}}) from None


@transaction.atomic
def duty_list_from_plan(*, year: int, text: str, by: User, title: str = "") -> DutyList:
    """Read the plan's numbered items into a new draft list: counts the plan redacts (X, XX)
    are flagged "target needed"; a count it gives is the target; an item without any count
    is done "as needed" until the committee says otherwise."""
    text = (text or "").strip()
    parsed = parse_plan(text)
    if not parsed:
        raise ValidationError({"text": _("No numbered item was found. Each item starts a line "
                                         "with its number, e.g. “1.加强政治理论学习。…”.")})
    if len(parsed) > MAX_ITEMS:
        raise ValidationError({"text": _("A list holds at most %(n)s items.") % {"n": MAX_ITEMS}})
    numbers = [item.number for item in parsed]
    if len(set(numbers)) != len(numbers):
        twice = sorted({n for n in numbers if numbers.count(n) > 1})
        raise ValidationError({"text": _("Item numbers appear twice: %(numbers)s.")
                               % {"numbers": ", ".join(map(str, twice))}})
    duty_list = _create(year, title, by, text)
    DutyItem.objects.bulk_create(
        DutyItem(duty_list=duty_list, number=item.number, section=item.section,
                 title=item.title, text=item.text, target_needed=item.target_needed,
                 target=None if item.target_needed else item.suggested_target,
                 as_needed=not item.target_needed and item.suggested_target is None,
                 period=item.period)
        for item in parsed)
    audit(actor=by, action="duty_list.build", target=duty_list, year=year,
          items=len(parsed), targets_needed=sum(item.target_needed for item in parsed))
    return duty_list


@transaction.atomic
def duty_list_copy(*, source: DutyList, year: int, by: User) -> DutyList:
    """Start ``year``'s list from ``source`` (last year's, as a rule): every item with its
    carriers, period, rules and target, as a draft to change."""
    duty_list = _create(year, source.title.replace(str(source.year), str(year)), by,
                        source.source_text)
    DutyItem.objects.bulk_create(
        DutyItem(duty_list=duty_list, **{field: getattr(item, field) for field in (
            "number", "section", "title", "text", "target_needed", "target", "as_needed",
            "period", "carriers", "deadline_working_days", "evidence_required", "reviewer",
            "sample_percent")})
        for item in source.items.order_by("number"))
    audit(actor=by, action="duty_list.copy", target=duty_list, year=year,
          source=source.pk, source_year=source.year)
    return duty_list


def _clean_item(item: DutyItem, changes: dict) -> dict:
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError(_("These cannot be changed: %(names)s.")
                              % {"names": ", ".join(unknown)})
    cleaned = dict(changes)
    if "carriers" in cleaned:
        carriers = cleaned["carriers"]
        if not isinstance(carriers, (list, tuple)) or any(
                code not in Carrier.values for code in carriers):
            raise ValidationError({"carriers": _("Choose who carries it among: %(codes)s.")
                                   % {"codes": ", ".join(Carrier.values)}})
        cleaned["carriers"] = [code for code in Carrier.values if code in carriers]
    for name, choices in (("period", DutyItem.Period.values),
                          ("reviewer", DutyItem.Reviewer.values)):
        if name in cleaned and cleaned[name] not in choices:
            raise ValidationError({name: _("Choose one of: %(codes)s.")
                                   % {"codes": ", ".join(choices)}})
    if "target" in cleaned and cleaned["target"] is not None:
        if not isinstance(cleaned["target"], int) or not 1 <= cleaned["target"] <= 1000:
            raise ValidationError({"target": _("A target is a count from 1 to 1000 (or "
                                               "“as needed”).")})
    if "deadline_working_days" in cleaned and not (
            isinstance(cleaned["deadline_working_days"], int)
            and 0 <= cleaned["deadline_working_days"] <= 60):
        raise ValidationError({"deadline_working_days": _("From 0 to 60 working days.")})
    if "sample_percent" in cleaned and not (isinstance(cleaned["sample_percent"], int)
                                            and 0 <= cleaned["sample_percent"] <= 100):
        raise ValidationError({"sample_percent": _("A share from 0 to 100 per cent.")})
    for name in ("title", "text"):
        if name in cleaned:
            cleaned[name] = (cleaned[name] or "").strip()
            if not cleaned[name]:
                raise ValidationError({name: _("This cannot be empty.")})
            limit = DutyItem._meta.get_field(name).max_length
            if len(cleaned[name]) > limit:
                raise ValidationError({name: _("Keep it under %(n)s characters.")
                                       % {"n": limit}})
    after_target = cleaned.get("target", item.target)
    after_as_needed = cleaned.get("as_needed", item.as_needed)
    if after_as_needed and after_target is not None:
        # "as needed" and a count exclude each other: the one just set wins
        if "as_needed" in cleaned and cleaned["as_needed"]:
            cleaned["target"] = None
        else:
            cleaned["as_needed"] = False
    return cleaned


@transaction.atomic
def duty_item_update(*, item: DutyItem, by: User, reason: str = "", **changes) -> DutyItem:
    """Set an item's target, carriers, period and rules. A draft changes freely (the
    committee); an issued list only by a new version with ``reason``."""
    duty_list = DutyList.objects.select_for_update().get(pk=item.duty_list_id)
    if not can_build(by):
        raise PermissionDenied(_("Only the discipline committee changes the duty list."))
    if duty_list.status == DutyList.Status.CLOSED:
        raise ValidationError(_("The %(year)s list is closed and can no longer change.")
                              % {"year": duty_list.year})
    item.refresh_from_db()
    cleaned = _clean_item(item, changes)
    if not cleaned:
        raise ValidationError(_("Nothing to change."))
    before = {name: getattr(item, name) for name in cleaned}
    if duty_list.status == DutyList.Status.ISSUED:
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"reason": _("An issued list changes only by a new version: "
                                               "say why.")})
        _new_version(duty_list, by, reason[:2000])
        if not _complete(item, cleaned):
            raise ValidationError(_("An issued list's items keep a target and someone who "
                                    "carries them."))
    for name, value in cleaned.items():
        setattr(item, name, value)
    item.save()
    audit(actor=by, action="duty_item.update", target=duty_list, item=item.number,
          before=before, after=cleaned, version=duty_list.version,
          reason=reason or None)
    return item


def _complete(item: DutyItem, cleaned: dict) -> bool:
    target = cleaned.get("target", item.target)
    as_needed = cleaned.get("as_needed", item.as_needed)
    carriers = cleaned.get("carriers", item.carriers)
    return bool(carriers) and (as_needed or target is not None)


def _new_version(duty_list: DutyList, by: User, reason: str) -> None:
    """Keep the items as they are as the version that ends, and count one more."""
    DutyListRevision.objects.create(
        duty_list=duty_list, version=duty_list.version, reason=reason, by=by,
        items_before=[{field: getattr(item, field) for field in ("number", *EDITABLE_FIELDS)}
                      for item in duty_list.items.order_by("number")])
    duty_list.version += 1
    duty_list.save(update_fields=["version"])


def issue_problems(duty_list: DutyList) -> list[str]:
    """What stops the list from being issued, one message per item (none: it may be)."""
    found = []
    for item in duty_list.items.order_by("number"):
        if not item.target_set:
            found.append(_("Item %(n)s (%(title)s): set its target, or mark it “as needed”.")
                         % {"n": item.number, "title": item.title})
        if not item.carriers:
            found.append(_("Item %(n)s (%(title)s): say who carries it.")
                         % {"n": item.number, "title": item.title})
    if not found and not duty_list.items.exists():
        found.append(_("The list has no items."))
    return found


@transaction.atomic
def duty_list_issue(*, duty_list: DutyList, by: User) -> DutyList:
    """The secretary issues the draft: from now on it is the year's list."""
    duty_list = DutyList.objects.select_for_update().get(pk=duty_list.pk)
    if not can_issue(by):
        raise PermissionDenied(_("Only the secretary issues the duty list."))
    if duty_list.status != DutyList.Status.DRAFT:
        raise ValidationError(_("This list is %(status)s already.")
                              % {"status": duty_list.get_status_display()})
    problems = issue_problems(duty_list)
    if problems:
        raise ValidationError(problems)
    duty_list.status = DutyList.Status.ISSUED
    duty_list.issued_by, duty_list.issued_at = by, timezone.now()
    duty_list.save()
    audit(actor=by, action="duty_list.issue", target=duty_list, year=duty_list.year,
          items=duty_list.items.count(), version=duty_list.version)
    return duty_list



LIST_RULES = {"record_within": (1, 30), "lock_after": (1, 60)}


@transaction.atomic
def duty_list_rules(*, duty_list: DutyList, by: User, reason: str = "", **changes) -> DutyList:
    """Set the list's rules: the working days a record is due in, and after which a quarter
    locks. A draft changes freely; an issued list only by a new version with ``reason``."""
    duty_list = DutyList.objects.select_for_update().get(pk=duty_list.pk)
    if not can_build(by):
        raise PermissionDenied(_("Only the discipline committee changes the duty list."))
    if duty_list.status == DutyList.Status.CLOSED:
        raise ValidationError(_("The %(year)s list is closed and can no longer change.")
                              % {"year": duty_list.year})
    unknown = sorted(set(changes) - set(LIST_RULES))
    if unknown:
        raise ValidationError(_("These cannot be changed: %(names)s.")
                              % {"names": ", ".join(unknown)})
    cleaned = {}
    for name, value in changes.items():
        low, high = LIST_RULES[name]
        if not isinstance(value, int) or not low <= value <= high:
            raise ValidationError({name: _("From %(low)s to %(high)s working days.")
                                   % {"low": low, "high": high}})
        if value != getattr(duty_list, name):
            cleaned[name] = value
    if not cleaned:
        raise ValidationError(_("Nothing to change."))
    reason = (reason or "").strip()
    if duty_list.status == DutyList.Status.ISSUED:
        if not reason:
            raise ValidationError({"reason": _("An issued list changes only by a new version: "
                                               "say why.")})
        _new_version(duty_list, by, reason[:2000])
    before = {name: getattr(duty_list, name) for name in cleaned}
    for name, value in cleaned.items():
        setattr(duty_list, name, value)
    duty_list.save(update_fields=[*cleaned])
    audit(actor=by, action="duty_list.rules", target=duty_list, before=before, after=cleaned,
          version=duty_list.version, reason=reason or None)
    return duty_list


def closes_on(duty_list: DutyList):
    """The first day the list may be closed: once its year's last quarter has locked."""
    import datetime

    from records.workdays import add_working_days

    return add_working_days(datetime.date(duty_list.year, 12, 31),
                            max(duty_list.lock_after, 1)) + datetime.timedelta(days=1)


@transaction.atomic
def duty_list_close(*, duty_list: DutyList, by: User) -> DutyList:
    """The committee closes the year's list once its last quarter has locked: from then on
    it is a record of the year, read-only, what the year-end assessment reads."""
    duty_list = DutyList.objects.select_for_update().get(pk=duty_list.pk)
    if not can_build(by):
        raise PermissionDenied(_("Only the discipline committee closes the duty list."))
    if duty_list.status != DutyList.Status.ISSUED:
        raise ValidationError(_("Only an issued list is closed; this one is %(status)s.")
                              % {"status": duty_list.get_status_display()})
    if timezone.localdate() < closes_on(duty_list):
        raise ValidationError(_("The %(year)s list can be closed from %(day)s, once its last "
                                "quarter has locked.") % {"year": duty_list.year,
                                                          "day": closes_on(duty_list)})
    duty_list.status = DutyList.Status.CLOSED
    duty_list.save(update_fields=["status"])
    audit(actor=by, action="duty_list.close", target=duty_list, year=duty_list.year,
          records=duty_list.records.count())
    return duty_list
