from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application

from records import kinds
from records.models import Problem, QuarterlyReport
from web import approvals as approval_views
from web import assessment_documents as assessment_document_views
from web import assessment_schemes as assessment_scheme_views
from web import assessments as assessment_views
from web import bulk as bulk_views
from web import circulars as circular_views
from web import duties as duty_views
from web import duty_documents as duty_document_views
from web import duty_heatmap as duty_heatmap_views
from web import duty_records as duty_record_views
from web import ledger as ledger_views
from web import notifications as notification_views
from web import problems as problem_views
from web import records as record_views
from web import reports as views
from web import sheets as sheet_views
from web import urges as urge_views


def record_paths(model) -> list:
    """The pages every kind of record has besides its list and its own page, under its
    application: the audit trail, cancel, withdraw, the approval sheet, versions, urge."""
    kw = {"model": model}
    return [
        path("<int:pk>/trail/", record_views.AuditTrailView.as_view(**kw), name="trail"),
        path("<int:pk>/cancel/", record_views.CancelView.as_view(**kw), name="cancel"),
        path("<int:pk>/withdraw/", approval_views.WithdrawView.as_view(**kw), name="withdraw"),
        path("<int:pk>/sheet.pdf", sheet_views.SheetDownloadView.as_view(**kw),
             name="sheet_pdf"),
        path("<int:pk>/sheet.docx", sheet_views.SheetDownloadView.as_view(fmt="docx", **kw),
             name="sheet_docx"),
        path("<int:pk>/versions/<int:number>/", record_views.VersionView.as_view(**kw),
             name="version"),
        path("<int:pk>/urge/", urge_views.UrgeView.as_view(**kw), name="urge"),
    ]


def record_app(kind) -> Application:
    """The pages of a kind of record without an application of its own: the list of those
    the person may read, one record's page (records/<model>_detail.html) and
    record_paths."""
    model = kind.model
    return type(f"{model.__name__}App", (Application,), {
        "__doc__": f"{model._meta.verbose_name_plural}: the list, one record, its pages.",
        "app_name": kind.namespace, "title": model._meta.verbose_name_plural,
        "icon": kind.icon, "menu_template_name": "records/record_menu.html",
        "urlpatterns": record_paths(model),
        "index_path": path("", record_views.RecordListView.as_view(model=model), name="index"),
        "detail_path": path("<int:pk>/", record_views.RecordDetailView.as_view(model=model),
                            name="detail"),
    })()


class ReportsApp(Application):
    """Quarterly reports: the list, the leader's board, one report, opening by hand."""

    app_name = "reports"
    title = _("Quarterly reports")
    icon = "assignment"
    menu_template_name = "records/menu.html"
    urlpatterns = record_paths(QuarterlyReport)

    index_path = path("", views.ReportListView.as_view(), name="index")
    board_path = path("board/", views.BoardView.as_view(), name="board")
    open_path = path("open/", views.OpenReportView.as_view(), name="open")
    detail_path = path("<int:pk>/", views.ReportDetailView.as_view(), name="detail")
    edit_path = path("<int:pk>/edit/", views.ReportEditView.as_view(), name="edit")
    sign_off_path = path("sign-off/", bulk_views.BulkSignOffView.as_view(), name="sign_off")


class ProblemsApp(Application):
    """Problems and their rectification: the ledger, registering, one problem, the dashboard."""

    app_name = "problems"
    title = _("Problems and rectification")
    icon = "report_problem"
    menu_template_name = "records/problems_menu.html"
    urlpatterns = record_paths(Problem)

    index_path = path("", ledger_views.LedgerView.as_view(), name="index")
    export_path = path("export.xlsx", ledger_views.LedgerExportView.as_view(), name="export")
    dashboard_path = path("dashboard/", ledger_views.DashboardView.as_view(), name="dashboard")
    register_path = path("register/", problem_views.RegisterView.as_view(), name="register")
    detail_path = path("<int:pk>/", problem_views.ProblemDetailView.as_view(), name="detail")
    extension_path = path("<int:pk>/extension/", problem_views.ExtensionDecisionView.as_view(),
                          name="extension")
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


