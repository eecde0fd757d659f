"""Reads for the pages and the API: fixed query counts, filtered by who may see what."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone
from viewflow.workflow.status import STATUS

from accounts import chain
from accounts.models import Delegation, Post, Unit, User

from . import permissions
from .documents.chinese import chinese_numeral
from .models import Circular, Problem, QuarterlyReport
from .permissions import sees_everything, visible

# the statuses of a step still to be done (viewflow's)
OPEN_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


def report_list(user: User, *, year=None, quarter=None, status=None, unit=None,
                overdue=False) -> QuerySet[QuarterlyReport]:
    reports = visible(user, QuarterlyReport).select_related("unit")
    if year:
        reports = reports.filter(year=year)
    if quarter:
        reports = reports.filter(quarter=quarter)
    if status:
        reports = reports.filter(status=status)
    if unit:
        reports = reports.filter(unit__code=unit)
    if overdue:
        reports = reports.filter(status__in=QuarterlyReport.OPEN_STATUSES,
                                 step_due_date__lt=timezone.localdate())
    return reports.order_by("-year", "-quarter", "unit__order", "unit__code")


def board_units(user: User, day: datetime.date | None = None) -> list[Unit]:
    """The units on a user's board: those they oversee; every unit for the secretary and committee."""
    if sees_everything(user):
        return list(Unit.objects.filter(is_active=True).exclude(kind=Unit.Kind.BUREAU))
    return chain.units_overseen_by(user, day)


def board(user: User, year: int, quarter: int) -> list[tuple[Unit, QuarterlyReport | None]]:
    """Units × that quarter's report, for the leader's board."""
    units = board_units(user)
    reports = {
        r.unit_id: r
        for r in QuarterlyReport.objects.filter(unit__in=units, year=year, quarter=quarter)
        .exclude(status=QuarterlyReport.Status.CANCELLED)
    }
    return [(unit, reports.get(unit.pk)) for unit in units]


# -- circulars ----------------------------------------------------------------------------

def quarter_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """First day of ``day``'s quarter and first day of the next quarter."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = datetime.date(day.year, first_month, 1)
    if first_month == 10:
        return start, datetime.date(day.year + 1, 1, 1)
    return start, datetime.date(day.year, first_month + 3, 1)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def issuable_problems() -> QuerySet:
    """Problems a circular may name: any but the cancelled ones."""
    return Problem.objects.exclude(status=Problem.Status.CANCELLED)


def closed_in_quarter(day: datetime.date | None = None) -> QuerySet:
    """Problems closed out (or closed and filed) in the quarter of ``day`` (default: today)."""
    start, end = quarter_bounds(day or timezone.localdate())
    return Problem.objects.filter(status__in=Problem.DONE_STATUSES,
                                  closed_at__gte=_local_midnight(start),
                                  closed_at__lt=_local_midnight(end))


def candidate_problems(*, problem_list=None, closed_this_quarter: bool = False) -> QuerySet:
    """The problems the committee picks from, narrowed by a check and/or by closing."""
    rows = issuable_problems()
    if problem_list is not None:
        rows = rows.filter(problem_list=problem_list)
    if closed_this_quarter:
        rows = rows.filter(pk__in=closed_in_quarter().values("pk"))
    return rows.select_related("unit", "problem_list").order_by(
        "unit__order", "unit__code", "found_on", "pk")


@dataclass
class UnitProblems:
    """One unit's section of a circular: 一、<unit> then its problems, numbered."""

    unit: Unit
    problems: list[Problem] = field(default_factory=list)
    index: int = 0

    @property
    def heading(self) -> str:
        return f"{chinese_numeral(self.index)}、{self.unit.name}"


def problems_by_unit(problems: Iterable[Problem]) -> list[UnitProblems]:
    """Group problems under their unit, units in the bureau's order."""
    groups: dict[int, UnitProblems] = {}
    for problem in sorted(problems, key=lambda p: (p.unit.order, p.unit.code, p.found_on, p.pk)):
        if problem.unit_id not in groups:
            groups[problem.unit_id] = UnitProblems(problem.unit, index=len(groups) + 1)
        groups[problem.unit_id].problems.append(problem)
    return list(groups.values())


