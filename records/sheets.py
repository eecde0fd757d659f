"""The approval sheet (审批单) of a quarterly report or a problem, printed for the paper archive.

``build_sheet`` gathers what the sheet says once: its title, the item's number and fields,
a summary of its content, then one row per step of ``flows.selectors.history`` (so steps
added to a flow later print without changes here) merged in time order with what happened
outside a task (extension requests and decisions, cancellation). Two renderers lay it out:
``render_docx`` (python-docx, the fonts of records/circulars.py) and ``render_pdf``
(reportlab).

The PDF prints on every machine, with the best Chinese font it has (``pdf_font_path``):
DUTYCHAIN_PDF_FONT if set (a broken one refuses, so that the administrator's choice is
never silently replaced); else the first of Debian's TrueType CJK fonts installed, embedded
as a subset, so the file looks the same in every viewer and suits the archive; else
reportlab's built-in CID font STSong-Light. That last one needs no system package but is
not embedded: the reader's viewer draws it with a Chinese font of its own (MuPDF has one
built in) or of the reader's machine (PDFium, Chrome's viewer, which showed blanks on a
Linux machine without any). The bureau's computers all have Chinese fonts, and the Word
version relies on them in the same way, so the sheet's page does not mention it; the README
tells administrators what the apt font improves. Text extraction (pypdf, PDFium, MuPDF)
finds the Chinese text with either font.
No PyPI package shipped an embeddable CJK font that is free, well kept and of reasonable
size: Noto CJK's are CFF-flavoured (reportlab embeds TrueType outlines only), and the one
WenQuanYi Micro Hei package is a single release for a printer library with its font's
licence misstated.

The sheet is Chinese whatever language the reader's interface is in, like a circular.
"""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.models import User
from flows.selectors import history

from .circulars import DOCX_CONTENT_TYPE, _declare_fonts, _set_font
from .models import ExtensionRequest, Opinion, Problem, QuarterlyReport
from .services import audit

PDF_CONTENT_TYPE = "application/pdf"
FORMATS = {"pdf": PDF_CONTENT_TYPE, "docx": DOCX_CONTENT_TYPE}
SUMMARY_CHARS = 400  # per content field: the sheet summarises, the system keeps the full text
OPINION_CHARS = 2000

# Debian's TrueType CJK fonts, tried in order when DUTYCHAIN_PDF_FONT is not set.
# (Noto CJK is CFF-flavoured OpenType, which reportlab cannot embed.) Without any of them
# the PDF names reportlab's built-in CID font, which the reader's viewer draws.
DEFAULT_PDF_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # fonts-wqy-zenhei
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei
    "/usr/share/fonts/truetype/arphic/uming.ttc",  # fonts-arphic-uming
)
PDF_FONT_NAME = "DutyChainCJK"
BUILTIN_PDF_FONT = "STSong-Light"  # Adobe-GB1 (simplified Chinese), part of reportlab


