"""The year-end assessment's documents and dashboard (placeholder: being written)."""

from django.http import Http404
from django.views import View


class _Todo(View):
    def dispatch(self, request, *args, **kwargs):
        raise Http404


DashboardView = ExportView = SheetDocxView = _Todo
