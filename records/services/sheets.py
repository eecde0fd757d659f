"""Printing an approval sheet (审批单) for the paper archive: each print is audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import User
from records.audit import audit
from records.documents.circulars import DOCX_CONTENT_TYPE
from records.documents.sheet_docx import render_docx
from records.documents.sheet_pdf import pdf_font_path, render_pdf
from records.documents.sheets import build_sheet, filename
from records.kinds import kind_of

PDF_CONTENT_TYPE = "application/pdf"
FORMATS = {"pdf": PDF_CONTENT_TYPE, "docx": DOCX_CONTENT_TYPE}


def sheet_print(*, record, steps, by: User, fmt: str
                ) -> tuple[bytes, str, str]:
    """Print the approval sheet as ``fmt`` ("pdf" or "docx"): (content, content type,
    filename). The caller has checked that ``by`` may view the record; the print is audited."""
    if fmt not in FORMATS:
        raise ValidationError(_("Choose PDF or Word (docx)."))
    if fmt == "pdf":
        pdf_font_path()  # refuse before gathering anything
    sheet = build_sheet(record, steps, by=by)
    content = render_pdf(sheet) if fmt == "pdf" else render_docx(sheet)
    kind = kind_of(record).key
    audit(actor=by, action=f"{kind}.sheet_print", target=record, format=fmt,
          number=sheet.number, steps=len(sheet.rows))
    return content, FORMATS[fmt], filename(sheet, fmt)
