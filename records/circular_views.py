"""Circulars (通报). (Being written.)"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views import generic


class CircularListView(LoginRequiredMixin, generic.TemplateView):
    template_name = "records/circular_list.html"


class CircularCreateView(LoginRequiredMixin, generic.TemplateView):
    template_name = "records/circular_form.html"


class CircularDetailView(LoginRequiredMixin, generic.TemplateView):
    template_name = "records/circular_detail.html"


class CircularDocxView(LoginRequiredMixin, generic.View):
    pass
