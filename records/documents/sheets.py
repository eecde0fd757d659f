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
from records.kinds import kind_of
from records.models import ExtensionRequest, Opinion

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
    record: object  # a record of any kind (records.kinds)
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


def name(user) -> str:
    return str(user) if user is not None else ""


def _person(user, on_behalf_of) -> str:
    who = name(user) or _("System")
    if on_behalf_of is not None:
        who += "（" + _("acting for %(name)s") % {"name": on_behalf_of} + "）"
    return who


def verbose(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _history_row(entry, opinion_versions: bool) -> SheetRow:
    """A row of ``history()``; anything it lacks prints blank rather than failing."""
    opinion = getattr(entry, "opinion", None)
    task = getattr(entry, "task", None)
    decision = ""
    if opinion is not None:
        decision = str(opinion.get_kind_display())
        if opinion_versions and getattr(opinion, "version", 0):
            decision += _(" (draft %(version)s)") % {"version": opinion.version}
    elif getattr(entry, "is_open", False):
        decision = _("In progress")
    elif task is not None and getattr(task, "status", "") == "CANCELED":
        decision = pgettext("approval sheet", "Withdrawn")
    elif getattr(entry, "finished", None):
        decision = pgettext("approval sheet", "Handled")
    owner = getattr(entry, "owner", None)
    if opinion is not None and owner is not None and opinion.author_id != owner.pk:
        decision += "（" + name(opinion.author) + "）"  # a withdrawal by the submitter
    # the approval actions around the decision: transfers, recusal, copies
    notes = [_("Transferred %(from)s → %(to)s: %(reason)s") % {
        "from": name(note.author), "to": name(getattr(note, "to", None)), "reason": note.text}
        for note in getattr(entry, "notes", [])]
    notes += [_("Urged by %(name)s on %(day)s") % {"name": name(urge.urged_by),
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
        text += "\n" + _("Copied to: %(names)s") % {"names": "、".join(map(name, copies))}
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


def extension_row(request: ExtensionRequest) -> SheetRow:
    return SheetRow(
        step=pgettext("approval sheet", "Extension requested"),
        person=name(request.requested_by), received=request.requested_at,
        finished=request.requested_at,
        decision=_("%(old)s → %(new)s") % {"old": day(request.current_date),
                                           "new": day(request.new_date)},
        opinion=summarise(request.reason, OPINION_CHARS), at=request.requested_at)


@dataclass
class SheetHead:
    """What a kind of record puts on its sheet (records.kinds: ``sheet_head``)."""

    title: str
    number: str
    fields: list[tuple[str, str]]
    content: list[tuple[str, str]]
    first: SheetRow  # opened, registered …
    side_rows: list[SheetRow] = field(default_factory=list)  # extension requests …
    # a decision names the draft it decided on ("同意 (第2稿)")
    opinion_versions: bool = False


def build_sheet(record, steps, *, by: User | None = None) -> Sheet:
    """Everything the sheet says, in Chinese, from a fixed number of queries (``steps``: the
    record's history)."""
    with translation.override("zh-hans"):
        head = kind_of(record).sheet_head(record)
        rows = [_history_row(entry, head.opinion_versions) for entry in steps]
        rows += [_side_row(opinion) for opinion in record.opinions.filter(task__isnull=True)
                 .select_related("author", "on_behalf_of")]
        rows += head.side_rows
        far_future = timezone.now() + datetime.timedelta(days=36500)
        rows.sort(key=lambda row: row.at or far_future)  # stable: history keeps its order
        return Sheet(record=record, title=head.title, number=head.number, fields=head.fields,
                     content=head.content, rows=[head.first, *rows], printed_at=timezone.now(),
                     printed_by=name(by))


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
