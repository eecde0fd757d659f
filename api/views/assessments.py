"""The year-end assessment (考核): the year's assessment moved through its phases by the
committee, the score sheets each reader may open (with what they may see of them), scoring,
the committee's review, appeals and their answers, the schemes.

Every change goes through records.services.assessments, which checks the actor's post today
and says why it refuses (a 400 or 403 with the message); a sheet, line or appeal the reader
may not open is a 404 that names no one."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import chain
from api.serializers import assessments as s
from records.assessment_selectors import (
    sheet_view,
    sheets_to_score,
    visible_assessments,
    visible_sheets,
)
from records.models import (
    Appeal,
    Assessment,
    AssessmentScheme,
    AssessmentSheet,
    Criterion,
    ScoreLine,
)
from records.models.assessments import SubjectGroup
from records.services import assessments as rules

from .common import NoFilters, errors, valid_filters

Status = Assessment.Status


# -- reading ---------------------------------------------------------------------------------

def _assessment_or_404(user, pk) -> Assessment:
    found = visible_assessments(user).filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such assessment."))
    return found


def _assessment_detail(user, assessment: Assessment) -> dict:
    assessment.waiting_on = [
        {"person": person, "sheets": left}
        for person, left in rules.waiting_on(assessment).values()] \
        if rules.sees_all(user) else None
    return s.AssessmentDetailSerializer(assessment).data


def _sheet_or_404(user, pk) -> AssessmentSheet:
    sheet = AssessmentSheet.objects.select_related("assessment", "unit", "subject").filter(
        pk=pk).first()
    if sheet is None or not rules.can_view_sheet(user, sheet):
        raise Http404(_("No such score sheet."))
    return sheet


def _line_or_404(sheet: AssessmentSheet, line_pk) -> ScoreLine:
    line = ScoreLine.objects.filter(pk=line_pk, sheet=sheet).first()
    if line is None:
        raise Http404(_("This score sheet has no such line."))
    return line


def _shown(sheet: AssessmentSheet, *, leader: bool, ranking: bool) -> AssessmentSheet:
    """What of ``sheet`` its reader sees: the leader's and the committee's scores, the
    ranking, the grade (once published, with the scores)."""
    sheet.shows_leader, sheet.shows_ranking = leader, ranking
    sheet.shows_grade = ranking or (sheet.assessment.is_published and leader)
    return sheet


def _sheet_detail(user, pk) -> dict:
    sheet = _sheet_or_404(user, pk)
    view = sheet_view(sheet, user)
    assessment = sheet.assessment
    _shown(sheet, leader=view.shows_leader, ranking=rules.shows_ranking(user, assessment))
    sheet.lines_shown, sheet.specials_shown = view.lines, view.specials
    phase = assessment.status
    committee = rules.is_committee(user)
    subject = rules.is_subject(user, sheet)
    sheet.can_score = (phase == Status.SELF_SCORING and subject) or (
        phase == Status.LEADER_SCORING and rules.is_scorer(user, sheet))
    sheet.can_review = committee and phase == Status.REVIEW
    sheet.can_appeal = subject and phase == Status.PUBLISHED
    sheet.can_answer = committee and phase == Status.PUBLISHED
    return s.SheetDetailSerializer(sheet).data


class AssessmentListView(generics.GenericAPIView):
    serializer_class = s.AssessmentSerializer

    @extend_schema(responses={200: s.AssessmentSerializer(many=True),
                              **errors(400, 401, 403, 404)},
                   summary="The year-end assessments, newest year first (everyone with a "
                           "post; what they see of each is per sheet).")
    def get(self, request):
        valid_filters(NoFilters, request)
        page = self.paginate_queryset(visible_assessments(request.user).order_by("-year"))
        return self.get_paginated_response(s.AssessmentSerializer(page, many=True).data)

    @extend_schema(request=s.AssessmentCreateSerializer,
                   responses={201: s.AssessmentDetailSerializer, **errors(400, 401, 403)},
                   summary="Start preparing a year's assessment: its schemes chosen (last "
                           "year's copied when the year has none), a sheet for each subject, "
                           "the scores computed (the discipline committee).")
    def post(self, request):
        if not rules.is_committee(request.user):
            raise PermissionDenied(_("Only the discipline committee does this."))
        data = s.AssessmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        made = rules.assessment_create(by=request.user, **data.validated_data)
        return Response(_assessment_detail(request.user, _assessment_or_404(
            request.user, made.pk)), status=status.HTTP_201_CREATED)


class AssessmentDetailView(APIView):
    @extend_schema(responses={200: s.AssessmentDetailSerializer, **errors(401, 403, 404)},
                   summary="One assessment; whom its step waits on for the committee and "
                           "the secretary.")
    def get(self, request, pk):
        return Response(_assessment_detail(request.user, _assessment_or_404(request.user, pk)))


class _PhaseView(APIView):
    """An action of the whole assessment, by the service that does it."""

    def act(self, request, pk, service, **values):
        assessment = _assessment_or_404(request.user, pk)
        service(assessment=assessment, by=request.user, **values)
        return Response(_assessment_detail(request.user, _assessment_or_404(request.user, pk)))


class AssessmentRecomputeView(_PhaseView):
    @extend_schema(request=None,
                   responses={200: s.AssessmentDetailSerializer, **errors(400, 401, 403, 404)},
                   summary="Compute the automatic scores again from the records up to the "
                           "cut-off date, while preparing (the committee).")
    def post(self, request, pk):
        return self.act(request, pk, rules.assessment_recompute)


class AssessmentOpenView(_PhaseView):
    @extend_schema(request=None,
                   responses={200: s.AssessmentDetailSerializer, **errors(400, 401, 403, 404)},
                   summary="Open the assessment: the schemes and the computed scores freeze, "
                           "self-scoring begins (the committee).")
    def post(self, request, pk):
        return self.act(request, pk, rules.assessment_open)


class AssessmentAdvanceView(_PhaseView):
    @extend_schema(request=None,
                   responses={200: s.AssessmentDetailSerializer, **errors(400, 401, 403, 404)},
                   summary="Move to the next step: the leaders' scoring, the committee's "
                           "review, publication (the committee).")
    def post(self, request, pk):
        return self.act(request, pk, rules.assessment_advance)


class AssessmentApproveView(_PhaseView):
    @extend_schema(request=None,
                   responses={200: s.AssessmentDetailSerializer, **errors(400, 401, 403, 404)},
                   summary="Approve the published results once every appeal is answered (the "
                           "party secretary).")
    def post(self, request, pk):
        return self.act(request, pk, rules.assessment_approve)


class AssessmentCircularView(_PhaseView):
    @extend_schema(request=s.AssessmentCircularSerializer,
                   responses={200: s.AssessmentDetailSerializer, **errors(400, 401, 403, 404)},
                   summary="Issue the circular (通报) of the approved results: grades, not "
                           "deductions (the committee).")
    def post(self, request, pk):
        data = s.AssessmentCircularSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.act(request, pk, rules.assessment_circular,
                        title=data.validated_data.get("title", ""))


class AssessmentSheetsView(generics.GenericAPIView):
    serializer_class = s.SheetSerializer

    @extend_schema(parameters=[s.SheetFilterSerializer],
                   responses={200: s.SheetSerializer(many=True), **errors(400, 401, 403, 404)},
                   summary="The assessment's sheets I may open (the committee and the "
                           "secretary: all, by rank; a subject: their own; a scorer: those "
                           "they score, from the leaders' step), each with what I may see of "
                           "it.")
    def get(self, request, pk):
        filters = valid_filters(s.SheetFilterSerializer, request)
        user = request.user
        assessment = _assessment_or_404(user, pk)
        ranking = rules.shows_ranking(user, assessment)
        rows = visible_sheets(user, assessment)
        if filters.get("group"):
            rows = rows.filter(group=filters["group"])
        # the order says nothing of the ranking to whoever may not see it
        order = ("rank", "pk") if ranking else ("unit__order", "unit__code", "subject_id")
        page = self.paginate_queryset(rows.order_by("group", *order))
        # rules.shows_leader_score for each row, decided once: it holds for every sheet once
        # published or for the committee and the secretary; else for the sheets one scores
        if assessment.is_published or rules.sees_all(user):
            scored = None
        else:
            scored = set(sheets_to_score(user, assessment).filter(
                pk__in=[sheet.pk for sheet in page]).values_list("pk", flat=True)) \
                if page else set()
        for sheet in page:
            _shown(sheet, leader=scored is None or sheet.pk in scored, ranking=ranking)
        return self.get_paginated_response(s.SheetSerializer(page, many=True).data)


class SheetDetailView(APIView):
    @extend_schema(responses={200: s.SheetDetailSerializer, **errors(401, 403, 404)},
                   summary="One score sheet: every line with its explanations (each linked to "
                           "what caused it), its changes and appeals; the special entries; "
                           "the leader's and the committee's scores only where I may see "
                           "them.")
    def get(self, request, pk):
        return Response(_sheet_detail(request.user, pk))


# -- scoring, review, appeals ----------------------------------------------------------------

class LineScoreView(APIView):
    @extend_schema(request=s.LineScoreSerializer,
                   responses={200: s.SheetDetailSerializer, **errors(400, 401, 403, 404)},
                   summary="Score a line: its subject while self-scoring, its scorer while the "
                           "leaders score (never oneself nor one's own unit); a reason for any "
                           "point taken away.")
    def post(self, request, pk, line_pk):
        line = _line_or_404(_sheet_or_404(request.user, pk), line_pk)
        data = s.LineScoreSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rules.line_score(line=line, by=request.user, score=data.validated_data["score"],
                         reason=data.validated_data.get("reason", ""))
        return Response(_sheet_detail(request.user, pk))


class SheetSubmitView(APIView):
    @extend_schema(request=None,
                   responses={200: s.SheetDetailSerializer, **errors(400, 401, 403, 404)},
                   summary="Say the self-scoring (its subject) or the scoring (its scorer) of "
                           "the sheet is finished.")
    def post(self, request, pk):
        rules.sheet_submit(sheet=_sheet_or_404(request.user, pk), by=request.user)
        return Response(_sheet_detail(request.user, pk))


class LineAdjustView(APIView):
    @extend_schema(request=s.LineAdjustSerializer,
                   responses={200: s.SheetDetailSerializer, **errors(400, 401, 403, 404)},
                   summary="Change a line in the committee's review, with the reason.")
    def post(self, request, pk, line_pk):
        line = _line_or_404(_sheet_or_404(request.user, pk), line_pk)
        data = s.LineAdjustSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rules.line_adjust(line=line, by=request.user, score=data.validated_data["score"],
                          reason=data.validated_data.get("reason", ""))
        return Response(_sheet_detail(request.user, pk))


class SheetGradeView(APIView):
    @extend_schema(request=s.GradeSetSerializer,
                   responses={200: s.SheetDetailSerializer, **errors(400, 401, 403, 404)},
                   summary="Set the sheet's grade in the committee's review, with the reason "
                           "(excellent within the quota only).")
    def post(self, request, pk):
        sheet = _sheet_or_404(request.user, pk)
        data = s.GradeSetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rules.grade_set(sheet=sheet, by=request.user, grade=data.validated_data["grade"],
                        reason=data.validated_data.get("reason", ""))
        return Response(_sheet_detail(request.user, pk))


class SheetSpecialsView(APIView):
    @extend_schema(request={"multipart/form-data": s.SpecialAddSerializer},
                   responses={201: s.SheetDetailSerializer, **errors(400, 401, 403, 404)},
                   summary="Add a bonus, deduction, veto or bar to the sheet with its evidence "
                           "(the committee, in review).")
    def post(self, request, pk):
        sheet = _sheet_or_404(request.user, pk)
        if not rules.is_committee(request.user):
            raise PermissionDenied(_("Only the discipline committee does this."))
        data = s.SpecialAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        scheme = (sheet.assessment.leaders_scheme_id if sheet.group == SubjectGroup.LEADERS
                  else sheet.assessment.units_scheme_id)
        criterion = Criterion.objects.filter(scheme_id=scheme, number=values["criterion"]).first()
        if criterion is None:
            raise ValidationError({"criterion": [
                _("The sheet's scheme has no criterion %(number)s.")
                % {"number": values["criterion"]}]})
        rules.special_add(sheet=sheet, criterion=criterion, by=request.user,
                          score=values.get("points", 0), reason=values.get("reason", ""),
                          upload=values["file"])
        return Response(_sheet_detail(request.user, pk), status=status.HTTP_201_CREATED)


class LineAppealView(APIView):
    @extend_schema(request=s.AppealLodgeSerializer,
                   responses={201: s.SheetDetailSerializer, **errors(400, 401, 403, 404)},
                   summary="Appeal one line of my published sheet, saying why it should "
                           "change (its subject, within the step's deadline).")
    def post(self, request, pk, line_pk):
        line = _line_or_404(_sheet_or_404(request.user, pk), line_pk)
        data = s.AppealLodgeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rules.appeal_lodge(line=line, by=request.user, text=data.validated_data.get("text", ""))
        return Response(_sheet_detail(request.user, pk), status=status.HTTP_201_CREATED)


class AppealAnswerView(APIView):
    @extend_schema(request=s.AppealAnswerSerializer,
                   responses={200: s.SheetDetailSerializer, **errors(400, 401, 403, 404)},
                   summary="Answer an appeal: upheld, with the line's new score, or not, "
                           "saying why (the committee).")
    def post(self, request, pk, appeal_pk):
        sheet = _sheet_or_404(request.user, pk)
        appeal = Appeal.objects.filter(pk=appeal_pk, sheet=sheet).first()
        if appeal is None:
            raise Http404(_("This score sheet has no such appeal."))
        data = s.AppealAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        rules.appeal_answer(appeal=appeal, by=request.user, upheld=values["upheld"],
                            answer=values.get("answer", ""), score=values.get("score"))
        return Response(_sheet_detail(request.user, pk))


class SheetAcknowledgeView(APIView):
    @extend_schema(request=None,
                   responses={200: s.SheetDetailSerializer, **errors(400, 401, 403, 404)},
                   summary="Say I have read my published sheet and accept it (its subject).")
    def post(self, request, pk):
        rules.sheet_acknowledge(sheet=_sheet_or_404(request.user, pk), by=request.user)
        return Response(_sheet_detail(request.user, pk))


# -- schemes ---------------------------------------------------------------------------------

def _schemes(user):
    """The schemes, to everyone with a post (the committee and the secretary too)."""
    if not user.is_authenticated or not (rules.sees_all(user) or chain.roles_of(user)):
        return AssessmentScheme.objects.none()
    return AssessmentScheme.objects.all()


class SchemeListView(generics.GenericAPIView):
    serializer_class = s.SchemeSerializer

    @extend_schema(parameters=[s.SchemeFilterSerializer],
                   responses={200: s.SchemeSerializer(many=True), **errors(400, 401, 403, 404)},
                   summary="The assessment schemes, newest year first (everyone with a post).")
    def get(self, request):
        filters = valid_filters(s.SchemeFilterSerializer, request)
        rows = _schemes(request.user).filter(**filters).order_by("-year", "group", "-version")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.SchemeSerializer(page, many=True).data)


class SchemeDetailView(APIView):
    @extend_schema(responses={200: s.SchemeDetailSerializer, **errors(401, 403, 404)},
                   summary="One scheme with its criteria.")
    def get(self, request, pk):
        scheme = _schemes(request.user).filter(pk=pk).prefetch_related(
            Prefetch("criteria", queryset=Criterion.objects.order_by("number"))).first()
        if scheme is None:
            raise Http404(_("No such assessment scheme."))
        return Response(s.SchemeDetailSerializer(scheme).data)