class SheetUnavailable(Exception):
    """The sheet cannot be printed on this server (DUTYCHAIN_PDF_FONT names a font that
    cannot be used): not the user's fault, so not a ValidationError; pages show the message,
    the API answers 503."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


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


def _day(value) -> str:
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return f"{value.year}年{value.month}月{value.day}日"


def _moment(value) -> str:
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
                                                  "day": _moment(urge.created_at)}
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
        decision=_("%(old)s → %(new)s") % {"old": _day(request.current_date),
                                           "new": _day(request.new_date)},
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
        (_verbose(QuarterlyReport, "due_date"), _day(report.due_date)),
        (_verbose(QuarterlyReport, "submitted_at"), _day(report.submitted_at)),
        (_verbose(QuarterlyReport, "signed_off_by"), _name(report.signed_off_by)),
        (_verbose(QuarterlyReport, "signed_off_at"), _day(report.signed_off_at)),
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
        (_verbose(Problem, "found_on"), _day(problem.found_on)),
        (_verbose(Problem, "problem_list"),
         problem.problem_list.title if problem.problem_list_id else ""),
        (_verbose(Problem, "person_concerned"), problem.person_concerned),
        (_verbose(Problem, "planned_date"), _day(problem.planned_date)),
        (_verbose(Problem, "approved_date"), _day(problem.approved_date)),
        (_verbose(Problem, "due_date"), _day(problem.due_date) if problem.is_open else ""),
        (_verbose(Problem, "status"), str(problem.get_status_display())),
        (_verbose(Problem, "closed_at"), _day(problem.closed_at)),
        (_verbose(Problem, "filed_at"), _day(problem.filed_at)),
    ]
    content = [(_verbose(Problem, name), summarise(getattr(problem, name)))
               for name in ("description", "root_cause", "measures")]
    first = SheetRow(step=_("Registered"), person=_name(problem.registered_by),
                     received=problem.registered_at, finished=problem.registered_at,
                     at=problem.registered_at)
    return title, number, fields, content, first


def build_sheet(record: QuarterlyReport | Problem, *, by: User | None = None) -> Sheet:
    """Everything the sheet says, in Chinese, from a fixed number of queries."""
    is_report = isinstance(record, QuarterlyReport)
    with translation.override("zh-hans"):
        parts = _report_parts(record) if is_report else _problem_parts(record)
        title, number, fields, content, first = parts
        rows = [_history_row(entry, is_report) for entry in history(record)]
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


# --- the .docx ---------------------------------------------------------------------------

DOCX_TITLE_SIZE = 22  # 二号, 方正小标宋
DOCX_BODY_SIZE = 12  # 小四 in the table
DOCX_LABEL_FONT = "黑体"
DOCX_BODY_FONT = "仿宋_GB2312"
DOCX_TITLE_FONT = "方正小标宋简体"


def _docx_cell(cell, text: str, *, font: str = DOCX_BODY_FONT, size: float = DOCX_BODY_SIZE,
               align=None) -> None:
    from docx.shared import Pt

    lines = (text or "").splitlines() or [""]
    paragraph = cell.paragraphs[0]
    for index, line in enumerate(lines):
        if index:
            paragraph = cell.add_paragraph()
        fmt = paragraph.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        if align is not None:
            paragraph.alignment = align
        if line:
            _set_font(paragraph.add_run(line), font, size)


def _docx_footer(section, sheet: Sheet, labels: dict) -> None:
    """第 X 页 共 Y 页 and who printed it, at the foot of every page."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.text.run import Run

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    page_text = labels["page"]
    # split "第 %(page)s 页 共 %(pages)s 页" around its two fields
    pieces = re.split(r"(%\(page\)s|%\(pages\)s)", page_text)
    for piece in pieces:
        if piece in ("%(page)s", "%(pages)s"):
            instr = "PAGE" if piece == "%(page)s" else "NUMPAGES"
            fld = parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr=" {instr} "><w:r><w:t>1</w:t>'
                            f'</w:r></w:fldSimple>')
            paragraph._p.append(fld)
            _set_font(Run(fld[0], paragraph), "宋体", 10.5)
        elif piece:
            _set_font(paragraph.add_run(piece), "宋体", 10.5)
    line = section.footer.add_paragraph()
    line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _set_font(line.add_run(labels["printed_by"] % {"name": sheet.printed_by or _("System"),
                                                   "time": _moment(sheet.printed_at)}),
              "宋体", 9)


def _shade(cell, fill: str = "F2F2F2") -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    cell._tc.get_or_add_tcPr().append(parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" '
                                                f'w:color="auto" w:fill="{fill}"/>'))


