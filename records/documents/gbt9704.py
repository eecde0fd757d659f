"""Word documents laid out as Chinese official documents (GB/T 9704—2012, 党政机关公文格式):
A4, its margins, 方正小标宋 titles over 仿宋_GB2312 text at 28-point lines, "— 1 —" page
numbers. What the circulars (通报) and the duty list's documents share."""

from __future__ import annotations

import io
import re

from django.utils import timezone

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
FONT_FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", HEADING_FONT: "SimHei"}
TITLE_SIZE = 22  # 二号
BODY_SIZE = 16  # 三号
LINE_SPACING = 28  # points, exact
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def safe_filename(text: str) -> str:
    """``text`` with nothing a file system would refuse."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", text).strip()


def set_font(target, name: str, size: float | None = None, bold: bool | None = None) -> None:
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


def declare_fonts(document) -> None:
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


def paragraph(document, text: str = "", *, font: str = BODY_FONT, size: float = BODY_SIZE,
              align=None, indent: bool = False, spacing: float = LINE_SPACING,
              right_indent_chars: int = 0):
    """One paragraph at an exact line spacing, without space around it; ``indent``: two
    characters at its first line."""
    from docx.enum.text import WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Pt

    added = document.add_paragraph()
    fmt = added.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(spacing)
    if align is not None:
        added.alignment = align
    if indent:
        # two characters: in points for every reader, in characters for Word
        fmt.first_line_indent = Pt(2 * size)
        added._p.get_or_add_pPr().get_or_add_ind().set(qn("w:firstLineChars"), "200")
    if right_indent_chars:
        fmt.right_indent = Pt(right_indent_chars * size)
    if text:
        set_font(added.add_run(text), font, size)
    return added


def page_number_footer(section) -> None:
    """— 1 — centred at the foot of every page, 宋体 四号."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.text.run import Run

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(footer.add_run("— "), "宋体", 14)
    page_field = parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr=" PAGE "><w:r><w:t>1</w:t></w:r>'
                           f'</w:fldSimple>')
    footer._p.append(page_field)
    set_font(Run(page_field[0], footer), "宋体", 14)
    set_font(footer.add_run(" —"), "宋体", 14)


def official_document(*, title: str, author: str = ""):
    """A new A4 portrait document with GB/T 9704's margins (top 37, bottom 35, left 28,
    right 26 mm), its fonts declared, 仿宋 三号 as the normal text and page numbers."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm, Pt

    document = docx.Document()
    declare_fonts(document)
    normal = document.styles["Normal"]
    set_font(normal, BODY_FONT, BODY_SIZE)
    normal.paragraph_format.space_after = Pt(0)

    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(21)  # the page number sits ~7 mm below the text
    page_number_footer(section)

    props = document.core_properties
    props.title = title[:255]
    props.author = author[:255]
    props.created = timezone.now()
    return document


def page_break(document) -> None:
    from docx.enum.text import WD_BREAK

    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def to_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
