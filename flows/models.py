from django.core.exceptions import ObjectDoesNotExist
from viewflow.workflow.models import Process


class ReportProcess(Process):
    """The process of one quarterly report; the report itself is a record of its own."""

    class Meta:
        proxy = True

    @property
    def report(self):
        return self.quarterly_report

    @property
    def brief(self):
        try:
            return str(self.quarterly_report)
        except ObjectDoesNotExist:  # a process being started has no report yet
            return super().brief


class ProblemProcess(Process):
    """The rectification process of one problem."""

    class Meta:
        proxy = True

    @property
    def brief(self):
        try:
            return str(self.problem)
        except ObjectDoesNotExist:  # a process being started has no problem yet
            return super().brief
