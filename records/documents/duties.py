"""The duty list's documents:

- the list as a notice (关于印发《…》的通知) with its items as the annex, a GB/T 9704 .docx;
- a person's 履责纪实手册 for a year (.docx): each item of their posts with its counter and
  the records that count for it;
- the record list as an .xlsx workbook, written row by row like the ledger's export.

The Word documents are Chinese official documents whatever the interface's language (as
the circulars are): their wording is written here in Chinese, the labels of the models'
choices are read in Chinese. The workbook follows the interface, as the ledger's does.
Every download is audited.

A talk's content (地点, 摘要, 其他参加人员) is written only for a reader who sees it
(records.services.duty_records.sees_talk); the others get its date and who took part.
"""

from __future__ import annotations

import datetime
import tempfile
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from accounts import chain
from accounts.models import Post, Unit, User
from records import permissions
from records.audit import audit
from records.duty_seats import Counter, my_counters, seats_on
from records.models import DutyItem, DutyList, DutyRecord, DutyRecordItem
from records.selectors import visible_duty_records
from records.services import duties as duty_rules
from records.services import duty_records

from . import spreadsheets
from .chinese import chinese_date, chinese_numeral
from .gbt9704 import (
    HEADING_FONT,
    TITLE_FONT,
    TITLE_SIZE,
    official_document,
    page_break,
    paragraph,
    safe_filename,
    to_bytes,
)
from .sheet_docx import _docx_cell as table_cell
from .sheet_docx import _repeat_header as repeat_header
from .sheet_docx import _shade as shade
from .spreadsheets import XLSX, Export  # noqa: F401 (XLSX: the type the page serves)

TABLE_SIZE = 12  # 小四, in the tables
SMALL_SIZE = 10.5  # 五号, the handbook's record tables


# a talk's content, read from the prefetched participants (records.services.duty_records)
sees_content = duty_records.sees_talk


def _participants(record: DutyRecord, seen: bool) -> str:
    names = "、".join(str(person) for person in record.participants.all())
    if seen and record.guests:
        return f"{names}；{record.guests}" if names else record.guests
    return names


def _table(document, headers: list[str], widths, size: float = TABLE_SIZE):
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        table_cell(cell, header, font=HEADING_FONT, size=size, align=WD_ALIGN_PARAGRAPH.CENTER)
        shade(cell)
    repeat_header(table.rows[0])
    return table


def _widths(table, widths) -> None:
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=False):
            cell.width = width


# -- the list as a notice ------------------------------------------------------------------

def notice_title(duty_list: DutyList) -> str:
    return f"关于印发《{duty_list.title}》的通知"


def notice_filename(duty_list: DutyList) -> str:
    draft = "（草稿）" if duty_list.is_draft else ""
    return f"{safe_filename(notice_title(duty_list))}{draft}.docx"


def _issuing_unit(duty_list: DutyList) -> str:
    """The bureau whose secretary issued the list (the first bureau, for a draft)."""
    if duty_list.issued_by_id and duty_list.issued_at:
        day = timezone.localdate(duty_list.issued_at)
        post = Post.objects.on(day).filter(user_id=duty_list.issued_by_id,
                                           role=Post.Role.SECRETARY).select_related("unit") \
            .order_by("valid_from", "pk").first()
        if post is not None:
            return post.unit.name
    bureau = Unit.objects.filter(kind=Unit.Kind.BUREAU).order_by("order", "code").first()
    return bureau.name if bureau else ""


def _target(item: DutyItem) -> str:
    if item.as_needed:
        return str(_("as needed"))
    return f"{item.target}次" if item.target else "—"


