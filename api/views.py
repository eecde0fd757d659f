"""API v1 views: thin, over the services, selectors and permission rules the pages use."""

from __future__ import annotations

import datetime

from axes.helpers import get_cool_off
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, prefetch_related_objects
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts import chain
from accounts.access import sign_in_refusal
from accounts.models import Post
from api import serializers as s
from api import typed
from api.errors import body
from flows import actions as task_actions
from flows import approvals, extensions, steps
from flows.bulk import bulk_sign_off, can_bulk_sign_off
from flows.extensions import pending_extension_or_404, visible_problem_or_404
from flows.path import path_ahead
from flows.selectors import history, open_task_of, record_of_task
from records import kinds, ledger, permissions, selectors, versions
from records.audit import audit
from records.documents import circulars as circular_docx
from records.documents.sheet_pdf import SheetUnavailable
from records.forms import ReviewForm, bureau_people
from records.models import (
    Circular,
    Evidence,
    ExtensionRequest,
    Notification,
    Opinion,
    Problem,
    ProgressNote,
    QuarterlyReport,
    Urge,
)
from records.services import circulars, problems, sheets
from records.services import urges as urging

ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description="Invalid input."),
    401: OpenApiResponse(s.ErrorSerializer, description="Not authenticated."),
    403: OpenApiResponse(s.ErrorSerializer, description="Not allowed."),
    404: OpenApiResponse(s.ErrorSerializer, description="Not found (or not yours to see)."),
}
CONFLICT = {409: OpenApiResponse(s.ErrorSerializer,
                                 description="Already handled, or someone else is acting on it.")}


def errors(*codes):
    return {code: ERRORS[code] if code in ERRORS else CONFLICT[code] for code in codes}


def _valid_filters(serializer_class, request) -> dict:
    filters = serializer_class(data=request.query_params)
    filters.is_valid(raise_exception=True)
    return filters.validated_data


class NotFoundView(APIView):
    """Any other path under /api/v1/: a JSON 404, not the site's page."""

    schema = None
    permission_classes = [AllowAny]

    def handle(self, request, *args, **kwargs):
        raise Http404(_("No such API path."))

    get = post = put = patch = delete = handle


# -- authentication --------------------------------------------------------------------------

class TokenView(APIView):
    """A program's token: obtained with a username and password, revoked by its holder."""

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "DELETE" else [AllowAny()]

    @extend_schema(
        operation_id="auth_token_obtain", request=s.TokenRequestSerializer, auth=[],
        responses={200: s.TokenSerializer, **errors(400, 403),
                   429: OpenApiResponse(s.ErrorSerializer,
                                        description="Locked out after repeated failures.")},
        summary="Obtain a token with a username and password (audited; locked after "
                "repeated failures).")
    def post(self, request):
        data = s.TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        django_request = request._request
        # through django.contrib.auth, so that django-axes counts failures and locks out
        user = authenticate(request=django_request, username=data.validated_data["username"],
                            password=data.validated_data["password"])
        if getattr(django_request, "axes_locked_out", False):
            # answered here as JSON: the page's lockout template is not for programs
            django_request.axes_locked_out = False
            now = timezone.now()
            wait = timesince(now - (get_cool_off(django_request) or datetime.timedelta()), now)
            return Response(body(_(
                "Too many failed logins for this account from this address. Wait "
                "%(cooloff_time)s and try again, or ask the administrator to unlock it.")
                % {"cooloff_time": wait}), status=status.HTTP_429_TOO_MANY_REQUESTS)
        if user is None or not user.is_active:
            return Response(body(_("Wrong username or password.")),
                            status=status.HTTP_400_BAD_REQUEST)
        refusal = sign_in_refusal(user)
        if refusal:
            return Response(body(refusal), status=status.HTTP_403_FORBIDDEN)
        token, _created = Token.objects.get_or_create(user=user)
        audit(actor=user, action="account.token", target=user)
        return Response({"token": token.key})

    @extend_schema(operation_id="auth_token_revoke", request=None,
                   responses={204: None, **errors(401, 403)},
                   summary="Revoke my token (audited).")
    def delete(self, request):
        deleted, _rows = Token.objects.filter(user=request.user).delete()
        audit(actor=request.user, action="account.token_revoke", target=request.user,
              revoked=bool(deleted))
        return Response(status=status.HTTP_204_NO_CONTENT)


# -- me --------------------------------------------------------------------------------------

