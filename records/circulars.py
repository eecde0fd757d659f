"""Circulars (通报): the discipline committee publishes problems to every unit of the bureau.

Issuing allocates the year's next number (〔2026〕1号, 〔2026〕2号 …) under the unique
constraint (year, number), retrying when another circular took the number meanwhile.
The .docx follows the layout of GB/T 9704 (党政机关公文格式): A4, fixed margins,
小标宋 title, 仿宋 body, 黑体 first-level headings, issuer and date right-aligned.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Unit, User

from . import dates, permissions
from .models import Circular, Problem
from .services import audit

MAX_ATTEMPTS = 5

# Fonts of GB/T 9704. Word falls back to the alternative named in the font table
# (see _declare_fonts) when a machine lacks the 方正 / GB2312 fonts. The document is
# Chinese whatever language the reader's interface is in.
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
FONT_FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", HEADING_FONT: "SimHei"}
TITLE_SIZE = 22  # 二号
BODY_SIZE = 16  # 三号
LINE_SPACING = 28  # points, exact
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# --- who may do what -------------------------------------------------------------------

def can_read(user: User) -> bool:
    """Every member of the bureau (anyone holding a post today) reads circulars."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(permissions._roles(user))


def can_issue(user: User) -> bool:
    """Only the discipline committee issues circulars."""
    return permissions.is_committee(user)


# --- choosing the problems -------------------------------------------------------------

def quarter_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """First day of ``day``'s quarter and first day of the next quarter."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = datetime.date(day.year, first_month, 1)
    if first_month == 10:
        return start, datetime.date(day.year + 1, 1, 1)
    return start, datetime.date(day.year, first_month + 3, 1)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def issuable_problems() -> QuerySet:
    """Problems a circular may name: any but the cancelled ones."""
    return Problem.objects.exclude(status=Problem.Status.CANCELLED)


def closed_in_quarter(day: datetime.date | None = None) -> QuerySet:
    """Problems closed out (or closed and filed) in the quarter of ``day`` (default: today)."""
    start, end = quarter_bounds(day or timezone.localdate())
    return Problem.objects.filter(status__in=Problem.DONE_STATUSES,
                                  closed_at__gte=_local_midnight(start),
                                  closed_at__lt=_local_midnight(end))


def candidate_problems(*, problem_list=None, closed_this_quarter: bool = False) -> QuerySet:
    """The problems the committee picks from, narrowed by a check and/or by closing."""
    rows = issuable_problems()
    if problem_list is not None:
        rows = rows.filter(problem_list=problem_list)
    if closed_this_quarter:
        rows = rows.filter(pk__in=closed_in_quarter().values("pk"))
    return rows.select_related("unit", "problem_list").order_by(
        "unit__order", "unit__code", "found_on", "pk")


@dataclass
class UnitProblems:
    """One unit's section of a circular: 一、<unit> then its problems, numbered."""

    unit: Unit
    problems: list[Problem] = field(default_factory=list)
    index: int = 0

    @property
    def heading(self) -> str:
        return f"{chinese_numeral(self.index)}、{self.unit.name}"


def problems_by_unit(problems: Iterable[Problem]) -> list[UnitProblems]:
    """Group problems under their unit, units in the bureau's order."""
    groups: dict[int, UnitProblems] = {}
    for problem in sorted(problems, key=lambda p: (p.unit.order, p.unit.code, p.found_on, p.pk)):
        if problem.unit_id not in groups:
            groups[problem.unit_id] = UnitProblems(problem.unit, index=len(groups) + 1)
        groups[problem.unit_id].problems.append(problem)
    return list(groups.values())


def circular_problems(circular: Circular) -> list[UnitProblems]:
    return problems_by_unit(circular.problems.select_related("unit"))


# --- issuing ---------------------------------------------------------------------------

def validate_circular(*, title: str, issuer: str, issued_on: datetime.date | None,
                      problems: list[Problem]) -> None:
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("Give the circular a title.")
    if not (issuer or "").strip():
        errors["issuer"] = _("Name the issuing body.")
    if issued_on is None:
        errors["issued_on"] = _("Give the date of issue.")
    elif issued_on > timezone.localdate():
        errors["issued_on"] = _("The date of issue cannot be in the future.")
    elif issued_on < dates.EARLIEST:
        errors["issued_on"] = _("%(date)s is too early: choose a date from %(earliest)s on.") % {
            "date": issued_on, "earliest": dates.EARLIEST}
    if not problems:
        errors["problems"] = _("Choose at least one problem to circulate.")
    elif Problem.objects.filter(pk__in=[p.pk for p in problems],
                                status=Problem.Status.CANCELLED).exists():
        # the stored status, not the (possibly stale) instances handed in
        errors["problems"] = _("A cancelled problem cannot be circulated.")
    if errors:
        raise ValidationError(errors)


def next_number(year: int) -> int:
    """The year's next free number (the unique constraint settles any race)."""
    latest = Circular.objects.filter(year=year).aggregate(latest=Max("number"))["latest"]
    return (latest or 0) + 1


def circular_issue(*, by: User, title: str, body: str = "", issuer: str = "",
                   issued_on: datetime.date | None = None,
                   problems: Iterable[Problem]) -> Circular:
    """Issue a circular naming ``problems``: numbered in its year's sequence, audited."""
    if not can_issue(by):
        raise ValidationError(_("Only the discipline committee issues circulars."))
    problems = list({p.pk: p for p in problems}.values())
    issuer = (issuer or settings.CIRCULAR_ISSUER).strip()
    issued_on = issued_on or timezone.localdate()
    validate_circular(title=title, issuer=issuer, issued_on=issued_on, problems=problems)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                circular = Circular.objects.create(
                    year=issued_on.year, number=next_number(issued_on.year),
                    title=title.strip(), body=(body or "").strip(), issuer=issuer,
                    issued_on=issued_on, created_by=by)
                circular.problems.set(problems)
                audit(actor=by, action="circular.issue", target=circular,
                      number=circular.document_number, problems=[p.pk for p in problems])
                return circular
        except IntegrityError:
            # someone issued the same number meanwhile: take the next one
            if attempt == MAX_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


# --- the .docx -------------------------------------------------------------------------

CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (headings never need more)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    text = ""
    if tens:
        text = ("" if tens == 1 else CHINESE_DIGITS[tens]) + "十"
    return text + (CHINESE_DIGITS[ones] if ones else "")


def chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


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


def circular_download(*, circular: Circular, by: User) -> bytes:
    """The .docx of a circular for a reader of the bureau, audited."""
    if not can_read(by):
        raise ValidationError(_("Only members of the bureau read circulars."))
    content = build_docx(circular)
    audit(actor=by, action="circular.download", target=circular,
          number=circular.document_number)
    return content

