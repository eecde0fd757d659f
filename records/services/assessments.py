"""The year-end assessment (考核): schemes, the phases of a year's assessment, scores,
adjustments, special entries, grades, appeals, approval and the results circular.

The phases run: preparing (computed scores refreshed nightly up to the cut-off date) →
opened and self-scoring (the schemes freeze, and so do the computed scores) → the leaders
score the units they oversee and the secretary the leadership members → the committee's
review group adjusts, each change with a reason → published to each subject, who may
appeal line by line → approved by the secretary once every appeal is answered → a circular
of the results. The committee moves the phases on; each has a deadline in working days.

Every check is made at the moment of the action against the chain of that day; every change
is audited and kept with its reason (ScoreChange).
"""

from __future__ import annotations

import datetime
import json
import math
from collections import defaultdict
from collections.abc import Iterable
from contextlib import nullcontext
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import chain
from accounts.models import Post, Unit, User
from records import assessment_defaults as defaults
from records.assessment_measures import MEASURES, Context, Finding, points
from records.audit import audit
from records.models import Notification
from records.models.assessments import (
    Appeal,
    Assessment,
    AssessmentScheme,
    AssessmentSheet,
    Criterion,
    Explanation,
    Grade,
    ScoreChange,
    ScoreLine,
    SpecialEntry,
    SubjectGroup,
)
from records.notifications import notify
from records.workdays import Calendar, add_working_days

from .evidence import keep, validate_evidence

Status = Assessment.Status
Kind = Criterion.Kind
ZERO = Decimal("0")
HUNDRED = Decimal("100")
ORDER = [Status.PREPARING, Status.SELF_SCORING, Status.LEADER_SCORING, Status.REVIEW,
         Status.PUBLISHED, Status.APPROVED]
MAX_REASON = 2000


# -- who may do what -------------------------------------------------------------------------

def _today() -> datetime.date:
    return timezone.localdate()


def is_committee(user: User, day: datetime.date | None = None) -> bool:
    """A member of the discipline committee today, or acting for one."""
    day = day or _today()
    members = chain.discipline_committee(day)
    return user.is_authenticated and any(
        user.pk in (member.pk, chain.acting_for(member, day).pk) for member in members)


def is_secretary(user: User, day: datetime.date | None = None) -> bool:
    day = day or _today()
    secretary = chain.secretary(day)
    return user.is_authenticated and secretary is not None and user.pk in (
        secretary.pk, chain.acting_for(secretary, day).pk)


def sees_all(user: User, day: datetime.date | None = None) -> bool:
    """The committee and the secretary see every sheet and the ranking."""
    return is_committee(user, day) or is_secretary(user, day)


def subject_people(sheet: AssessmentSheet, day: datetime.date | None = None) -> list[User]:
    """Who speaks for the sheet's subject: the leadership member; a unit's head."""
    if sheet.subject_id:
        return [sheet.subject]
    head = chain.head_of(sheet.unit, day)
    return [head] if head else []


def scorer_of(sheet: AssessmentSheet, day: datetime.date | None = None) -> User | None:
    """Who scores the sheet after its subject: the unit's supervising leader; for a
    leadership member, the secretary."""
    if sheet.group == SubjectGroup.LEADERS:
        return chain.secretary(day)
    return chain.supervisor_of(sheet.unit, day)


def _acts_as(user: User, person: User | None, day: datetime.date) -> bool:
    return person is not None and user.is_authenticated and user.pk in (
        person.pk, chain.acting_for(person, day).pk)


def is_subject(user: User, sheet: AssessmentSheet, day: datetime.date | None = None) -> bool:
    day = day or _today()
    return any(_acts_as(user, person, day) for person in subject_people(sheet, day))


def is_scorer(user: User, sheet: AssessmentSheet, day: datetime.date | None = None) -> bool:
    """``user`` scores the sheet today: its scorer (or acting for them), never the subject
    nor anyone of the subject's unit."""
    day = day or _today()
    if is_subject(user, sheet, day) or (sheet.subject_id is None and Post.objects.on(day).filter(
            user=user, unit=sheet.unit).exists()):
        return False
    return _acts_as(user, scorer_of(sheet, day), day)


def can_view_sheet(user: User, sheet: AssessmentSheet) -> bool:
    if not user.is_authenticated:
        return False
    if sees_all(user) or is_subject(user, sheet):
        return True
    stage = ORDER.index(sheet.assessment.status)
    return stage >= ORDER.index(Status.LEADER_SCORING) and is_scorer(user, sheet)


def shows_leader_score(user: User, sheet: AssessmentSheet) -> bool:
    """A subject never sees the leader's score (nor the committee's changes) before
    publication."""
    return sheet.assessment.is_published or sees_all(user) or is_scorer(user, sheet)


def shows_ranking(user: User, assessment: Assessment) -> bool:
    """The ranking: the committee and the secretary; everyone with a post once approved."""
    if sees_all(user):
        return True
    return assessment.status == Status.APPROVED and bool(chain.roles_of(user))


def _committee(user: User) -> None:
    if not is_committee(user):
        raise PermissionDenied(_("Only the discipline committee does this."))


def _status(assessment: Assessment, *wanted: str) -> None:
    if assessment.status not in wanted:
        raise ValidationError(_("This cannot be done while the assessment is “%(status)s”.")
                              % {"status": assessment.get_status_display()})


def _before_due(assessment: Assessment) -> None:
    if assessment.phase_due and _today() > assessment.phase_due:
        raise ValidationError(_("The deadline of this step was %(day)s: it is closed.")
                              % {"day": assessment.phase_due})


def _reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": message})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": _("Keep it within %(n)s characters.")
                                         % {"n": MAX_REASON}})
    return reason


def _score(value, criterion: Criterion) -> Decimal:
    try:
        score = points(value)
    except Exception:  # noqa: BLE001 - anything that is not a number
        raise ValidationError({"score": _("Give the score as a number.")}) from None
    if not score.is_finite() or score < ZERO:
        raise ValidationError({"score": _("A score cannot be below 0 (the floor).")})
    if score > criterion.max_points:
        raise ValidationError({"score": _("%(name)s is out of %(max)s: %(score)s is above it.")
                                        % {"name": criterion.name, "max": criterion.max_points,
                                           "score": score}})
    return score


# -- schemes -----------------------------------------------------------------------------

