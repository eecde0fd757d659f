"""API v1 routes (mounted at /api/v1/ in config/urls.py)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import views

app_name = "api"

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("me/", views.MeView.as_view(), name="me"),
    path("tasks/", views.TaskListView.as_view(), name="tasks"),
    path("tasks/bulk/sign_off/", views.BulkSignOffView.as_view(), name="tasks_bulk_sign_off"),
    path("tasks/<int:pk>/candidates/", views.TaskCandidatesView.as_view(),
         name="task_candidates"),
    path("tasks/<int:pk>/<str:action>/", views.TaskActionView.as_view(), name="task_action"),
    path("reports/", views.ReportListView.as_view(), name="reports"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="report"),
    path("reports/<int:pk>/withdraw/", views.WithdrawView.as_view(), name="report_withdraw"),
    path("reports/<int:pk>/urge/", views.ReportUrgeView.as_view(), name="report_urge"),
    path("reports/<int:pk>/versions/", views.ReportVersionListView.as_view(),
         name="report_versions"),
    path("reports/<int:pk>/versions/<int:number>/", views.ReportVersionDetailView.as_view(),
         name="report_version"),
    path("reports/<int:pk>/sheet/pdf/", views.ReportSheetPdfView.as_view(),
         name="report_sheet_pdf"),
    path("reports/<int:pk>/sheet/docx/", views.ReportSheetDocxView.as_view(),
         name="report_sheet_docx"),
    path("problems/", views.ProblemListView.as_view(), name="problems"),
    path("problems/<int:pk>/", views.ProblemDetailView.as_view(), name="problem"),
    path("problems/<int:pk>/withdraw/", views.ProblemWithdrawView.as_view(),
         name="problem_withdraw"),
    path("problems/<int:pk>/urge/", views.ProblemUrgeView.as_view(), name="problem_urge"),
    path("problems/<int:pk>/versions/", views.ProblemVersionListView.as_view(),
         name="problem_versions"),
    path("problems/<int:pk>/versions/<int:number>/", views.ProblemVersionDetailView.as_view(),
         name="problem_version"),
    path("problems/<int:pk>/sheet/pdf/", views.ProblemSheetPdfView.as_view(),
         name="problem_sheet_pdf"),
    path("problems/<int:pk>/sheet/docx/", views.ProblemSheetDocxView.as_view(),
         name="problem_sheet_docx"),
    path("problems/<int:pk>/evidence/", views.EvidenceUploadView.as_view(),
         name="problem_evidence_upload"),
    path("problems/<int:pk>/evidence/<int:evidence_pk>/", views.EvidenceDownloadView.as_view(),
         name="problem_evidence"),
    path("problems/<int:pk>/extension/", views.ExtensionDecisionView.as_view(),
         name="problem_extension"),
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path("notifications/read-all/", views.NotificationReadAllView.as_view(),
         name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.NotificationReadView.as_view(),
         name="notification_read"),
    path("circulars/", views.CircularListView.as_view(), name="circulars"),
    path("circulars/<int:pk>/", views.CircularDetailView.as_view(), name="circular"),
    path("circulars/<int:pk>/docx/", views.CircularDocxView.as_view(), name="circular_docx"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # anything else under /api/v1/ is a JSON 404
    re_path(r"^[\s\S]*$", views.NotFoundView.as_view(), name="not_found"),
]
