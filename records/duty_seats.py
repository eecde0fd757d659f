"""Who carries a duty item on a given day, and how far each carrier is with it.

An item is carried by posts of the chain (records.models.Carrier), never by names: on each
day the posts held that day say who records for it. A record adds to the counter of the
post's *place* — the unit for a unit head, a branch, the secretary, the leadership group or
the committee; the person for an item each leadership member carries — so a head who leaves
mid-year keeps the records they made, and their successor inherits what remains of the
unit's target.

Counters are counted by the database: one aggregate over the counted rows of the places
asked about, by month; periods, pro-rata expectations and lights are arithmetic on those.
"""

from __future__ import annotations

import calendar as monthly
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import Count, Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import Post, Unit, User

from .models import Carrier, DutyItem, DutyList, DutyRecordItem
from .workdays import Calendar, add_working_days

Role = Post.Role

# the places of a unit: its head's items and its branch's
UNIT_CARRIERS = (Carrier.UNIT_HEADS, Carrier.BRANCHES)
# the places each role's post holds
ROLE_CARRIERS = {
    Role.SECRETARY: (Carrier.SECRETARY, Carrier.LEADERSHIP),
    Role.LEADER: (Carrier.LEADERS, Carrier.LEADERSHIP),
    Role.HEAD: UNIT_CARRIERS,
    # the liaison keeps the unit's and the branch's records for its head
    Role.LIAISON: UNIT_CARRIERS,
    Role.COMMITTEE: (Carrier.COMMITTEE,),
}


@dataclass(frozen=True)
class Seat:
    """A place that carries items: a carrier, the unit of its post, the leader (for the items
    each leadership member carries, counted per person)."""

    carrier: str
    unit_id: int
    leader_id: int | None = None

    @property
    def key(self) -> tuple:
        return (self.carrier, self.unit_id, self.leader_id)


def _seat(carrier: str, post: Post) -> Seat:
    return Seat(carrier, post.unit_id, post.user_id if carrier == Carrier.LEADERS else None)


def seats_on(user: User, day: datetime.date) -> dict[Seat, Post]:
    """The places ``user``'s posts hold on ``day``, each with the post holding it."""
    found: dict[Seat, Post] = {}
    for post in Post.objects.on(day).filter(user=user, role__in=ROLE_CARRIERS).select_related(
            "unit").order_by("valid_from", "pk"):
        for carrier in ROLE_CARRIERS[post.role]:
            found.setdefault(_seat(carrier, post), post)
    return found


def seat_for(item: DutyItem, seats: dict[Seat, Post]) -> Seat | None:
    """The first of ``seats`` that carries ``item``."""
    for carrier in item.carriers:
        for seat in seats:
            if seat.carrier == carrier:
                return seat
    return None


# -- periods -----------------------------------------------------------------------------

def periods(period: str, year: int) -> list[tuple[datetime.date, datetime.date]]:
    """The periods of ``year`` an item's target is counted over."""
    if period == DutyItem.Period.QUARTER:
        return [(datetime.date(year, 3 * q - 2, 1),
                 datetime.date(year, 3 * q, monthly.monthrange(year, 3 * q)[1]))
                for q in range(1, 5)]
    if period == DutyItem.Period.MONTH:
        return [(datetime.date(year, m, 1), datetime.date(year, m, monthly.monthrange(year, m)[1]))
                for m in range(1, 13)]
    return [(datetime.date(year, 1, 1), datetime.date(year, 12, 31))]