def render_docx(sheet: Sheet) -> bytes:
    """The sheet as an A4 Word document: title, number, a bordered table of fields and steps."""
    import docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
    from docx.shared import Mm, Pt

    center = WD_ALIGN_PARAGRAPH.CENTER
    with translation.override("zh-hans"):
        labels = sheet_labels()
        document = docx.Document()
        _declare_fonts(document)
        normal = document.styles["Normal"]
        _set_font(normal, DOCX_BODY_FONT, DOCX_BODY_SIZE)
        normal.paragraph_format.space_after = Pt(0)

        section = document.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(25), Mm(25)
        section.left_margin, section.right_margin = Mm(20), Mm(20)
        section.footer_distance = Mm(12)
        _docx_footer(section, sheet, labels)

        props = document.core_properties
        props.title = f"{sheet.title} {sheet.number}"
        props.author = sheet.printed_by
        props.created = sheet.printed_at or timezone.now()

        title = document.add_paragraph()
        title.alignment = center
        title.paragraph_format.space_after = Pt(12)
        _set_font(title.add_run(sheet.title), DOCX_TITLE_FONT, DOCX_TITLE_SIZE)

        meta = document.add_paragraph()
        meta.paragraph_format.space_after = Pt(6)
        meta.paragraph_format.tab_stops.add_tab_stop(Mm(170), WD_TAB_ALIGNMENT.RIGHT)
        _set_font(meta.add_run(f"{labels['number']}：{sheet.number}"), DOCX_BODY_FONT, 12)
        _set_font(meta.add_run(f"\t{labels['printed']}：{_day(sheet.printed_at)}"),
                  DOCX_BODY_FONT, 12)

        # fields and content: label | value | label | value
        widths = (Mm(28), Mm(57), Mm(28), Mm(57))
        table = document.add_table(rows=0, cols=4)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for start in range(0, len(sheet.fields), 2):
            cells = table.add_row().cells
            for offset, (label, value) in enumerate(sheet.fields[start:start + 2]):
                _docx_cell(cells[2 * offset], label, font=DOCX_LABEL_FONT, align=center)
                _shade(cells[2 * offset])
                _docx_cell(cells[2 * offset + 1], value)
        for label, value in sheet.content:
            cells = table.add_row().cells
            _docx_cell(cells[0], label, font=DOCX_LABEL_FONT, align=center)
            _shade(cells[0])
            merged = cells[1].merge(cells[3])
            _docx_cell(merged, value)
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=False):
                cell.width = width

        heading = document.add_paragraph()
        heading.alignment = center
        heading.paragraph_format.space_before = Pt(12)
        heading.paragraph_format.space_after = Pt(6)
        _set_font(heading.add_run(labels["steps"]), DOCX_LABEL_FONT, 14)

        step_widths = (Mm(10), Mm(28), Mm(28), Mm(25), Mm(25), Mm(54))
        steps = document.add_table(rows=1, cols=6)
        steps.style = "Table Grid"
        steps.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, key in zip(steps.rows[0].cells, ("seq", "step", "person", "received",
                                                   "finished", "opinion"), strict=True):
            _docx_cell(cell, labels[key], font=DOCX_LABEL_FONT, size=10.5, align=center)
            _shade(cell)
        _repeat_header(steps.rows[0])
        for index, row in enumerate(sheet.rows, start=1):
            cells = steps.add_row().cells
            _docx_cell(cells[0], str(index), size=10.5, align=center)
            _docx_cell(cells[1], row.step, size=10.5)
            _docx_cell(cells[2], row.person, size=10.5)
            _docx_cell(cells[3], _moment(row.received), size=10.5)
            _docx_cell(cells[4], _moment(row.finished), size=10.5)
            _docx_cell(cells[5], "\n".join(t for t in (row.decision, row.opinion) if t),
                       size=10.5)
        remarks = steps.add_row().cells
        _docx_cell(remarks[0], labels["remarks"], font=DOCX_LABEL_FONT, size=10.5,
                   align=center)
        _shade(remarks[0])
        remarks[0].merge(remarks[1])
        remarks[2].merge(remarks[5])
        steps.rows[-1].height = Mm(20)
        for row in steps.rows:
            for cell, width in zip(row.cells, step_widths, strict=False):
                cell.width = width

        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()


def _repeat_header(row) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    row._tr.get_or_add_trPr().append(parse_xml(f'<w:tblHeader {nsdecls("w")}/>'))


# --- the PDF -----------------------------------------------------------------------------

