"""A circular (通报) as a GB/T 9704-style Word document: the red-headed notice the
committee prints and files, with its problems grouped by unit."""

from __future__ import annotations

from django.utils import translation

from records.models import Circular
from records.selectors import circular_problems

from .chinese import chinese_date

# the layout is GB/T 9704's, shared with the duty list's documents; the old private names
# stay importable (records.documents.sheet_docx and others use them)
from .gbt9704 import (  # noqa: F401
    BODY_FONT,
    BODY_SIZE,
    DOCX_CONTENT_TYPE,
    FONT_FALLBACKS,
    HEADING_FONT,
    LINE_SPACING,
    TITLE_FONT,
    TITLE_SIZE,
    official_document,
    safe_filename,
    to_bytes,
)
from .gbt9704 import declare_fonts as _declare_fonts  # noqa: F401
from .gbt9704 import page_number_footer as _page_number_footer  # noqa: F401
from .gbt9704 import paragraph as _paragraph
from .gbt9704 import set_font as _set_font  # noqa: F401


def docx_filename(circular: Circular) -> str:
    """〔2026〕3号 <title>.docx, with nothing a file system would refuse."""
    return f"{circular.document_number} {safe_filename(circular.title)}.docx"


def build_docx(circular: Circular) -> bytes:
    """The circular as a Word document laid out as a Chinese official document."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = official_document(title=f"{circular.document_number} {circular.title}",
                                 author=circular.issuer)

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

    return to_bytes(document)