def circular_problems(circular: Circular) -> list[UnitProblems]:
    return problems_by_unit(circular.problems.select_related("unit"))


# --- issuing ---------------------------------------------------------------------------


# -- the year's duty list --------------------------------------------------------------------

def visible_duty_lists(user) -> QuerySet:
    """Issued and closed lists for every member of the bureau; drafts for those who build
    or issue them (records.services.duties says who)."""
    from .models import DutyList
    from .services import duties

    if not duties.can_read(user):
        return DutyList.objects.none()
    rows = DutyList.objects.all()
    if not (duties.can_build(user) or duties.can_issue(user)):
        rows = rows.exclude(status=DutyList.Status.DRAFT)
    return rows


def visible_duty_list_or_404(user, pk):
    from django.shortcuts import get_object_or_404

    return get_object_or_404(visible_duty_lists(user), pk=pk)


# -- duty records ----------------------------------------------------------------------------

def visible_duty_records(user) -> QuerySet:
    """A person's own records and those they took part in; a leader's, of the units they
    oversee; a head's or liaison's, of their unit (a successor reads what they inherit); the
    secretary, the committee and the stationed group all of them. (A talk's content is
    hidden further: records.services.duty_records.sees_talk.)"""
    from accounts.models import Post

    from .models import DutyRecord
    from .services import duties

    if not duties.can_read(user):
        return DutyRecord.objects.none()
    if permissions.sees_everything(user) or permissions.is_stationed(user):
        return DutyRecord.objects.all()
    units = [unit.pk for unit in chain.units_overseen_by(user)]
    units += [unit.pk for unit in chain.units_of(user, (Post.Role.HEAD, Post.Role.LIAISON))]
    # whoever acts for a leader today reads (and reviews) the records of the leader's units
    for delegation in Delegation.objects.on(timezone.localdate()).filter(
            acting=user).select_related("absent"):
        units += [unit.pk for unit in chain.units_overseen_by(delegation.absent)]
    # the ids seen each way, each read through its own index and united: ORed in one WHERE
    # (with the participants' EXISTS) they read every record of the city (bench/duties.py)
    seen = DutyRecord.objects.filter(author=user).order_by().values("pk")
    ways = [DutyRecord.participants.through.objects.filter(user_id=user.pk).order_by()
            .values("dutyrecord_id")]
    if units:
        ways.append(DutyRecord.objects.filter(unit_id__in=units).order_by().values("pk"))
    return DutyRecord.objects.filter(pk__in=seen.union(*ways))


def visible_duty_record_or_404(user, pk):
    from django.shortcuts import get_object_or_404

    return get_object_or_404(visible_duty_records(user), pk=pk)


def current_duty_list(year: int | None = None):
    """The issued (or closed) list of ``year``; by default this year's, or last year's until
    this year's is issued (early January: December's events are still recorded)."""
    from .models import DutyList

    lists = DutyList.objects.exclude(status=DutyList.Status.DRAFT)
    if year:
        return lists.filter(year=year).first()
    this_year = timezone.localdate().year
    return lists.filter(year__in=(this_year, this_year - 1)).order_by("-year").first()


# how many records waiting at a reviewer's posts are checked one by one
MAX_TO_REVIEW = 2000


