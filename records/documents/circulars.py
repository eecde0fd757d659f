"""A circular (通报) as a GB/T 9704-style Word document: the red-headed notice the
committee prints and files, with its problems grouped by unit."""

from __future__ import annotations

import io
import re

from django.utils import timezone, translation

from records.models import Circular
from records.selectors import circular_problems

from .chinese import chinese_date

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
FONT_FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", HEADING_FONT: "SimHei"}
TITLE_SIZE = 22  # 二号
BODY_SIZE = 16  # 三号
LINE_SPACING = 28  # points, exact
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_filename(circular: Circular) -> str:
    """〔2026〕3号 <title>.docx, with nothing a file system would refuse."""
    title = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", circular.title).strip()
    return f"{circular.document_number} {title}.docx"


def _set_font(target, name: str, size: int | None = None, bold: bool | None = None) -> None:
    """Name a font for Latin *and* East Asian text (python-docx only sets ascii/hAnsi)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    target.font.name = name
    element = target.element if hasattr(target, "style_id") else target._r  # a style or a run
    element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if size is not None:
        target.font.size = Pt(size)
    if bold is not None:
        target.font.bold = bold


def _declare_fonts(document) -> None:
    """List our Chinese fonts in the font table with an alternative Word may substitute."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    try:
        part = document.part.part_related_by(RT.FONT_TABLE)
    except KeyError:
        return
    fonts = parse_xml(part.blob)
    for name, alternative in FONT_FALLBACKS.items():
        fonts.append(parse_xml(
            f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alternative}"/>'
            f'<w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>'))
    from lxml import etree

    part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)


def _paragraph(document, text: str = "", *, font: str = BODY_FONT, size: int = BODY_SIZE,
               align=None, indent: bool = False, spacing: float = LINE_SPACING,
               right_indent_chars: int = 0):
    from docx.enum.text import WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Pt

    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(spacing)
    if align is not None:
        paragraph.alignment = align
    if indent:
        # two characters: in points for every reader, in characters for Word
        fmt.first_line_indent = Pt(2 * size)
        paragraph._p.get_or_add_pPr().get_or_add_ind().set(qn("w:firstLineChars"), "200")
    if right_indent_chars:
        fmt.right_indent = Pt(right_indent_chars * size)
    if text:
        _set_font(paragraph.add_run(text), font, size)
    return paragraph


def _page_number_footer(section) -> None:
    """— 1 — centred at the foot of every page, 宋体 四号."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.text.run import Run

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_font(paragraph.add_run("— "), "宋体", 14)
    page_field = parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr=" PAGE "><w:r><w:t>1</w:t></w:r>'
                      f'</w:fldSimple>')
    paragraph._p.append(page_field)
    _set_font(Run(page_field[0], paragraph), "宋体", 14)
    _set_font(paragraph.add_run(" —"), "宋体", 14)


def build_docx(circular: Circular) -> bytes:
    """The circular as a Word document laid out as a Chinese official document."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    document = docx.Document()
    _declare_fonts(document)
    normal = document.styles["Normal"]
    _set_font(normal, BODY_FONT, BODY_SIZE)
    normal.paragraph_format.space_after = Pt(0)

    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(21)  # the page number sits ~7 mm below the text
    _page_number_footer(section)

    props = document.core_properties
    props.title = f"{circular.document_number} {circular.title}"
    props.author = circular.issuer
    props.created = timezone.now()

    center, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    with translation.override("zh-hans"):
        _paragraph(document, circular.document_number, align=center)
        _paragraph(document)
        _paragraph(document, circular.title, font=TITLE_FONT, size=TITLE_SIZE, align=center,
                   spacing=TITLE_SIZE + 13)
        _paragraph(document)
        for line in circular.body.splitlines():
            if line.strip():
                _paragraph(document, line.strip(), indent=True)
        for group in circular_problems(circular):
            _paragraph(document, group.heading, font=HEADING_FONT, indent=True)
            for number, problem in enumerate(group.problems, start=1):
                text = (f"{number}.【{problem.get_category_display()}】"
                        f"{problem.description.strip()}"
                        f"（整改状态：{problem.get_status_display()}）")
                _paragraph(document, text, indent=True)
        _paragraph(document)
        _paragraph(document)
        _paragraph(document, circular.issuer, align=right, right_indent_chars=2)
        _paragraph(document, chinese_date(circular.issued_on), align=right,
                   right_indent_chars=2)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
