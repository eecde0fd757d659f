from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from viewflow.urls import Site

from flows.viewsets import ChainFlowViewset
from records import kinds
from web.auth import ChainAuthViewset
from web.inbox import ChainWorkflowApp
from web.urls import AssessmentsApp, CircularsApp, DutiesApp, NotificationsApp, record_apps

site = Site(
    title=_("DutyChain"),
    viewsets=[
        # the flow of each kind of record (records/entries.py), and its pages
        ChainWorkflowApp(
            flow_viewsets=[ChainFlowViewset(kind.flow_class, icon=kind.icon)
                           for kind in kinds.all_kinds()],
        ),
        *record_apps(),
        CircularsApp(),
        DutiesApp(),
        AssessmentsApp(),
        NotificationsApp(),
    ],
)

urlpatterns = [
    path("", RedirectView.as_view(url="/workflow/inbox/", permanent=False)),
    path("accounts/", ChainAuthViewset(with_profile_view=False).urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("api.urls")),
    path("", site.urls),
]

# errors outside the API's views are JSON under /api/ too (api/errors.py)
handler400 = "api.errors.bad_request"
handler403 = "api.errors.permission_denied"
handler404 = "api.errors.page_not_found"
handler500 = "api.errors.server_error"