class MeView(APIView):
    @extend_schema(responses={200: s.MeSerializer, **errors(401, 403)},
                   summary="Who I am: my posts, my units and the units I oversee.")
    def get(self, request):
        user = request.user
        posts = (Post.objects.on(timezone.localdate()).filter(user=user)
                 .select_related("unit").order_by("unit__order", "role"))
        return Response(s.MeSerializer({
            "username": user.username, "name": user.name, "posts": posts,
            "units": [u.code for u in chain.units_of(user, (Post.Role.HEAD, Post.Role.LIAISON))],
            "oversees": [u.code for u in chain.units_overseen_by(user)],
            "sees_everything": permissions.sees_everything(user),
            "can_register_problems": permissions.can_register_problems(user),
        }).data)


# -- tasks -----------------------------------------------------------------------------------

def _light(record, lights: ledger.Lights) -> tuple:
    due, is_open = record.step_due, record.is_open
    if not is_open:
        return due, ledger.GREY
    if due is None or due > lights.threshold:
        return due, ledger.GREEN
    return due, ledger.RED if due < lights.today else ledger.YELLOW


def task_row(task: Task, lights: ledger.Lights) -> dict:
    record = record_of_task(task)
    deadline, light = _light(record, lights)
    app_name, step = task_actions.flow_key(task)
    return {
        "id": task.pk, "process": task.process_id, "flow": app_name, "step": step,
        "title": str(task.flow_task.task_title), "item": s.item_of(record), "unit": record.unit,
        "deadline": deadline, "light": light, "created": task.created,
        "deadline_provisional": record.step_due_is_provisional,
        "actions": task_actions.open_actions(task),
    }


class TaskListView(generics.GenericAPIView):
    serializer_class = s.TaskSerializer

    def get_queryset(self):
        return (Task.objects.filter(owner=self.request.user, status=STATUS.ASSIGNED,
                                    flow_task_type="HUMAN")
                .select_related("process", *kinds.process_relations())
                .order_by("-created", "-pk"))

    @extend_schema(responses={200: s.TaskSerializer(many=True), **errors(401, 403, 404)},
                   summary="My open tasks (the inbox), with the actions I may take now.")
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        lights = ledger.Lights.now()
        rows = [task_row(task, lights) for task in page if record_of_task(task) is not None]
        return self.get_paginated_response(s.TaskSerializer(rows, many=True).data)


ACTION_DESCRIPTION = "\n".join(
    f"- `{steps.key(node)}`: " + ", ".join(
        f"`{name}`" + (" (finishes the task)" if action.completes else "")
        for name, action in steps.actions(node).items())
    for node in steps.every_step())


class TaskActionView(APIView):
    @extend_schema(
        operation_id="tasks_action",
        parameters=[OpenApiParameter("action", str, OpenApiParameter.PATH,
                                     enum=steps.action_names(),
                                     description="An action of the task's step.")],
        request={"application/json": s.TaskActionRequestSerializer,
                 "multipart/form-data": s.TaskActionRequestSerializer},
        responses={200: s.TaskActionResultSerializer, **errors(400, 401, 403, 404, 409)},
        summary="Take an action on one of my tasks, validated as on its page.",
        description="Actions by step:\n" + ACTION_DESCRIPTION)
    def post(self, request, pk, action):
        task, record, _result = task_actions.take(
            task_pk=pk, name=action, user=request.user, data=request.data,
            files=request.FILES, request=request._request,
            check=lambda step_action: typed.check_types(step_action.form, request.data))
        completed = task_actions.actions_of(task)[action].completes
        return Response(s.TaskActionResultSerializer({
            "task": task.pk, "action": action, "completed": completed,
            "item": s.item_of(record)}).data)


def _candidates(people) -> list[dict]:
    """Each person with their post today, in two queries whatever their number."""
    posts = {}
    for post in (Post.objects.on(timezone.localdate()).filter(user__in=people)
                 .select_related("unit").order_by("valid_from", "pk")):
        posts.setdefault(post.user_id, f"{post.get_role_display()} · {post.unit.name}")
    return [{"id": person.pk, "username": person.username, "name": str(person),
             "post": posts.get(person.pk, "")} for person in people]


class TaskCandidatesView(APIView):
    @extend_schema(responses={200: s.TaskCandidatesSerializer, **errors(401, 403, 404)},
                   summary="Whom I may hand one of my tasks to (转办), and copy its decision "
                           "to (抄送).")
    def get(self, request, pk):
        task = task_actions.owned_task(pk, request.user)
        record = task.flow_task.flow_class.instance.record_of(task.process)
        actions = task_actions.actions_of(task)
        transfer = approvals.transfer_candidates(task, record) if "transfer" in actions else []
        copies = (bureau_people(record.unit)
                  if any(action.form is ReviewForm for action in actions.values()) else [])
        return Response(s.TaskCandidatesSerializer({
            "transfer": _candidates(transfer), "copy_to": _candidates(copies)}).data)


