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
        except Exception:  # noqa: BLE001 - a process being started has no report yet
            return super().brief