def scheme_problems(scheme: AssessmentScheme) -> list[str]:
    """What stops ``scheme`` from being used: totals, weights, unknown measures."""
    found = []
    criteria = list(scheme.criteria.all())
    total = sum((c.max_points for c in criteria if c.counts_in_total), ZERO)
    if total != HUNDRED:
        found.append(_("The criteria total %(total)s points, not 100.") % {"total": total})
    if scheme.weight_self + scheme.weight_leader + scheme.weight_automatic != 100:
        found.append(_("The weights of the self, the leader's and the computed score must "
                       "add up to 100%."))
    if not (scheme.excellent_min > scheme.good_min > scheme.fair_min > ZERO):
        found.append(_("The grade bands must fall: excellent above good above fair."))
    for criterion in criteria:
        if criterion.kind == Kind.AUTOMATIC and (
                criterion.measure not in MEASURES
                or scheme.group not in MEASURES[criterion.measure].groups):
            found.append(_("Criterion %(n)s measures nothing this product knows for this "
                           "group.") % {"n": criterion.number})
        if criterion.kind == Kind.SPECIAL and not criterion.special:
            found.append(_("Criterion %(n)s is special but says not which kind.")
                         % {"n": criterion.number})
    return found


def _make_scheme(*, year: int, group: str, by: User, version: int = 1, title: str = "",
                 rows=None, source: AssessmentScheme | None = None, reason: str = ""
                 ) -> AssessmentScheme:
    fields = {}
    if source is not None:
        fields = {name: getattr(source, name) for name in (
            "weight_self", "weight_leader", "weight_automatic", "excellent_min", "good_min",
            "fair_min", "good_zero_criteria", "excellent_quota", "quota_rounding",
            "unit_share")}
    scheme = AssessmentScheme.objects.create(
        year=year, group=group, version=version, based_on=source, reason=reason,
        title=title or (source.title.replace(str(source.year), str(year)) if source else
                        defaults.TITLES[group] % {"year": year}), created_by=by, **fields)
    if source is not None:
        criteria = [Criterion(scheme=scheme, number=c.number, group=c.group, name=c.name,
                              max_points=c.max_points, rule=c.rule, kind=c.kind,
                              measure=c.measure, params=c.params, special=c.special,
                              shared_with_units=c.shared_with_units)
                    for c in source.criteria.order_by("number")]
    else:
        criteria = [Criterion(scheme=scheme, number=n, group=g, name=name,
                              max_points=Decimal(top), rule=rule, kind=kind, measure=measure,
                              params=params, special=special,
                              shared_with_units=(group == SubjectGroup.LEADERS
                                                 and measure in defaults.SHARED))
                    for n, (g, name, top, rule, kind, measure, params, special)
                    in enumerate(rows, start=1)]
    Criterion.objects.bulk_create(criteria)
    return scheme


def scheme_default(*, year: int, group: str, by: User) -> AssessmentScheme:
    """The default scheme of ``group`` for ``year`` (records.assessment_defaults)."""
    _committee(by)
    if AssessmentScheme.objects.filter(year=year, group=group).exists():
        raise ValidationError(_("%(year)s already has a scheme for this group: copy or "
                                "version it.") % {"year": year})
    scheme = _make_scheme(year=year, group=group, by=by, rows=defaults.DEFAULTS[group])
    audit(actor=by, action="assessment_scheme.default", target=scheme, year=year, group=group)
    return scheme


def scheme_copy(*, source: AssessmentScheme, year: int, by: User) -> AssessmentScheme:
    """Last year's scheme (or any) as ``year``'s first version."""
    _committee(by)
    if AssessmentScheme.objects.filter(year=year, group=source.group).exists():
        raise ValidationError(_("%(year)s already has a scheme for this group: copy or "
                                "version it.") % {"year": year})
    scheme = _make_scheme(year=year, group=source.group, by=by, source=source)
    audit(actor=by, action="assessment_scheme.copy", target=scheme, year=year,
          source=source.pk)
    return scheme


def scheme_new_version(*, scheme: AssessmentScheme, by: User, reason: str) -> AssessmentScheme:
    """A draft copy of ``scheme`` as its year's next version, to change."""
    _committee(by)
    reason = _reason(reason, _("Say why the scheme needs a new version."))
    latest = AssessmentScheme.objects.filter(year=scheme.year, group=scheme.group).order_by(
        "-version").first()
    new = _make_scheme(year=scheme.year, group=scheme.group, by=by, source=scheme,
                       version=latest.version + 1, title=scheme.title, reason=reason)
    audit(actor=by, action="assessment_scheme.version", target=new, source=scheme.pk,
          reason=reason)
    return new


def _editable(scheme: AssessmentScheme) -> None:
    if scheme.is_in_use:
        raise ValidationError(_("This scheme is in use: it changes only by a new version."))


SCHEME_FIELDS = ("title", "weight_self", "weight_leader", "weight_automatic", "excellent_min",
                 "good_min", "fair_min", "good_zero_criteria", "excellent_quota",
                 "quota_rounding", "unit_share")
CRITERION_FIELDS = ("group", "name", "max_points", "rule", "kind", "measure", "params",
                    "special", "shared_with_units")


def _change(obj, allowed: tuple[str, ...], changes: dict) -> dict:
    before = {}
    for name, value in changes.items():
        if name not in allowed:
            raise ValidationError(_("%(name)s cannot be changed here.") % {"name": name})
        before[name] = str(getattr(obj, name))
        setattr(obj, name, value)
    try:
        obj.full_clean(exclude=["scheme", "based_on", "created_by"])
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None
    return before


def scheme_update(*, scheme: AssessmentScheme, by: User, **changes) -> AssessmentScheme:
    _committee(by)
    with transaction.atomic():
        scheme = AssessmentScheme.objects.select_for_update().get(pk=scheme.pk)
        _editable(scheme)
        before = _change(scheme, SCHEME_FIELDS, changes)
        scheme.save()
        audit(actor=by, action="assessment_scheme.update", target=scheme, before=before,
              after={name: str(value) for name, value in changes.items()})
    return scheme


def criterion_update(*, criterion: Criterion, by: User, **changes) -> Criterion:
    _committee(by)
    with transaction.atomic():
        scheme = AssessmentScheme.objects.select_for_update().get(pk=criterion.scheme_id)
        _editable(scheme)
        before = _change(criterion, CRITERION_FIELDS, changes)
        criterion.save()
        audit(actor=by, action="assessment_criterion.update", target=scheme,
              criterion=criterion.number, before=before,
              after={name: str(value) for name, value in changes.items()})
    return criterion


def _scheme_for(year: int, group: str, by: User) -> AssessmentScheme:
    """``year``'s latest scheme of ``group``; else last year's, copied; else the default."""
    scheme = AssessmentScheme.objects.filter(year=year, group=group).order_by("-version").first()
    if scheme is not None:
        return scheme
    last = AssessmentScheme.objects.filter(year=year - 1, group=group).order_by(
        "-version").first()
    if last is not None:
        return scheme_copy(source=last, year=year, by=by)
    return scheme_default(year=year, group=group, by=by)


# -- the assessment ------------------------------------------------------------------------

