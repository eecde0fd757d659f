"""What the assessment's pages, API and documents read: which sheets a person sees, a sheet
with its lines, explanations, changes and appeals (in a fixed number of queries), the
ranking. Who may see what is decided in records.services.assessments (sees_all,
can_view_sheet, shows_leader_score, shows_ranking); this module only reads."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts import chain
from accounts.models import Oversight, Post, User

from .assessment_measures import explain
from .models.assessments import (
    Appeal,
    Assessment,
    AssessmentSheet,
    Criterion,
    Explanation,
    ScoreChange,
    ScoreLine,
    SpecialEntry,
    SubjectGroup,
)
from .services import assessments as rules

Status = Assessment.Status


def visible_assessments(user: User) -> QuerySet:
    """Every assessment to a person with a post (what they see of it is per sheet)."""
    if not user.is_authenticated or not (rules.sees_all(user) or chain.roles_of(user)):
        return Assessment.objects.none()
    return Assessment.objects.select_related("leaders_scheme", "units_scheme", "circular")


def _subject_q(user: User, day: datetime.date) -> Q:
    """The sheets ``user`` speaks for today: their own as a leadership member, their unit's
    as its head (and whoever acts for either under a delegation valid today)."""
    people = [user.pk] + [pk for pk, acting in chain.stand_ins(day).items()
                          if acting.pk == user.pk]
    heads = Post.objects.on(day).filter(user_id__in=people, role=Post.Role.HEAD).values(
        "unit_id")
    return Q(subject_id__in=people) | Q(subject__isnull=True, unit_id__in=heads)


def _scorer_q(user: User, day: datetime.date) -> Q:
    """The sheets ``user`` scores today: the units they oversee (never their own unit), all
    the leadership members' for the secretary (never their own)."""
    people = [user.pk] + [pk for pk, acting in chain.stand_ins(day).items()
                          if acting.pk == user.pk]
    overseen = Oversight.objects.on(day).filter(leader_id__in=people).values("unit_id")
    own_units = Post.objects.on(day).filter(user=user).values("unit_id")
    found = Q(group=SubjectGroup.UNITS, unit_id__in=overseen) & ~Q(unit_id__in=own_units)
    secretary = chain.secretary(day)
    if secretary is not None and secretary.pk in people:
        found |= Q(group=SubjectGroup.LEADERS) & ~Q(subject_id=user.pk)
    return found


def visible_sheets(user: User, assessment: Assessment) -> QuerySet:
    """The sheets of ``assessment`` ``user`` may open."""
    sheets = assessment.sheets.select_related("unit", "subject")
    if not user.is_authenticated:
        return sheets.none()
    if rules.sees_all(user):
        return sheets
    day = timezone.localdate()
    found = _subject_q(user, day)
    if list(rules.ORDER).index(assessment.status) >= list(rules.ORDER).index(
            Status.LEADER_SCORING):
        found |= _scorer_q(user, day)
    return sheets.filter(found)


def my_sheets(user: User, assessment: Assessment) -> QuerySet:
    """The sheets ``user`` speaks for (their own, their unit's)."""
    if not user.is_authenticated:
        return assessment.sheets.none()
    return assessment.sheets.select_related("unit", "subject").filter(
        _subject_q(user, timezone.localdate()))


def sheets_to_score(user: User, assessment: Assessment) -> QuerySet:
    """The sheets ``user`` scores in the leaders' step."""
    if not user.is_authenticated:
        return assessment.sheets.none()
    return assessment.sheets.select_related("unit", "subject").filter(
        _scorer_q(user, timezone.localdate()))


def ranking(assessment: Assessment, group: str) -> QuerySet:
    return assessment.sheets.filter(group=group).select_related("unit", "subject").order_by(
        "rank", "pk")


# -- one sheet, whole ----------------------------------------------------------------------

LINKS = {
    "report": "reports:detail",
    "problem": "problems:detail",
    "annual_report": "annual_reports:detail",
    "duty_record": "duties:record",
    "sheet": "assessments:sheet",
}


def link_of(explanation: Explanation) -> str:
    """The page of what caused a finding ("" when it has none, or no page)."""
    if explanation.target_kind == "duty_item":
        return ""
    name = LINKS.get(explanation.target_kind)
    if not name or explanation.target_id is None:
        return ""
    try:
        return reverse(name, args=[explanation.target_id])
    except NoReverseMatch:
        return ""


@dataclass
class ExplainedLine:
    """A line as a reader sees it: its explanations written out, the leader's and the
    committee's scores only where the reader may see them."""

    line: ScoreLine
    criterion: Criterion
    explanations: list[tuple[Explanation, str, str]]  # (explanation, text, link)
    changes: list[ScoreChange]
    appeals: list[Appeal]
    shows_leader: bool
    lost: object = None  # what the explanations cost in all (before the floor)

    @property
    def floored(self) -> bool:
        return self.lost is not None and -self.lost > self.criterion.max_points


@dataclass
class SheetView:
    sheet: AssessmentSheet
    lines: list[ExplainedLine]
    specials: list[SpecialEntry]
    shows_leader: bool
    groups: list[tuple[str, list[ExplainedLine]]] = field(default_factory=list)


def sheet_view(sheet: AssessmentSheet, user: User) -> SheetView:
    """``sheet`` with everything its page, its API item and its .docx show: five queries."""
    shows_leader = rules.shows_leader_score(user, sheet)
    lines = list(sheet.lines.select_related("criterion").prefetch_related(
        Prefetch("explanations", queryset=Explanation.objects.order_by("order", "pk")),
        Prefetch("changes", queryset=ScoreChange.objects.select_related("by").order_by(
            "at", "pk")),
        Prefetch("appeals", queryset=Appeal.objects.select_related("by", "answered_by")
                 .order_by("at", "pk"))).order_by("criterion__number"))
    shown = []
    for line in lines:
        explanations = [(e, explain(e.code, e.params), link_of(e))
                        for e in line.explanations.all()]
        changes = [c for c in line.changes.all()
                   if shows_leader or c.stage == ScoreChange.Stage.SELF]
        shown.append(ExplainedLine(
            line=line, criterion=line.criterion, explanations=explanations, changes=changes,
            appeals=list(line.appeals.all()), shows_leader=shows_leader,
            lost=sum((e.points for e, _t, _l in explanations), 0) if explanations else None))
    groups = []
    for value, label in Criterion.Group.choices:
        members = [line for line in shown if line.criterion.group == value]
        if members:
            groups.append((label, members))
    specials = list(sheet.specials.select_related("criterion").order_by("uploaded_at", "pk")) \
        if shows_leader else []
    return SheetView(sheet=sheet, lines=shown, specials=specials, shows_leader=shows_leader,
                     groups=groups)
