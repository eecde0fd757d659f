"""The assessment's dashboard, for the committee and the secretary: how the totals spread
in each subject group (by band and by grade), which criteria cost the most points, the
units' average by their supervising leader, the subjects below the fair band (who cannot
be 优秀 and for whom a reminder talk is proposed), the appeals still open and whom the
step in progress waits on.

Read in a fixed number of queries whatever the number of subjects: the sheets once, the
lines' losses summed in the database, the chain of the cut-off day and of today each read
once for all the units (accounts.chain.Snapshot) instead of a question per unit.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import chain
from accounts.models import User

from .assessment_measures import points
from .models.assessments import (
    Appeal,
    Assessment,
    AssessmentSheet,
    Grade,
    ScoreLine,
    SubjectGroup,
)
from .services import assessments as rules

Status = Assessment.Status
ZERO = Decimal("0")

# the score bands: (label, from, below); ``None``: open-ended
BANDS = [
    (_("below 60"), None, Decimal(60)),
    (_("60 to 70"), Decimal(60), Decimal(70)),
    (_("70 to 80"), Decimal(70), Decimal(80)),
    (_("80 to 90"), Decimal(80), Decimal(90)),
    (_("90 and above"), Decimal(90), None),
]
COSTLIEST = 10  # criteria shown
BELOW_SHOWN = 300  # subjects below the fair band listed on the page (the workbook has all)


def band_of(total: Decimal) -> int:
    for index, (_label, low, high) in enumerate(BANDS):
        if (low is None or total >= low) and (high is None or total < high):
            return index
    return len(BANDS) - 1


@dataclass
class GroupFigures:
    """One subject group's spread: how many subjects in each band and each grade."""

    group: str
    label: object
    subjects: int = 0
    total: Decimal = ZERO
    bands: list[int] = field(default_factory=lambda: [0] * len(BANDS))
    grades: dict[str, int] = field(default_factory=dict)  # grade ("" none yet) → count

    @property
    def average(self) -> Decimal | None:
        return points(self.total / self.subjects) if self.subjects else None

    @property
    def band_rows(self) -> list[tuple[object, int]]:
        return [(label, count) for (label, _low, _high), count in zip(BANDS, self.bands,
                                                                      strict=True)]

    @property
    def grade_rows(self) -> list[tuple[object, int]]:
        rows = [(label, self.grades.get(value, 0)) for value, label in Grade.choices]
        if self.grades.get(""):
            rows.append((_("not graded yet"), self.grades[""]))
        return rows


@dataclass
class CostlyCriterion:
    """A criterion and what it cost over every sheet: the sum of its maximum less the
    final score."""

    group: str
    number: int
    name: str
    max_points: Decimal
    lost: Decimal
    sheets: int  # sheets that lost points on it

    @property
    def group_label(self):
        return SubjectGroup(self.group).label


@dataclass
class LeaderAverage:
    """The units a leader oversaw on the cut-off day, and their average total."""

    leader: User | None  # None: units nobody oversaw that day
    units: int
    total: Decimal

    @property
    def average(self) -> Decimal:
        return points(self.total / self.units)


@dataclass
class Below:
    sheet: AssessmentSheet
    threshold: Decimal


@dataclass
class Dashboard:
    assessment: Assessment
    cut_off: datetime.date
    groups: list[GroupFigures]
    costliest: list[CostlyCriterion]
    by_leader: list[LeaderAverage]
    below: list[Below]  # the first BELOW_SHOWN, lowest first
    below_count: int
    open_appeals: int
    waiting: list[tuple[User, int]]  # whom the step waits on, and for how many sheets

    @property
    def subjects(self) -> int:
        return sum(group.subjects for group in self.groups)