def subject_units(day: datetime.date) -> list[Unit]:
    """The units assessed: every active unit below the bureau."""
    return list(Unit.objects.filter(is_active=True).exclude(kind=Unit.Kind.BUREAU)
                .order_by("order", "code"))


def subject_leaders(day: datetime.date) -> list[Post]:
    """The leadership members assessed: who holds a leader's post on ``day``."""
    return list(Post.objects.on(day).filter(role=Post.Role.LEADER, user__is_active=True)
                .select_related("user").order_by("unit_id", "user_id"))


def assessment_create(*, year: int, by: User, cut_off: datetime.date | None = None,
                      step_days: int = 5, title: str = "") -> Assessment:
    """Start preparing ``year``'s assessment: schemes chosen (copied from last year's when
    this year has none), a sheet for each subject, scores computed."""
    _committee(by)
    if not 2000 <= int(year) <= _today().year:
        raise ValidationError({"year": _("Choose a year up to this one.")})
    if Assessment.objects.filter(year=year).exists():
        raise ValidationError({"year": _("%(year)s already has its assessment.")
                                       % {"year": year}})
    cut_off = cut_off or datetime.date(year, 12, 31)
    if cut_off.year != year:
        raise ValidationError({"cut_off": _("Count records up to a day of %(year)s.")
                                          % {"year": year}})
    if not 1 <= int(step_days) <= 30:
        raise ValidationError({"step_days": _("Give each step 1 to 30 working days.")})
    with transaction.atomic():
        assessment = Assessment.objects.create(
            year=year, title=title or _("%(year)s year-end assessment") % {"year": year},
            leaders_scheme=_scheme_for(year, SubjectGroup.LEADERS, by),
            units_scheme=_scheme_for(year, SubjectGroup.UNITS, by),
            cut_off=cut_off, step_days=step_days, created_by=by)
        audit(actor=by, action="assessment.create", target=assessment, year=year,
              cut_off=cut_off.isoformat())
        assessment_recompute(assessment=assessment)
    return assessment


def _sheets(assessment: Assessment, context: Context) -> dict[tuple, AssessmentSheet]:
    """The assessment's sheets by subject key, the missing ones made (one read, one
    insert)."""
    have = {(sheet.unit_id, sheet.subject_id): sheet for sheet in assessment.sheets.all()}
    missing = [AssessmentSheet(assessment=assessment, group=group, unit_id=subject.unit_id,
                               subject_id=subject.user_id)
               for group in (SubjectGroup.UNITS, SubjectGroup.LEADERS)
               for subject in context.subjects(group) if subject.key not in have]
    if missing:
        AssessmentSheet.objects.bulk_create(missing)
        have = {(sheet.unit_id, sheet.subject_id): sheet for sheet in assessment.sheets.all()}
    return have


def _lines(assessment: Assessment, sheets: dict[tuple, AssessmentSheet]
           ) -> dict[tuple[int, int], int]:
    """(sheet id, criterion id) → line id, the missing lines made."""
    criteria = {group: [c for c in assessment.scheme_of(group).criteria.all()
                        if c.counts_in_total] for group in SubjectGroup.values}
    have = dict(((sheet_id, criterion_id), pk) for pk, sheet_id, criterion_id in
                ScoreLine.objects.filter(sheet__assessment=assessment).values_list(
                    "pk", "sheet_id", "criterion_id"))
    missing = [ScoreLine(sheet=sheet, criterion=c, final=c.max_points,
                         automatic=c.max_points if c.kind == Kind.AUTOMATIC else None)
               for sheet in sheets.values() for c in criteria[sheet.group]
               if (sheet.pk, c.pk) not in have]
    if missing:
        ScoreLine.objects.bulk_create(missing)
        have = dict(((sheet_id, criterion_id), pk) for pk, sheet_id, criterion_id in
                    ScoreLine.objects.filter(sheet__assessment=assessment).values_list(
                        "pk", "sheet_id", "criterion_id"))
    return have


def _findings(assessment: Assessment, context: Context, sheets: dict[tuple, AssessmentSheet]
              ) -> dict[tuple[int, int], list[Finding]]:
    """(sheet id, criterion id) → findings, for every automatic criterion; a leader's shared
    criterion takes its own share and the overseen units' share."""
    found: dict[tuple[int, int], list[Finding]] = {}
    unit_lost: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for group in (SubjectGroup.UNITS, SubjectGroup.LEADERS):
        scheme = assessment.scheme_of(group)
        for criterion in scheme.criteria.all():
            if criterion.kind != Kind.AUTOMATIC or criterion.measure not in MEASURES:
                continue
            measure = MEASURES[criterion.measure]
            if group not in measure.groups:
                continue
            by_subject = measure.compute(context, group, criterion.params or {})
            share = scheme.unit_share if criterion.shared_with_units else 0
            for key, sheet in sheets.items():
                if sheet.group != group:
                    continue
                findings = list(by_subject.get(key, []))
                if group == SubjectGroup.UNITS:
                    unit_lost[(sheet.unit_id, criterion.measure)] = min(
                        criterion.max_points, sum((f.deduction for f in findings), ZERO))
                elif share:
                    own = Decimal(100 - share) / HUNDRED
                    findings = [Finding(points(f.deduction * own), f.code,
                                        dict(f.params, share=100 - share), f.target_kind,
                                        f.target_id) for f in findings]
                    for unit_id in context.overseen.get(sheet.subject_id, []):
                        lost = unit_lost.get((unit_id, criterion.measure), ZERO)
                        unit_sheet = sheets.get((unit_id, None))
                        if lost and unit_sheet is not None:
                            findings.append(Finding(
                                points(lost * share / HUNDRED), "unit_share",
                                dict(unit=unit_sheet.unit.name, lost=str(lost), share=share),
                                "sheet", unit_sheet.pk))
                found[(sheet.pk, criterion.pk)] = findings
    return found


def _units_of(sheets: dict[tuple, AssessmentSheet]) -> None:
    units = Unit.objects.in_bulk({sheet.unit_id for sheet in sheets.values()})
    for sheet in sheets.values():
        sheet.unit = units[sheet.unit_id]


