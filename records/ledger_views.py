"""The ledger (台账), its Excel export and the dashboard. (Being written.)"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views import generic


class LedgerView(LoginRequiredMixin, generic.TemplateView):
    template_name = "records/ledger.html"


class LedgerExportView(LoginRequiredMixin, generic.View):
    pass


class DashboardView(LoginRequiredMixin, generic.TemplateView):
    template_name = "records/dashboard.html"
