"""What an assessment's automatic criteria measure, from what the chain already knows.

A measure looks at every subject of a group at once — a few queries, whatever the number of
units — and returns, per subject, its findings: each a deduction with the record, report or
problem that caused it. ``records.services.assessments`` turns findings into a line's
computed score and its explanation lines; ``explain`` writes a finding in the reader's
language.

Numbers come from the criterion's ``params`` (points per missing record and so on), with the
defaults below; a scheme changes them, never this code.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Oversight, Post, Unit

from .duty_seats import (
    UNIT_CARRIERS,
    Seat,
    list_counts,
    period_label,
    periods,
    unit_seat,
)
from .lateness import repeatedly_late
from .models import (
    AnnualReport,
    Carrier,
    DutyItem,
    DutyList,
    DutyRecordItem,
    ExtensionRequest,
    Problem,
    QuarterlyReport,
)
from .models.assessments import SubjectGroup
from .workdays import Calendar, add_working_days

ONE_DAY = datetime.timedelta(days=1)
CENT = Decimal("0.01")


def points(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Finding:
    """One thing that cost points: ``deduction`` (positive), what explains it, what caused
    it."""

    deduction: Decimal
    code: str
    params: dict = field(default_factory=dict)
    target_kind: str = ""
    target_id: int | None = None


@dataclass(frozen=True)
class Subject:
    """Whom a sheet is about: a unit (``user`` None) or a leadership member."""

    unit_id: int
    user_id: int | None = None

    @property
    def key(self) -> tuple[int, int | None]:
        return (self.unit_id, self.user_id)


@dataclass(frozen=True)
class Period:
    """A period of a duty item that has ended: its first day, its target (None: as
    needed) and how many counting records it had."""

    start: datetime.date
    target: int | None
    done: int

    @property
    def missed(self) -> bool:
        return self.target is not None and self.done < self.target


@dataclass
class Context:
    """What every measure of one run shares: the year, the day counted up to, the subjects
    and who oversaw which unit on that day, read once."""

    year: int
    day: datetime.date  # records counted up to and including this day
    units: list[Unit]
    leaders: list[Post]  # the leadership members' posts on ``day``
    overseen: dict[int, list[int]]  # leader id → unit ids on ``day``
    duty_list: DutyList | None
    calendar: Calendar
    # worked out once a run and shared by the measures (the duty list's items and counted
    # rows, the units' tallies, the working days' ranks): a city's two million counted
    # rows are aggregated once, not once per measure
    _shared: dict = field(default_factory=dict, repr=False)

    @classmethod
    def read(cls, year: int, day: datetime.date, units: list[Unit], leaders: list[Post]
             ) -> Context:
        overseen: dict[int, list[int]] = defaultdict(list)
        for leader_id, unit_id in Oversight.objects.on(day).values_list("leader_id", "unit_id"):
            overseen[leader_id].append(unit_id)
        duty_list = DutyList.objects.filter(year=year).exclude(status="draft").first()
        return cls(year=year, day=day, units=units, leaders=leaders, overseen=dict(overseen),
                   duty_list=duty_list,
                   calendar=Calendar(datetime.date(year, 1, 1), day + datetime.timedelta(60)))

    def _once(self, name: str, make: Callable[[], object]):
        if name not in self._shared:
            self._shared[name] = make()
        return self._shared[name]

    def workdays(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after ``start`` up to and including ``end``: a difference of ranks
        in the run's calendar (thousands of problems and reports ask)."""
        if end <= start:
            return 0
        first = datetime.date(self.year - 1, 1, 1)
        last = self.day + datetime.timedelta(60)
        if not (first <= start and end <= last):
            counted, day = 0, start
            while day < end:
                day += ONE_DAY
                counted += self.calendar.is_workday(day)
            return counted
        ranks = self._once("ranks", lambda: self._ranks(first, last))
        return ranks[end] - ranks[start]

    def add_workdays(self, start: datetime.date, count: int) -> datetime.date:
        """The ``count``-th working day after ``start``, worked out once per start."""
        known = self._once("added", dict)
        if (start, count) not in known:
            known[(start, count)] = add_working_days(start, count, self.calendar)
        return known[(start, count)]

    def _ranks(self, first: datetime.date, last: datetime.date) -> dict[datetime.date, int]:
        """day → working days from ``first`` up to and including it."""
        ranks, counted, day = {}, 0, first
        while day <= last:
            counted += self.calendar.is_workday(day)
            ranks[day] = counted
            day += ONE_DAY
        return ranks

    def duty_items(self) -> list[DutyItem]:
        """The year's list's items in order, each knowing its list (one query)."""
        def read():
            items = list(self.duty_list.items.order_by("number")) if self.duty_list else []
            for item in items:
                item.duty_list = self.duty_list
            return items
        return self._once("items", read)

    def unit_pairs(self) -> dict[int, list[tuple[DutyItem, Seat]]]:
        """unit id → the items its head or branch carries, each with its place."""
        return self._once("unit_pairs", lambda: {
            unit.pk: [(item, unit_seat(item, unit.pk)) for item in self.duty_items()
                      if set(UNIT_CARRIERS) & set(item.carriers)] for unit in self.units})

    def leader_pairs(self) -> dict[tuple, list[tuple[DutyItem, Seat]]]:
        """A leader's subject key → the items each leadership member carries, with the
        leader's place."""
        return self._once("leader_pairs", lambda: {
            (post.unit_id, post.user_id): [
                (item, Seat(Carrier.LEADERS, post.unit_id, post.user_id))
                for item in self.duty_items() if Carrier.LEADERS in item.carriers]
            for post in self.leaders})

    def duty_counts(self) -> dict[tuple, dict[int, int]]:
        """(item id, seat key) → month → counting records, for every place of the list: one
        aggregate."""
        return self._once("counts", lambda: list_counts(self.duty_list)
                          if self.duty_list is not None else {})

    def late_records(self) -> dict[tuple, list[tuple[int, datetime.date]]]:
        """(item id, seat key) → the records counted there entered late (补录) this year up
        to ``day``, by date: one query."""
        def read():
            late = defaultdict(list)
            if self.duty_list is None:
                return late
            for item_id, carrier, unit_id, leader_id, record_id, date in \
                    DutyRecordItem.objects.filter(
                        item__duty_list=self.duty_list, counts=True, record__is_late=True,
                        date__range=(datetime.date(self.year, 1, 1), self.day)).values_list(
                        "item_id", "carrier", "unit_id", "leader_id", "record_id", "date"
                    ).order_by("date", "record_id"):
                late[(item_id, (carrier, unit_id, leader_id))].append((record_id, date))
            return late
        return self._once("late", read)

    def tally(self, item: DutyItem, seat: Seat) -> list[Period]:
        """``item``'s periods at ``seat`` that ended by ``day`` (a period ending on ``day``
        has ended), each with what was done: as duty_seats' counters count them, without
        building a counter (a city has 150,000 places)."""
        by_month = self.duty_counts().get((item.pk, seat.key), {})
        bounds = self._once(("periods", item.period), lambda: [
            (start, end) for start, end in periods(item.period, self.year) if end <= self.day])
        target = None if item.as_needed else item.target
        return [Period(start, target, sum(by_month.get(month, 0)
                                          for month in range(start.month, end.month + 1)))
                for start, end in bounds]

    def unit_tallies(self) -> dict[int, list[tuple[DutyItem, Seat, list[Period]]]]:
        """unit id → the items its head or branch carries, each with its place and its
        periods ended (worked out once: the duty measure and the talk flags read them)."""
        return self._once("unit_tallies", lambda: {
            unit_id: [(item, seat, self.tally(item, seat)) for item, seat in pairs]
            for unit_id, pairs in self.unit_pairs().items()})

    def subjects(self, group: str) -> list[Subject]:
        if group == SubjectGroup.UNITS:
            return [Subject(unit.pk) for unit in self.units]
        return [Subject(post.unit_id, post.user_id) for post in self.leaders]


