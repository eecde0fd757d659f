from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application

from records.models import Problem
from web import approvals as approval_views
from web import bulk as bulk_views
from web import circulars as circular_views
from web import ledger as ledger_views
from web import notifications as notification_views
from web import problems as problem_views
from web import reports as views
from web import sheets as sheet_views
from web import urges as urge_views


class ReportsApp(Application):
    """Quarterly reports: the list, the leader's board, one report, opening by hand."""

    app_name = "reports"
    title = _("Quarterly reports")
    icon = "assignment"
    menu_template_name = "records/menu.html"

    index_path = path("", views.ReportListView.as_view(), name="index")
    board_path = path("board/", views.BoardView.as_view(), name="board")
    open_path = path("open/", views.OpenReportView.as_view(), name="open")
    detail_path = path("<int:pk>/", views.ReportDetailView.as_view(), name="detail")
    edit_path = path("<int:pk>/edit/", views.ReportEditView.as_view(), name="edit")
    trail_path = path("<int:pk>/trail/", views.AuditTrailView.as_view(), name="trail")
    cancel_path = path("<int:pk>/cancel/", views.CancelView.as_view(), name="cancel")
    withdraw_path = path("<int:pk>/withdraw/", approval_views.WithdrawView.as_view(),
                         name="withdraw")
    sheet_pdf_path = path("<int:pk>/sheet.pdf", sheet_views.SheetDownloadView.as_view(),
                          name="sheet_pdf")
    sheet_docx_path = path("<int:pk>/sheet.docx",
                           sheet_views.SheetDownloadView.as_view(fmt="docx"), name="sheet_docx")
    version_path = path("<int:pk>/versions/<int:number>/", views.VersionView.as_view(),
                        name="version")
    urge_path = path("<int:pk>/urge/", urge_views.UrgeView.as_view(), name="urge")
    sign_off_path = path("sign-off/", bulk_views.BulkSignOffView.as_view(), name="sign_off")


class ProblemsApp(Application):
    """Problems and their rectification: the ledger, registering, one problem, the dashboard."""

    app_name = "problems"
    title = _("Problems and rectification")
    icon = "report_problem"
    menu_template_name = "records/problems_menu.html"

    index_path = path("", ledger_views.LedgerView.as_view(), name="index")
    export_path = path("export.xlsx", ledger_views.LedgerExportView.as_view(), name="export")
    dashboard_path = path("dashboard/", ledger_views.DashboardView.as_view(), name="dashboard")
    register_path = path("register/", problem_views.RegisterView.as_view(), name="register")
    detail_path = path("<int:pk>/", problem_views.ProblemDetailView.as_view(), name="detail")
    trail_path = path("<int:pk>/trail/", views.AuditTrailView.as_view(model=Problem),
                      name="trail")
    cancel_path = path("<int:pk>/cancel/", views.CancelView.as_view(model=Problem),
                       name="cancel")
    withdraw_path = path("<int:pk>/withdraw/",
                         approval_views.WithdrawView.as_view(model=Problem), name="withdraw")
    version_path = path("<int:pk>/versions/<int:number>/", views.ProblemVersionView,
                        name="version")
    urge_path = path("<int:pk>/urge/", urge_views.UrgeView.as_view(model=Problem), name="urge")
    extension_path = path("<int:pk>/extension/", problem_views.ExtensionDecisionView.as_view(),
                          name="extension")
    sheet_pdf_path = path("<int:pk>/sheet.pdf",
                          sheet_views.SheetDownloadView.as_view(model=Problem), name="sheet_pdf")
    sheet_docx_path = path("<int:pk>/sheet.docx",
                           sheet_views.SheetDownloadView.as_view(model=Problem, fmt="docx"),
                           name="sheet_docx")
    evidence_path = path("<int:pk>/evidence/<int:evidence_pk>/",
                         problem_views.EvidenceDownloadView.as_view(), name="evidence")


class CircularsApp(Application):
    """Circulars (通报): issued by the discipline committee, read by every unit."""

    app_name = "circulars"
    title = _("Circulars")
    icon = "campaign"
    menu_template_name = "records/circulars_menu.html"

    index_path = path("", circular_views.CircularListView.as_view(), name="index")
    create_path = path("new/", circular_views.CircularCreateView.as_view(), name="create")
    detail_path = path("<int:pk>/", circular_views.CircularDetailView.as_view(), name="detail")
    docx_path = path("<int:pk>/docx/", circular_views.CircularDocxView.as_view(), name="docx")


class NotificationsApp(Application):
    """Reminders, escalations and other notices for the person logged in."""

    app_name = "notifications"
    title = _("Notifications")
    icon = "notifications"
    menu_template_name = None

    index_path = path("", notification_views.NotificationListView.as_view(), name="index")
    read_path = path("<int:pk>/read/", notification_views.NotificationReadView.as_view(),
                     name="read")
    read_all_path = path("read-all/", notification_views.NotificationReadAllView.as_view(),
                         name="read_all")
