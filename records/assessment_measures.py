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

from accounts.models import Oversight, Post, Unit

from .duty_seats import Seat, build_counter, monthly_counts, unit_items, unit_seat
from .lateness import repeatedly_late
from .models import (
    AnnualReport,
    Carrier,
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

    def workdays(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after ``start`` up to and including ``end``."""
        counted, day = 0, start
        while day < end:
            day += ONE_DAY
            counted += self.calendar.is_workday(day)
        return counted

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
    if group == SubjectGroup.UNITS:
        items = unit_items(duty_list)
        seats = {(unit.pk, None): [(item, unit_seat(item, unit.pk)) for item in items
                                   if not numbers or item.number in numbers]
                 for unit in context.units}
    else:
        items = [item for item in duty_list.items.order_by("number")
                 if Carrier.LEADERS in item.carriers]
        seats = {(post.unit_id, post.user_id): [
            (item, Seat(Carrier.LEADERS, post.unit_id, post.user_id)) for item in items
            if not numbers or item.number in numbers] for post in context.leaders}
    for item in items:
        item.duty_list = duty_list
    every = {seat for pairs in seats.values() for _item, seat in pairs}
    counts = monthly_counts(duty_list, list(every), items=items)
    late = defaultdict(list)
    for item_id, carrier, unit_id, leader_id, record_id, date in DutyRecordItem.objects.filter(
            item__duty_list=duty_list, item__in=items, counts=True, record__is_late=True,
            date__range=(datetime.date(context.year, 1, 1), context.day)).values_list(
            "item_id", "carrier", "unit_id", "leader_id", "record_id", "date").order_by("date"):
        late[(item_id, (carrier, unit_id, leader_id))].append((record_id, date))
    after = context.day + ONE_DAY  # every period ending on ``day`` has ended
    for key, pairs in seats.items():
        for item, seat in pairs:
            counter = build_counter(item, seat, counts.get((item.pk, seat.key), {}), after,
                                    calendar=context.calendar)
            for period in counter.periods:
                if period.missed:
                    short = period.target - period.done
                    found[key].append(Finding(
                        per_missing * short, "duty_short",
                        dict(item=item.title, number=item.number, period=period.label,
                             target=period.target, done=period.done),
                        "duty_item", item.pk))
            if per_late:
                for record_id, date in late.get((item.pk, seat.key), []):
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
        period = f"{report.year} Q{report.quarter}"
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
        due = add_working_days(submitted, days, context.calendar)
        signed = _date(report.signed_off_at)
        args = dict(unit=names.get(report.unit_id, ""), period=f"{report.year} Q{report.quarter}")
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
                dict(quarters=", ".join(f"{y} Q{q}" for y, q in quarters)), "unit", unit.pk))
    if context.duty_list is not None:
        from .duty_seats import units_for_a_talk
        for unit, items in units_for_a_talk(context.duty_list, context.day):
            if unit.pk in unit_ids:
                found[(unit.pk, None)].append(Finding(
                    deduction, "talk_duties",
                    dict(items="、".join(item.title for item in items)), "unit", unit.pk))
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


def explain(code: str, params: dict) -> str:
    """A finding in the reader's language (a leader's own share of a shared criterion
    says which share counts)."""
    if code != "unit_share" and "share" in params:
        inner = {name: value for name, value in params.items() if name != "share"}
        return str(TEXTS["own_share"]) % dict(text=explain(code, inner), share=params["share"])
    template = TEXTS.get(code)
    if template is None:
        return code
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)