class BulkSignOffView(APIView):
    @extend_schema(
        operation_id="tasks_bulk_sign_off", request=s.BulkSignOffRequestSerializer,
        responses={200: s.BulkSignOffResultSerializer(many=True), **errors(400, 401, 403)},
        summary="Sign off several quarterly reports at once (one result per task).",
        description="Each task is signed off on its own, as `POST /tasks/{id}/sign_off/` "
                    "would: one that fails (not yours, already handled, busy) does not stop "
                    "the others. A task's own opinion in `opinions` overrides `opinion`.")
    def post(self, request):
        if not can_bulk_sign_off(request.user):
            raise PermissionDenied(_("Only leaders sign off quarterly reports."))
        data = s.BulkSignOffRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        results = bulk_sign_off(user=request.user, task_ids=values["tasks"],
                                opinion=values.get("opinion", ""),
                                opinions=values.get("opinions", {}), request=request._request)
        rows = [{"task": r.task, "ok": r.ok, "error": r.error,
                 "item": s.item_of(r.report) if r.report is not None else None}
                for r in results]
        return Response(s.BulkSignOffResultSerializer(rows, many=True).data)


def _urge(request, record):
    data = s.UrgeRequestSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    urged = urging.urge(record=record, by=request.user,
                        message=data.validated_data.get("message", ""))
    urged = Urge.objects.select_related("urged_by", "assignee", "on_behalf_of", "task").get(
        pk=urged.pk)
    return Response(s.UrgeSerializer(urged).data, status=status.HTTP_201_CREATED)


URGE_SCHEMA = dict(
    request=s.UrgeRequestSerializer,
    responses={201: s.UrgeSerializer, **errors(400, 401, 403, 404)},
    description="Allowed for the item's submitter (when it waits on someone else), the "
                "supervising leader of its unit and the discipline committee; at most once per "
                "item per working day (a day off counts as the next working day). The assignee "
                "(and whom they act for) is notified.")


class ReportUrgeView(APIView):
    @extend_schema(summary="Urge (催办) the current assignee of a report.", **URGE_SCHEMA)
    def post(self, request, pk):
        return _urge(request, visible_report_or_404(request.user, pk))


class ProblemUrgeView(APIView):
    @extend_schema(summary="Urge (催办) the current assignee of a problem.", **URGE_SCHEMA)
    def post(self, request, pk):
        return _urge(request, visible_problem_or_404(request.user, pk))


# -- reports ---------------------------------------------------------------------------------

class ReportListView(generics.GenericAPIView):
    serializer_class = s.ReportSerializer

    @extend_schema(parameters=[s.ReportFilterSerializer],
                   responses={200: s.ReportSerializer(many=True), **errors(400, 401, 403, 404)},
                   summary="Quarterly reports I may see.")
    def get(self, request):
        filters = _valid_filters(s.ReportFilterSerializer, request)
        reports = selectors.report_list(request.user, **filters)
        page = self.paginate_queryset(reports)
        return self.get_paginated_response(s.ReportSerializer(page, many=True).data)


def visible_report_or_404(user, pk) -> QuarterlyReport:
    report = get_object_or_404(QuarterlyReport.objects.select_related("unit"), pk=pk)
    if not permissions.can_view(user, report):
        raise Http404(_("No such report."))
    return report


class ReportDetailView(APIView):
    @extend_schema(responses={200: s.ReportDetailSerializer, **errors(401, 403, 404)},
                   summary="One report with its content, history and opinions.")
    def get(self, request, pk):
        report = visible_report_or_404(request.user, pk)
        report.history = history(report)
        report.path_ahead = path_ahead(report)
        report.urge_list = urging.urges_of(report)
        prefetch_related_objects([report], Prefetch(
            "opinions", queryset=Opinion.objects.select_related("author", "on_behalf_of")))
        return Response(s.ReportDetailSerializer(report).data)


# -- versions --------------------------------------------------------------------------------

def _version_list(record):
    return Response(s.VersionSerializer(versions.versions_of(record), many=True).data)


