"""The approval sheet as a Word document (python-docx), in the fonts of the circulars."""

from __future__ import annotations

import io
import re

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from records.documents.circulars import DOCX_CONTENT_TYPE, _declare_fonts, _set_font  # noqa: F401

from .sheets import Sheet, day, moment, sheet_labels

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
                                                   "time": moment(sheet.printed_at)}),
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
        _set_font(meta.add_run(f"\t{labels['printed']}：{day(sheet.printed_at)}"),
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
            _docx_cell(cells[3], moment(row.received), size=10.5)
            _docx_cell(cells[4], moment(row.finished), size=10.5)
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
