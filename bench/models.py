"""The bare flow's process: viewflow's own table, two fields kept in its JSON data."""

from viewflow import jsonstore
from viewflow.workflow.models import Process


class BareProcess(Process):
    text = jsonstore.CharField(max_length=500, blank=True)
    approved = jsonstore.BooleanField(default=False)

    class Meta:
        proxy = True
        app_label = "bench"