def assessment_recompute(*, assessment: Assessment, by: User | None = None,
                         day: datetime.date | None = None) -> int:
    """Compute every automatic line again from the records up to the cut-off date (or
    ``day``, when earlier): explanation lines rewritten, lines and totals updated in the
    database. Only while preparing (and once more as it opens): the scores freeze then.
    A number of queries that does not grow with the subjects. Returns the explanations
    written."""
    if by is not None:
        _committee(by)
        assessment = Assessment.objects.select_related("leaders_scheme", "units_scheme").get(
            pk=assessment.pk)
    if assessment.status != Status.PREPARING:
        raise ValidationError(_("The computed scores froze when the assessment opened."))
    day = min(day or _today(), assessment.cut_off)
    context = Context.read(assessment.year, day, subject_units(day), subject_leaders(day))
    with transaction.atomic():
        sheets = _sheets(assessment, context)
        _units_of(sheets)
        lines = _lines(assessment, sheets)
        found = _findings(assessment, context, sheets)
        Explanation.objects.filter(line__sheet__assessment=assessment).delete()
        rows = [(lines[key], order, f.code, f.params, -f.deduction, f.target_kind,
                 f.target_id)
                for key, findings in found.items() if key in lines
                for order, f in enumerate(findings)]
        _insert_explanations(rows)
        _update_computed(assessment)
        # the instance too: opening saves it after computing a last time
        assessment.computed_at = timezone.now()
        Assessment.objects.filter(pk=assessment.pk).update(computed_at=assessment.computed_at)
        if by is not None:
            audit(actor=by, action="assessment.recompute", target=assessment,
                  day=day.isoformat(), explanations=len(rows))
    return len(rows)


EXPLANATION_COLUMNS = ("line_id", "order", "code", "params", "points", "target_kind",
                       "target_id")


def _insert_explanations(rows: list[tuple]) -> None:
    """Write explanation rows (in EXPLANATION_COLUMNS' order) in one statement: COPY on
    PostgreSQL, one executemany elsewhere. A city's nightly run writes a few hundred thousand:
    bulk_create's per-value preparation and quoting cost more than the scoring itself."""
    if not rows:
        return
    table = connection.ops.quote_name(Explanation._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(Explanation._meta.get_field(name).column)
                        for name in EXPLANATION_COLUMNS)
    encoder = Explanation._meta.get_field("params").encoder
    values = [(*row[:3], json.dumps(row[3], cls=encoder), *row[4:]) for row in rows]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {table} ({columns}) FROM STDIN"
            # counted as the one statement it is (CaptureQueriesContext, the debug toolbar)
            logged = cursor.debug_sql(sql) if hasattr(cursor, "debug_sql") else nullcontext()
            with logged, cursor.cursor.copy(sql) as copy:
                for row in values:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(EXPLANATION_COLUMNS))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)


def _update_computed(assessment: Assessment) -> None:
    """In the database, a handful of statements: each automatic line's computed score (its
    maximum less what its explanations cost, floored at 0) and its score (nobody has scored
    yet), each other line's score, each sheet's total. Only rows whose value changes are
    written: night after night most stay as they were."""
    money = DecimalField(max_digits=6, decimal_places=2)
    cost = Subquery(Explanation.objects.filter(line=OuterRef("pk")).order_by().values("line")
                    .annotate(s=Sum("points")).values("s"), output_field=money)
    top = Subquery(Criterion.objects.filter(pk=OuterRef("criterion_id")).order_by()
                   .values("max_points"), output_field=money)
    lines = ScoreLine.objects.filter(sheet__assessment=assessment).order_by()
    computed = Greatest(Value(ZERO, output_field=money),
                        top + Coalesce(cost, Value(ZERO, output_field=money)))
    lines.filter(criterion__kind=Kind.AUTOMATIC).alias(new=computed).exclude(
        automatic=F("new"), final=F("new")).update(automatic=computed, final=computed)
    lines.exclude(criterion__kind=Kind.AUTOMATIC).exclude(
        final=F("criterion__max_points")).update(final=top)
    total = Least(Value(HUNDRED, output_field=money), Coalesce(
        Subquery(ScoreLine.objects.filter(sheet=OuterRef("pk")).order_by().values("sheet")
                 .annotate(s=Sum("final")).values("s"), output_field=money),
        Value(ZERO, output_field=money)))
    AssessmentSheet.objects.filter(assessment=assessment).order_by().alias(
        new=total).exclude(total=F("new")).update(total=total)


# -- line scores, totals, grades ---------------------------------------------------------

def line_value(line: ScoreLine, scheme: AssessmentScheme) -> Decimal:
    """A line's score: the committee's adjustment if any; else the weighted self, leader's
    and computed scores (a judgement-only criterion gives the computed share to the leader);
    a score nobody gave counts as the one below it. Within 0 and the maximum."""
    criterion = line.criterion
    if line.adjusted is not None:
        value = line.adjusted
    elif criterion.kind == Kind.AUTOMATIC:
        computed = line.automatic if line.automatic is not None else criterion.max_points
        own = line.self_score if line.self_score is not None else computed
        leader = line.leader_score if line.leader_score is not None else computed
        value = (own * scheme.weight_self + leader * scheme.weight_leader
                 + computed * scheme.weight_automatic) / HUNDRED
    else:
        own = line.self_score if line.self_score is not None else criterion.max_points
        leader = line.leader_score if line.leader_score is not None else own
        value = (own * scheme.weight_self
                 + leader * (scheme.weight_leader + scheme.weight_automatic)) / HUNDRED
    return points(min(max(value, ZERO), criterion.max_points))


def quota_of(scheme: AssessmentScheme, subjects: int) -> int:
    exact = Decimal(subjects * scheme.excellent_quota) / HUNDRED
    if scheme.quota_rounding == AssessmentScheme.Rounding.UP:
        return math.ceil(exact)
    if scheme.quota_rounding == AssessmentScheme.Rounding.NEAREST:
        return int(exact.quantize(Decimal(1), rounding="ROUND_HALF_UP"))
    return math.floor(exact)


def may_be_excellent(sheet: AssessmentSheet, scheme: AssessmentScheme) -> str:
    """Why ``sheet`` cannot be 优秀 ("" if it can, quota aside)."""
    if sheet.vetoed:
        return _("a veto (一票否决) stands against it")
    if sheet.barred:
        return _("a bar to excellent stands against it")
    if sheet.zero_criteria:
        return _("%(n)s criteria are at 0") % {"n": sheet.zero_criteria}
    if sheet.total < scheme.excellent_min:
        return _("its total %(total)s is below %(min)s") % {"total": sheet.total,
                                                             "min": scheme.excellent_min}
    return ""


def _computed_grade(sheet: AssessmentSheet, scheme: AssessmentScheme) -> str:
    if sheet.vetoed:
        return Grade.POOR
    if sheet.total >= scheme.good_min and sheet.zero_criteria <= scheme.good_zero_criteria:
        return Grade.GOOD
    if sheet.total >= scheme.fair_min:
        return Grade.FAIR
    return Grade.POOR


