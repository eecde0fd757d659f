"""The approval sheet as a PDF (reportlab).

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
"""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from .sheets import Sheet, day, moment, sheet_labels

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
                                              "time": moment(sheet.printed_at)}
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
                   Paragraph(_para_text(f"{labels['printed']}：{day(sheet.printed_at)}"),
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
                          p(moment(row.received).replace(" ", "\n"), small),
                          p(moment(row.finished).replace(" ", "\n"), small),
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
