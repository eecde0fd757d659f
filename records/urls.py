from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application

from . import views


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
