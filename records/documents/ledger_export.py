"""The ledger as an .xlsx workbook: exactly the filtered rows (every page), written to a
temporary file as they are read, so memory stays flat however many there are. The page's
export and the API's share it."""

from __future__ import annotations

import tempfile

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from accounts.models import User
from records import ledger
from records.audit import audit

from . import spreadsheets
from .spreadsheets import XLSX, Export  # noqa: F401 (XLSX: the type the pages serve)

WIDTHS = [8, 22, 12, 14, 60, 16, 12, 14, 22, 12, 12, 24]


def _headers() -> list[str]:
    # each through gettext, spelled out so that makemessages finds them
    return [_("No."), _("Unit"), _("Category"), _("Source"), _("Description"),
            _("Person concerned"), _("Date found"), _("Status"), _("Current step"),
            _("Assignee"), _("Deadline"), _("Traffic light")]


def ledger_export(*, by: User, filters: ledger.LedgerFilters, lights: ledger.Lights) -> Export:
    """What ``by`` sees of the ledger under ``filters``, as a workbook; audited with the
    filters and the number of rows taken."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Problem ledger"))
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header_cells = spreadsheets.row(sheet, _headers())
    for header in header_cells:
        header.font = bold
    sheet.append(header_cells)
    count = 0
    for problem in ledger.ledger_rows(by, filters, lights).iterator(chunk_size=2000):
        ledger.decorate(problem, lights)  # its labels, each translated once
        sheet.append(spreadsheets.row(sheet, [
            problem.pk, problem.unit.name, problem.category_label, problem.source_label,
            problem.description, problem.person_concerned, problem.found_on,
            problem.status_label, problem.step_title,
            str(problem.assignee or "") if problem.is_open else "",
            problem.due_date if problem.is_open else None, problem.light_label,
        ]))
        count += 1
    # write-only rows go to disk as they are appended; the response streams the file
    spool = tempfile.TemporaryFile()
    workbook.save(spool)
    spool.seek(0)
    # audit() wants a record as its target: an export touches many, so the target is the
    # person exporting, and the event says what they filtered and how many rows they took
    audit(actor=by, action="problem.export", target=by, filters=filters.as_audit(), rows=count)
    return spreadsheets.Export(file=spool, rows=count, day=lights.today.isoformat(),
                               title=_("Problem ledger"), slug="problem-ledger")
