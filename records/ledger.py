"""Reads for the problem ledger (台账), its Excel export and the dashboard.

Every read here costs a fixed number of queries whatever the number of rows:
the traffic lights' one threshold date is worked out once per request (one
query for the calendar), rows are filtered by light in SQL and coloured in
Python, and the dashboard's figures come from a few grouped aggregates.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, Max, Min, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts import chain
from accounts.models import Unit, User

from .kinds import kind_of
from .models import Problem, ProblemList
from .permissions import sees_everything, visible
from .workdays import Calendar, add_working_days

Status = Problem.Status

# yellow: due within this many working days (today included)
YELLOW_WORKING_DAYS = 3

RED, YELLOW, GREEN, GREY = "red", "yellow", "green", "grey"
LIGHTS = {
    RED: _("Overdue"),
    YELLOW: _("Due within 3 working days"),
    GREEN: _("On track"),
    GREY: _("Closed"),
}


@dataclass(frozen=True)
class Lights:
    """Today and the last day that still counts as "due soon": one calendar query, per request."""

    today: datetime.date
    threshold: datetime.date

    @classmethod
    def now(cls) -> Lights:
        today = timezone.localdate()
        return cls(today=today, threshold=add_working_days(today, YELLOW_WORKING_DAYS))

    def of(self, problem: Problem) -> str:
        """The light of one row, in Python (the same rules as ``q`` below)."""
        if problem.status not in Problem.OPEN_STATUSES:
            return GREY
        if problem.due_date is None or problem.due_date > self.threshold:
            return GREEN
        if problem.due_date < self.today:
            return RED
        return YELLOW

    def q(self, light: str) -> Q:
        """The rows of one light, in SQL."""
        is_open = Q(status__in=Problem.OPEN_STATUSES)
        if light == RED:
            return is_open & Q(due_date__lt=self.today)
        if light == YELLOW:
            return is_open & Q(due_date__gte=self.today, due_date__lte=self.threshold)
        if light == GREEN:
            return is_open & (Q(due_date__gt=self.threshold) | Q(due_date__isnull=True))
        return ~is_open


def _rank(field_name: str, values) -> Case:
    """Sort a choice field in the order its choices are declared, not alphabetically."""
    return Case(*(When(**{field_name: value}, then=Value(i)) for i, value in enumerate(values)),
                default=Value(len(values)), output_field=IntegerField())


SORTS = {
    "found_on": lambda: [F("found_on")],
    "due_date": lambda: [F("due_date")],
    "unit": lambda: [F("unit__order"), F("unit__code")],
    "status": lambda: [_rank("status", Status.values)],
    "category": lambda: [_rank("category", Problem.Category.values)],
}
DEFAULT_SORT = "-found_on"


NOT_NULL = {"found_on", "pk"}  # plain ORDER BY, so the (found_on, id) index serves a page


def _ordering(sort: str) -> list:
    descending = sort.startswith("-")
    keys = SORTS[sort.lstrip("-")]() + [F("pk")]
    # rows without a deadline (closed) go last either way
    return [(key.desc() if descending else key.asc())
            if isinstance(key, F) and key.name in NOT_NULL
            else key.desc(nulls_last=True) if descending else key.asc(nulls_last=True)
            for key in keys]


@dataclass
class LedgerFilters:
    """The ledger's filters, from the query string; values that are not allowed are dropped."""

    unit: str | None = None
    category: str | None = None
    source: str | None = None
    status: str | None = None
    light: str | None = None
    year: int | None = None
    check: int | None = None  # the check that found them: a problem list's id
    found_from: datetime.date | None = None
    found_to: datetime.date | None = None
    sort: str = DEFAULT_SORT
    FIELDS = ("unit", "category", "source", "status", "light", "year", "check", "found_from",
              "found_to")

    @classmethod
    def from_params(cls, params, unit_codes) -> LedgerFilters:
        def choice(name, allowed):
            value = params.get(name) or None
            return value if value in allowed else None

        def number(name, low, high):
            try:
                value = int(params.get(name, ""))
            except ValueError:
                return None
            return value if low <= value <= high else None

        def day(name):
            try:
                value = datetime.date.fromisoformat(params.get(name, ""))
            except ValueError:
                return None
            return value if 2000 <= value.year <= 2100 else None

        sort = params.get("sort") or DEFAULT_SORT
        return cls(
            unit=choice("unit", set(unit_codes)),
            category=choice("category", Problem.Category.values),
            source=choice("source", Problem.Source.values),
            status=choice("status", Status.values),
            light=choice("light", LIGHTS),
            year=number("year", 2000, 2100),
            check=number("check", 1, 2**31 - 1),
            found_from=day("found_from"),
            found_to=day("found_to"),
            sort=sort if sort.lstrip("-") in SORTS and sort.count("-") <= 1 else DEFAULT_SORT,
        )

    def params(self, **changes) -> dict[str, str]:
        """The filters as query-string parameters (only those set), with ``changes`` applied."""
        values = {name: getattr(self, name) for name in self.FIELDS}
        if self.sort != DEFAULT_SORT:
            values["sort"] = self.sort
        values.update(changes)
        return {name: str(value) for name, value in values.items() if value not in (None, "")}

    def as_audit(self) -> dict:
        return self.params()