class DutiesApp(Application):
    """The year's duty list (责任清单): built by the committee, issued by the secretary."""

    app_name = "duties"
    title = _("Duty lists")
    icon = "checklist"
    menu_template_name = "records/duties_menu.html"

    index_path = path("", duty_views.DutyListIndexView.as_view(), name="index")
    detail_path = path("<int:pk>/", duty_views.DutyListDetailView.as_view(), name="detail")
    item_path = path("<int:pk>/items/<int:number>/", duty_views.DutyItemView.as_view(),
                     name="item")
    issue_path = path("<int:pk>/issue/", duty_views.DutyListIssueView.as_view(), name="issue")
    rules_path = path("<int:pk>/rules/", duty_views.DutyListRulesView.as_view(), name="rules")
    close_path = path("<int:pk>/close/", duty_views.DutyListCloseView.as_view(), name="close")
    reopen_path = path("<int:pk>/reopen/", duty_record_views.ReopenView.as_view(),
                       name="reopen")
    mine_path = path("mine/", duty_record_views.MyDutiesView.as_view(), name="mine")
    heatmap_path = path("heatmap/", duty_heatmap_views.HeatMapView.as_view(), name="heatmap")
    records_path = path("records/", duty_record_views.RecordListView.as_view(), name="records")
    record_new_path = path("records/new/", duty_record_views.RecordCreateView.as_view(),
                           name="record_new")
    record_path = path("records/<int:pk>/", duty_record_views.RecordDetailView.as_view(),
                       name="record")
    record_edit_path = path("records/<int:pk>/edit/", duty_record_views.RecordEditView.as_view(),
                            name="record_edit")
    record_review_path = path("records/<int:pk>/review/",
                              duty_record_views.RecordReviewView.as_view(), name="record_review")
    record_evidence_path = path("records/<int:pk>/evidence/",
                                duty_record_views.RecordEvidenceView.as_view(),
                                name="record_evidence")
    record_download_path = path("records/<int:pk>/evidence/<int:evidence_pk>/",
                                duty_record_views.RecordEvidenceDownloadView.as_view(),
                                name="record_download")
    docx_path = path("<int:pk>/docx/", duty_document_views.DutyListDocxView.as_view(),
                     name="docx")
    handbook_path = path("handbook/", duty_document_views.HandbookView.as_view(),
                         name="handbook")
    handbook_person_path = path("handbook/<str:username>/",
                                duty_document_views.HandbookView.as_view(),
                                name="handbook_person")
    records_export_path = path("records/export/",
                               duty_document_views.RecordExportView.as_view(),
                               name="records_export")


class AssessmentsApp(Application):
    """The year-end assessment (考核): schemes, scoring, review, appeals, results."""

    app_name = "assessments"
    title = _("Year-end assessment")
    icon = "grading"
    menu_template_name = "records/assessments_menu.html"

    index_path = path("", assessment_views.IndexView.as_view(), name="index")
    create_path = path("new/", assessment_views.CreateView.as_view(), name="create")
    detail_path = path("<int:pk>/", assessment_views.AssessmentView.as_view(), name="detail")
    act_path = path("<int:pk>/act/", assessment_views.PhaseView.as_view(), name="act")
    sheet_path = path("sheets/<int:pk>/", assessment_views.SheetView.as_view(), name="sheet")
    sheet_act_path = path("sheets/<int:pk>/act/", assessment_views.SheetActView.as_view(),
                          name="sheet_act")
    special_file_path = path("sheets/<int:pk>/special/<int:entry_pk>/",
                             assessment_views.SpecialFileView.as_view(), name="special_file")
    schemes_path = path("schemes/", assessment_scheme_views.SchemeListView.as_view(), name="schemes")
    scheme_path = path("schemes/<int:pk>/", assessment_scheme_views.SchemeView.as_view(),
                       name="scheme")
    criterion_path = path("schemes/<int:pk>/criteria/<int:number>/",
                          assessment_scheme_views.CriterionView.as_view(), name="criterion")
    dashboard_path = path("<int:pk>/dashboard/",
                          assessment_document_views.DashboardView.as_view(), name="dashboard")
    export_path = path("<int:pk>/export.xlsx", assessment_document_views.ExportView.as_view(),
                       name="export")
    sheet_docx_path = path("sheets/<int:pk>/docx/",
                           assessment_document_views.SheetDocxView.as_view(),
                           name="sheet_docx")


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


def record_apps() -> list[Application]:
    """An application per kind of record: its own where it has one, else record_app's."""
    own = {"report": ReportsApp, "problem": ProblemsApp}
    return [own[kind.key]() if kind.key in own else record_app(kind)
            for kind in kinds.all_kinds()]
