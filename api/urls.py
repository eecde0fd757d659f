"""API v1 routes (mounted at /api/v1/ in config/urls.py)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from records import kinds

from .views import assessments as assessment_views
from .views import auth, common, duties, notices, problems, reports, tasks
from .views import duty_records as duty_record_views
from .views import records as record_views
from .views import steps as step_views

app_name = "api"

urlpatterns = [
    path("auth/token/", auth.TokenView.as_view(), name="token"),
    path("me/", auth.MeView.as_view(), name="me"),
    path("tasks/", tasks.TaskListView.as_view(), name="tasks"),
    path("tasks/bulk/sign_off/", tasks.BulkSignOffView.as_view(), name="tasks_bulk_sign_off"),
    path("tasks/<int:pk>/candidates/", tasks.TaskCandidatesView.as_view(),
         name="task_candidates"),
    path("tasks/<int:pk>/<str:action>/", tasks.TaskActionView.as_view(), name="task_action"),
    path("reports/", reports.ReportListView.as_view(), name="reports"),
    path("reports/<int:pk>/", reports.ReportDetailView.as_view(), name="report"),
    path("problems/", problems.ProblemListView.as_view(), name="problems"),
    path("problems/export/", problems.ProblemExportView.as_view(), name="problems_export"),
    path("problems/<int:pk>/", problems.ProblemDetailView.as_view(), name="problem"),
    path("problems/<int:pk>/evidence/", problems.EvidenceUploadView.as_view(),
         name="problem_evidence_upload"),
    path("problems/<int:pk>/evidence/<int:evidence_pk>/", problems.EvidenceDownloadView.as_view(),
         name="problem_evidence"),
    path("problems/<int:pk>/extension/", problems.ExtensionDecisionView.as_view(),
         name="problem_extension"),
    path("extensions/", problems.ExtensionsToDecideView.as_view(), name="extensions"),
    path("duty-lists/", duties.DutyListListView.as_view(), name="duty_lists"),
    path("duty-lists/<int:pk>/", duties.DutyListDetailView.as_view(), name="duty_list"),
    path("duty-lists/<int:pk>/items/<int:number>/", duties.DutyItemView.as_view(),
         name="duty_item"),
    path("duty-lists/<int:pk>/issue/", duties.DutyListIssueView.as_view(),
         name="duty_list_issue"),
    path("duty-items/mine/", duty_record_views.MyDutyItemsView.as_view(), name="my_duty_items"),
    path("duty-records/", duty_record_views.DutyRecordListView.as_view(), name="duty_records"),
    path("duty-records/<int:pk>/", duty_record_views.DutyRecordDetailView.as_view(),
         name="duty_record"),
    path("duty-records/<int:pk>/review/", duty_record_views.DutyRecordReviewView.as_view(),
         name="duty_record_review"),
    path("duty-records/<int:pk>/resubmit/", duty_record_views.DutyRecordResubmitView.as_view(),
         name="duty_record_resubmit"),
    path("duty-records/<int:pk>/evidence/",
         duty_record_views.DutyRecordEvidenceUploadView.as_view(),
         name="duty_record_evidence_upload"),
    path("duty-records/<int:pk>/evidence/<int:evidence_pk>/",
         duty_record_views.DutyRecordEvidenceDownloadView.as_view(), name="duty_record_evidence"),
    path("notifications/", notices.NotificationListView.as_view(), name="notifications"),
    path("notifications/read-all/", notices.NotificationReadAllView.as_view(),
         name="notifications_read_all"),
    path("notifications/<int:pk>/read/", notices.NotificationReadView.as_view(),
         name="notification_read"),
    path("circulars/", notices.CircularListView.as_view(), name="circulars"),
    path("circulars/<int:pk>/", notices.CircularDetailView.as_view(), name="circular"),
    path("circulars/<int:pk>/docx/", notices.CircularDocxView.as_view(), name="circular_docx"),
    path("assessments/", assessment_views.AssessmentListView.as_view(), name="assessments"),
    path("assessments/<int:pk>/", assessment_views.AssessmentDetailView.as_view(),
         name="assessment"),
    path("assessments/<int:pk>/recompute/", assessment_views.AssessmentRecomputeView.as_view(),
         name="assessment_recompute"),
    path("assessments/<int:pk>/open/", assessment_views.AssessmentOpenView.as_view(),
         name="assessment_open"),
    path("assessments/<int:pk>/advance/", assessment_views.AssessmentAdvanceView.as_view(),
         name="assessment_advance"),
    path("assessments/<int:pk>/approve/", assessment_views.AssessmentApproveView.as_view(),
         name="assessment_approve"),
    path("assessments/<int:pk>/circular/", assessment_views.AssessmentCircularView.as_view(),
         name="assessment_circular"),
    path("assessments/<int:pk>/sheets/", assessment_views.AssessmentSheetsView.as_view(),
         name="assessment_sheets"),
    path("assessment-sheets/<int:pk>/", assessment_views.SheetDetailView.as_view(),
         name="assessment_sheet"),
    path("assessment-sheets/<int:pk>/lines/<int:line_pk>/score/",
         assessment_views.LineScoreView.as_view(), name="assessment_line_score"),
    path("assessment-sheets/<int:pk>/lines/<int:line_pk>/adjust/",
         assessment_views.LineAdjustView.as_view(), name="assessment_line_adjust"),
    path("assessment-sheets/<int:pk>/lines/<int:line_pk>/appeal/",
         assessment_views.LineAppealView.as_view(), name="assessment_line_appeal"),
    path("assessment-sheets/<int:pk>/appeals/<int:appeal_pk>/answer/",
         assessment_views.AppealAnswerView.as_view(), name="assessment_appeal_answer"),
    path("assessment-sheets/<int:pk>/submit/", assessment_views.SheetSubmitView.as_view(),
         name="assessment_sheet_submit"),
    path("assessment-sheets/<int:pk>/grade/", assessment_views.SheetGradeView.as_view(),
         name="assessment_sheet_grade"),
    path("assessment-sheets/<int:pk>/acknowledge/",
         assessment_views.SheetAcknowledgeView.as_view(), name="assessment_sheet_acknowledge"),
    path("assessment-sheets/<int:pk>/specials/", assessment_views.SheetSpecialsView.as_view(),
         name="assessment_sheet_specials"),
    path("assessment-schemes/", assessment_views.SchemeListView.as_view(),
         name="assessment_schemes"),
    path("assessment-schemes/<int:pk>/", assessment_views.SchemeDetailView.as_view(),
         name="assessment_scheme"),
    # every kind of record's withdraw, urge, versions and sheets, and the list and detail of
    # those without views of their own (records/entries.py)
    *(route for kind in kinds.all_kinds()
      for route in record_views.routes(kind, own_views=kind.key in ("report", "problem"))),
    *step_views.urls(),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # anything else under /api/v1/ is a JSON 404
    re_path(r"^[\s\S]*$", common.NotFoundView.as_view(), name="not_found"),
]
