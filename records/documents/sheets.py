"""The approval sheet (审批单) of a quarterly report or a problem, printed for the paper archive.

``build_sheet`` gathers what the sheet says once: its title, the item's number and fields,
a summary of its content, then one row per step of the record's history (``steps``, as
flows.selectors.history gives it: steps added to a flow later print without changes here) merged in time order with what happened
outside a task (extension requests and decisions, cancellation). Two renderers lay it out:
``render_docx`` (records/documents/sheet_docx.py, python-docx, the fonts of circulars)
and ``render_pdf`` (records/documents/sheet_pdf.py, reportlab).

The sheet is Chinese whatever language the reader's interface is in, like a circular.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.models import User
from records.models import ExtensionRequest, Opinion, Problem, QuarterlyReport

SUMMARY_CHARS = 400  # per content field: the sheet summarises, the system keeps the full text
OPINION_CHARS = 2000


# --- what the sheet says -----------------------------------------------------------------

@dataclass
class SheetRow:
    """One line of the approval table: a step, who acted, when, and what they said."""

    step: str
    person: str = ""
    received: datetime.datetime | None = None
    finished: datetime.datetime | None = None
    decision: str = ""
    opinion: str = ""
    at: datetime.datetime | None = None  # for ordering


@dataclass
class Sheet:
    record: QuarterlyReport | Problem
    title: str
    number: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # short label/value pairs
    content: list[tuple[str, str]] = field(default_factory=list)  # long texts, summarised
    rows: list[SheetRow] = field(default_factory=list)
    printed_at: datetime.datetime | None = None
    printed_by: str = ""

    @property
    def filename_stem(self) -> str:
        unit = getattr(self.record.unit, "name", "")
        return re.sub(r'[\\/:*?"<>|\x00-\x1f\s]+', "_", f"{self.title}_{unit}_{self.number}")


def summarise(text: str, limit: int = SUMMARY_CHARS) -> str:
    text = (text or "").strip()
    if len(text) <= limit:
        return text
    return text[:limit].rstrip() + _("… (abridged; the full text is kept in DutyChain)")


def day(value) -> str:
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return f"{value.year}年{value.month}月{value.day}日"


def moment(value) -> str:
    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d %H:%M")


def _name(user) -> str:
    return str(user) if user is not None else ""


def _person(user, on_behalf_of) -> str:
    name = _name(user) or _("System")
    if on_behalf_of is not None:
        name += "（" + _("acting for %(name)s") % {"name": on_behalf_of} + "）"
    return name


def _verbose(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _history_row(entry, is_report: bool) -> SheetRow:
    """A row of ``history()``; anything it lacks prints blank rather than failing."""
    opinion = getattr(entry, "opinion", None)
    task = getattr(entry, "task", None)
    decision = ""
    if opinion is not None:
        decision = str(opinion.get_kind_display())
        if is_report and getattr(opinion, "version", 0):
            decision += _(" (draft %(version)s)") % {"version": opinion.version}
    elif getattr(entry, "is_open", False):
        decision = _("In progress")
    elif task is not None and getattr(task, "status", "") == "CANCELED":
        decision = pgettext("approval sheet", "Withdrawn")
    elif getattr(entry, "finished", None):
        decision = pgettext("approval sheet", "Handled")
    owner = getattr(entry, "owner", None)
    if opinion is not None and owner is not None and opinion.author_id != owner.pk:
        decision += "（" + _name(opinion.author) + "）"  # a withdrawal by the submitter
    # the approval actions around the decision: transfers, recusal, copies
    notes = [_("Transferred %(from)s → %(to)s: %(reason)s") % {
        "from": _name(note.author), "to": _name(getattr(note, "to", None)), "reason": note.text}
        for note in getattr(entry, "notes", [])]
    notes += [_("Urged by %(name)s on %(day)s") % {"name": _name(urge.urged_by),
                                                  "day": moment(urge.created_at)}
              + (f"：{urge.message}" if urge.message else "")
              for urge in getattr(entry, "urges", [])]
    recused = getattr(entry, "recused", None)
    if recused:
        notes.append(_("Recusal: %(name)s %(reason)s") % recused)
    part = getattr(entry, "part", None)
    written = ""
    if part is not None:
        # a unit's part of a countersign (会签): its unit, and what the unit wrote
        decision = str(part.get_status_display()) if part.status != "pending" else decision
        written = part.text or ""
    text = "\n".join([*notes, summarise(getattr(opinion, "text", "") or written,
                                         OPINION_CHARS)])
    copies = getattr(entry, "copies", [])
    if copies:
        text += "\n" + _("Copied to: %(names)s") % {"names": "、".join(map(_name, copies))}
    step = str(getattr(entry, "step", "") or pgettext("approval sheet", "Step"))
    if part is not None and part.unit is not None:
        step += "（" + str(part.unit) + "）"
    if getattr(entry, "level", ""):
        step += "（" + entry.level + "）"
    return SheetRow(
        step=step,
        person=_person(owner, getattr(entry, "on_behalf_of", None)) if owner is not None else "",
        received=getattr(entry, "created", None),
        finished=getattr(entry, "finished", None),
        decision=decision,
        opinion=text.strip(),
        at=getattr(entry, "created", None),
    )


SIDE_STEPS = {
    Opinion.Kind.GRANT: lambda: pgettext("approval sheet", "Extension decision"),
    Opinion.Kind.REFUSE: lambda: pgettext("approval sheet", "Extension decision"),
    Opinion.Kind.CANCEL: lambda: pgettext("approval sheet", "Cancellation"),
}


def _side_row(opinion: Opinion) -> SheetRow:
    """An opinion given outside a task (extension decision, cancellation, or a later kind)."""
    step = SIDE_STEPS.get(opinion.kind, lambda: pgettext("approval sheet", "Opinion"))()
    return SheetRow(step=step, person=_person(opinion.author, opinion.on_behalf_of),
                    received=opinion.created_at, finished=opinion.created_at,
                    decision=str(opinion.get_kind_display()),
                    opinion=summarise(opinion.text, OPINION_CHARS), at=opinion.created_at)


def _extension_row(request: ExtensionRequest) -> SheetRow:
    return SheetRow(
        step=pgettext("approval sheet", "Extension requested"),
        person=_name(request.requested_by), received=request.requested_at,
        finished=request.requested_at,
        decision=_("%(old)s → %(new)s") % {"old": day(request.current_date),
                                           "new": day(request.new_date)},
        opinion=summarise(request.reason, OPINION_CHARS), at=request.requested_at)


def _report_parts(report: QuarterlyReport) -> tuple[str, str, list, list, SheetRow]:
    title = _("Quarterly report approval sheet")
    number = f"HB-{report.year}Q{report.quarter}-{report.pk:06d}"
    fields = [
        (_verbose(QuarterlyReport, "unit"), report.unit.name),
        (_("Period"), _("%(year)s, quarter %(quarter)s") % {"year": report.year,
                                                            "quarter": report.quarter}),
        (_verbose(QuarterlyReport, "status"), str(report.get_status_display())),
        (_verbose(QuarterlyReport, "version"), str(report.version)),
        (_verbose(QuarterlyReport, "due_date"), day(report.due_date)),
        (_verbose(QuarterlyReport, "submitted_at"), day(report.submitted_at)),
        (_verbose(QuarterlyReport, "signed_off_by"), _name(report.signed_off_by)),
        (_verbose(QuarterlyReport, "signed_off_at"), day(report.signed_off_at)),
    ]
    content = [(_verbose(QuarterlyReport, name), summarise(getattr(report, name)))
               for name in ("work_done", "problems", "next_steps")]
    first = SheetRow(step=_("Opened"), person=_name(report.opened_by) or _("System"),
                     received=report.created_at, finished=report.created_at,
                     at=report.created_at)
    return title, number, fields, content, first


def _problem_parts(problem: Problem) -> tuple[str, str, list, list, SheetRow]:
    title = _("Problem rectification approval sheet")
    number = f"WT-{problem.found_on.year}-{problem.pk:06d}"
    fields = [
        (_verbose(Problem, "unit"), problem.unit.name),
        (_verbose(Problem, "source"), str(problem.get_source_display())),
        (_verbose(Problem, "category"), str(problem.get_category_display())),
        (_verbose(Problem, "found_on"), day(problem.found_on)),
        (_verbose(Problem, "problem_list"),
         problem.problem_list.title if problem.problem_list_id else ""),
        (_verbose(Problem, "person_concerned"), problem.person_concerned),
        (_verbose(Problem, "planned_date"), day(problem.planned_date)),
        (_verbose(Problem, "approved_date"), day(problem.approved_date)),
        (_verbose(Problem, "due_date"), day(problem.due_date) if problem.is_open else ""),
        (_verbose(Problem, "status"), str(problem.get_status_display())),
        (_verbose(Problem, "closed_at"), day(problem.closed_at)),
        (_verbose(Problem, "filed_at"), day(problem.filed_at)),
    ]
    content = [(_verbose(Problem, name), summarise(getattr(problem, name)))
               for name in ("description", "root_cause", "measures")]
    first = SheetRow(step=_("Registered"), person=_name(problem.registered_by),
                     received=problem.registered_at, finished=problem.registered_at,
                     at=problem.registered_at)
    return title, number, fields, content, first


def build_sheet(record: QuarterlyReport | Problem, steps, *, by: User | None = None) -> Sheet:
    """Everything the sheet says, in Chinese, from a fixed number of queries."""
    is_report = isinstance(record, QuarterlyReport)
    with translation.override("zh-hans"):
        parts = _report_parts(record) if is_report else _problem_parts(record)
        title, number, fields, content, first = parts
        rows = [_history_row(entry, is_report) for entry in steps]
        rows += [_side_row(opinion) for opinion in record.opinions.filter(task__isnull=True)
                 .select_related("author", "on_behalf_of")]
        if not is_report:
            rows += [_extension_row(request) for request in
                     record.extensions.select_related("requested_by")]
        far_future = timezone.now() + datetime.timedelta(days=36500)
        rows.sort(key=lambda row: row.at or far_future)  # stable: history keeps its order
        return Sheet(record=record, title=title, number=number, fields=fields,
                     content=content, rows=[first, *rows], printed_at=timezone.now(),
                     printed_by=_name(by))


def sheet_labels() -> dict[str, str]:
    """The sheet's fixed wording, in the current language."""
    return {
        "number": pgettext("approval sheet", "Item number"),
        "printed": _("Printed on"),
        "steps": _("Approval steps"),
        "seq": pgettext("approval sheet", "No."),
        "step": _("Step"),
        "person": _("Who"),
        "received": pgettext("approval sheet", "Received"),
        "finished": pgettext("approval sheet", "Finished"),
        "opinion": _("Decision and opinion"),
        "remarks": _("Archive remarks"),
        "printed_by": _("Printed by %(name)s at %(time)s"),
        "page": _("Page %(page)s of %(pages)s"),
    }


def filename(sheet: Sheet, fmt: str) -> str:
    return f"{sheet.filename_stem}.{fmt}"
