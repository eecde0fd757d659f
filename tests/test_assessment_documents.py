"""The assessment's documents and dashboard: a subject's score sheet (.docx) with every line
explained, and without the leader's scores before publication; the workbook of every line
for the committee and the secretary, formulas written as text; the dashboard's figures for
a known case; the results circular's .docx; queries that do not grow with the subjects.

The known case: the duty list asks each unit for a 作风 meeting a quarter (item 14) and
nobody recorded one, so after three quarters every unit loses 3 × 0.5 on its duty-record
criterion (No. 2, 8 points) and is flagged for a formal talk (No. 14, −1): 97.5 each. The
leaders lose 80% of their own shortfall and 20% of their units' on their No. 2."""

import io
import re
from decimal import Decimal
from urllib.parse import quote

import docx
import openpyxl
import pytest
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import Oversight, Post, Unit, User
from records.assessment_dashboard import assessment_dashboard
from records.assessment_measures import explain
from records.documents import assessments as documents
from records.models import AuditEvent
from records.models.assessments import (
    Assessment,
    AssessmentSheet,
    Criterion,
    Grade,
    SubjectGroup,
)
from records.services import assessments as svc

from .duty_helpers import YEAR, issued_list, pdf
from .test_query_scaling import query_counts

pytestmark = pytest.mark.usefixtures("on_a_known_day")

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Status = Assessment.Status
SANITATION = "市容环境卫生管理处"
DUTY_RECORDS, PROBLEMS, TALK_FLAGS, LISTS, DISCIPLINE = 2, 4, 14, 1, 16  # the units' criteria


@pytest.fixture
def assessment(bureau, jiwei_chen):
    issued_list(item_changes={14: {"target": 1, "period": "quarter"}})
    return svc.assessment_create(year=YEAR, by=jiwei_chen)


def sheet_of(assessment, code: str) -> AssessmentSheet:
    return assessment.sheets.select_related("assessment").get(unit__code=code,
                                                              subject__isnull=True)


def line_of(sheet, number: int):
    return sheet.lines.select_related("criterion").get(criterion__number=number)


def advance(assessment, by, times: int = 1) -> Assessment:
    for _step in range(times):
        assessment = svc.assessment_advance(assessment=assessment, by=by)
    return assessment


def in_document_language(call, *args):
    with translation.override(documents.DOCUMENT_LANGUAGE):
        return str(call(*args))


def word(response) -> docx.Document:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == DOCX
    return docx.Document(io.BytesIO(response.content))


def score_table(document) -> tuple[list[list[str]], dict[str, list[str]], dict[str, list[str]]]:
    """The headers of the score tables, each line's cells by its number, and the notes under
    each line (a merged row: every cell the same text) by its number."""
    headers, lines, notes = [], {}, {}
    for table in document.tables[:4]:
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        headers.append(rows[0])
        number = None
        for row in rows[1:]:
            if len(set(row)) == 1:
                notes[number] = row[0].split("\n")
            else:
                number = row[0]
                lines[number] = row
    return headers, lines, notes


