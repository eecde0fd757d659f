"""The year-end assessment (考核): schemes and their criteria, a year's assessment and its
phases, score sheets with every line's explanations, changes and appeals; and what people
send to score, adjust, grade, appeal and answer.

What a reader may not see yet is null, never absent: the leader's and the committee's scores
(and the total they make) before publication to a sheet's subject, the ranking to anyone but
the committee and the secretary before approval (records.services.assessments)."""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.typed import Text
from records.models import (
    Appeal,
    Assessment,
    AssessmentScheme,
    AssessmentSheet,
    Criterion,
    ScoreChange,
    SpecialEntry,
)
from records.models.assessments import POINTS, Grade, SubjectGroup

from .common import PersonSerializer, UnitRefSerializer

HIDDEN_LEADER = _("Null until I may see the leader's and the committee's scores (a subject: "
                  "once the sheet is published).")
HIDDEN_RANKING = _("Null unless I may see the ranking (the committee and the secretary; "
                   "everyone with a post once the results are approved).")
HIDDEN_GRADE = _("Null unless I may see the ranking, or the sheet is published and I may see "
                 "its scores.")


def _points(**options) -> serializers.DecimalField:
    return serializers.DecimalField(**POINTS, **options)


# -- schemes ---------------------------------------------------------------------------------

class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["id", "number", "group", "name", "max_points", "rule", "kind", "measure",
                  "params", "special", "shared_with_units"]


class SchemeSerializer(serializers.ModelSerializer):
    class Meta:
        model = AssessmentScheme
        fields = ["id", "year", "group", "version", "title", "status", "based_on", "reason",
                  "weight_self", "weight_leader", "weight_automatic", "excellent_min",
                  "good_min", "fair_min", "good_zero_criteria", "excellent_quota",
                  "quota_rounding", "unit_share", "created_at"]


class SchemeDetailSerializer(SchemeSerializer):
    criteria = CriterionSerializer(many=True)

    class Meta(SchemeSerializer.Meta):
        fields = [*SchemeSerializer.Meta.fields, "criteria"]


class SchemeFilterSerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    group = serializers.ChoiceField(required=False, choices=SubjectGroup.choices)


# -- assessments -----------------------------------------------------------------------------

class AssessmentSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display",
                                         help_text=_("The status in the reader's language."))
    leaders_scheme = serializers.IntegerField(source="leaders_scheme_id",
                                              help_text=_("The leadership members' scheme."))
    units_scheme = serializers.IntegerField(source="units_scheme_id",
                                            help_text=_("The units' scheme."))
    circular = serializers.IntegerField(source="circular_id", allow_null=True,
                                        help_text=_("The circular of the results, once "
                                                    "issued."))

    class Meta:
        model = Assessment
        fields = ["id", "year", "title", "status", "status_label", "cut_off", "step_days",
                  "phase_started", "phase_due", "computed_at", "opened_at", "published_at",
                  "approved_at", "leaders_scheme", "units_scheme", "circular"]


class WaitingSerializer(serializers.Serializer):
    person = PersonSerializer()
    sheets = serializers.IntegerField(help_text=_("Sheets (or answers) still waiting on them."))


class AssessmentDetailSerializer(AssessmentSerializer):
    waiting_on = WaitingSerializer(
        many=True, allow_null=True,
        help_text=_("Whom the step in progress waits on (the committee and the secretary; "
                    "null for others)."))

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "waiting_on"]


class AssessmentCreateSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    cut_off = serializers.DateField(required=False, help_text=_(
        "Records are counted up to this day of the year (31 December unless given)."))
    step_days = serializers.IntegerField(required=False, min_value=1, max_value=30,
                                         help_text=_("Working days each step is given (5 "
                                                     "unless given)."))
    title = Text(required=False, allow_blank=True, max_length=200)


class AssessmentCircularSerializer(serializers.Serializer):
    title = Text(required=False, allow_blank=True, max_length=200,
                 help_text=_("The circular's title (the results of the year's assessment "
                             "unless given)."))


# -- sheets ----------------------------------------------------------------------------------