def _bureau_of(code: str | None, bureaus: set[str]) -> str | None:
    """The bureau ``code`` is, or the one it lies under (up to three levels)."""
    if not code or code in bureaus or "\x00" in code:  # PostgreSQL refuses NUL in text
        return code if code in bureaus else None
    unit = (Unit.objects.filter(code=code).select_related("parent__parent__parent").first())
    while unit is not None and unit.code not in bureaus:
        unit = unit.parent
    return unit.code if unit is not None else None


def unit_choices(user: User, selected: str | None = None) -> list[tuple[str, str]]:
    """(code, name) of the units whose problems ``user`` may see: the unit filter's options.

    Where the commission oversees several bureaus (a bureau with a parent), each bureau
    comes first: choosing it shows the problems of every unit under it. Someone who sees
    every problem of such a city (thousands of units) is offered the units of one bureau,
    the one chosen (``selected``, or the bureau of the unit chosen), not all of them."""
    bureaus = list(Unit.objects.filter(kind=Unit.Kind.BUREAU, parent__isnull=False)
                   .order_by("order", "code").values_list("code", "name"))
    units = Unit.objects.filter(pk__in=visible(user, Problem).values("unit_id"))
    if bureaus and sees_everything(user):
        bureau = _bureau_of(selected, {code for code, _name in bureaus})
        under = (chain.bureau_units(bureau) or [])[1:] if bureau else []  # not the bureau
        units = Unit.objects.filter(pk__in=under).filter(
            pk__in=Problem.objects.filter(unit_id__in=under).values("unit_id"))
    return [(code, _("%(name)s (all its units)") % {"name": name}) for code, name in bureaus] \
        + list(units.order_by("order", "code").values_list("code", "name"))


def _unit_q(code: str) -> Q:
    """The unit itself, or, for a bureau, every unit up to three levels under it too
    (divisions, their squads): their ids (accounts.chain.bureau_units), which the problems'
    unit index serves, not joins up the tree from each of the city's problems."""
    if "\x00" in code:  # PostgreSQL refuses NUL in text: no unit has such a code
        return Q(pk__in=[])
    ids = chain.bureau_units(code)
    return Q(unit_id__in=ids) if ids is not None else Q(unit__code=code)


def check_choices(user: User) -> list[tuple[int, str]]:
    """(id, label) of the checks (problem lists) that found problems ``user`` may see, the
    latest first: the ledger's "check" filter, which isolates one spot check of several of the
    same source."""
    lists = ProblemList.objects.filter(
        pk__in=visible(user, Problem).filter(problem_list__isnull=False)
        .values("problem_list_id")).order_by("-checked_on", "-pk")
    return [(pk, f"{title} ({checked_on.isoformat()})")
            for pk, title, checked_on in lists.values_list("pk", "title", "checked_on")]


