"""The year-end assessment's documents:

- a subject's score sheet (.docx): every line of its scheme with the computed, self,
  leader's, adjusted and final scores, and under each line what explains it — the findings
  that cost points (with what caused them), the changes people made with their reasons,
  the appeals and their answers — then the special entries, the total and the grade;
- the workbook of every line of every sheet (.xlsx), for the committee and the secretary.

What a reader sees of a sheet is what records.assessment_selectors.sheet_view shows them: a
subject reads neither the leader's nor the committee's scores before publication, so their
.docx has no such column, no final score, no total and no grade.

The Word document is a Chinese document whatever the interface's language, as the approval
sheet is: its wording goes through gettext and is read in Chinese. The workbook follows the
interface, as the ledger's does. Every download is audited.
"""

from __future__ import annotations

import datetime
import json
import tempfile
from decimal import Decimal
from itertools import groupby

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from accounts.models import User
from records.assessment_measures import explain
from records.assessment_selectors import ExplainedLine, SheetView, sheet_view
from records.audit import audit
from records.models.assessments import (
    Appeal,
    Assessment,
    AssessmentSheet,
    Criterion,
    Explanation,
    ScoreChange,
    ScoreLine,
    SubjectGroup,
)

from . import spreadsheets
from .gbt9704 import (
    HEADING_FONT,
    TITLE_FONT,
    TITLE_SIZE,
    official_document,
    paragraph,
    safe_filename,
    to_bytes,
)
from .sheet_docx import _docx_cell as table_cell
from .sheet_docx import _repeat_header as repeat_header
from .sheet_docx import _shade as shade
from .spreadsheets import XLSX, Export  # noqa: F401 (XLSX: the type the page serves)

DOCUMENT_LANGUAGE = "zh-hans"
TABLE_SIZE = 10.5  # 五号
MINUS = "\u2212"


def number(value) -> str:
    """A score as people write it: 6.8, 8, 100 ("" for none)."""
    if value is None:
        return ""
    value = Decimal(value)
    text = f"{value.quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def signed(value) -> str:
    """Points lost or given: −0.5, +1, 0."""
    value = Decimal(value)
    if value < 0:
        return MINUS + number(-value)
    return ("+" if value > 0 else "") + number(value)