def build_notice(duty_list: DutyList) -> bytes:
    """The list as the notice that issues it: title, addressees, a short body (when and by
    whom it was issued), the issuing bureau and date; its items as the annex's table (No.,
    duty, target, period, carried by, review), by section."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    center, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    items = list(duty_list.items.order_by("number"))
    with translation.override("zh-hans"):
        issuer = str(duty_list.issued_by) if duty_list.issued_by_id else ""
        document = official_document(title=notice_title(duty_list), author=issuer)
        if duty_list.is_draft:
            paragraph(document, f"（草稿 · 第{duty_list.version}版 · 未印发）", align=center)
        else:
            paragraph(document, f"第{duty_list.version}版", align=center)
        paragraph(document)
        paragraph(document, notice_title(duty_list), font=TITLE_FONT, size=TITLE_SIZE,
                  align=center, spacing=TITLE_SIZE + 13)
        paragraph(document)
        paragraph(document, "机关各处室、各直属单位：")
        if duty_list.is_draft:
            paragraph(document, f"《{duty_list.title}》尚在拟定中，本稿仅供审阅，"
                                f"不作为履责依据。", indent=True)
        else:
            issued_on = timezone.localdate(duty_list.issued_at) if duty_list.issued_at \
                else timezone.localdate()
            paragraph(document, f"《{duty_list.title}》已经{issuer}同志于"
                                f"{chinese_date(issued_on)}签发，现印发给你们，请结合工作实际，"
                                f"认真抓好贯彻落实。", indent=True)
        paragraph(document, f"各责任主体要对照清单所列{len(items)}项责任事项，按目标和周期"
                            f"履职尽责，事项完成后及时如实填报履责纪实，按时接受审核。",
                  indent=True)
        paragraph(document)
        paragraph(document, f"附件：{duty_list.title}", indent=True)
        paragraph(document)
        paragraph(document)
        paragraph(document, _issuing_unit(duty_list), align=right, right_indent_chars=4)
        day = (timezone.localdate(duty_list.issued_at) if duty_list.issued_at
               else timezone.localdate())
        paragraph(document, chinese_date(day), align=right, right_indent_chars=4)

        page_break(document)
        paragraph(document, "附件", font=HEADING_FONT)
        paragraph(document)
        paragraph(document, duty_list.title, font=TITLE_FONT, size=TITLE_SIZE, align=center,
                  spacing=TITLE_SIZE + 13)
        paragraph(document)
        widths = (Mm(12), Mm(60), Mm(16), Mm(18), Mm(28), Mm(22))
        table = _table(document, ["序号", "事项", "目标", "周期", "责任主体", "审核"], widths)
        section, sections = None, 0
        for item in items:
            if item.section and item.section != section:
                section = item.section
                sections += 1
                row = table.add_row().cells
                merged = row[0].merge(row[-1])
                table_cell(merged, section, font=HEADING_FONT)
            cells = table.add_row().cells
            table_cell(cells[0], str(item.number), align=center)
            table_cell(cells[1], item.text or item.title)
            table_cell(cells[2], _target(item), align=center)
            table_cell(cells[3], item.get_period_display(), align=center)
            table_cell(cells[4], "、".join(item.carrier_labels()) or "—")
            table_cell(cells[5], item.get_reviewer_display(), align=center)
        _widths(table, widths)
    return to_bytes(document)


def duty_list_download(*, duty_list: DutyList, by: User) -> bytes:
    """The notice of ``duty_list`` for a reader the view let through, audited."""
    content = build_notice(duty_list)
    audit(actor=by, action="duty_list.download", target=duty_list, version=duty_list.version,
          status=duty_list.status)
    return content


# -- a person's 履责纪实手册 ----------------------------------------------------------------

def may_read_handbook(reader: User, person: User, duty_list: DutyList,
                      today: datetime.date | None = None) -> bool:
    """Whether ``reader`` reads ``person``'s handbook: their own; anyone's for the
    secretary, the committee and the stationed group; else only if every place the person
    holds lies in a unit whose records the reader reads (records.selectors.
    visible_duty_records: a leader, the units they oversee; a head or liaison, their
    unit)."""
    if not duty_rules.can_read(reader):
        return False
    if reader.pk == person.pk or permissions.sees_everything(reader) \
            or permissions.is_stationed(reader):
        return True
    day = _handbook_day(duty_list, today)
    places = {seat.unit_id for seat in seats_on(person, day)}
    units = {unit.pk for unit in chain.units_overseen_by(reader)}
    units |= {unit.pk for unit in chain.units_of(reader, (Post.Role.HEAD, Post.Role.LIAISON))}
    return bool(places) and places <= units


def _handbook_day(duty_list: DutyList, today: datetime.date | None) -> datetime.date:
    return min(today or timezone.localdate(), datetime.date(duty_list.year, 12, 31))


@dataclass
class HandbookItem:
    counter: Counter
    records: list[DutyRecord] = field(default_factory=list)


def handbook_items(reader: User, person: User, duty_list: DutyList,
                   today: datetime.date | None = None) -> list[HandbookItem]:
    """Each item of ``person``'s posts with its place's counter, and the records that count
    for it — recorded by the person, or for the person's place (by a predecessor, a
    liaison) — that ``reader`` may read, oldest first. A fixed number of queries however
    many records there are."""
    today = today or timezone.localdate()
    counters = my_counters(person, duty_list, today)
    if not counters:
        return []
    places = Q(record__author=person)
    for counter in counters:
        seat = counter.seat
        places |= Q(item_id=counter.item.pk, carrier=seat.carrier, unit_id=seat.unit_id,
                    leader_id=seat.leader_id)
    rows = (DutyRecordItem.objects
            .filter(places, item__in=[counter.item for counter in counters], counts=True,
                    record__in=visible_duty_records(reader))
            .select_related("record__unit", "record__author")
            .prefetch_related(Prefetch("record__participants",
                                       queryset=User.objects.order_by("name", "username")))
            .order_by("record__date", "record__pk"))
    found = {counter.item.pk: HandbookItem(counter) for counter in counters}
    for row in rows:
        found[row.item_id].records.append(row.record)
    return list(found.values())


def _cover_lines(person: User, duty_list: DutyList, day: datetime.date) -> list[str]:
    posts = list({post.pk: post for post in seats_on(person, day).values()}.values())
    units = "、".join(dict.fromkeys(post.unit.name for post in posts)) or "—"
    titles = "、".join(dict.fromkeys(post.title for post in posts if post.title)) or "—"
    return [f"姓　　名：{person}", f"单　　位：{units}", f"职　　务：{titles}",
            f"年　　度：{duty_list.year}年", f"责任清单：{duty_list.title}（第{duty_list.version}版）",
            f"打印日期：{chinese_date(timezone.localdate())}"]


def _counter_line(counter: Counter) -> str:
    item = counter.item
    if item.as_needed or not item.target:
        line = f"完成：{counter.done}次（{item.get_period_display()}，按需开展）"
    else:
        line = f"完成/目标：{counter.done}/{item.target}次（{item.get_period_display()}）"
    if len(counter.periods) > 1:
        shown = [period for period in counter.periods
                 if period.ended or period is counter.current]
        line += f"；全年累计{counter.done_year}次"
        if shown:
            line += "：" + " · ".join(
                f"{period.label} {period.done}{'（未达标）' if period.missed else ''}"
                for period in shown)
    elif counter.periods and counter.periods[0].missed:
        line += "；未达标"
    return line


def build_handbook(reader: User, person: User, duty_list: DutyList,
                   today: datetime.date | None = None) -> tuple[bytes, int]:
    """The handbook as a .docx, and how many record rows it holds."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    today = today or timezone.localdate()
    center = WD_ALIGN_PARAGRAPH.CENTER
    title = f"{duty_list.year}年度履责纪实手册"
    rows = 0
    with translation.override("zh-hans"):
        items = handbook_items(reader, person, duty_list, today)
        document = official_document(title=f"{person} {title}", author=str(reader))
        for _blank in range(3):
            paragraph(document)
        paragraph(document, title, font=TITLE_FONT, size=TITLE_SIZE + 4, align=center,
                  spacing=TITLE_SIZE + 20)
        for _blank in range(4):
            paragraph(document)
        for line in _cover_lines(person, duty_list, _handbook_day(duty_list, today)):
            paragraph(document, line, indent=True)
        page_break(document)

        paragraph(document, "履责情况", font=TITLE_FONT, size=TITLE_SIZE, align=center,
                  spacing=TITLE_SIZE + 13)
        paragraph(document)
        if not items:
            paragraph(document, f"{person}本年度所任职务不承担《{duty_list.title}》所列事项。",
                      indent=True)
        hidden = "谈话内容仅限参加人员和审核人查阅。"
        widths = (Mm(24), Mm(16), Mm(26), Mm(34), Mm(56))
        for number, entry in enumerate(items, start=1):
            item = entry.counter.item
            paragraph(document, f"{chinese_numeral(number)}、{item.title}（清单第{item.number}项）",
                      font=HEADING_FONT, indent=True)
            paragraph(document, _counter_line(entry.counter), indent=True)
            if not entry.records:
                paragraph(document, "（暂无纪实记录）", indent=True)
                continue
            table = _table(document, ["日期", "类型", "地点", "参加人员", "摘要"], widths,
                           size=SMALL_SIZE)
            for record in entry.records:
                seen = sees_content(reader, record)
                summary = record.summary if seen else hidden
                if record.author_id != person.pk:
                    summary += f"（{record.author}填报）"
                cells = table.add_row().cells
                table_cell(cells[0], record.date.isoformat(), size=SMALL_SIZE, align=center)
                table_cell(cells[1], record.get_kind_display(), size=SMALL_SIZE, align=center)
                table_cell(cells[2], record.place if seen else "", size=SMALL_SIZE)
                table_cell(cells[3], _participants(record, seen) or "—", size=SMALL_SIZE)
                table_cell(cells[4], summary, size=SMALL_SIZE)
                rows += 1
            _widths(table, widths)
            paragraph(document)
    return to_bytes(document), rows