Findings = dict[tuple, list[Finding]]


@dataclass(frozen=True)
class Measure:
    label: object
    groups: tuple[str, ...]
    compute: Callable[[Context, str, dict], Findings]  # (context, group, params)
    defaults: dict = field(default_factory=dict)


def _param(params: dict, defaults: dict, name: str) -> Decimal:
    return points(params.get(name, defaults[name]))


# -- duty records against the duty list's targets ------------------------------------------

def duty_items(context: Context, group: str, params: dict) -> Findings:
    """Per item the subject carries (or those numbered in ``items``): each record short of
    a period's target, and each record entered late (补录)."""
    found: Findings = defaultdict(list)
    duty_list = context.duty_list
    if duty_list is None:
        return found
    defaults = MEASURES["duty_items"].defaults
    per_missing = _param(params, defaults, "per_missing")
    per_late = _param(params, defaults, "per_late")
    numbers = set(params.get("items") or [])
    late = context.late_records()
    if group == SubjectGroup.UNITS:
        subjects = {(unit_id, None): tallies
                    for unit_id, tallies in context.unit_tallies().items()}
    else:
        subjects = {key: [(item, seat, context.tally(item, seat)) for item, seat in pairs]
                    for key, pairs in context.leader_pairs().items()}
    for key, tallies in subjects.items():
        seen = set()  # a record counted for two of the subject's items was late once
        for item, seat, ended in tallies:
            if numbers and item.number not in numbers:
                continue
            for period in ended:
                if period.missed:
                    short = period.target - period.done
                    found[key].append(Finding(
                        per_missing * short, "duty_short",
                        dict(item=item.title, number=item.number, period_kind=item.period,
                             start=period.start.isoformat(), target=period.target,
                             done=period.done),
                        "duty_item", item.pk))
            if per_late:
                for record_id, date in late.get((item.pk, seat.key), []):
                    if record_id in seen:
                        continue
                    seen.add(record_id)
                    found[key].append(Finding(per_late, "duty_late",
                                              dict(id=record_id, date=date.isoformat(),
                                                   item=item.title),
                                              "duty_record", record_id))
    return found