def _moment(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


class Wording:
    """How a finding is written — "target 4, done 3: −0.5 → duty list item 14" — read in
    the current language once, for a document that writes thousands of them."""

    def __init__(self):
        self.with_cause = _("%(text)s: %(points)s → %(cause)s")
        self.without_cause = _("%(text)s: %(points)s")
        self.item = _("duty list item %(number)s")
        self.causes = {
            "duty_record": _("duty record #%(id)s"),
            "report": _("quarterly report #%(id)s"),
            "problem": _("problem #%(id)s"),
            "annual_report": _("annual report #%(id)s"),
            # "sheet": a unit's share on a leader's line, whose text names the unit already
        }
        self._texts: dict[str, str] = {}

    def cause(self, kind: str, target_id: int | None, params: dict) -> str:
        """What caused a finding, as a reference a reader can look up ("" for none)."""
        if kind == "duty_item":
            item = params.get("number")
            return self.item % {"number": item} if item else ""
        label = self.causes.get(kind)
        return label % {"id": target_id} if label and target_id is not None else ""

    def text(self, code: str, params: dict) -> str:
        """records.assessment_measures.explain, once for each finding that repeats."""
        key = code + json.dumps(params, sort_keys=True, default=str)
        if key not in self._texts:
            self._texts[key] = explain(code, params)
        return self._texts[key]

    def line(self, text: str, points_, kind: str, target_id: int | None, params: dict
             ) -> str:
        cause = self.cause(kind, target_id, params)
        values = {"text": text, "points": signed(points_), "cause": cause}
        return (self.with_cause if cause else self.without_cause) % values


def explanation_line(explanation: Explanation, text: str, wording: Wording | None = None
                     ) -> str:
    """A finding's text with its points and cause, in the current language."""
    return (wording or Wording()).line(text, explanation.points, explanation.target_kind,
                                       explanation.target_id, explanation.params)


def change_line(change: ScoreChange) -> str:
    return _("%(stage)s: %(before)s → %(after)s, %(reason)s (%(by)s, %(at)s)") % {
        "stage": change.get_stage_display(), "before": number(change.before) or "—",
        "after": number(change.after) or "—", "reason": change.reason or "—",
        "by": change.by, "at": _moment(change.at)}


def appeal_lines(appeal: Appeal) -> list[str]:
    lines = [_("Appeal by %(by)s on %(at)s: %(text)s") % {
        "by": appeal.by, "at": _moment(appeal.at), "text": appeal.text}]
    if appeal.status == Appeal.Status.OPEN:
        lines.append(str(appeal.get_status_display()))
    else:
        lines.append(_("Answer (%(status)s) by %(by)s on %(at)s: %(answer)s") % {
            "status": appeal.get_status_display(), "by": appeal.answered_by,
            "at": _moment(appeal.answered_at), "answer": appeal.answer})
    return lines


def notes_of(shown: ExplainedLine, wording: Wording) -> list[str]:
    """What is written under a line: its findings, the floor, its changes, its appeals."""
    notes = [explanation_line(explanation, text, wording)
             for explanation, text, _link in shown.explanations]
    if shown.floored:
        notes.append(explain("floor", {"lost": number(-shown.lost)}))
    notes += [change_line(change) for change in shown.changes]
    for appeal in shown.appeals:
        notes += appeal_lines(appeal)
    return notes


# -- the score sheet (.docx) -------------------------------------------------------------

def _columns(shows_leader: bool) -> list[tuple[str, float]]:
    """The tables' columns and their widths in mm (156 mm between the margins)."""
    if shows_leader:
        return [(_("No."), 10), (_("Criterion"), 52), (_("Maximum"), 14), (_("Computed"), 16),
                (_("Self-score"), 16), (_("Leader's score"), 16), (_("Adjusted"), 16),
                (_("Final"), 16)]
    return [(_("No."), 10), (_("Criterion"), 82), (_("Maximum"), 20), (_("Computed"), 22),
            (_("Self-score"), 22)]


def _values(shown: ExplainedLine) -> list[str]:
    line, criterion = shown.line, shown.criterion
    values = [str(criterion.number), criterion.name, number(criterion.max_points),
              number(line.automatic) if criterion.kind == Criterion.Kind.AUTOMATIC else "—",
              number(line.self_score)]
    if shown.shows_leader:
        values += [number(line.leader_score), number(line.adjusted), number(line.final)]
    return values


def _table(document, columns):
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, (header, _width) in zip(table.rows[0].cells, columns, strict=True):
        table_cell(cell, header, font=HEADING_FONT, size=TABLE_SIZE,
                   align=WD_ALIGN_PARAGRAPH.CENTER)
        shade(cell)
    repeat_header(table.rows[0])
    return table


def _widths(table, columns) -> None:
    from docx.shared import Mm

    for row in table.rows:
        for cell, (_header, width) in zip(row.cells, columns, strict=False):
            cell.width = Mm(width)


def _heading_lines(view: SheetView, reader: User) -> list[str]:
    sheet = view.sheet
    assessment = sheet.assessment
    scheme = assessment.scheme_of(sheet.group)
    lines = [
        _("Assessment: %(title)s") % {"title": assessment.title},
        _("Year: %(year)s") % {"year": assessment.year},
        _("Subject: %(subject)s") % {"subject": sheet.subject_name},
        _("Group: %(group)s") % {"group": sheet.get_group_display()},
        _("Scheme: %(title)s (version %(version)s)") % {"title": scheme.title,
                                                       "version": scheme.version},
        _("Records counted up to: %(day)s") % {"day": assessment.cut_off.isoformat()},
        _("Step: %(status)s") % {"status": assessment.get_status_display()},
        _("Printed by %(name)s at %(time)s") % {"name": reader,
                                                "time": _moment(timezone.now())},
    ]
    return lines


def _summary_lines(view: SheetView) -> list[str]:
    sheet = view.sheet
    if not view.shows_leader:
        return [_("The leader's and the committee's scores, the final scores, the total and "
                  "the grade are shown once the results are published.")]
    lines = [_("Total: %(total)s") % {"total": number(sheet.total)}]
    if sheet.grade:
        lines.append(_("Grade: %(grade)s") % {"grade": sheet.get_grade_display()})
    if sheet.grade_set:
        lines.append(_("The grade was set by the committee: %(reason)s")
                     % {"reason": sheet.grade_reason})
    if sheet.zero_criteria:
        lines.append(_("Criteria at 0: %(n)s") % {"n": sheet.zero_criteria})
    if sheet.vetoed:
        lines.append(_("A veto (一票否决) stands against it."))
    if sheet.barred:
        lines.append(_("A bar to excellent stands against it."))
    if sheet.acknowledged_at:
        lines.append(_("Read and accepted by the subject on %(at)s")
                     % {"at": _moment(sheet.acknowledged_at)})
    return lines


def build_sheet_docx(view: SheetView, reader: User) -> bytes:
    """The sheet as ``reader`` sees it (``view``), as an A4 Word document."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    center = WD_ALIGN_PARAGRAPH.CENTER
    sheet = view.sheet
    title = _("Score sheet of the %(year)s year-end assessment") % {
        "year": sheet.assessment.year}
    document = official_document(title=f"{title} {sheet.subject_name}", author=str(reader))
    paragraph(document, title, font=TITLE_FONT, size=TITLE_SIZE, align=center,
              spacing=TITLE_SIZE + 13)
    paragraph(document, f"{sheet.subject_name}（{sheet.get_group_display()}）", align=center)
    paragraph(document)
    for line in _heading_lines(view, reader):
        paragraph(document, line, size=12, spacing=22)

    columns = _columns(view.shows_leader)
    wording = Wording()
    for label, members in view.groups:
        paragraph(document)
        paragraph(document, str(label), font=HEADING_FONT, indent=True)
        table = _table(document, columns)
        for shown in members:
            cells = table.add_row().cells
            for index, (cell, value) in enumerate(zip(cells, _values(shown), strict=True)):
                table_cell(cell, value, size=TABLE_SIZE, align=None if index == 1 else center)
            notes = notes_of(shown, wording)
            if notes:
                row = table.add_row().cells
                table_cell(row[0].merge(row[-1]), "\n".join(notes), size=9)
        _widths(table, columns)

    if view.specials:
        paragraph(document)
        paragraph(document, _("Special entries"), font=HEADING_FONT, indent=True)
        special_columns = [(_("Criterion"), 34), (_("Kind"), 22), (_("Points"), 16),
                           (_("Reason"), 54), (_("Evidence"), 30)]
        table = _table(document, special_columns)
        for entry in view.specials:
            cells = table.add_row().cells
            for cell, value in zip(cells, [
                    entry.criterion.name, entry.criterion.get_special_display(),
                    signed(-entry.points if entry.criterion.special
                           == Criterion.Special.DEDUCTION else entry.points)
                    if entry.points else "—",
                    entry.reason, entry.name], strict=True):
                table_cell(cell, value, size=TABLE_SIZE)
        _widths(table, special_columns)

    paragraph(document)
    summary = _summary_lines(view)
    paragraph(document, summary[0], font=HEADING_FONT, indent=True)  # the total, or why not
    for line in summary[1:]:
        paragraph(document, line, indent=True)
    return to_bytes(document)


def sheet_filename(sheet: AssessmentSheet) -> str:
    with translation.override(DOCUMENT_LANGUAGE):
        name = _("%(year)s assessment score sheet - %(subject)s") % {
            "year": sheet.assessment.year, "subject": sheet.subject_name}
    return safe_filename(name) + ".docx"


def sheet_download(*, sheet: AssessmentSheet, by: User) -> bytes:
    """The .docx of ``sheet`` for a reader the view let through (services.can_view_sheet):
    what they may see of it, audited."""
    with translation.override(DOCUMENT_LANGUAGE):
        view = sheet_view(sheet, by)
        content = build_sheet_docx(view, by)
    audit(actor=by, action="assessment.sheet_docx", target=sheet, year=sheet.assessment.year,
          shows_leader=view.shows_leader)
    return content


# -- every line (.xlsx) --------------------------------------------------------------------

SUBJECT_WIDTHS = [16, 8, 24, 10, 10, 12, 8, 8]
LINE_WIDTHS = [16, 24, 8, 12, 30, 8, 10, 10, 10, 10, 10, 80]


def _subject_headers() -> list[str]:
    # each through gettext, spelled out so that makemessages finds them
    return [_("Subject group"), _("Rank"), _("Subject"), _("Total"), _("Grade"),
            _("Criteria at 0"), _("Veto"), _("Bar to excellent")]


def _line_headers() -> list[str]:
    return [_("Subject group"), _("Subject"), _("No."), _("Criterion group"), _("Criterion"),
            _("Maximum"), _("Computed"), _("Self-score"), _("Leader's score"), _("Adjusted"),
            _("Final"), _("Explanations")]


def _sheet(workbook, title: str, widths: list[int], headers: list[str]):
    sheet = workbook.create_sheet(title)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    cells = spreadsheets.row(sheet, headers)
    for cell in cells:
        cell.font = bold
    sheet.append(cells)
    return sheet


def _figure(value):
    """A score as a spreadsheet number."""
    return None if value is None else float(value)


def _row(sheet, values) -> list:
    """A row: numbers as they are (nothing to neutralise, and openpyxl writes them fastest),
    text as spreadsheets.cell writes it (never a formula)."""
    return [value if value is None or isinstance(value, (int, float))
            else spreadsheets.cell(sheet, value) for value in values]


def assessment_export(*, assessment: Assessment, by: User) -> Export:
    """Every sheet of ``assessment`` (a sheet of subjects) and every line of every sheet
    with its explanations (a sheet of lines), as a workbook written to a temporary file as
    the rows are read: three queries, whatever the number of subjects; audited."""
    workbook = Workbook(write_only=True)
    yes = _("yes")
    groups = dict(SubjectGroup.choices)
    criterion_groups = {value: str(label) for value, label in Criterion.Group.choices}

    subjects = _sheet(workbook, _("Subjects"), SUBJECT_WIDTHS, _subject_headers())
    names: dict[int, tuple[str, str]] = {}
    for sheet in assessment.sheets.select_related("unit", "subject").order_by(
            "group", "rank", "pk").iterator(chunk_size=2000):
        group = str(groups[sheet.group])
        names[sheet.pk] = (group, sheet.subject_name)
        subjects.append(_row(subjects, [
            group, sheet.rank, sheet.subject_name, _figure(sheet.total),
            sheet.get_grade_display(), sheet.zero_criteria, yes if sheet.vetoed else "",
            yes if sheet.barred else ""]))

    criteria = {criterion.pk: criterion for criterion in Criterion.objects.filter(
        scheme_id__in=[assessment.leaders_scheme_id, assessment.units_scheme_id])}
    lines = _sheet(workbook, _("Lines"), LINE_WIDTHS, _line_headers())
    # a line and its explanations in one read (a row per explanation, or one for a line with
    # none), in the order of the sheets: one query however many lines, grouped here
    rows = (ScoreLine.objects.filter(sheet__assessment=assessment)
            .order_by("sheet__group", "sheet__rank", "sheet_id", "criterion__number", "pk",
                      "explanations__order", "explanations__pk")
            .values_list("pk", "sheet_id", "criterion_id", "automatic", "self_score",
                         "leader_score", "adjusted", "final", "explanations__code",
                         "explanations__params", "explanations__points",
                         "explanations__target_kind", "explanations__target_id"))
    wording, count = Wording(), 0
    for _pk, found in groupby(rows.iterator(chunk_size=2000), key=lambda row: row[0]):
        found = list(found)
        (_line, sheet_id, criterion_id, automatic, self_score, leader_score, adjusted,
         final) = found[0][:8]
        criterion = criteria[criterion_id]
        group, subject = names.get(sheet_id, ("", ""))
        explanations = "\n".join(
            wording.line(wording.text(code, params or {}), points_, kind, target_id,
                         params or {})
            for *_values, code, params, points_, kind, target_id in found if code is not None)
        lines.append(_row(lines, [
            group, subject, criterion.number, criterion_groups.get(criterion.group, ""),
            criterion.name, _figure(criterion.max_points), _figure(automatic),
            _figure(self_score), _figure(leader_score), _figure(adjusted), _figure(final),
            explanations]))
        count += 1
    # write-only rows go to disk as they are appended; the response streams the file
    spool = tempfile.TemporaryFile()
    workbook.save(spool)
    spool.seek(0)
    audit(actor=by, action="assessment.export", target=assessment, sheets=len(names),
          rows=count)
    return spreadsheets.Export(
        file=spool, rows=count, day=timezone.localdate().isoformat(),
        title=_("%(year)s assessment, every line") % {"year": assessment.year},
        slug=f"assessment-{assessment.year}")