def handbook_filename(person: User, duty_list: DutyList) -> str:
    return safe_filename(f"{person}-{duty_list.year}年度履责纪实手册") + ".docx"


def handbook_download(*, by: User, person: User, duty_list: DutyList) -> bytes:
    """``person``'s handbook for a reader the view let through (may_read_handbook),
    audited with how many records it holds."""
    content, rows = build_handbook(by, person, duty_list)
    audit(actor=by, action="duty_handbook.download", target=person, year=duty_list.year,
          duty_list=duty_list.pk, rows=rows)
    return content


# -- the records as a workbook -------------------------------------------------------------

WIDTHS = [12, 10, 20, 12, 14, 12, 8, 60, 30]


def _headers() -> list[str]:
    # each through gettext, spelled out so that makemessages finds them
    return [_("Date"), _("Kind"), _("Unit"), _("Recorded by"), _("Counts for"), _("Status"),
            _("Late"), _("Summary"), _("Participants")]


def records_export(*, by: User, rows: QuerySet, filters: dict) -> Export:
    """``rows`` (what ``by`` may read of the record list, filtered) as a workbook, newest
    first, written as they are read; audited with the filters and the number of rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Duty records"))
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header_cells = spreadsheets.row(sheet, _headers())
    for header in header_cells:
        header.font = bold
    sheet.append(header_cells)
    kinds = {code: str(label) for code, label in DutyRecord.Kind.choices}
    statuses = {code: str(label) for code, label in DutyRecord.Status.choices}
    late = _("late")
    rows = (rows.select_related("author", "unit")
            .prefetch_related(Prefetch("participants",
                                       queryset=User.objects.order_by("name", "username")),
                              Prefetch("counted", queryset=DutyRecordItem.objects
                                       .select_related("item").order_by("item__number")))
            .order_by("-date", "-pk"))
    count = 0
    for record in rows.iterator(chunk_size=500):
        seen = sees_content(by, record)
        sheet.append(spreadsheets.row(sheet, [
            record.date, kinds.get(record.kind, record.kind), record.unit.name,
            str(record.author), "、".join(str(counted.item.number)
                                          for counted in record.counted.all()),
            statuses.get(record.status, record.status), late if record.is_late else "",
            record.summary if seen else "", _participants(record, seen),
        ]))
        count += 1
    # write-only rows go to disk as they are appended; the response streams the file
    spool = tempfile.TemporaryFile()
    workbook.save(spool)
    spool.seek(0)
    audit(actor=by, action="duty_record.export", target=by, rows=count,
          filters={name: value for name, value in filters.items()
                   if value not in (None, "", False) and name != "page"})
    return spreadsheets.Export(file=spool, rows=count, day=timezone.localdate().isoformat(),
                               title=_("Duty records"), slug="duty-records")