def year_choices(user: User) -> list[int]:
    """The years from the first problem found to the last, newest first (two index reads
    for someone who sees everything, not a scan of every row)."""
    span = visible(user, Problem).aggregate(first=Min("found_on"), last=Max("found_on"))
    if span["first"] is None:
        return []
    return list(range(span["last"].year, span["first"].year - 1, -1))


def _filtered(user: User, filters: LedgerFilters, lights: Lights, *,
              with_status: bool = True) -> QuerySet[Problem]:
    rows = visible(user, Problem)
    if filters.unit:
        rows = rows.filter(_unit_q(filters.unit))
    if filters.category:
        rows = rows.filter(category=filters.category)
    if filters.source:
        rows = rows.filter(source=filters.source)
    if filters.year:
        rows = rows.filter(found_on__year=filters.year)
    if filters.check:
        rows = rows.filter(problem_list_id=filters.check)
    if filters.found_from:
        rows = rows.filter(found_on__gte=filters.found_from)
    if filters.found_to:
        rows = rows.filter(found_on__lte=filters.found_to)
    if filters.light:
        rows = rows.filter(lights.q(filters.light))
    if with_status and filters.status:
        rows = rows.filter(status=filters.status)
    return rows


def ledger_rows(user: User, filters: LedgerFilters, lights: Lights) -> QuerySet[Problem]:
    """The ledger's rows: what ``user`` may see, filtered and sorted, with what each row shows."""
    return (_filtered(user, filters, lights)
            .select_related("unit", "assignee")
            .order_by(*_ordering(filters.sort)))


def status_counts(user: User, filters: LedgerFilters, lights: Lights) -> dict[str, int]:
    """Rows per status under every filter but the status one: what clicking a status would show.

    One grouped query; every status is present (0 when none).
    """
    counts = dict.fromkeys(Status.values, 0)
    # COUNT(*), not COUNT(id): the (status, due_date) index alone answers it, unfiltered
    grouped = (_filtered(user, filters, lights, with_status=False)
               .order_by().values("status").annotate(n=Count("*")))
    for row in grouped:
        counts[row["status"]] = row["n"]
    return counts


# (what, language) → value → label: each label translated once per process and language
_labels: dict[tuple[str, str], dict[str, str]] = {}


def labels(what: str, pairs: Callable[[], Iterable[tuple[str, object]]]) -> dict[str, str]:
    """Value → label of ``what`` in the current language (``pairs`` gives them, lazy labels
    and all, the first time): a lazy label costs a gettext on every use, and get_FOO_display()
    hashes every choice again on each call — 150 calls a ledger page, 250,000 an export."""
    key = (what, get_language())
    if key not in _labels:
        _labels[key] = {value: str(label) for value, label in pairs()}
    return _labels[key]


def _step_titles():
    # the problem's flow, as it bound itself to its kind of record (records.kinds)
    return ((node.name, node.task_title) for node in kind_of(Problem).flow.nodes())


def step_title(step: str) -> str:
    """The readable title of a rectification flow node ("rectify" → "Rectify")."""
    return labels("step", _step_titles).get(step, step) if step else ""


# what a ledger row names, beyond its step and light: field → its choices
LABELLED = {"category": Problem.Category, "source": Problem.Source, "status": Problem.Status}


def decorate(problem: Problem, lights: Lights) -> Problem:
    """Attach what a ledger row shows beyond the model's fields, each label in the reader's
    language: its light, step title, category, source and status."""
    problem.light = lights.of(problem)
    problem.light_label = labels("light", LIGHTS.items)[problem.light]
    problem.step_title = step_title(problem.step) if problem.is_open else ""
    for name, choices in LABELLED.items():
        value = getattr(problem, name)
        setattr(problem, f"{name}_label", labels(name, lambda c=choices: c.choices).get(value, value))
    return problem


