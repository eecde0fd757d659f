"""What the chain produces and keeps: quarterly and annual reports, problems, opinions,
evidence, circulars, the audit trail, notifications, the calendar."""

from .annual_reports import (
    AnnualReport,
    AnnualReportGroupObjectPermission,
    AnnualReportUserObjectPermission,
)
from .assessments import (
    Appeal,
    Assessment,
    AssessmentScheme,
    AssessmentSheet,
    Criterion,
    Explanation,
    Grade,
    ScoreChange,
    ScoreLine,
    SpecialEntry,
    SubjectGroup,
)
from .calendar import CalendarYear, WorkdayOverride
from .circulars import Circular
from .duties import Carrier, DutyItem, DutyList, DutyListRevision
from .duty_records import (
    DutyRecord,
    DutyRecordEvidence,
    DutyRecordItem,
    DutyRecordVersion,
    DutyReopening,
    duty_evidence_path,
)
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
    Report,
)
from .trail import AuditEvent, CopyTo, Opinion, Urge, Version

__all__ = [
    "Appeal", "Assessment", "AssessmentScheme", "AssessmentSheet", "Criterion", "Explanation",
    "Grade", "ScoreChange", "ScoreLine", "SpecialEntry", "SubjectGroup",
    "AnnualReport", "AnnualReportGroupObjectPermission", "AnnualReportUserObjectPermission",
    "AuditEvent", "CalendarYear", "Carrier", "Circular", "DutyItem", "DutyList",
    "DutyListRevision", "DutyRecord", "DutyRecordEvidence", "DutyRecordItem",
    "DutyRecordVersion", "DutyReopening", "CopyTo", "Delivery", "Evidence",
    "ExtensionRequest", "FailedJob", "Notification", "Opinion", "Problem",
    "ProblemGroupObjectPermission", "ProblemList", "ProblemUserObjectPermission",
    "ProgressNote", "QuarterlyReport", "QuarterlyReportGroupObjectPermission",
    "QuarterlyReportUserObjectPermission", "Report", "Urge", "Version", "WorkdayOverride",
    "duty_evidence_path", "evidence_path",
]