def _grade_group(sheets: list[AssessmentSheet], scheme: AssessmentScheme) -> None:
    """Ranks and grades one group in place: 优秀 to the best who may have it, within the
    quota (the committee's own 优秀 counted first)."""
    ordered = sorted(sheets, key=lambda s: (-s.total, s.zero_criteria, s.unit_id,
                                            s.subject_id or 0))
    quota = quota_of(scheme, len(ordered))
    left = quota - sum(1 for s in ordered if s.grade_set == Grade.EXCELLENT)
    for rank, sheet in enumerate(ordered, start=1):
        sheet.rank = rank
        if sheet.grade_set:
            sheet.grade = sheet.grade_set
        elif left > 0 and not may_be_excellent(sheet, scheme):
            sheet.grade, left = Grade.EXCELLENT, left - 1
        else:
            sheet.grade = _computed_grade(sheet, scheme)


def assessment_refresh(assessment: Assessment, sheet_ids: Iterable[int] | None = None) -> None:
    """Lines' scores and sheets' totals again (of ``sheet_ids``, or all), then every rank
    and grade; only what changed is written."""
    schemes = {group: assessment.scheme_of(group) for group in SubjectGroup.values}
    lines = ScoreLine.objects.filter(sheet__assessment=assessment).select_related("criterion")
    if sheet_ids is not None:
        lines = lines.filter(sheet_id__in=list(sheet_ids))
    sheets = {sheet.pk: sheet for sheet in assessment.sheets.all()}
    specials = defaultdict(list)
    for entry in SpecialEntry.objects.filter(sheet__assessment=assessment).select_related(
            "criterion"):
        specials[entry.sheet_id].append(entry)
    changed_lines, sums, zeros = [], defaultdict(lambda: ZERO), defaultdict(int)
    for line in lines:
        sheet = sheets[line.sheet_id]
        value = line_value(line, schemes[sheet.group])
        if value != line.final:
            line.final = value
            changed_lines.append(line)
        sums[sheet.pk] += value
        zeros[sheet.pk] += value == ZERO and line.criterion.max_points > ZERO
    ScoreLine.objects.bulk_update(changed_lines, ["final"], batch_size=1000)
    before = {pk: (s.total, s.zero_criteria, s.vetoed, s.barred, s.rank, s.grade)
              for pk, s in sheets.items()}
    for pk in sums:
        sheet = sheets[pk]
        extra = ZERO
        by_criterion = defaultdict(lambda: ZERO)
        for entry in specials[pk]:
            by_criterion[entry.criterion] += entry.points
        for criterion, given in by_criterion.items():
            given = min(given, criterion.max_points)
            if criterion.special == Criterion.Special.BONUS:
                extra += given
            elif criterion.special == Criterion.Special.DEDUCTION:
                extra -= given
        sheet.total = points(min(max(sums[pk] + extra, ZERO), HUNDRED))
        sheet.zero_criteria = zeros[pk]
        kinds = {entry.criterion.special for entry in specials[pk]}
        sheet.vetoed = Criterion.Special.VETO in kinds
        sheet.barred = Criterion.Special.BAR in kinds
    for group in SubjectGroup.values:
        _grade_group([s for s in sheets.values() if s.group == group], schemes[group])
    changed = [s for pk, s in sheets.items() if before[pk] != (
        s.total, s.zero_criteria, s.vetoed, s.barred, s.rank, s.grade)]
    AssessmentSheet.objects.bulk_update(
        changed, ["total", "zero_criteria", "vetoed", "barred", "rank", "grade"],
        batch_size=500)


# -- phases --------------------------------------------------------------------------------

def _start_phase(assessment: Assessment, status: str) -> None:
    today = _today()
    assessment.status = status
    assessment.phase_started = today
    assessment.phase_due = (add_working_days(today, assessment.step_days, Calendar(
        today, today + datetime.timedelta(days=assessment.step_days * 3 + 60)))
        if status not in (Status.APPROVED,) else None)