# -- quarterly reports --------------------------------------------------------------------

def _returns(report: QuarterlyReport) -> int:
    """How many times ``report`` was returned: every submission but the one standing."""
    if report.status == QuarterlyReport.Status.RETURNED:
        return report.version
    return max(report.version - 1, 0)


def _year_reports(context: Context, unit_ids) -> list[QuarterlyReport]:
    return list(QuarterlyReport.objects.filter(
        year=context.year, unit_id__in=unit_ids, due_date__lte=context.day)
        .exclude(status=QuarterlyReport.Status.CANCELLED)
        .only("id", "unit_id", "year", "quarter", "status", "version", "due_date",
              "submitted_at", "signed_off_at").order_by("quarter"))


def _date(moment) -> datetime.date | None:
    from django.utils import timezone
    return timezone.localdate(moment) if moment else None


def quarterly_reports(context: Context, group: str, params: dict) -> Findings:
    """A unit's reports of the year due by ``day``: not submitted, submitted late, returned
    more often than ``free_returns``."""
    found: Findings = defaultdict(list)
    defaults = MEASURES["quarterly_reports"].defaults
    per_missing = _param(params, defaults, "per_missing")
    per_late = _param(params, defaults, "per_late")
    per_return = _param(params, defaults, "per_return")
    free = int(params.get("free_returns", defaults["free_returns"]))
    unit_ids = [unit.pk for unit in context.units]
    for report in _year_reports(context, unit_ids):
        key = (report.unit_id, None)
        period = [report.year, report.quarter]
        submitted = _date(report.submitted_at)
        if submitted is None or submitted > context.day:
            found[key].append(Finding(per_missing, "report_missing",
                                      dict(period=period, day=context.day.isoformat()),
                                      "report", report.pk))
        elif submitted > report.due_date:
            found[key].append(Finding(per_late, "report_late",
                                      dict(period=period,
                                           days=context.workdays(report.due_date, submitted)),
                                      "report", report.pk))
        extra = _returns(report) - free
        if extra > 0 and per_return:
            found[key].append(Finding(per_return * extra, "report_returned",
                                      dict(period=period, times=_returns(report), free=free),
                                      "report", report.pk))
    return found


def report_reviews(context: Context, group: str, params: dict) -> Findings:
    """A leader's review of the reports of the units they oversee: a report left awaiting
    review past its deadline, a review made late."""
    found: Findings = defaultdict(list)
    defaults = MEASURES["report_reviews"].defaults
    per_missing = _param(params, defaults, "per_missing")
    per_late = _param(params, defaults, "per_late")
    days = int(params.get("review_days", settings.DUTYCHAIN_DEADLINES["report_review"]))
    leader_of = {unit_id: post for post in context.leaders
                 for unit_id in context.overseen.get(post.user_id, [])}
    names = dict(Unit.objects.filter(pk__in=leader_of).values_list("pk", "name"))
    for report in _year_reports(context, list(leader_of)):
        submitted = _date(report.submitted_at)
        if submitted is None or submitted > context.day:
            continue
        post = leader_of[report.unit_id]
        key = (post.unit_id, post.user_id)
        due = context.add_workdays(submitted, days)
        signed = _date(report.signed_off_at)
        args = dict(unit=names.get(report.unit_id, ""), period=[report.year, report.quarter])
        if report.status == QuarterlyReport.Status.SUBMITTED and due < context.day:
            found[key].append(Finding(per_missing, "review_missing",
                                      dict(args, since=submitted.isoformat()),
                                      "report", report.pk))
        elif signed is not None and signed > due:
            found[key].append(Finding(per_late, "review_late",
                                      dict(args, days=context.workdays(submitted, signed)),
                                      "report", report.pk))
    return found


