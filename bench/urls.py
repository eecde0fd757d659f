"""DutyChain's URLs and the bare viewflow flow at /bare/ (benchmark only)."""

from django.urls import path
from viewflow.workflow.flow.viewset import FlowViewset

from config.urls import urlpatterns as dutychain

from .flows import BareFlow

urlpatterns = [path("bare/", FlowViewset(BareFlow).urls), *dutychain]