def duty_records_to_review(user, rows) -> QuerySet:
    """Of ``rows``, those awaiting ``user``'s review today (or the review of whoever they
    act for under a delegation valid today): narrowed by the reviewers' posts in the
    database, then each checked as the review itself will check it."""
    from django.db.models import Q

    from accounts.models import Delegation, Post

    from .models import DutyItem, DutyRecord
    from .services import duty_records

    Reviewer, Role = DutyItem.Reviewer, Post.Role
    today = timezone.localdate()
    people = [user] + [delegation.absent for delegation in Delegation.objects.on(today)
                       .filter(acting=user).select_related("absent")]
    wanted = Q(pk__in=[])
    for person in people:
        roles = chain.roles_of(person, today)
        if Role.COMMITTEE in roles:
            wanted |= Q(reviewer_role__in=Reviewer.values)
        if Role.SECRETARY in roles:
            wanted |= Q(reviewer_role__in=(Reviewer.SECRETARY, Reviewer.SUPERVISOR))
        overseen = [unit.pk for unit in chain.units_overseen_by(person, today)]
        if overseen:
            wanted |= Q(reviewer_role=Reviewer.SUPERVISOR, unit_id__in=overseen)
    waiting = rows.filter(wanted, status=DutyRecord.Status.SUBMITTED).exclude(author=user)
    found = [record.pk for record in waiting.select_related("unit")[:MAX_TO_REVIEW]
             if any(duty_records.can_review(person, record) for person in people)]
    return rows.filter(pk__in=found)


def chosen_bureaus(user) -> list[Unit]:
    """The bureaus a reader of every unit (the secretary, a committee, the stationed group)
    picks among on the duty pages; none for the others, who read their own units."""
    if not (sees_everything(user) or permissions.is_stationed(user)):
        return []
    return list(Unit.objects.filter(kind=Unit.Kind.BUREAU).order_by("order", "code"))


def default_bureau(user, bureaus: list[Unit]) -> Unit | None:
    """The bureau a reader lands on: their own, or — for a city's commission, whose bureau
    holds the others — the first bureau under it (the whole city is one choice away)."""
    if not bureaus:
        return None
    homes = {chain.bureau_line(unit)[1].pk for unit in chain.units_of(user, tuple(Post.Role.values))}
    home = next((bureau for bureau in bureaus if bureau.pk in homes), bureaus[0])
    under = [bureau for bureau in bureaus if bureau.parent_id == home.pk]
    return under[0] if under else home


def duty_record_bureau(user, code: str = "") -> tuple[Unit | None, list[Unit]]:
    """For a reader of every unit: the bureau whose records a list shows (``code``, else
    their own — a city's commission lands on its first bureau) and the bureaus to choose
    from; (None, []) for everyone else, who read their own units. Raises ValidationError
    for a code no bureau has."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    bureaus = chosen_bureaus(user)
    if not bureaus:
        return None, []
    if code:
        chosen = next((bureau for bureau in bureaus if bureau.code == code), None)
        if chosen is None:
            raise ValidationError({"bureau": _("No bureau has this code.")})
        return chosen, bureaus
    return default_bureau(user, bureaus), bureaus


def duty_record_rows(user, duty_list, *, bureau: str = "", item: int | None = None,
                     unit: str = "", status: str = "", kind: str = "", late: bool = False,
                     review: bool = False, rows: QuerySet | None = None) -> QuerySet:
    """The records of ``duty_list`` that ``user`` may read under the record list's filters
    (its page, its export and the API's list): within one bureau for a reader of every
    unit (``duty_record_bureau``)."""
    from .models import DutyRecord, DutyRecordItem

    if duty_list is None:
        return DutyRecord.objects.none()
    rows = (rows if rows is not None else visible_duty_records(user)).filter(
        duty_list=duty_list)
    chosen, _bureaus = duty_record_bureau(user, bureau)
    # a unit asked for by its code narrows enough: found in whichever bureau it is
    units = chain.units_under(chosen) if chosen is not None and (bureau or not unit) else None
    if units is not None:
        rows = rows.filter(unit_id__in=units)
    if item:
        # the item's counted rows of the units in scope (an index on item and unit), not a
        # join of the city's
        counted = DutyRecordItem.objects.filter(item__duty_list=duty_list, item__number=item)
        if units is not None:
            counted = counted.filter(unit_id__in=units)
        rows = rows.filter(pk__in=counted.values("record_id"))
    if unit:
        rows = rows.filter(unit__code=unit)
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    if late:
        rows = rows.filter(is_late=True)
    if review:
        rows = duty_records_to_review(user, rows)
    return rows