# -- the dashboard ---------------------------------------------------------------------------

@dataclass
class Dashboard:
    headline: dict
    by_unit: list[dict]
    by_category: list[dict]
    closing: list[dict] = field(default_factory=list)


def _local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def closing_times(problems: QuerySet[Problem]) -> dict[int, dict]:
    """Per unit id: how many problems were closed out and the average and longest time taken,
    in working days from registration to close-out. Two queries (rows, then the calendar)."""
    rows = [(unit_id, _local_day(registered), _local_day(closed)) for unit_id, registered, closed
            in problems.filter(status__in=Problem.DONE_STATUSES, closed_at__isnull=False)
            .order_by().values_list("unit_id", "registered_at", "closed_at").iterator()]
    if not rows:
        return {}
    first = min(min(row[1], row[2]) for row in rows)
    last = max(max(row[1], row[2]) for row in rows)
    calendar = Calendar(first, last)
    # working days after ``first`` up to and including each day: a running total, once
    running, total, day = {}, 0, first
    while day <= last:
        if day > first:
            total += calendar.is_workday(day)
        running[day] = total
        day += datetime.timedelta(days=1)
    per_unit: dict[int, list[int]] = {}
    for unit_id, registered, closed in rows:
        per_unit.setdefault(unit_id, []).append(max(running[closed] - running[registered], 0))
    return {unit_id: {"count": len(days), "average": sum(days) / len(days), "longest": max(days)}
            for unit_id, days in per_unit.items()}


def dashboard(user: User, today: datetime.date | None = None) -> Dashboard:
    """The committee's pictures: five queries whatever the number of problems."""
    today = today or timezone.localdate()
    problems = visible(user, Problem)
    is_open = Q(status__in=Problem.OPEN_STATUSES)
    overdue = is_open & Q(due_date__lt=today)
    done = Q(status__in=Problem.DONE_STATUSES)
    four_winds = Q(category__in=Problem.FOUR_WINDS)

    headline = problems.order_by().aggregate(
        total=Count("pk", filter=~Q(status=Status.CANCELLED)),
        open=Count("pk", filter=is_open),
        overdue=Count("pk", filter=overdue),
        closed_this_year=Count("pk", filter=done & Q(closed_at__year=today.year)),
        four_winds=Count("pk", filter=four_winds & ~Q(status=Status.CANCELLED)),
    )
    headline["year"] = today.year
    headline["four_winds_share"] = (
        round(100 * headline["four_winds"] / headline["total"]) if headline["total"] else 0)

    by_unit = list(
        problems.order_by("unit__order", "unit__code")
        .values("unit_id", "unit__name", "unit__code")
        .annotate(open=Count("pk", filter=is_open), overdue=Count("pk", filter=overdue),
                  closed=Count("pk", filter=done))
    )
    by_unit = [row for row in by_unit if row["open"] or row["closed"]]

    counted = {row["category"]: row for row in
               problems.order_by().values("category")
               .annotate(open=Count("pk", filter=is_open), overdue=Count("pk", filter=overdue),
                         closed=Count("pk", filter=done))}
    by_category = [
        {"category": value, "label": label, "four_winds": value in Problem.FOUR_WINDS,
         **{key: counted.get(value, {}).get(key, 0) for key in ("open", "overdue", "closed")}}
        for value, label in Problem.Category.choices
    ]

    times = closing_times(problems)
    names = {row["unit_id"]: row["unit__name"] for row in by_unit}
    closing = [{"unit_id": unit_id, "unit__name": names.get(unit_id, ""), **times[unit_id]}
               for unit_id in names if unit_id in times]
    return Dashboard(headline=headline, by_unit=by_unit, by_category=by_category,
                     closing=closing)
