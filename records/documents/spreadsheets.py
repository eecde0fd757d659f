"""Excel cells that cannot run anything.

openpyxl stores any string that starts with "=" as a formula, so a problem described as
``=HYPERLINK("http://…","click")`` would become a live link in the committee's
spreadsheet. Every text cell is written as text here, and a value that a spreadsheet
could still take for a formula when someone edits the cell — one starting with
``= + - @``, a tab or a carriage return — is prefixed with a single quote, as OWASP
advises for exports (CSV injection).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import IO
from urllib.parse import quote

from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Export:
    """A workbook written to a temporary file: its rows, the day it was taken, and its
    name (``title`` in the reader's language, ``slug`` for old clients)."""

    file: IO[bytes]
    rows: int
    day: str
    title: str
    slug: str

    @property
    def content_disposition(self) -> str:
        # an ASCII name for old clients, and the real one (RFC 5987 / 6266) for the others
        return (f"attachment; filename=\"{self.slug}-{self.day}.xlsx\"; "
                f"filename*=utf-8''{quote(f'{self.title}-{self.day}.xlsx')}")


def neutralised(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell(sheet, value) -> WriteOnlyCell:
    """One cell of a write-only sheet: text as text, dates as dates, numbers as numbers."""
    if isinstance(value, datetime.date):
        written = WriteOnlyCell(sheet, value=value)
        written.number_format = "yyyy-mm-dd"
        return written
    if value is None or isinstance(value, (int, float)) and not isinstance(value, bool):
        return WriteOnlyCell(sheet, value=value)
    written = WriteOnlyCell(sheet, value=neutralised(str(value)))
    written.data_type = "s"  # never "f": openpyxl guesses a formula from a leading "="
    return written


def row(sheet, values) -> list[WriteOnlyCell]:
    return [cell(sheet, value) for value in values]