def font_problem(path: Path) -> str | None:
    """Why ``path`` cannot serve as the PDF's font, or None if it looks like TrueType."""
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
            if head[:4] == b"ttcf":  # a collection: look at its first font
                offset = int.from_bytes(head[12:16], "big")
                handle.seek(offset)
                head = handle.read(4)
    except OSError:
        return _("%(path)s does not exist or cannot be read.") % {"path": path}
    if head[:4] == b"OTTO":
        return _("%(path)s has PostScript (CFF) outlines, which cannot be embedded; use a "
                 "TrueType font.") % {"path": path}
    if head[:4] not in (b"\x00\x01\x00\x00", b"true"):
        return _("%(path)s is not a TrueType font.") % {"path": path}
    return None


def pdf_font_path() -> Path | None:
    """The TrueType CJK font the PDF embeds, or None for reportlab's built-in font (no
    TrueType one installed); SheetUnavailable when DUTYCHAIN_PDF_FONT cannot be used."""
    configured = getattr(settings, "DUTYCHAIN_PDF_FONT", "")
    if configured:
        problem = font_problem(Path(configured))
        if problem is not None:
            raise SheetUnavailable(
                _("The PDF cannot be printed: the font set in DUTYCHAIN_PDF_FONT cannot be "
                  "used (%(why)s). Download the Word version, or ask the administrator to "
                  "correct DUTYCHAIN_PDF_FONT or remove it (the sheet then uses the Chinese "
                  "font installed on the server, or the built-in one).") % {"why": problem})
        return Path(configured)
    return next((Path(path) for path in DEFAULT_PDF_FONTS
                 if font_problem(Path(path)) is None), None)


_registered: dict[str, str] = {}


