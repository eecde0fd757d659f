"""The year-end assessment's pages (placeholder: being written)."""

from django.http import Http404
from django.views import View


class _Todo(View):
    def dispatch(self, request, *args, **kwargs):
        raise Http404


IndexView = CreateView = AssessmentView = PhaseView = SheetView = SheetActView = _Todo
SpecialFileView = SchemeListView = SchemeView = CriterionView = _Todo