def _version_detail(record, number):
    if not 1 <= number <= 2**31 - 1:  # beyond the column's range: no such version
        raise Http404(_("No such version."))
    found = {v.number: v for v in versions.versions_of(record).filter(
        number__in=[number - 1, number])}
    version = found.get(number)
    if version is None:
        raise Http404(_("No such version."))
    previous = found.get(number - 1)
    version.previous = previous.number if previous else None
    version.diff = versions.diff(previous, version) if previous else None
    version.opinions = list(record.opinions.filter(version=number)
                            .select_related("author", "on_behalf_of"))
    return Response(s.VersionDetailSerializer(version).data)


class ReportVersionListView(APIView):
    @extend_schema(responses={200: s.VersionSerializer(many=True), **errors(401, 403, 404)},
                   summary="Every submitted version of a report, oldest first.")
    def get(self, request, pk):
        return _version_list(visible_report_or_404(request.user, pk))


class ReportVersionDetailView(APIView):
    @extend_schema(responses={200: s.VersionDetailSerializer, **errors(401, 403, 404)},
                   summary="One version of a report, with what changed since the one before.")
    def get(self, request, pk, number):
        return _version_detail(visible_report_or_404(request.user, pk), number)


class ProblemVersionListView(APIView):
    @extend_schema(responses={200: s.VersionSerializer(many=True), **errors(401, 403, 404)},
                   summary="Every submitted version of a problem's plan, oldest first.")
    def get(self, request, pk):
        return _version_list(visible_problem_or_404(request.user, pk))


class ProblemVersionDetailView(APIView):
    @extend_schema(responses={200: s.VersionDetailSerializer, **errors(401, 403, 404)},
                   summary="One version of a problem's plan, with what changed since the one "
                           "before.")
    def get(self, request, pk, number):
        return _version_detail(visible_problem_or_404(request.user, pk), number)


# -- problems --------------------------------------------------------------------------------

class ProblemListView(generics.GenericAPIView):
    serializer_class = s.ProblemSerializer

    @extend_schema(parameters=[s.ProblemFilterSerializer],
                   responses={200: s.ProblemSerializer(many=True), **errors(400, 401, 403, 404)},
                   summary="The problem ledger: every problem I may see, with its traffic "
                           "light.")
    def get(self, request):
        values = _valid_filters(s.ProblemFilterSerializer, request)
        filters = ledger.LedgerFilters(**{k: v for k, v in values.items()})
        lights = ledger.Lights.now()
        page = self.paginate_queryset(ledger.ledger_rows(request.user, filters, lights))
        rows = [ledger.decorate(problem, lights) for problem in page]
        return self.get_paginated_response(s.ProblemSerializer(rows, many=True).data)

    @extend_schema(request=s.ProblemRegisterSerializer,
                   responses={201: s.ProblemSerializer(many=True), **errors(400, 401, 403)},
                   summary="Register one problem, or a problem list from one check.")
    def post(self, request):
        from flows.registration import register_problems

        if not permissions.can_register_problems(request.user):
            raise PermissionDenied(_("Only the discipline committee and leaders register "
                                     "problems."))
        data = s.ProblemRegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        items = [dict(item) for item in values["items"]]
        created = register_problems(by=request.user, source=values["source"],
                                    found_on=values["found_on"], items=items,
                                    title=values.get("title", "") if len(items) > 1 else "")
        lights = ledger.Lights.now()
        rows = [ledger.decorate(problem, lights) for problem in
                Problem.objects.filter(pk__in=[p.pk for p in created])
                .select_related("unit", "assignee").order_by("pk")]
        return Response(s.ProblemSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)


class ProblemDetailView(APIView):
    @extend_schema(responses={200: s.ProblemDetailSerializer, **errors(401, 403, 404)},
                   summary="One problem with its history, opinions, evidence, progress and "
                           "extension requests.")
    def get(self, request, pk):
        problem = visible_problem_or_404(request.user, pk)
        ledger.decorate(problem, ledger.Lights.now())
        problem.history = history(problem)
        problem.path_ahead = path_ahead(problem)
        problem.urge_list = urging.urges_of(problem)
        prefetch_related_objects(
            [problem],
            Prefetch("opinions", queryset=Opinion.objects.select_related("author",
                                                                         "on_behalf_of")),
            Prefetch("evidence", queryset=Evidence.objects.select_related("uploaded_by")),
            Prefetch("progress_notes",
                     queryset=ProgressNote.objects.select_related("author")),
            Prefetch("extensions", queryset=ExtensionRequest.objects.select_related(
                "requested_by", "decided_by", "unit")))
        return Response(s.ProblemDetailSerializer(problem).data)