def annual_report(context: Context, group: str, params: dict) -> Findings:
    """A leader's annual report of the year not submitted by its deadline (once that is
    behind ``day``)."""
    found: Findings = defaultdict(list)
    deduction = _param(params, MEASURES["annual_report"].defaults, "points")
    reports = {leader_id: (pk, due, submitted) for leader_id, pk, due, submitted in
               AnnualReport.objects.filter(year=context.year).exclude(
                   status=AnnualReport.Status.CANCELLED).values_list(
                   "leader_id", "pk", "due_date", "submitted_at")}
    for post in context.leaders:
        key = (post.unit_id, post.user_id)
        pk, due, submitted = reports.get(post.user_id, (None, None, None))
        if pk is None:
            if params.get("required_by") and context.day >= datetime.date.fromisoformat(
                    params["required_by"]):
                found[key].append(Finding(deduction, "annual_missing",
                                          dict(day=params["required_by"])))
            continue
        submitted = _date(submitted)
        if due < context.day and (submitted is None or submitted > due):
            found[key].append(Finding(deduction, "annual_missing", dict(day=due.isoformat()),
                                      "annual_report", pk))
    return found


# -- problems ------------------------------------------------------------------------------

def problems(context: Context, group: str, params: dict) -> Findings:
    """Problems of the subject's unit (a leader: of the units they oversee): not closed out
    by ``day``, closed out after their deadline, deadlines extended during the year."""
    found: Findings = defaultdict(list)
    defaults = MEASURES["problems"].defaults
    per_open = _param(params, defaults, "per_open")
    per_late = _param(params, defaults, "per_late")
    per_extension = _param(params, defaults, "per_extension")
    if group == SubjectGroup.UNITS:
        keys = {unit.pk: [(unit.pk, None)] for unit in context.units}
    else:
        keys = defaultdict(list)
        for post in context.leaders:
            for unit_id in context.overseen.get(post.user_id, []):
                keys[unit_id].append((post.unit_id, post.user_id))
    start = datetime.date(context.year, 1, 1)
    rows = Problem.objects.filter(unit_id__in=list(keys), found_on__lte=context.day).filter(
        Q(status__in=Problem.OPEN_STATUSES) | Q(closed_at__date__gte=start)).values_list(
        "pk", "unit_id", "status", "due_date", "approved_date", "closed_at")
    for pk, unit_id, status, due, approved, closed_at in rows.order_by("pk"):
        closed = _date(closed_at)
        deadline = approved or due
        for key in keys[unit_id]:
            if closed is None or closed > context.day:
                if status in Problem.DONE_STATUSES and closed is None:
                    continue
                late = context.workdays(deadline, context.day) if deadline else 0
                found[key].append(Finding(per_open, "problem_open",
                                          dict(id=pk, day=context.day.isoformat(), days=late),
                                          "problem", pk))
            elif deadline and closed > deadline and per_late:
                found[key].append(Finding(per_late, "problem_late",
                                          dict(id=pk, days=context.workdays(deadline, closed)),
                                          "problem", pk))
    if per_extension:
        for problem_id, unit_id, decided in ExtensionRequest.objects.filter(
                problem__unit_id__in=list(keys), decision="granted",
                decided_at__date__range=(start, context.day)).values_list(
                "problem_id", "problem__unit_id", "decided_at").order_by("decided_at"):
            for key in keys[unit_id]:
                found[key].append(Finding(per_extension, "problem_extended",
                                          dict(id=problem_id, date=_date(decided).isoformat()),
                                          "problem", problem_id))
    return found


def talk_flags(context: Context, group: str, params: dict) -> Findings:
    """A unit flagged for a formal talk (约谈): late in two quarters running, or two periods
    running below a duty item's target."""
    found: Findings = defaultdict(list)
    deduction = _param(params, MEASURES["talk_flags"].defaults, "per_flag")
    unit_ids = {unit.pk for unit in context.units}
    for unit, quarters in repeatedly_late(context.day):
        if unit.pk in unit_ids:
            found[(unit.pk, None)].append(Finding(
                deduction, "talk_late",
                dict(quarters=[[y, q] for y, q in quarters]), "unit", unit.pk))
    # two periods running below target (the counters the duty measure reads: every period
    # ending on ``day`` has ended)
    for unit_id, tallies in context.unit_tallies().items():
        items = [item for item, _seat, ended in tallies
                 if len(ended) >= 2 and ended[-1].missed and ended[-2].missed]
        if items:
            found[(unit_id, None)].append(Finding(
                deduction, "talk_duties",
                dict(items="、".join(item.title for item in items)), "unit", unit_id))
    return found