def _locked(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update().select_related(
        "leaders_scheme", "units_scheme").get(pk=assessment.pk)


def assessment_open(*, assessment: Assessment, by: User) -> Assessment:
    """The committee opens the assessment: the schemes freeze (in use), the computed
    scores are worked out a last time and freeze, self-scoring begins."""
    _committee(by)
    with transaction.atomic():
        assessment = _locked(assessment)
        _status(assessment, Status.PREPARING)
        for scheme in (assessment.leaders_scheme, assessment.units_scheme):
            problems = scheme_problems(scheme)
            if problems:
                raise ValidationError(problems)
        assessment_recompute(assessment=assessment)
        AssessmentScheme.objects.filter(pk__in=[assessment.leaders_scheme_id,
                                                assessment.units_scheme_id]).update(
            status=AssessmentScheme.Status.IN_USE)
        _start_phase(assessment, Status.SELF_SCORING)
        assessment.opened_at = timezone.now()
        assessment.save()
        assessment_refresh(assessment)
        audit(actor=by, action="assessment.open", target=assessment,
              due=assessment.phase_due.isoformat())
        _announce(assessment)
    return assessment


NEXT = {Status.SELF_SCORING: Status.LEADER_SCORING, Status.LEADER_SCORING: Status.REVIEW,
        Status.REVIEW: Status.PUBLISHED}


def assessment_advance(*, assessment: Assessment, by: User) -> Assessment:
    """The committee moves the assessment to its next step: the leaders' scoring, the
    committee's review, publication."""
    _committee(by)
    with transaction.atomic():
        assessment = _locked(assessment)
        _status(assessment, *NEXT)
        before = assessment.status
        _start_phase(assessment, NEXT[before])
        if assessment.status == Status.PUBLISHED:
            assessment.published_at = timezone.now()
        assessment.save()
        assessment_refresh(assessment)
        audit(actor=by, action="assessment.advance", target=assessment, before=before,
              after=assessment.status, due=assessment.phase_due.isoformat())
        _announce(assessment)
    return assessment


def assessment_approve(*, assessment: Assessment, by: User) -> Assessment:
    """The secretary approves the published results, once every appeal is answered."""
    if not is_secretary(by):
        raise PermissionDenied(_("Only the party secretary approves the results."))
    with transaction.atomic():
        assessment = _locked(assessment)
        _status(assessment, Status.PUBLISHED)
        open_appeals = Appeal.objects.filter(sheet__assessment=assessment,
                                             status=Appeal.Status.OPEN).count()
        if open_appeals:
            raise ValidationError(_("%(n)s appeals are still awaiting an answer: answer them "
                                    "before the results are approved.") % {"n": open_appeals})
        assessment_refresh(assessment)
        _start_phase(assessment, Status.APPROVED)
        assessment.approved_by, assessment.approved_at = by, timezone.now()
        assessment.save()
        audit(actor=by, action="assessment.approve", target=assessment)
        _announce(assessment)
    return assessment


def results_text(assessment: Assessment) -> str:
    """The circular's body, in the bureau's language: the grades of each group, never a
    deduction."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return _results_text(assessment)


def _results_text(assessment: Assessment) -> str:
    parts = [_("The %(year)s year-end assessment of the implementation of the main "
               "responsibility for strict governance of the party has been completed and "
               "approved by the party secretary. The results are circulated as follows.")
             % {"year": assessment.year}]
    sheets = list(assessment.sheets.select_related("unit", "subject").order_by("rank"))
    for number, group in enumerate((SubjectGroup.LEADERS, SubjectGroup.UNITS), start=1):
        parts.append(f"{'一二'[number - 1]}、{SubjectGroup(group).label}")
        for grade in Grade:
            names = [s.subject_name for s in sheets if s.group == group and s.grade == grade]
            if names:
                parts.append(f"{grade.label}（{len(names)}）：{'、'.join(names)}")
    return "\n".join(str(part) for part in parts)


def assessment_circular(*, assessment: Assessment, by: User, title: str = ""
                        ) -> Assessment:
    """The circular (通报) of the approved results: grades, not deductions."""
    from .circulars import circular_issue

    _committee(by)
    with transaction.atomic():
        assessment = _locked(assessment)
        _status(assessment, Status.APPROVED)
        if assessment.circular_id:
            raise ValidationError(_("The results have been circulated already."))
        circular = circular_issue(
            by=by, title=title or _("Circular on the results of the %(year)s year-end "
                                    "assessment") % {"year": assessment.year},
            body=results_text(assessment), problems=[], about_problems=False)
        assessment.circular = circular
        assessment.save(update_fields=["circular"])
        audit(actor=by, action="assessment.circular", target=assessment,
              circular=circular.pk)
    return assessment


# -- scoring by people ---------------------------------------------------------------------

def _line_for_update(line: ScoreLine) -> ScoreLine:
    # the line, its sheet and its assessment (as a phase change does); not the subject: no
    # row of an outer join can be locked on PostgreSQL (a unit's sheet has no subject)
    locked = ScoreLine.objects.select_for_update(of=("self", "sheet", "sheet__assessment"))
    return locked.select_related("criterion", "sheet", "sheet__assessment", "sheet__unit",
                                 "sheet__subject").get(pk=line.pk)


def line_score(*, line: ScoreLine, by: User, score, reason: str = "") -> ScoreLine:
    """A self-score (its subject, while self-scoring) or a leader's score (the scorer, while
    the leaders score): within 0 and the maximum, a reason for any point taken."""
    with transaction.atomic():
        line = _line_for_update(line)
        sheet, assessment = line.sheet, line.sheet.assessment
        _status(assessment, Status.SELF_SCORING, Status.LEADER_SCORING)
        if assessment.status == Status.SELF_SCORING:
            if not is_subject(by, sheet):
                raise PermissionDenied(_("Only the subject scores their own sheet now."))
            stage, field, why = ScoreChange.Stage.SELF, "self_score", "self_reason"
        else:
            if not is_scorer(by, sheet):
                raise PermissionDenied(_("Nobody scores themselves or their own unit: this "
                                         "sheet is scored by %(who)s.")
                                       % {"who": scorer_of(sheet) or _("nobody today")})
            stage, field, why = ScoreChange.Stage.LEADER, "leader_score", "leader_reason"
        _before_due(assessment)
        value = _score(score, line.criterion)
        reason = (reason or "").strip()
        if value < line.criterion.max_points:
            reason = _reason(reason, _("Give the reason for each point taken away."))
        before = getattr(line, field)
        setattr(line, field, value)
        setattr(line, why, reason[:MAX_REASON])
        line.save(update_fields=[field, why])
        ScoreChange.objects.create(line=line, stage=stage, before=before, after=value,
                                   reason=reason, by=by)
        assessment_refresh(assessment, [sheet.pk])
        audit(actor=by, action=f"assessment.score_{stage}", target=sheet,
              criterion=line.criterion.number, before=str(before), after=str(value),
              reason=reason)
        line.refresh_from_db(fields=["final"])
    return line


def sheet_submit(*, sheet: AssessmentSheet, by: User) -> AssessmentSheet:
    """The subject's self-scoring, or the scorer's scoring, is finished."""
    with transaction.atomic():
        # not the subject's row: an outer join's cannot be locked on PostgreSQL
        locked = AssessmentSheet.objects.select_for_update(of=("self", "assessment"))
        sheet = locked.select_related("assessment", "unit", "subject").get(pk=sheet.pk)
        assessment = sheet.assessment
        _status(assessment, Status.SELF_SCORING, Status.LEADER_SCORING)
        _before_due(assessment)
        if assessment.status == Status.SELF_SCORING:
            if not is_subject(by, sheet):
                raise PermissionDenied(_("Only the subject scores their own sheet now."))
            sheet.self_by, sheet.self_at = by, timezone.now()
        else:
            if not is_scorer(by, sheet):
                raise PermissionDenied(_("This sheet is not yours to score."))
            sheet.leader_by, sheet.leader_at = by, timezone.now()
        sheet.save(update_fields=["self_by", "self_at", "leader_by", "leader_at"])
        audit(actor=by, action="assessment.sheet_submit", target=sheet,
              stage=assessment.status)
    return sheet


def line_adjust(*, line: ScoreLine, by: User, score, reason: str) -> ScoreLine:
    """The committee's review group changes a line, with its reason."""
    _committee(by)
    with transaction.atomic():
        line = _line_for_update(line)
        assessment = line.sheet.assessment
        _status(assessment, Status.REVIEW)
        reason = _reason(reason, _("Give the reason for the adjustment."))
        value = _score(score, line.criterion)
        before = line.final
        line.adjusted, line.adjust_reason = value, reason
        line.save(update_fields=["adjusted", "adjust_reason"])
        ScoreChange.objects.create(line=line, stage=ScoreChange.Stage.REVIEW, before=before,
                                   after=value, reason=reason, by=by)
        assessment_refresh(assessment, [line.sheet_id])
        audit(actor=by, action="assessment.adjust", target=line.sheet,
              criterion=line.criterion.number, before=str(before), after=str(value),
              reason=reason)
        line.refresh_from_db(fields=["final"])
    return line