class EvidenceUploadView(APIView):
    @extend_schema(request={"multipart/form-data": s.EvidenceUploadSerializer},
                   responses={201: s.EvidenceSerializer, **errors(400, 401, 403, 404, 409)},
                   summary="Upload evidence while the unit rectifies (the owner of the "
                           "rectify task, or of a unit's part of a joint rectification).")
    def post(self, request, pk):
        problem = visible_problem_or_404(request.user, pk)
        task = open_task_of(problem, request.user)
        if task is None or "evidence" not in task_actions.actions_of(task):
            raise PermissionDenied(_("Evidence is uploaded by the unit while it rectifies, "
                                     "from its rectify task (or its part of a joint one)."))
        _task, _record, evidence = task_actions.take(
            task_pk=task.pk, name="evidence", user=request.user, data=request.data,
            files=request.FILES, request=request._request)
        evidence = Evidence.objects.select_related("uploaded_by").get(pk=evidence.pk)
        return Response(s.EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


class EvidenceDownloadView(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY,
                              **errors(401, 403, 404, 409)},
                   summary="Download one evidence file (checked against its SHA-256; "
                           "audited).")
    def get(self, request, pk, evidence_pk):
        problem = visible_problem_or_404(request.user, pk)
        evidence = get_object_or_404(Evidence, pk=evidence_pk, problem=problem)
        try:
            handle = problems.evidence_open(evidence=evidence, by=request.user)
        except problems.EvidenceTampered as error:
            return Response(body(str(error)), status=status.HTTP_409_CONFLICT)
        return FileResponse(handle, as_attachment=True, filename=evidence.name,
                             content_type=evidence.content_type)


class ExtensionDecisionView(APIView):
    @extend_schema(request=s.ExtensionDecisionSerializer,
                   responses={200: s.ExtensionRequestSerializer,
                              **errors(400, 401, 403, 404)},
                   summary="Grant or refuse a pending extension request (whoever decides the "
                           "problem's plan today, recusal applied).")
    def post(self, request, pk):
        problem = visible_problem_or_404(request.user, pk)
        data = s.ExtensionDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pending = pending_extension_or_404(request.user, problem,
                                           data.validated_data.get("extension"))
        decided = extensions.decide(
            extension=pending, by=request.user, grant=data.validated_data["decision"] == "grant",
            opinion=data.validated_data.get("opinion", ""))
        decided = ExtensionRequest.objects.select_related("requested_by", "decided_by").get(
            pk=decided.pk)
        return Response(s.ExtensionRequestSerializer(decided).data)


class WithdrawView(APIView):
    """The submitter takes the item back before the reviewer acts (撤回)."""

    model = QuarterlyReport

    @extend_schema(request=s.WithdrawSerializer,
                   responses={200: s.WithdrawResultSerializer, **errors(400, 401, 403, 404, 409)},
                   summary="Withdraw what I submitted, while its reviewer has not acted yet.")
    def post(self, request, pk):
        if self.model is QuarterlyReport:
            record = visible_report_or_404(request.user, pk)
        else:
            record = visible_problem_or_404(request.user, pk)
        data = s.WithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = approvals.withdraw(record=record, by=request.user,
                                  reason=data.validated_data.get("reason", ""))
        record.refresh_from_db()
        return Response(s.WithdrawResultSerializer(
            {"item": s.item_of(record), "task": task.pk}).data)


class ProblemWithdrawView(WithdrawView):
    model = Problem


# -- notifications ---------------------------------------------------------------------------

class NotificationListView(generics.GenericAPIView):
    serializer_class = s.NotificationSerializer

    @extend_schema(parameters=[s.NotificationFilterSerializer],
                   responses={200: s.NotificationSerializer(many=True), **errors(400, 401, 403, 404)},
                   summary="My notifications, newest first.")
    def get(self, request):
        filters = _valid_filters(s.NotificationFilterSerializer, request)
        rows = Notification.objects.filter(recipient=request.user)
        if filters.get("unread"):
            rows = rows.filter(read_at__isnull=True)
        page = self.paginate_queryset(rows.order_by("-created_at", "-pk"))
        return self.get_paginated_response(s.NotificationSerializer(page, many=True).data)


class NotificationReadView(APIView):
    @extend_schema(request=None, responses={200: s.NotificationSerializer,
                                            **errors(401, 403, 404)},
                   summary="Mark one of my notifications read.")
    def post(self, request, pk):
        notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        return Response(s.NotificationSerializer(notification).data)


