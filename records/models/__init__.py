"""What the chain produces and keeps: reports, problems, opinions, evidence, circulars,
the audit trail, notifications, the calendar."""

from .calendar import CalendarYear, WorkdayOverride
from .circulars import Circular
from .notifications import Delivery, FailedJob, Notification
from .problems import (
    Evidence,
    ExtensionRequest,
    Problem,
    ProblemGroupObjectPermission,
    ProblemList,
    ProblemUserObjectPermission,
    ProgressNote,
    evidence_path,
)
from .reports import (
    QuarterlyReport,
    QuarterlyReportGroupObjectPermission,
    QuarterlyReportUserObjectPermission,
)
from .trail import AuditEvent, CopyTo, Opinion, Urge, Version

__all__ = [
    "AuditEvent", "CalendarYear", "Circular", "CopyTo", "Delivery", "Evidence",
    "ExtensionRequest", "FailedJob", "Notification", "Opinion", "Problem",
    "ProblemGroupObjectPermission", "ProblemList", "ProblemUserObjectPermission",
    "ProgressNote", "QuarterlyReport", "QuarterlyReportGroupObjectPermission",
    "QuarterlyReportUserObjectPermission", "Urge", "Version", "WorkdayOverride",
    "evidence_path",
]