def special_add(*, sheet: AssessmentSheet, criterion: Criterion, by: User, score: object = 0,
                reason: str, upload: UploadedFile | None) -> SpecialEntry:
    """A bonus, deduction, veto or bar on ``sheet``, with its evidence (committee, in
    review)."""
    _committee(by)
    reason = _reason(reason, _("Say what the entry is for."))
    validate_evidence(upload)
    with transaction.atomic():
        sheet = AssessmentSheet.objects.select_for_update().select_related("assessment").get(
            pk=sheet.pk)
        _status(sheet.assessment, Status.REVIEW)
        if criterion.kind != Kind.SPECIAL or criterion.scheme_id != \
                sheet.assessment.scheme_of(sheet.group).pk:
            raise ValidationError({"criterion": _("Choose a special criterion of this "
                                                  "sheet's scheme.")})
        value = ZERO
        if criterion.special in (Criterion.Special.BONUS, Criterion.Special.DEDUCTION):
            value = _score(score, criterion)
            if value <= ZERO:
                raise ValidationError({"score": _("Give the points of the entry.")})
            given = sum((e.points for e in sheet.specials.filter(criterion=criterion)), ZERO)
            if given + value > criterion.max_points:
                raise ValidationError({"score": _(
                    "%(name)s allows %(max)s points in all; %(given)s are given already.")
                    % {"name": criterion.name, "max": criterion.max_points, "given": given}})
        entry = SpecialEntry(sheet=sheet, criterion=criterion, points=value, reason=reason)
        keep(entry, upload, by=by, target=sheet, prefix="assessment")
        assessment_refresh(sheet.assessment, [sheet.pk])
        audit(actor=by, action="assessment.special", target=sheet, criterion=criterion.number,
              special=criterion.special, points=str(value), reason=reason, file=entry.name)
    return entry


def special_remove(*, entry: SpecialEntry, by: User, reason: str) -> None:
    _committee(by)
    reason = _reason(reason, _("Say why the entry is withdrawn."))
    with transaction.atomic():
        sheet = AssessmentSheet.objects.select_for_update().select_related("assessment").get(
            pk=entry.sheet_id)
        _status(sheet.assessment, Status.REVIEW)
        audit(actor=by, action="assessment.special_remove", target=sheet,
              criterion=entry.criterion.number, points=str(entry.points), reason=reason,
              file=entry.name)
        entry.delete()
        assessment_refresh(sheet.assessment, [sheet.pk])


def grade_set(*, sheet: AssessmentSheet, by: User, grade: str, reason: str) -> AssessmentSheet:
    """The committee sets a sheet's grade (empty: back to the computed one). 优秀 only within
    the quota, and never despite a veto, a bar or a criterion at 0."""
    _committee(by)
    reason = _reason(reason, _("Give the reason for the grade."))
    if grade and grade not in Grade.values:
        raise ValidationError({"grade": _("Choose one of the grades.")})
    with transaction.atomic():
        sheet = AssessmentSheet.objects.select_for_update().select_related("assessment").get(
            pk=sheet.pk)
        assessment = sheet.assessment
        _status(assessment, Status.REVIEW)
        scheme = assessment.scheme_of(sheet.group)
        if grade == Grade.EXCELLENT:
            why = may_be_excellent(sheet, scheme)
            if why:
                raise ValidationError({"grade": _("%(name)s cannot be excellent: %(why)s.")
                                                % {"name": sheet, "why": why}})
            group = assessment.sheets.filter(group=sheet.group)
            quota = quota_of(scheme, group.count())
            others = group.exclude(pk=sheet.pk).filter(
                Q(grade_set=Grade.EXCELLENT) | Q(grade_set="", grade=Grade.EXCELLENT)).count()
            if others >= quota:
                raise ValidationError({"grade": _(
                    "The quota of excellent is %(quota)s in this group and %(n)s have it: "
                    "take it from another first.") % {"quota": quota, "n": others}})
        before = sheet.grade
        sheet.grade_set, sheet.grade_reason = grade, reason
        sheet.save(update_fields=["grade_set", "grade_reason"])
        assessment_refresh(assessment, [])
        audit(actor=by, action="assessment.grade", target=sheet, before=before, after=grade,
              reason=reason)
        sheet.refresh_from_db()
    return sheet


# -- after publication ---------------------------------------------------------------------

def appeal_lodge(*, line: ScoreLine, by: User, text: str) -> Appeal:
    """The subject appeals one line of their published sheet, within the step's deadline."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Say why the line should change.")})
    if len(text) > 4000:
        raise ValidationError({"text": _("Keep it within %(n)s characters.") % {"n": 4000}})
    with transaction.atomic():
        line = _line_for_update(line)
        sheet = line.sheet
        _status(sheet.assessment, Status.PUBLISHED)
        if not is_subject(by, sheet):
            raise PermissionDenied(_("Only the subject of a sheet appeals against it."))
        _before_due(sheet.assessment)
        if sheet.acknowledged_at is not None:
            raise ValidationError(_("You accepted this sheet on %(day)s: it can no longer be "
                                    "appealed.") % {"day": timezone.localdate(
                                        sheet.acknowledged_at)})
        if line.appeals.filter(status=Appeal.Status.OPEN).exists():
            raise ValidationError(_("This line already has an appeal awaiting an answer."))
        appeal = Appeal.objects.create(line=line, sheet=sheet, by=by, text=text)
        audit(actor=by, action="assessment.appeal", target=sheet,
              criterion=line.criterion.number, appeal=appeal.pk)
        notify(recipients=chain.discipline_committee(), kind=Notification.Kind.ASSESSMENT,
               record=sheet.assessment, title=_("Appeal from %(who)s on “%(name)s”")
               % {"who": sheet, "name": line.criterion.name},
               url=_sheet_url(sheet))
    return appeal


def appeal_answer(*, appeal: Appeal, by: User, upheld: bool, answer: str, score=None
                  ) -> Appeal:
    """The committee answers an appeal: upheld, with the line's new score; or not, saying
    why."""
    _committee(by)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("Write the answer to the appeal.")})
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
        line = _line_for_update(appeal.line)
        assessment = line.sheet.assessment
        _status(assessment, Status.PUBLISHED)
        if appeal.status != Appeal.Status.OPEN:
            raise ValidationError(_("This appeal has been answered already."))
        if upheld:
            if score is None or score == "":
                raise ValidationError({"score": _("Give the line's new score.")})
            value = _score(score, line.criterion)
            if value == line.final:
                raise ValidationError({"score": _(
                    "The line is %(score)s already: an upheld appeal changes it.")
                    % {"score": line.final}})
            before = line.final
            line.adjusted, line.adjust_reason = value, answer[:MAX_REASON]
            line.save(update_fields=["adjusted", "adjust_reason"])
            ScoreChange.objects.create(line=line, stage=ScoreChange.Stage.APPEAL,
                                       before=before, after=value, reason=answer[:MAX_REASON],
                                       by=by)
        appeal.status = Appeal.Status.UPHELD if upheld else Appeal.Status.REJECTED
        appeal.answer, appeal.answered_by, appeal.answered_at = answer, by, timezone.now()
        appeal.save()
        assessment_refresh(assessment, [line.sheet_id])
        audit(actor=by, action="assessment.appeal_answer", target=line.sheet,
              appeal=appeal.pk, status=appeal.status, answer=answer)
        notify(recipients=[appeal.by], kind=Notification.Kind.ASSESSMENT, record=assessment,
               title=_("Your appeal on “%(name)s” was answered")
               % {"name": line.criterion.name}, url=_sheet_url(line.sheet))
    return appeal


def sheet_acknowledge(*, sheet: AssessmentSheet, by: User) -> AssessmentSheet:
    """The subject has read the published sheet and accepts it."""
    with transaction.atomic():
        sheet = AssessmentSheet.objects.select_for_update().select_related("assessment").get(
            pk=sheet.pk)
        _status(sheet.assessment, Status.PUBLISHED)
        if not is_subject(by, sheet):
            raise PermissionDenied(_("Only the subject of a sheet accepts it."))
        if sheet.appeals.filter(status=Appeal.Status.OPEN).exists():
            raise ValidationError(_("An appeal of yours is awaiting an answer."))
        sheet.acknowledged_at = timezone.now()
        sheet.save(update_fields=["acknowledged_at"])
        audit(actor=by, action="assessment.acknowledge", target=sheet)
    return sheet


# -- telling people ------------------------------------------------------------------------

def _sheet_url(sheet: AssessmentSheet) -> str:
    from django.urls import NoReverseMatch, reverse
    try:
        return reverse("assessments:sheet", args=[sheet.pk])
    except NoReverseMatch:
        return ""


def _index_url() -> str:
    from django.urls import NoReverseMatch, reverse
    try:
        return reverse("assessments:index")
    except NoReverseMatch:
        return ""


def waiting_on(assessment: Assessment, day: datetime.date | None = None,
               sheets: Iterable[AssessmentSheet] | None = None) -> dict[int, tuple[User, int]]:
    """Who the step in progress waits on: user id → (user, sheets left). The chain of ``day``
    is read once for all the units (accounts.chain.Snapshot), not once per sheet: the
    reminders, the pages and the dashboard ask this of a city's sheets. ``sheets``: the
    assessment's, with their units and subjects, when already read."""
    day = day or _today()
    waiting: dict[int, tuple[User, int]] = {}

    def add(user):
        if user is not None:
            person, n = waiting.get(user.pk, (user, 0))
            waiting[user.pk] = (person, n + 1)

    status = assessment.status
    if status in (Status.SELF_SCORING, Status.LEADER_SCORING):
        if sheets is None:
            sheets = assessment.sheets.select_related("unit", "subject")
        done = "self_at" if status == Status.SELF_SCORING else "leader_at"
        left = [sheet for sheet in sheets if getattr(sheet, done) is None]
        units = [sheet.unit for sheet in left if not sheet.subject_id]
        snapshot = chain.Snapshot(units, day) if units else None
        if status == Status.SELF_SCORING:
            for sheet in left:
                add(sheet.subject if sheet.subject_id else snapshot.head_of(sheet.unit))
        else:
            secretary = chain.secretary(day) if len(units) < len(left) else None
            for sheet in left:
                add(secretary if sheet.subject_id else snapshot.supervisor_of(sheet.unit))
    elif status == Status.REVIEW or (status == Status.PUBLISHED and Appeal.objects.filter(
            sheet__assessment=assessment, status=Appeal.Status.OPEN).exists()):
        for person in chain.discipline_committee(day):
            add(person)
    elif status == Status.PUBLISHED:
        add(chain.secretary(day))
    return waiting