class NotificationReadAllView(APIView):
    @extend_schema(request=None, responses={200: s.ReadAllSerializer, **errors(401, 403)},
                   summary="Mark all my notifications read.")
    def post(self, request):
        marked = Notification.objects.filter(recipient=request.user, read_at__isnull=True) \
            .update(read_at=timezone.now())
        return Response({"marked": marked})


# -- circulars -------------------------------------------------------------------------------

def _require_reader(user):
    if not circulars.can_read(user):
        raise Http404(_("Circulars are for members of the bureau."))


class CircularListView(generics.GenericAPIView):
    serializer_class = s.CircularSerializer

    @extend_schema(responses={200: s.CircularSerializer(many=True), **errors(401, 403, 404)},
                   summary="Circulars, newest first (every member of the bureau reads them).")
    def get(self, request):
        _require_reader(request.user)
        rows = Circular.objects.annotate(problem_count=Count("problems")).order_by(
            "-year", "-number")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.CircularSerializer(page, many=True).data)


def _readable_circular(request, pk) -> Circular:
    _require_reader(request.user)
    return get_object_or_404(Circular.objects.annotate(problem_count=Count("problems")), pk=pk)


class CircularDetailView(APIView):
    @extend_schema(responses={200: s.CircularDetailSerializer, **errors(401, 403, 404)},
                   summary="One circular with the problems it names, by unit.")
    def get(self, request, pk):
        circular = _readable_circular(request, pk)
        named = [p for group in selectors.circular_problems(circular) for p in group.problems]
        visible = set(permissions.visible(request.user, Problem)
                      .filter(pk__in=[p.pk for p in named]).values_list("pk", flat=True))
        rows = [{"id": p.pk, "unit": p.unit, "category": p.category,
                 "description": p.description, "found_on": p.found_on, "status": p.status,
                 "visible": p.pk in visible} for p in named]
        return Response(s.CircularDetailSerializer(circular, context={"problems": rows}).data)


class CircularDocxView(APIView):
    @extend_schema(
        responses={(200, circular_docx.DOCX_CONTENT_TYPE): OpenApiTypes.BINARY,
                   **errors(401, 403, 404)},
        summary="The circular as a .docx (GB/T 9704 layout; audited).")
    def get(self, request, pk):
        circular = _readable_circular(request, pk)
        content = circulars.circular_download(circular=circular, by=request.user)
        response = HttpResponse(content, content_type=circular_docx.DOCX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=circular_docx.docx_filename(circular))
        return response



# -- approval sheets -------------------------------------------------------------------------

UNAVAILABLE = {503: OpenApiResponse(
    s.ErrorSerializer,
    description="The font set in DUTYCHAIN_PDF_FONT is missing or cannot be embedded.")}


class SheetView(APIView):
    """The approval sheet (审批单) of a report or a problem, for the paper archive."""

    model = QuarterlyReport
    fmt = "pdf"

    def get(self, request, pk):
        if self.model is QuarterlyReport:
            record = visible_report_or_404(request.user, pk)
        else:
            record = visible_problem_or_404(request.user, pk)
        try:
            content, content_type, filename = sheets.sheet_print(
                record=record, steps=history(record), by=request.user, fmt=self.fmt)
        except SheetUnavailable as error:
            return Response(body(error.message), status=status.HTTP_503_SERVICE_UNAVAILABLE)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=filename)
        return response


def _sheet_view(model, fmt, item):
    label = ("PDF (a TrueType Chinese font embedded where the server has one)" if fmt == "pdf"
             else ".docx")

    @extend_schema(
        operation_id=f"{item}s_sheet_{fmt}",
        responses={(200, sheets.FORMATS[fmt]): OpenApiTypes.BINARY,
                   **errors(401, 403, 404), **(UNAVAILABLE if fmt == "pdf" else {})},
        summary=f"The {item}'s approval sheet (审批单) as {label}: every step, person, date "
                f"and opinion (audited).")
    def get(self, request, pk):
        return SheetView.get(self, request, pk)

    return type(f"{model.__name__}Sheet{fmt.title()}View", (SheetView,),
                {"model": model, "fmt": fmt, "get": get, "__doc__": SheetView.__doc__})


ReportSheetPdfView = _sheet_view(QuarterlyReport, "pdf", "report")
ReportSheetDocxView = _sheet_view(QuarterlyReport, "docx", "report")
ProblemSheetPdfView = _sheet_view(Problem, "pdf", "problem")
ProblemSheetDocxView = _sheet_view(Problem, "docx", "problem")