class SheetSerializer(serializers.ModelSerializer):
    """A subject's sheet: a unit's (``subject`` null) or a leadership member's."""

    unit = UnitRefSerializer()
    subject = PersonSerializer(allow_null=True, help_text=_("The leadership member; null for "
                                                            "a unit."))
    name = serializers.CharField(source="subject_name")
    shows_leader = serializers.BooleanField(
        help_text=_("Whether I see the leader's and the committee's scores and the total."))
    total = _points(allow_null=True, help_text=HIDDEN_LEADER)
    zero_criteria = serializers.IntegerField(allow_null=True, help_text=HIDDEN_LEADER)
    vetoed = serializers.BooleanField(allow_null=True, help_text=HIDDEN_LEADER)
    barred = serializers.BooleanField(allow_null=True, help_text=HIDDEN_LEADER)
    rank = serializers.IntegerField(allow_null=True, help_text=HIDDEN_RANKING)
    grade = serializers.ChoiceField(choices=Grade.choices, allow_blank=True, allow_null=True,
                                    help_text=HIDDEN_GRADE)

    LEADER = ("total", "zero_criteria", "vetoed", "barred")

    class Meta:
        model = AssessmentSheet
        fields = ["id", "assessment", "group", "unit", "subject", "name", "self_at",
                  "leader_at", "acknowledged_at", "shows_leader", "total", "zero_criteria",
                  "vetoed", "barred", "rank", "grade"]

    def to_representation(self, sheet):
        data = super().to_representation(sheet)
        if not sheet.shows_leader:
            data.update(dict.fromkeys(self.LEADER))
        if not sheet.shows_ranking:
            data["rank"] = None
        if not sheet.shows_grade:
            data["grade"] = None
        return data


class SheetFilterSerializer(serializers.Serializer):
    group = serializers.ChoiceField(required=False, choices=SubjectGroup.choices,
                                    help_text=_("Only the units' or the leadership members' "
                                                "sheets."))


class CriterionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["number", "group", "name", "max_points", "kind"]


class ExplanationSerializer(serializers.Serializer):
    text = serializers.CharField(help_text=_("What was found, in the reader's language."))
    points = _points(help_text=_("What it cost (negative)."))
    link_kind = serializers.CharField(
        help_text=_("What caused it: report, problem, annual_report, duty_record, duty_item, "
                    "sheet; empty when nothing."))
    link_id = serializers.IntegerField(allow_null=True, help_text=_("Its id."))
    url = serializers.CharField(help_text=_("Its page; empty when it has none."))


class ScoreChangeSerializer(serializers.ModelSerializer):
    by = PersonSerializer()

    class Meta:
        model = ScoreChange
        fields = ["stage", "before", "after", "reason", "by", "at"]


class AppealSerializer(serializers.ModelSerializer):
    by = PersonSerializer()
    answered_by = PersonSerializer(allow_null=True)

    class Meta:
        model = Appeal
        fields = ["id", "status", "text", "by", "at", "answer", "answered_by", "answered_at"]


class LineSerializer(serializers.Serializer):
    """One criterion's line, as the reader may see it (records.assessment_selectors)."""

    id = serializers.IntegerField(source="line.pk")
    criterion = CriterionRefSerializer()
    computed = _points(source="line.automatic", allow_null=True,
                       help_text=_("Computed from the records (automatic criteria)."))
    self_score = _points(source="line.self_score", allow_null=True)
    self_reason = serializers.CharField(source="line.self_reason")
    leader_score = _points(source="line.leader_score", allow_null=True, help_text=HIDDEN_LEADER)
    leader_reason = serializers.CharField(source="line.leader_reason", allow_null=True,
                                          help_text=HIDDEN_LEADER)
    adjusted = _points(source="line.adjusted", allow_null=True, help_text=format_lazy(
        "{} {}", _("The committee's score (its review, or an upheld appeal)."), HIDDEN_LEADER))
    adjust_reason = serializers.CharField(source="line.adjust_reason", allow_null=True,
                                          help_text=HIDDEN_LEADER)
    final = _points(source="line.final", allow_null=True,
                    help_text=format_lazy("{} {}", _("The line's score."), HIDDEN_LEADER))
    floored = serializers.BooleanField(
        help_text=_("Its explanations cost more than its maximum: it stops at 0."))
    explanations = serializers.SerializerMethodField()
    changes = ScoreChangeSerializer(many=True, help_text=_(
        "Every change with its reason, in order (only the self-scores until I may see the "
        "others)."))
    appeals = AppealSerializer(many=True)

    LEADER = ("leader_score", "leader_reason", "adjusted", "adjust_reason", "final")

    @extend_schema_field(ExplanationSerializer(many=True))
    def get_explanations(self, shown):
        return ExplanationSerializer([
            {"text": text, "points": explanation.points, "link_kind": explanation.target_kind,
             "link_id": explanation.target_id, "url": url}
            for explanation, text, url in shown.explanations], many=True).data

    def to_representation(self, shown):
        data = super().to_representation(shown)
        if not shown.shows_leader:
            data.update(dict.fromkeys(self.LEADER))
        return data