def subjects_of(assessment: Assessment, day: datetime.date) -> list[User]:
    """Who speaks for each subject of ``assessment`` on ``day`` (a fixed number of
    queries)."""
    sheets = list(assessment.sheets.select_related("unit", "subject"))
    units = [sheet.unit for sheet in sheets if not sheet.subject_id]
    snapshot = chain.Snapshot(units, day) if units else None
    return [sheet.subject if sheet.subject_id else snapshot.head_of(sheet.unit)
            for sheet in sheets]


STEP_TITLES = {  # lazy: each notice in the language of the moment it is written
    Status.SELF_SCORING: gettext_lazy("Score your own sheet of the %(year)s assessment by %(due)s"),
    Status.LEADER_SCORING: gettext_lazy("Score the sheets of the %(year)s assessment you are given by "
                             "%(due)s"),
    Status.REVIEW: gettext_lazy("Review the scores of the %(year)s assessment by %(due)s"),
    Status.PUBLISHED: gettext_lazy("The %(year)s assessment is published: read your sheet, appeal a "
                        "line by %(due)s if you must"),
    Status.APPROVED: gettext_lazy("The results of the %(year)s assessment are approved"),
}


def _announce(assessment: Assessment) -> None:
    """Tell whom the new step waits on (once a day a step)."""
    day = _today()
    if assessment.status == Status.PUBLISHED:
        people = subjects_of(assessment, day)
    elif assessment.status == Status.APPROVED:
        people = chain.discipline_committee(day)
    else:
        people = [user for user, _n in waiting_on(assessment, day).values()]
    notify(recipients=people, kind=Notification.Kind.ASSESSMENT, record=assessment,
           title=(STEP_TITLES[assessment.status] % {"year": assessment.year,
                                                     "due": assessment.phase_due})[:200],
           url=_index_url(), deadline=assessment.phase_due)


def assessment_reminders(today: datetime.date, acting: dict[int, User] | None = None) -> int:
    """Before (within the reminder days) and after a step's deadline, tell whoever it
    still waits on, once a day. Returns how many were told."""
    from django.conf import settings

    before = settings.DUTYCHAIN_REMINDERS["default"]["before"]
    acting = acting if acting is not None else chain.stand_ins(today)
    told = 0
    for assessment in Assessment.objects.filter(status__in=list(NEXT) + [Status.PUBLISHED],
                                                phase_due__isnull=False):
        calendar = Calendar(today, assessment.phase_due + datetime.timedelta(days=1))
        if today < assessment.phase_due and add_working_days(today, before, calendar) < \
                assessment.phase_due:
            continue
        kind = (Notification.Kind.OVERDUE if today > assessment.phase_due
                else Notification.Kind.DUE_SOON)
        for user, left in waiting_on(assessment, today).values():
            told += len(notify(
                recipients=[user, acting.get(user.pk)], kind=kind, record=assessment,
                day=today, deadline=assessment.phase_due, url=_index_url(),
                title=(_("%(title)s: %(n)s sheets wait on you, due %(due)s")
                       % {"title": assessment.title, "n": left,
                          "due": assessment.phase_due})[:200]))
    return told


def assessments_nightly(today: datetime.date | None = None) -> int:
    """Recompute every assessment still preparing (the Celery beat job): safe to run
    twice."""
    done = 0
    for pk in Assessment.objects.filter(status=Status.PREPARING).values_list("pk", flat=True):
        with transaction.atomic():
            # one run at a time per assessment (a second worker waits, then recomputes the
            # same rows), and none once the committee has opened it meanwhile
            assessment = _locked(Assessment(pk=pk))
            if assessment.status != Status.PREPARING:
                continue
            assessment_recompute(assessment=assessment, day=today)
        done += 1
    return done
