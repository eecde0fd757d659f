"""How each flow's task pages are mounted in viewflow's Material site: the step pages,
and a process page that is its record's page."""

from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.views import generic
from viewflow.workflow.flow.viewset import FlowViewset

from records import kinds
from records.permissions import can_view


class ProcessDetailRedirect(generic.View):
    """A process page is its record's page, after the same permission check."""

    flow_class = None
    viewset = None

    def get(self, request, process_pk):
        flow = self.flow_class.instance
        record = flow.record_model.objects.filter(process_id=process_pk).first()
        if record is None or not can_view(request.user, record):
            raise Http404
        return redirect(flow.detail_url, pk=record.pk)


class ChainFlowViewset(FlowViewset):
    """A flow's pages, without viewflow's unfiltered dashboards and process lists."""

    process_detail_view_class = ProcessDetailRedirect
    process_cancel_path = None
    task_list_path = None
    process_list_path = None
    chart_path = None
    flow_chart_path = None

    @property
    def index_path(self):
        index = f"{kinds.by_key(self._flow_class.record_kind).namespace}:index"
        return path("", generic.RedirectView.as_view(pattern_name=index), name="index")