def period_label(period: str, start: datetime.date) -> str:
    if period == DutyItem.Period.QUARTER:
        return _("Q%(quarter)s") % {"quarter": (start.month - 1) // 3 + 1}
    if period == DutyItem.Period.MONTH:
        return _("%(month)s月") % {"month": start.month}
    return str(start.year)


@lru_cache(maxsize=64)
def _labelled_periods(period: str, year: int, language: str | None
                      ) -> tuple[tuple[datetime.date, datetime.date, str], ...]:
    """``periods`` with their labels in ``language``: worked out once, not for each of a
    heat map's 1,500 counters."""
    return tuple((start, end, period_label(period, start)) for start, end in periods(period, year))


class Light:
    GREEN, YELLOW, RED, NONE = "green", "yellow", "red", "grey"


@dataclass
class PeriodCount:
    start: datetime.date
    end: datetime.date
    label: str
    done: int
    target: int | None
    ended: bool

    @property
    def missed(self) -> bool:
        return self.ended and self.target is not None and self.done < self.target


@dataclass
class Counter:
    """One item of one place: done against target, period by period, and its light."""

    item: DutyItem
    seat: Seat
    done_year: int = 0
    periods: list[PeriodCount] = field(default_factory=list)
    current: PeriodCount | None = None
    expected: int = 0
    light: str = Light.NONE
    # the last two periods that ended both missed their target (约谈)
    talk: bool = False
    next_deadline: datetime.date | None = None

    @property
    def done(self) -> int:
        return self.current.done if self.current else self.done_year

    @property
    def target(self) -> int | None:
        return self.item.target


def year_calendar(year: int) -> Calendar:
    """The working days of ``year`` and of the quarter after it, read once: for the
    deadlines of every counter of a list."""
    return Calendar(datetime.date(year, 1, 1), datetime.date(year + 1, 3, 31))


def _deadline(calendar: Calendar, end: datetime.date, days: int) -> datetime.date:
    """``days`` working days after ``end``, counted once per calendar (every counter of a
    list shares the few period ends)."""
    known = calendar.__dict__.setdefault("_duty_deadlines", {})
    if (end, days) not in known:
        known[(end, days)] = add_working_days(end, days, calendar)
    return known[(end, days)]


def _light(counter: Counter, today: datetime.date, since: datetime.date,
           calendar: Calendar | None = None) -> None:
    item = counter.item
    ended = [p for p in counter.periods if p.ended and p.end >= since]
    if ended and ended[-1].missed:
        counter.light = Light.RED
    counter.talk = len(ended) >= 2 and ended[-1].missed and ended[-2].missed
    current = counter.current
    if current is not None and item.target is not None:
        start = max(current.start, since)
        length = (current.end - start).days + 1
        elapsed = min(max((today - start).days + 1, 0), length)
        counter.expected = item.target * elapsed // length if length > 0 else 0
        if counter.light != Light.RED:
            counter.light = Light.GREEN if current.done >= counter.expected else Light.YELLOW
    elif item.target is not None and counter.light != Light.RED and ended:
        counter.light = Light.GREEN
    if current is not None:
        counter.next_deadline = _deadline(calendar, current.end,
                                          max(item.deadline_working_days, 1))


def monthly_counts(duty_list: DutyList, seats: list[Seat], *, items=None
                   ) -> dict[tuple, dict[int, int]]:
    """(item id, seat key) → month → how many counting records: one aggregate."""
    if not seats:
        return {}
    # the same places, one condition per carrier and leader with its units in a list: a heat
    # map's hundred seats are two index lookups, not a hundred ORed ones rechecked per row
    units_of: dict[tuple, set[int]] = defaultdict(set)
    for seat in seats:
        units_of[(seat.carrier, seat.leader_id)].add(seat.unit_id)
    places = Q()
    for (carrier, leader_id), unit_ids in sorted(units_of.items(), key=str):
        places |= Q(carrier=carrier, leader_id=leader_id, unit_id__in=sorted(unit_ids))
    rows = DutyRecordItem.objects.filter(
        places, item__duty_list=duty_list, counts=True,
        date__range=(datetime.date(duty_list.year, 1, 1), datetime.date(duty_list.year, 12, 31)))
    if items is not None:
        rows = rows.filter(item__in=items)
    return _by_month(rows, duty_list.year)


def list_counts(duty_list: DutyList) -> dict[tuple, dict[int, int]]:
    """(item id, seat key) → month → how many counting records, for every place of
    ``duty_list``: one aggregate over all its counted rows, no place named (the sweep, the
    dashboard and the assessment ask about nearly every place)."""
    return _by_month(DutyRecordItem.objects.filter(
        item__duty_list=duty_list, counts=True,
        date__range=(datetime.date(duty_list.year, 1, 1), datetime.date(duty_list.year, 12, 31))),
        duty_list.year)


MONTHS = [f"m{month}" for month in range(1, 13)]


def _by_month(rows, year: int) -> dict[tuple, dict[int, int]]:
    """(item id, seat key) → month → count of ``rows`` (all of ``year``): a row per item and
    place with its twelve months side by side (a bureau's map is some 1,500 rows read, not
    15,000). A month is a range of dates, compared as they are: extracting each row's month
    twelve times made the city's aggregate three times as long."""
    found: dict[tuple, dict[int, int]] = {}
    bounds = [datetime.date(year, month, 1) for month in range(1, 13)] + [
        datetime.date(year + 1, 1, 1)]
    for item_id, carrier, unit_id, leader_id, *months in rows.values(
            "item_id", "carrier", "unit_id", "leader_id").annotate(**{
                name: Count("id", filter=Q(date__gte=bounds[month - 1], date__lt=bounds[month]))
                for month, name in enumerate(MONTHS, start=1)}).order_by().values_list(
            "item_id", "carrier", "unit_id", "leader_id", *MONTHS):
        found[(item_id, (carrier, unit_id, leader_id))] = {
            month: n for month, n in enumerate(months, start=1) if n}
    return found


def build_counter(item: DutyItem, seat: Seat, by_month: dict[int, int], today: datetime.date,
                  since: datetime.date | None = None, calendar: Calendar | None = None
                  ) -> Counter:
    """``since``: the first day the place was held this year (a leader's post begun
    mid-year is not behind for the months before it)."""
    year = item.duty_list.year
    since = since or datetime.date(year, 1, 1)
    counter = Counter(item=item, seat=seat, done_year=sum(by_month.values()))
    target = None if item.as_needed else item.target
    for start, end, label in _labelled_periods(item.period, year, get_language()):
        done = sum(by_month.get(month, 0) for month in range(start.month, end.month + 1))
        count = PeriodCount(start, end, label, done, target, ended=end < today)
        counter.periods.append(count)
        if start <= today <= end:
            counter.current = count
    _light(counter, today, since, calendar if calendar is not None else year_calendar(year))
    return counter


def my_counters(user: User, duty_list: DutyList, today: datetime.date) -> list[Counter]:
    """``user``'s items of ``duty_list`` today (on its last day, for a past year), each with
    its place's counter: three queries whatever the list's size."""
    day = min(today, datetime.date(duty_list.year, 12, 31))
    seats = seats_on(user, day)
    items = [item for item in duty_list.items.order_by("number") if seat_for(item, seats)]
    for item in items:
        item.duty_list = duty_list
    chosen = {item.pk: seat_for(item, seats) for item in items}
    counts = monthly_counts(duty_list, list(set(chosen.values())), items=items)
    year_start = datetime.date(duty_list.year, 1, 1)
    counters, calendar = [], year_calendar(duty_list.year)
    for item in items:
        seat = chosen[item.pk]
        post = seats[seat]
        since = max(post.valid_from, year_start) if seat.carrier == Carrier.LEADERS else None
        counters.append(build_counter(item, seat, counts.get((item.pk, seat.key), {}), today,
                                      since, calendar))
    return counters


def unit_items(duty_list: DutyList) -> list[DutyItem]:
    """The items a unit carries (its head's, its branch's), in order."""
    return [item for item in duty_list.items.order_by("number")
            if set(UNIT_CARRIERS) & set(item.carriers)]


def unit_seat(item: DutyItem, unit_id: int) -> Seat:
    """The place of ``unit_id`` that ``item`` counts for (one of ``unit_items``)."""
    return Seat(next(c for c in item.carriers if c in UNIT_CARRIERS), unit_id)


def unit_counters(duty_list: DutyList, units: list[Unit], today: datetime.date
                  ) -> dict[int, list[Counter]]:
    """unit id → the counters of the items its head or branch carries (a heat map's row):
    one aggregate for all of them."""
    items = unit_items(duty_list)
    seats = {(unit.pk, item.pk): unit_seat(item, unit.pk) for unit in units for item in items}
    counts = monthly_counts(duty_list, list(set(seats.values())), items=items)
    for item in items:
        item.duty_list = duty_list
    calendar = year_calendar(duty_list.year)
    return {unit.pk: [build_counter(item, seats[(unit.pk, item.pk)],
                                    counts.get((item.pk, seats[(unit.pk, item.pk)].key), {}),
                                    today, calendar=calendar) for item in items]
            for unit in units}


def every_place(duty_list: DutyList, today: datetime.date
                ) -> tuple[dict[Seat, list[Counter]], dict[Seat, list[Post]]]:
    """Every place held on ``today`` (the list's last day, for a past year) with its
    counters, and the posts holding it: one aggregate over the list's counted rows and one
    read of the day's posts, for the sweep and the committee's dashboard."""
    day = min(today, datetime.date(duty_list.year, 12, 31))
    holders: dict[Seat, list[Post]] = defaultdict(list)
    for post in Post.objects.on(day).filter(role__in=ROLE_CARRIERS, user__is_active=True) \
            .select_related("user", "unit").order_by("valid_from", "pk"):
        for carrier in ROLE_CARRIERS[post.role]:
            holders[_seat(carrier, post)].append(post)
    items = list(duty_list.items.order_by("number"))
    for item in items:
        item.duty_list = duty_list
    counts = list_counts(duty_list)
    year_start = datetime.date(duty_list.year, 1, 1)
    places, calendar = {}, year_calendar(duty_list.year)
    for seat, posts in holders.items():
        since = max(posts[0].valid_from, year_start) if seat.carrier == Carrier.LEADERS \
            else None
        places[seat] = [build_counter(item, seat, counts.get((item.pk, seat.key), {}), today,
                                      since, calendar)
                        for item in items if seat.carrier in item.carriers]
    return places, holders


def units_for_a_talk(duty_list: DutyList, today: datetime.date
                     ) -> list[tuple[Unit, list[DutyItem]]]:
    """Units whose head or branch ended two periods in a row below an item's target (约谈),
    with those items."""
    places, holders = every_place(duty_list, today)
    flagged: dict[int, list[DutyItem]] = defaultdict(list)
    for seat, counters in places.items():
        if seat.carrier in UNIT_CARRIERS:
            for counter in counters:
                if counter.talk and counter.item not in flagged[seat.unit_id]:
                    flagged[seat.unit_id].append(counter.item)
    units = Unit.objects.in_bulk([pk for pk, found in flagged.items() if found])
    return sorted(((units[pk], flagged[pk]) for pk in units),
                  key=lambda row: (row[0].order, row[0].code))


@dataclass
class HeatMap:
    """Units × the items their heads and branches carry, each cell a counter."""

    items: list[DutyItem]
    rows: list[tuple[Unit, list[Counter]]]
    on_target: float | None  # share of cells with a target that are green
    late_rate: float | None  # of the units' records, the share entered late (补录)
    returned_rate: float | None  # … and the share returned at least once
    records: int
    most_red: list[tuple[DutyItem, int]]


def heat_map(duty_list: DutyList, units: list[Unit], today: datetime.date) -> HeatMap:
    """The heat map of ``units``: one aggregate for the counters, one for the rates."""
    from .models import DutyRecord

    by_unit = unit_counters(duty_list, units, today) if units else {}
    items = [counter.item for counter in next(iter(by_unit.values()), [])]
    rows = [(unit, by_unit[unit.pk]) for unit in units]
    cells = [counter for _unit, counters in rows for counter in counters
             if counter.light != Light.NONE]
    green = sum(counter.light == Light.GREEN for counter in cells)
    red: dict[int, int] = defaultdict(int)
    for counter in cells:
        if counter.light == Light.RED:
            red[counter.item.pk] += 1
    rates = DutyRecord.objects.filter(duty_list=duty_list, unit__in=units).aggregate(
        total=Count("pk"), late=Count("pk", filter=Q(is_late=True)),
        returned=Count("pk", filter=Q(was_returned=True)))
    total = rates["total"]
    by_pk = {item.pk: item for item in items}
    return HeatMap(
        items=items, rows=rows, on_target=green / len(cells) if cells else None,
        late_rate=rates["late"] / total if total else None,
        returned_rate=rates["returned"] / total if total else None, records=total,
        most_red=sorted(((by_pk[pk], n) for pk, n in red.items()),
                        key=lambda row: (-row[1], row[0].number))[:5])