MEASURES: dict[str, Measure] = {
    "duty_items": Measure(_("Duty records against the duty list's targets"),
                          (SubjectGroup.UNITS, SubjectGroup.LEADERS), duty_items,
                          dict(per_missing="0.5", per_late="0.2")),
    "quarterly_reports": Measure(_("Quarterly reports: missing, late, returned"),
                                 (SubjectGroup.UNITS,), quarterly_reports,
                                 dict(per_missing="3", per_late="1", per_return="0.5",
                                      free_returns=1)),
    "report_reviews": Measure(_("Reviews of the overseen units' quarterly reports"),
                              (SubjectGroup.LEADERS,), report_reviews,
                              dict(per_missing="1", per_late="0.5")),
    "annual_report": Measure(_("The leader's annual report"), (SubjectGroup.LEADERS,),
                             annual_report, dict(points="4")),
    "problems": Measure(_("Problems: close-out, lateness, extensions"),
                        (SubjectGroup.UNITS, SubjectGroup.LEADERS), problems,
                        dict(per_open="2", per_late="1", per_extension="0.5")),
    "talk_flags": Measure(_("Flags for a formal talk (约谈)"), (SubjectGroup.UNITS,), talk_flags,
                          dict(per_flag="1")),
}


# -- explanations in the reader's language ---------------------------------------------------

TEXTS = {
    "duty_short": _("%(item)s, %(period)s: target %(target)s, done %(done)s"),
    "duty_late": _("Duty record #%(id)s (%(date)s) entered late"),
    "report_missing": _("Quarterly report %(period)s not submitted by %(day)s"),
    "report_late": _("Quarterly report %(period)s submitted %(days)s working days late"),
    "report_returned": _("Quarterly report %(period)s returned %(times)s times "
                         "(%(free)s without deduction)"),
    "review_missing": _("%(unit)s's report %(period)s awaiting review since %(since)s"),
    "review_late": _("%(unit)s's report %(period)s reviewed %(days)s working days after "
                     "its submission"),
    "annual_missing": _("Annual report not submitted by %(day)s"),
    "problem_open": _("Problem #%(id)s not closed out by %(day)s: %(days)s working days "
                      "overdue"),
    "problem_late": _("Problem #%(id)s closed out %(days)s working days after its deadline"),
    "problem_extended": _("Problem #%(id)s: deadline extended on %(date)s"),
    "talk_late": _("Flagged for a formal talk: late in %(quarters)s"),
    "talk_duties": _("Flagged for a formal talk: two periods running below target on "
                     "%(items)s"),
    "unit_share": _("%(unit)s lost %(lost)s on this criterion; %(share)s%% counts here"),
    "own_share": _("%(text)s (%(share)s%% counts here)"),
    "floor": _("Deductions of %(lost)s exceed the maximum: the criterion stops at 0"),
    "no_findings": _("Nothing found that costs points"),
}


def _quarter(year: int, quarter: int) -> str:
    return str(_("%(year)s Q%(quarter)s") % {"year": year, "quarter": quarter})


def explain(code: str, params: dict) -> str:
    """A finding in the reader's language (a leader's own share of a shared criterion
    says which share counts)."""
    if code != "unit_share" and "share" in params:
        inner = {name: value for name, value in params.items() if name != "share"}
        return str(TEXTS["own_share"]) % dict(text=explain(code, inner), share=params["share"])
    # quarters are kept as [year, quarter] and named in the reader's language
    if isinstance(params.get("period"), list):
        params = dict(params, period=_quarter(*params["period"]))
    if isinstance(params.get("quarters"), list):
        params = dict(params, quarters=str(pgettext_lazy("list", ", ")).join(_quarter(*q) for q in params["quarters"]))
    if code == "duty_short" and "start" in params:
        # the period's name in the reader's language
        params = dict(params, period=period_label(
            params["period_kind"], datetime.date.fromisoformat(params["start"])))
    template = TEXTS.get(code)
    if template is None:
        return code
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)