class SpecialSerializer(serializers.ModelSerializer):
    """A bonus, deduction, veto or bar with its evidence's name and checksum (not its
    content)."""

    criterion = serializers.IntegerField(source="criterion.number",
                                         help_text=_("The special criterion's number."))
    criterion_name = serializers.CharField(source="criterion.name")
    special = serializers.ChoiceField(source="criterion.special",
                                      choices=Criterion.Special.choices)
    uploaded_by = PersonSerializer()

    class Meta:
        model = SpecialEntry
        fields = ["id", "criterion", "criterion_name", "special", "points", "reason", "name",
                  "size", "content_type", "sha256", "uploaded_by", "uploaded_at"]


class SheetDetailSerializer(SheetSerializer):
    """A subject's sheet, whole: its lines as the reader may see them, the special entries,
    and what the reader may do with it now."""

    assessment = AssessmentSerializer()
    grade_set = serializers.ChoiceField(
        choices=Grade.choices, allow_blank=True, allow_null=True,
        help_text=format_lazy("{} {}", _("The committee's grade instead of the computed one."),
                              HIDDEN_LEADER))
    grade_reason = serializers.CharField(allow_null=True, help_text=HIDDEN_LEADER)
    lines = LineSerializer(many=True, source="lines_shown")
    specials = SpecialSerializer(many=True, source="specials_shown", help_text=_(
        "Empty until I may see the committee's scores."))
    can_score = serializers.BooleanField(help_text=_(
        "I score its lines now: its subject while self-scoring, its scorer while the leaders "
        "score."))
    can_review = serializers.BooleanField(help_text=_(
        "I adjust its lines, set its grade and add special entries now (the committee, in "
        "review)."))
    can_appeal = serializers.BooleanField(help_text=_(
        "I appeal its lines or accept it now (its subject, once published)."))
    can_answer = serializers.BooleanField(help_text=_(
        "I answer its appeals now (the committee, once published)."))

    LEADER = (*SheetSerializer.LEADER, "grade_set", "grade_reason")

    class Meta(SheetSerializer.Meta):
        fields = [*SheetSerializer.Meta.fields, "grade_set", "grade_reason", "lines",
                  "specials", "can_score", "can_review", "can_appeal", "can_answer"]


# -- what people send ------------------------------------------------------------------------

class LineScoreSerializer(serializers.Serializer):
    score = _points(help_text=_("Within 0 and the criterion's maximum."))
    reason = Text(required=False, allow_blank=True, max_length=2000,
                  help_text=_("Required for any point taken away."))


class LineAdjustSerializer(serializers.Serializer):
    score = _points(help_text=_("Within 0 and the criterion's maximum."))
    reason = Text(required=False, allow_blank=True, max_length=2000,
                  help_text=_("Required: why the committee changes the line."))


class GradeSetSerializer(serializers.Serializer):
    grade = serializers.ChoiceField(choices=Grade.choices, allow_blank=True, help_text=_(
        "Empty: back to the computed grade. Excellent only within the quota, never despite "
        "a veto, a bar or a criterion at 0."))
    reason = Text(required=False, allow_blank=True, max_length=2000,
                  help_text=_("Required: why."))


class AppealLodgeSerializer(serializers.Serializer):
    text = Text(required=False, allow_blank=True, max_length=4000,
                help_text=_("Required: why the line should change."))


class AppealAnswerSerializer(serializers.Serializer):
    upheld = serializers.BooleanField(help_text=_("Upheld: the line changes to ``score``."))
    answer = Text(required=False, allow_blank=True, max_length=4000,
                  help_text=_("Required: the decision and why."))
    score = _points(required=False, allow_null=True,
                    help_text=_("The line's new score, when upheld."))


class SpecialAddSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(min_value=1, max_value=1000, help_text=_(
        "The number of a special criterion of the sheet's scheme."))
    points = _points(required=False, help_text=_("A bonus's or a deduction's points (none "
                                                  "for a veto or a bar)."))
    reason = Text(required=False, allow_blank=True, max_length=2000,
                  help_text=_("Required: what the entry is for."))
    file = serializers.FileField(help_text=_("The evidence: PDF, Word, Excel or images."))