def assessment_dashboard(assessment: Assessment, today: datetime.date | None = None
                         ) -> Dashboard:
    """Every figure of ``assessment``'s dashboard: nine to thirteen queries, however many
    subjects it has (the sheets; the lines' losses; open appeals; the chain of the cut-off
    day; and, while a step waits on people, the chain of today)."""
    today = today or timezone.localdate()
    sheets = list(assessment.sheets.select_related("unit", "subject").order_by("total", "pk"))
    schemes = {group: assessment.scheme_of(group) for group in SubjectGroup.values}
    open_appeals = Appeal.objects.filter(sheet__assessment=assessment,
                                         status=Appeal.Status.OPEN).count()
    below = [Below(sheet, schemes[sheet.group].fair_min) for sheet in sheets
             if sheet.total < schemes[sheet.group].fair_min]
    return Dashboard(
        assessment=assessment, cut_off=assessment.cut_off, groups=_spread(sheets),
        costliest=_costliest(assessment), by_leader=_by_leader(assessment, sheets),
        below=below[:BELOW_SHOWN], below_count=len(below), open_appeals=open_appeals,
        waiting=_waiting(assessment, sheets, today))


def _spread(sheets: list[AssessmentSheet]) -> list[GroupFigures]:
    groups = {value: GroupFigures(value, label) for value, label in SubjectGroup.choices}
    for sheet in sheets:
        figures = groups[sheet.group]
        figures.subjects += 1
        figures.total += sheet.total
        figures.bands[band_of(sheet.total)] += 1
        figures.grades[sheet.grade] = figures.grades.get(sheet.grade, 0) + 1
    return [figures for figures in groups.values() if figures.subjects]


def _costliest(assessment: Assessment) -> list[CostlyCriterion]:
    """The criteria whose lines lost most in all (one query, summed in the database)."""
    money = DecimalField(max_digits=12, decimal_places=2)
    lost = ExpressionWrapper(F("criterion__max_points") - F("final"), output_field=money)
    rows = (ScoreLine.objects.filter(sheet__assessment=assessment)
            .values("criterion_id", "criterion__scheme__group", "criterion__number",
                    "criterion__name", "criterion__max_points")
            .annotate(lost=Sum(lost, output_field=money),
                      sheets=Count("pk", filter=Q(final__lt=F("criterion__max_points"))))
            .filter(lost__gt=0)
            .order_by("-lost", "criterion__scheme__group", "criterion__number")[:COSTLIEST])
    return [CostlyCriterion(group=row["criterion__scheme__group"],
                            number=row["criterion__number"], name=row["criterion__name"],
                            max_points=row["criterion__max_points"], lost=points(row["lost"]),
                            sheets=row["sheets"]) for row in rows]


def _by_leader(assessment: Assessment, sheets: list[AssessmentSheet]) -> list[LeaderAverage]:
    """The units' sheets by the leader who oversaw the unit on the cut-off day (or its
    nearest ancestor's leader, as accounts.chain.supervisor_of answers), best average
    first; the units nobody oversaw last."""
    units = [sheet for sheet in sheets if sheet.group == SubjectGroup.UNITS]
    if not units:
        return []
    snapshot = chain.Snapshot([sheet.unit for sheet in units], assessment.cut_off)
    found: dict[int | None, LeaderAverage] = {}
    for sheet in units:
        leader = snapshot.supervisor_of(sheet.unit)
        key = leader.pk if leader is not None else None
        entry = found.setdefault(key, LeaderAverage(leader, 0, ZERO))
        entry.units += 1
        entry.total += sheet.total
    return sorted(found.values(), key=lambda entry: (entry.leader is None, -entry.average,
                                                      str(entry.leader or "")))


def _waiting(assessment: Assessment, sheets: list[AssessmentSheet], day: datetime.date
             ) -> list[tuple[User, int]]:
    """Whom the step in progress waits on and for how many sheets
    (records.services.assessments.waiting_on), most sheets first."""
    return sorted(rules.waiting_on(assessment, day, sheets).values(),
                  key=lambda pair: (-pair[1], str(pair[0])))