def text_of(document) -> str:
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def workbook(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


# --- the score sheet (.docx) --------------------------------------------------------------

def test_a_sheet_lists_every_line_with_the_explanations_and_points_that_cost_it(
        assessment, jiwei_chen, head_sanitation, client_for):
    assessment = svc.assessment_open(assessment=assessment, by=jiwei_chen)
    sheet = sheet_of(assessment, "sanitation")
    response = client_for(head_sanitation).get(f"/assessments/sheets/{sheet.pk}/docx/")
    document = word(response)
    filename = in_document_language(documents.sheet_filename, sheet)
    assert SANITATION in filename and str(YEAR) in filename
    assert f"filename*=utf-8''{quote(filename)}" in response["Content-Disposition"]

    paragraphs = [p.text for p in document.paragraphs]
    group = in_document_language(lambda: SubjectGroup.UNITS.label)
    assert f"{SANITATION}（{group}）" in paragraphs
    assert any(str(YEAR) in text for text in paragraphs[:2])
    # a table for each of 明责, 履责, 督责, 追责, every criterion of the scheme once
    headers, lines, notes = score_table(document)
    assert len(headers) == 4
    assert sorted(map(int, lines)) == list(range(1, 18))
    assert lines["2"] == ["2", "履责纪实：学习教育与专题会议", "8", "6.5", ""]
    assert lines["14"] == ["14", "约谈整改", "2", "1", ""]
    assert lines["1"][3] == "—"  # scored by people: nothing computed

    # under a line, each finding with its points and what caused it
    with translation.override(documents.DOCUMENT_LANGUAGE):
        expected = [documents.explanation_line(e, explain(e.code, e.params))
                    for e in line_of(sheet, DUTY_RECORDS).explanations.order_by("order", "pk")]
        talk = [documents.explanation_line(e, explain(e.code, e.params))
                for e in line_of(sheet, TALK_FLAGS).explanations.all()]
    assert notes["2"] == expected
    assert len(expected) == 3
    for quarter, note in zip((1, 2, 3), expected, strict=True):
        assert note.startswith(f"持续开展作风治理 第{quarter}季度：目标 1 次，实际 0 次")
        assert "−0.5" in note and "14" in note.rsplit("→", 1)[1]
    assert notes["14"] == talk and "−1" in talk[0]
    assert "3" not in notes  # nothing cost the reports' criterion

    event = AuditEvent.objects.get(action="assessment.sheet_docx")
    assert event.actor == head_sanitation and event.target_id == str(sheet.pk)
    assert event.data == {"year": YEAR, "shows_leader": False}


def test_a_subject_reads_the_leaders_score_only_once_published(
        assessment, jiwei_chen, head_sanitation, leader_li, client_for):
    assessment = svc.assessment_open(assessment=assessment, by=jiwei_chen)
    sheet = sheet_of(assessment, "sanitation")
    url = f"/assessments/sheets/{sheet.pk}/docx/"
    svc.line_score(line=line_of(sheet, LISTS), by=head_sanitation, score=7,
                   reason="少一项措施（自评）")
    svc.sheet_submit(sheet=sheet, by=head_sanitation)
    assessment = advance(assessment, jiwei_chen)  # the leaders score
    svc.line_score(line=line_of(sheet, LISTS), by=leader_li, score="5.5",
                   reason="清单未分解到岗（领导）")

    subject = word(client_for(head_sanitation).get(url))
    headers, lines, notes = score_table(subject)
    assert all(len(header) == 5 for header in headers)  # No., criterion, max, computed, self
    assert lines["1"] == ["1", "责任清单建立", "8", "—", "7"]
    assert any("少一项措施（自评）" in note for note in notes["1"])
    text = text_of(subject)
    assert "清单未分解到岗" not in text and "5.5" not in text
    total = in_document_language(lambda: gettext("Total: %(total)s") % {"total": ""})
    assert total not in text

    # the leader scoring the sheet reads every column, the total and the reasons
    scorer = word(client_for(leader_li).get(url))
    headers, lines, notes = score_table(scorer)
    assert all(len(header) == 8 for header in headers)
    final = line_of(sheet, LISTS).final
    assert final == Decimal("5.65")  # 10% of 7 and 90% of 5.5
    assert lines["1"] == ["1", "责任清单建立", "8", "—", "7", "5.5", "", "5.65"]
    assert any("清单未分解到岗（领导）" in note for note in notes["1"])
    sheet.refresh_from_db()
    assert f"{total}{documents.number(sheet.total)}" in [p.text for p in scorer.paragraphs]

    # published, with an adjustment, a bonus and an appeal answered: the subject reads all
    assessment = advance(assessment, jiwei_chen)
    svc.line_adjust(line=line_of(sheet, LISTS), by=jiwei_chen, score=6, reason="复核：措施齐全")
    bonus = assessment.units_scheme.criteria.get(special="bonus")
    svc.special_add(sheet=sheet, criterion=bonus, by=jiwei_chen, score="0.5",
                    reason="经验做法被市委推广", upload=pdf("推广文件.pdf"))
    assessment = advance(assessment, jiwei_chen)
    appeal = svc.appeal_lodge(line=line_of(sheet, DUTY_RECORDS), by=head_sanitation,
                              text="第三季度已开会，漏录")
    svc.appeal_answer(appeal=appeal, by=jiwei_chen, upheld=True, answer="核实属实，加回0.5分",
                      score="7")
    published = word(client_for(head_sanitation).get(url))
    headers, lines, notes = score_table(published)
    assert all(len(header) == 8 for header in headers)
    assert lines["1"][5:] == ["5.5", "6", "6"] and lines["2"][5:] == ["", "7", "7"]
    assert any("复核：措施齐全" in note for note in notes["1"])
    assert any("第三季度已开会，漏录" in note for note in notes["2"])
    assert any("核实属实，加回0.5分" in note for note in notes["2"])
    specials = [[cell.text for cell in row.cells] for row in published.tables[4].rows]
    assert specials[1][0] == "加分项" and specials[1][2] == "+0.5"
    assert specials[1][3] == "经验做法被市委推广"
    sheet.refresh_from_db()
    paragraphs = [p.text for p in published.paragraphs]
    assert f"{total}{documents.number(sheet.total)}" in paragraphs
    grade = in_document_language(lambda: gettext("Grade: %(grade)s") % {
        "grade": sheet.get_grade_display()})
    assert grade in paragraphs
    assert [event.data["shows_leader"] for event in AuditEvent.objects.filter(
        action="assessment.sheet_docx").order_by("pk")] == [False, True, True]


# --- who gets what ------------------------------------------------------------------------

def test_outsiders_get_a_404_for_the_sheet_the_workbook_and_the_dashboard(
        assessment, jiwei_chen, secretary, head_sanitation, head_legal, leader_li, leader_wang,
        paizhu_sun, outsider, client_for):
    from django.test import Client

    assessment = advance(svc.assessment_open(assessment=assessment, by=jiwei_chen),
                         jiwei_chen)  # the leaders score: their units' sheets open to them
    sheet = sheet_of(assessment, "sanitation")
    docx_url = f"/assessments/sheets/{sheet.pk}/docx/"
    export_url = f"/assessments/{assessment.pk}/export.xlsx"
    dashboard_url = f"/assessments/{assessment.pk}/dashboard/"
    # another unit's head, a leader who oversees another unit, the stationed group, others
    for reader in (head_legal, leader_wang, paizhu_sun, outsider):
        assert client_for(reader).get(docx_url).status_code == 404, reader
    for reader in (head_sanitation, leader_li, leader_wang, paizhu_sun, outsider):
        for url in (export_url, dashboard_url):
            assert client_for(reader).get(url).status_code == 404, (reader, url)
    for url in (docx_url, export_url, dashboard_url):
        response = Client().get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    assert not AuditEvent.objects.filter(
        action__in=["assessment.sheet_docx", "assessment.export"]).exists()

    # the subject, the scorer, the committee and the secretary
    for reader in (head_sanitation, leader_li, jiwei_chen, secretary):
        assert client_for(reader).get(docx_url).status_code == 200, reader
    for reader in (jiwei_chen, secretary):
        assert client_for(reader).get(export_url).status_code == 200
        assert client_for(reader).get(dashboard_url).status_code == 200
    for url in ("/assessments/sheets/999999/docx/", "/assessments/999999/export.xlsx",
                "/assessments/999999/dashboard/"):
        assert client_for(jiwei_chen).get(url).status_code == 404, url


# --- the workbook ---------------------------------------------------------------------------

def test_the_workbook_holds_every_subject_and_every_line_with_its_explanations(
        assessment, jiwei_chen, client_for):
    assessment = svc.assessment_open(assessment=assessment, by=jiwei_chen)
    response = client_for(jiwei_chen).get(f"/assessments/{assessment.pk}/export.xlsx")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert f'filename="assessment-{YEAR}-' in response["Content-Disposition"]
    book = workbook(response)
    subjects, lines = book.worksheets
    units = str(SubjectGroup.UNITS.label)
    rows = [list(row) for row in subjects.iter_rows(values_only=True)]
    assert len(rows) == 1 + 13  # three leadership members and ten units
    by_name = {row[2]: row for row in rows[1:]}
    sanitation = sheet_of(assessment, "sanitation")
    assert by_name[SANITATION] == [units, sanitation.rank, SANITATION, 97.5,
                                   sanitation.get_grade_display(), 0, None, None]
    assert by_name["李明"][3] == 97.6

    rows = [list(row) for row in lines.iter_rows(values_only=True)]
    assert len(rows) == 1 + 3 * 19 + 10 * 17  # every line of every sheet
    mine = {row[2]: row for row in rows[1:] if row[1] == SANITATION}
    assert sorted(mine) == list(range(1, 18))
    expected = "\n".join(documents.explanation_line(e, explain(e.code, e.params)) for e in
                         line_of(sanitation, DUTY_RECORDS).explanations.order_by("order"))
    assert mine[DUTY_RECORDS][:11] == [units, SANITATION, 2, str(Criterion.Group.SETTING.label),
                                       "履责纪实：学习教育与专题会议", 8, 6.5, None, None, None,
                                       6.5]
    assert mine[DUTY_RECORDS][11] == expected and expected.count("−0.5") == 3
    assert mine[LISTS][6] is None and mine[LISTS][11] is None
    # a leader's shared criterion names the units' sheets it takes its share from
    shared = next(row for row in rows[1:] if row[1] == "李明" and row[2] == 2)
    assert shared[11].count("\n") == 3 + 4 - 1 and SANITATION in shared[11]

    event = AuditEvent.objects.get(action="assessment.export")
    assert event.actor == jiwei_chen and event.target_id == str(assessment.pk)
    assert event.data == {"sheets": 13, "rows": 227}


@pytest.mark.parametrize("planted", ['=HYPERLINK("http://evil.example/","click")', "+1+1",
                                     "@SUM(A1:A2)"])
def test_the_workbook_writes_planted_formulas_as_inert_text(bureau, jiwei_chen, client_for,
                                                            planted):
    issued_list()
    Unit.objects.filter(code="legal").update(name=planted)
    assessment = svc.assessment_create(year=YEAR, by=jiwei_chen)
    criterion = assessment.units_scheme.criteria.get(number=LISTS)
    svc.criterion_update(criterion=criterion, by=jiwei_chen, name=f"-{planted}")
    book = workbook(client_for(jiwei_chen).get(f"/assessments/{assessment.pk}/export.xlsx"))
    subjects, lines = book.worksheets
    cells = [row[2] for row in subjects.iter_rows(min_row=2) if row[2].value.endswith(planted)]
    assert [(cell.data_type, cell.value) for cell in cells] == [("s", "'" + planted)]
    names = {row[4].value: row[4] for row in lines.iter_rows(min_row=2)}
    assert names["'-" + planted].data_type == "s"
    subjects_of_lines = {row[1].value for row in lines.iter_rows(min_row=2)}
    assert "'" + planted in subjects_of_lines and planted not in subjects_of_lines


# --- the dashboard --------------------------------------------------------------------------

def test_the_dashboard_of_a_known_case(assessment, jiwei_chen, secretary, head_legal,
                                       leader_li, leader_wang, leader_zhao, client_for):
    assessment = advance(svc.assessment_open(assessment=assessment, by=jiwei_chen),
                         jiwei_chen, 2)  # the committee's review
    sanitation, legal = sheet_of(assessment, "sanitation"), sheet_of(assessment, "legal")
    svc.line_adjust(line=line_of(sanitation, DISCIPLINE), by=jiwei_chen, score=0,
                    reason="负责人受诫勉")
    for number in (DISCIPLINE, PROBLEMS):
        svc.line_adjust(line=line_of(legal, number), by=jiwei_chen, score=0,
                        reason="负责人受处分；整改不实")
    sanitation.refresh_from_db()
    legal.refresh_from_db()
    assert (sanitation.total, legal.total) == (Decimal("81.5"), Decimal("65.5"))

    data = assessment_dashboard(assessment)
    leaders, units = data.groups
    assert (leaders.subjects, units.subjects) == (3, 10)
    assert leaders.bands == [0, 0, 0, 0, 3]
    assert units.bands == [0, 1, 0, 1, 8]  # <60, 60–70, 70–80, 80–90, ≥90
    assert dict(units.grades) == {Grade.EXCELLENT: 2, Grade.GOOD: 7, Grade.POOR: 1}
    assert units.average == Decimal("92.70")  # (8 × 97.5 + 81.5 + 65.5) / 10
    assert [(row.group, row.number, row.lost, row.sheets) for row in data.costliest] == [
        ("units", DISCIPLINE, Decimal("32"), 2), ("units", PROBLEMS, Decimal("16"), 1),
        ("units", DUTY_RECORDS, Decimal("15"), 10), ("units", TALK_FLAGS, Decimal("10"), 10),
        ("leaders", DUTY_RECORDS, Decimal("6.6"), 3)]
    # leader_li oversees legal, sanitation, facilities and command
    assert [(row.leader, row.units, row.average) for row in data.by_leader] == [
        (leader_wang, 3, Decimal("97.5")), (leader_zhao, 3, Decimal("97.5")),
        (leader_li, 4, Decimal("85.5"))]
    assert [(row.sheet, row.threshold) for row in data.below] == [(legal, Decimal("70"))]
    assert data.open_appeals == 0
    committee = [user for user in User.objects.filter(username__startswith="jiwei_")]
    assert {user.pk: n for user, n in data.waiting} == {user.pk: 1 for user in committee}

    page = client_for(secretary).get(f"/assessments/{assessment.pk}/dashboard/")
    assert page.status_code == 200
    html = page.content.decode()
    below = html.split('class="dc-table dc-below"')[1].split("</table>")[0]
    assert "政策法规处" in below and SANITATION not in below and 'data-total="65.50"' in below
    assert str(gettext("A reminder talk is proposed")) in below
    assert "85.50" in html  # leader_li's units
    assert re.search(r'data-figure="open_appeals"><span class="dc-headline__number">0<', html)
    costliest = html.split('class="dc-table dc-costliest"')[1].split("</table>")[0]
    assert costliest.index("违纪违法") < costliest.index("问题整改销号")
    assert f'href="/assessments/{assessment.pk}/export.xlsx"' in html

    # published, with an appeal open: the step waits on the committee, then the secretary
    assessment = advance(assessment, jiwei_chen)
    appeal = svc.appeal_lodge(line=line_of(legal, PROBLEMS), by=head_legal, text="已整改销号")
    data = assessment_dashboard(assessment)
    assert data.open_appeals == 1
    assert {user.pk for user, _n in data.waiting} == {user.pk for user in committee}
    svc.appeal_answer(appeal=appeal, by=jiwei_chen, upheld=False, answer="未见销号材料")
    data = assessment_dashboard(assessment)
    assert (data.open_appeals, data.waiting) == (0, [(secretary, 1)])


def test_the_dashboard_waits_on_whom_waiting_on_names(assessment, jiwei_chen,
                                                       head_sanitation, leader_li, secretary):
    def same():
        shown = {user.pk: n for user, n in assessment_dashboard(assessment).waiting}
        assert shown == {pk: n for pk, (_user, n) in svc.waiting_on(assessment).items()}
        return shown

    assert same() == {}  # preparing
    assessment = svc.assessment_open(assessment=assessment, by=jiwei_chen)
    svc.sheet_submit(sheet=sheet_of(assessment, "sanitation"), by=head_sanitation)
    shown = same()
    assert head_sanitation.pk not in shown and len(shown) == 12  # 9 heads, 3 leaders
    assessment = advance(assessment, jiwei_chen)
    svc.sheet_submit(sheet=sheet_of(assessment, "sanitation"), by=leader_li)
    assert same() == {leader_li.pk: 3, User.objects.get(username="leader_wang").pk: 3,
                      User.objects.get(username="leader_zhao").pk: 3, secretary.pk: 3}
    assessment = advance(assessment, jiwei_chen)
    assert len(same()) == 2  # the committee's two members
    assessment = advance(assessment, jiwei_chen)
    assert same() == {secretary.pk: 1}


# --- the results circular -----------------------------------------------------------------

def test_the_results_circular_reads_one_line_per_group_and_grade(
        assessment, jiwei_chen, secretary, head_sanitation, client_for):
    assessment = advance(svc.assessment_open(assessment=assessment, by=jiwei_chen),
                         jiwei_chen, 3)
    assessment = svc.assessment_approve(assessment=assessment, by=secretary)
    circular = svc.assessment_circular(assessment=assessment, by=jiwei_chen).circular
    document = word(client_for(head_sanitation).get(f"/circulars/{circular.pk}/docx/"))
    paragraphs = [p.text for p in document.paragraphs]
    body = [line.strip() for line in circular.body.splitlines() if line.strip()]
    # the grades of each group: 3 leaders good; of the units 2 excellent (the quota), 8 good
    graded = [line for line in body if re.search(r"（\d+）：", line)]
    assert len(graded) == 3
    assert graded[0].endswith("（3）：王志强、赵刚、李明")
    assert "（2）：" in graded[1] and "（8）：" in graded[2] and SANITATION in graded[2]
    # each line of the body is a paragraph of its own, in order, after the title
    start = paragraphs.index(circular.title)
    shown = [text for text in paragraphs[start + 1:] if text]
    assert shown[:len(body)] == body
    assert shown[len(body):] == [circular.issuer, f"{circular.issued_on.year}年"
                                 f"{circular.issued_on.month}月{circular.issued_on.day}日"]
    assert paragraphs[0] == circular.document_number
    assert not document.tables and "整改状态" not in "\n".join(paragraphs)


# --- what they cost -----------------------------------------------------------------------

def _more_units(n: int, leader: User) -> None:
    """``n`` more divisions, each with a head, overseen by ``leader``."""
    bureau = Unit.objects.get(code="bureau")
    for index in range(n):
        unit = Unit.objects.create(code=f"extra{index}", name=f"新增处室{index}",
                                   kind=Unit.Kind.DIVISION, parent=bureau, order=100 + index)
        head = User.objects.create_user(username=f"head_extra{index}", name=f"负责人{index}",
                                        password="x-pass-123456")
        Post.objects.create(user=head, unit=unit, role=Post.Role.HEAD,
                            valid_from=Oversight.objects.first().valid_from)
        Oversight.objects.create(leader=leader, unit=unit,
                                 valid_from=Oversight.objects.first().valid_from)


def test_the_dashboard_and_the_workbook_cost_the_same_queries_for_13_and_33_subjects(
        bureau, jiwei_chen, leader_li, head_sanitation):
    issued_list(item_changes={14: {"target": 1, "period": "quarter"}})
    small = svc.assessment_open(assessment=svc.assessment_create(year=YEAR - 1, by=jiwei_chen),
                                by=jiwei_chen)
    _more_units(20, leader_li)
    large = svc.assessment_open(assessment=svc.assessment_create(year=YEAR, by=jiwei_chen),
                                by=jiwei_chen)
    assert (small.sheets.count(), large.sheets.count()) == (13, 33)

    def cases(assessment):
        return [("dashboard", jiwei_chen, f"/assessments/{assessment.pk}/dashboard/"),
                ("export", jiwei_chen, f"/assessments/{assessment.pk}/export.xlsx"),
                ("docx", head_sanitation,
                 f"/assessments/sheets/{sheet_of(assessment, 'sanitation').pk}/docx/")]

    few, many = query_counts(cases(small)), query_counts(cases(large))
    assert many == few
    # each: session, user, the chart's version; the session saved (a savepoint, an update
    # and its release). The dashboard: the assessment, the sheets, open appeals, the lines'
    # losses, the chain of the cut-off day (posts, the units above, oversights,
    # delegations) and, while the subjects score, the chain of today (the same four)
    assert many["dashboard"] <= 19, many
    # the workbook: the assessment, the sheets, the criteria, the lines joined to their
    # explanations, the audit event (the last hash, the insert; on PostgreSQL its lock
    # too); the score sheet: the sheet, its lines, explanations, changes and appeals, the
    # audit event
    assert many["export"] <= 13 and many["docx"] <= 14, many


def test_a_sheets_docx_costs_the_same_queries_with_or_without_changes_and_appeals(
        assessment, jiwei_chen, head_sanitation, head_legal):
    assessment = svc.assessment_open(assessment=assessment, by=jiwei_chen)
    busy, quiet = sheet_of(assessment, "sanitation"), sheet_of(assessment, "legal")
    for number in (LISTS, 5, 6, 7, 8):
        svc.line_score(line=line_of(busy, number), by=head_sanitation, score=1,
                       reason=f"自评第{number}项")
    assessment = advance(assessment, jiwei_chen, 3)
    for number in (LISTS, 5, 6):
        svc.appeal_lodge(line=line_of(busy, number), by=head_sanitation, text="申诉")
    counts = query_counts([
        ("busy", head_sanitation, f"/assessments/sheets/{busy.pk}/docx/"),
        ("quiet", head_legal, f"/assessments/sheets/{quiet.pk}/docx/")])
    assert counts["busy"] == counts["quiet"], counts