def _pdf_font() -> str:
    """Register the font with reportlab once per path; its name for styles."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    path = pdf_font_path()
    if path is None:
        if BUILTIN_PDF_FONT not in _registered:
            pdfmetrics.registerFont(UnicodeCIDFont(BUILTIN_PDF_FONT))
            _registered[BUILTIN_PDF_FONT] = BUILTIN_PDF_FONT
        return BUILTIN_PDF_FONT
    path = str(path)
    if path not in _registered:
        name = f"{PDF_FONT_NAME}{len(_registered)}"
        try:
            ttf = TTFont(name, path, subfontIndex=0)
            if ord("审") not in ttf.face.charToGlyph:
                raise TTFError(_("it has no Chinese characters"))
            pdfmetrics.registerFont(ttf)
        except (TTFError, OSError) as error:
            raise SheetUnavailable(
                _("The PDF cannot be printed: the font %(path)s cannot be embedded (%(error)s). "
                  "Download the Word version, or ask the administrator to set "
                  "DUTYCHAIN_PDF_FONT to a TrueType Chinese font.")
                % {"path": path, "error": error}) from error
        _registered[path] = name
    return _registered[path]


def _para_text(text: str) -> str:
    return escape(text or "").replace("\n", "<br/>")


def render_pdf(sheet: Sheet) -> bytes:
    """The sheet as an A4 PDF in the font of ``_pdf_font``; page numbers when it runs over."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _pdf_font()
    with translation.override("zh-hans"):
        labels = sheet_labels()
        footer_left = labels["printed_by"] % {"name": sheet.printed_by or _("System"),
                                              "time": _moment(sheet.printed_at)}
        page_label = labels["page"]

    def style(name, size, leading=None, **extra):
        return ParagraphStyle(name, fontName=font, fontSize=size,
                              leading=leading or size * 1.45, wordWrap="CJK", **extra)

    title_style = style("title", 20, 26, alignment=TA_CENTER, spaceAfter=3 * mm)
    meta_style = style("meta", 10.5)
    label_style = style("label", 10.5, alignment=TA_CENTER)
    body = style("body", 10.5)
    small = style("small", 9, 12.5)
    small_center = style("small_center", 9, 12.5, alignment=TA_CENTER)

    def p(text, st=body):
        return Paragraph(_para_text(text), st)

    width = 170 * mm
    grid = TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("BOX", (0, 0), (-1, -1), 1.2, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
    ])

    story = [Paragraph(_para_text(sheet.title), title_style)]
    meta = Table([[p(f"{labels['number']}：{sheet.number}", meta_style),
                   Paragraph(_para_text(f"{labels['printed']}：{_day(sheet.printed_at)}"),
                             style("meta_right", 10.5, alignment=2))]],
                 colWidths=[width / 2, width / 2])
    meta.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    story += [meta, Spacer(1, 2 * mm)]

    rows, commands = [], []
    for start in range(0, len(sheet.fields), 2):
        pair = sheet.fields[start:start + 2]
        row = []
        for label, value in pair:
            row += [p(label, label_style), p(value)]
        row += ["", ""] * (2 - len(pair))
        rows.append(row)
    for label, value in sheet.content:
        rows.append([p(label, label_style), p(value), "", ""])
        commands.append(("SPAN", (1, len(rows) - 1), (3, len(rows) - 1)))
    info = Table(rows, colWidths=[28 * mm, 57 * mm, 28 * mm, 57 * mm])
    info.setStyle(grid)
    field_rows = (len(sheet.fields) + 1) // 2
    shading = [("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F2F2F2"))]
    if field_rows:
        shading.append(("BACKGROUND", (2, 0), (2, field_rows - 1), colors.HexColor("#F2F2F2")))
    info.setStyle(TableStyle([*commands, *shading]))
    story += [info, Spacer(1, 4 * mm),
              Paragraph(_para_text(labels["steps"]), style("steps", 14, alignment=TA_CENTER,
                                                            spaceAfter=2 * mm))]

    header = [p(labels[key], small_center) for key in
              ("seq", "step", "person", "received", "finished", "opinion")]
    step_rows = [header]
    for index, row in enumerate(sheet.rows, start=1):
        said = "\n".join(t for t in (row.decision, row.opinion) if t)
        step_rows.append([p(str(index), small_center), p(row.step, small), p(row.person, small),
                          p(_moment(row.received).replace(" ", "\n"), small),
                          p(_moment(row.finished).replace(" ", "\n"), small),
                          p(said, small)])
    step_rows.append([p(labels["remarks"], small_center), "", "", "", "", ""])
    steps = Table(step_rows, colWidths=[11 * mm, 28 * mm, 24 * mm, 22 * mm, 22 * mm, 63 * mm],
                  repeatRows=1, rowHeights=[None] * (len(step_rows) - 1) + [15 * mm])
    steps.setStyle(grid)
    steps.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F2F2F2")),
        ("VALIGN", (0, 1), (-1, -1), "TOP"),
        ("SPAN", (0, -1), (1, -1)), ("SPAN", (2, -1), (-1, -1)),
        ("VALIGN", (0, -1), (1, -1), "MIDDLE"),
    ]))
    story.append(steps)

    class NumberedCanvas(Canvas):
        """Draws 第 X 页 共 Y 页 once the page count is known."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(font, 9)
                self.drawCentredString(A4[0] / 2, 12 * mm, page_label % {
                    "page": self._pageNumber, "pages": total})
                self.setFont(font, 8)
                self.drawString(20 * mm, 7 * mm, footer_left)
                super().showPage()
            super().save()

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm,
        bottomMargin=22 * mm, title=f"{sheet.title} {sheet.number}",
        author=sheet.printed_by, creator="DutyChain", subject=sheet.title)
    document.build(story, canvasmaker=NumberedCanvas)
    return buffer.getvalue()


# --- printing ----------------------------------------------------------------------------

def filename(sheet: Sheet, fmt: str) -> str:
    return f"{sheet.filename_stem}.{fmt}"


def sheet_print(*, record: QuarterlyReport | Problem, by: User, fmt: str
                ) -> tuple[bytes, str, str]:
    """Print the approval sheet as ``fmt`` ("pdf" or "docx"): (content, content type,
    filename). The caller has checked that ``by`` may view the record; the print is audited."""
    if fmt not in FORMATS:
        raise ValidationError(_("Choose PDF or Word (docx)."))
    if fmt == "pdf":
        pdf_font_path()  # refuse before gathering anything
    sheet = build_sheet(record, by=by)
    content = render_pdf(sheet) if fmt == "pdf" else render_docx(sheet)
    kind = "report" if isinstance(record, QuarterlyReport) else "problem"
    audit(actor=by, action=f"{kind}.sheet_print", target=record, format=fmt,
          number=sheet.number, steps=len(sheet.rows))
    return content, FORMATS[fmt], filename(sheet, fmt)
