"""The duty list's documents: the list as a notice (.docx), a person's 履责纪实手册 (.docx),
the record list as an Excel workbook — each for those who may read it, a talk's content
only for those who took part, formulas written as text, queries that do not grow with the
records."""

import datetime
import io
from urllib.parse import quote

import docx
import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from records.documents import duties as documents
from records.models import AuditEvent, DutyRecord
from records.services import duties
from records.services import duty_records as service

from .duty_helpers import PLAN, YEAR, issued_list, recent_day

pytestmark = pytest.mark.usefixtures("on_a_known_day")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TALK = "与新任科长谈心谈话，提醒廉洁自律。"
MEETING = "处务会专题研究作风治理。"


@pytest.fixture
def duty_list(bureau):
    return issued_list()


def record(duty_list, by, *numbers, **fields):
    data = dict(kind="meeting", date=recent_day(), summary=MEETING, place="三楼会议室")
    data.update(fields)
    return service.duty_record_create(by=by, duty_list=duty_list,
                                      items=list(duty_list.items.filter(number__in=numbers)),
                                      **data)


def late_day():
    """A working day eight working days ago (later than the five a record is due in), or
    a recent one early in January, when that would be last year."""
    from records.workdays import is_workday

    day, counted = timezone.localdate(), 0
    while counted < 8:
        day -= datetime.timedelta(days=1)
        counted += is_workday(day)
    return day if day.year == YEAR else recent_day()


@pytest.fixture
def sanitation_records(duty_list, head_sanitation, head_legal):
    """A meeting for items 14 and 16 and a talk for 14, by the sanitation division's head;
    the talk with the legal division's head."""
    meeting = record(duty_list, head_sanitation, 14, 16, participants=[head_sanitation])
    talk = record(duty_list, head_sanitation, 14, kind="talk", summary=TALK, place="处长办公室",
                  guests="新任科长王某", participants=[head_sanitation, head_legal])
    return meeting, talk


def word(response) -> docx.Document:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == DOCX
    return docx.Document(io.BytesIO(response.content))


def tables(document) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in table.rows]
            for table in document.tables]


def text_of(document) -> str:
    cells = [cell for table in tables(document) for row in table for cell in row]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def workbook(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [list(row) for row in sheet.iter_rows(values_only=True)], sheet


# --- the list as a notice -----------------------------------------------------------------

def test_the_list_downloads_as_the_notice_that_issues_it(duty_list, head_sanitation,
                                                        client_for):
    response = client_for(head_sanitation).get(f"/duties/{duty_list.pk}/docx/")
    document = word(response)
    title = f"关于印发《{duty_list.title}》的通知"
    assert f"filename*=utf-8''{quote(title + '.docx')}" in response["Content-Disposition"]
    texts = [p.text for p in document.paragraphs]
    assert title in texts
    body = "\n".join(texts)
    assert "张建国" in body and "签发" in body and f"附件：{duty_list.title}" in body
    assert "市城市管理局" in texts
    # laid out as the circulars are
    title_run = next(p for p in document.paragraphs if p.text == title).runs[0]
    assert title_run._r.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.left_margin.mm)) == (210, 28)
    assert "PAGE" in section.footer.paragraphs[0]._p.xml

    [annex] = tables(document)
    assert annex[0] == ["序号", "事项", "目标", "周期", "责任主体", "审核"]
    rows = {row[0]: row for row in annex[1:] if row[0].isdigit()}
    assert sorted(map(int, rows)) == list(range(1, 23))
    assert rows["1"][1].startswith("加强政治理论学习") and rows["1"][2] == "12次"
    assert rows["1"][3] == "每年" and rows["1"][4] == "党组班子"
    assert rows["14"][4] == "各单位负责人" and rows["14"][5] == "分管领导"
    # the plan's sections head their items
    assert any(row[0].startswith("一、以政治建设为引领") for row in annex[1:])

    event = AuditEvent.objects.get(action="duty_list.download")
    assert event.actor == head_sanitation and event.target_id == str(duty_list.pk)


def test_a_draft_is_for_the_committee_and_the_secretary_only(
        bureau, jiwei_chen, secretary, head_sanitation, leader_li, paizhu_sun, client_for):
    draft = duties.duty_list_from_plan(year=YEAR, by=jiwei_chen,
                                       text=PLAN.read_text(encoding="utf-8"))
    url = f"/duties/{draft.pk}/docx/"
    for reader in (jiwei_chen, secretary):
        document = word(client_for(reader).get(url))
        assert "草稿" in text_of(document)
    for reader in (head_sanitation, leader_li, paizhu_sun):
        assert client_for(reader).get(url).status_code == 404
    assert client_for(jiwei_chen).get("/duties/999999/docx/").status_code == 404
    assert AuditEvent.objects.filter(action="duty_list.download").count() == 2


def test_the_list_page_links_its_documents(duty_list, sanitation_records, head_sanitation,
                                           client_for):
    client = client_for(head_sanitation)
    assert f"/duties/{duty_list.pk}/docx/" in client.get(
        f"/duties/{duty_list.pk}/").content.decode()
    assert "/duties/handbook/" in client.get("/duties/mine/").content.decode()
    page = client.get("/duties/records/?kind=talk&page=1").content.decode()
    assert "/duties/records/export/?kind=talk" in page


def test_the_documents_are_for_members_of_the_bureau(duty_list, client_for):
    from django.test import Client

    from accounts.models import User

    urls = [f"/duties/{duty_list.pk}/docx/", "/duties/handbook/",
            "/duties/handbook/head_sanitation/", "/duties/records/export/"]
    # someone holding no post is sent to log in (accounts.middleware), as a visitor is
    nobody = User.objects.create_user(username="visitor", password="visitor-pass-123")
    for url in urls:
        for client in (client_for(nobody), Client()):
            response = client.get(url)
            assert response.status_code == 302 and "/login/" in response["Location"], url
    assert not AuditEvent.objects.filter(action__in=[
        "duty_list.download", "duty_handbook.download", "duty_record.export"]).exists()


# --- the handbook -------------------------------------------------------------------------

def test_my_handbook_holds_my_items_counters_and_records(duty_list, sanitation_records,
                                                        head_sanitation, client_for):
    response = client_for(head_sanitation).get("/duties/handbook/")
    document = word(response)
    assert quote(f"何平-{YEAR}年度履责纪实手册.docx") in response["Content-Disposition"]
    text = text_of(document)
    assert f"{YEAR}年度履责纪实手册" in text
    assert "姓　　名：何平" in text and "单　　位：市容环境卫生管理处" in text
    assert f"年　　度：{YEAR}年" in text
    headings = [p.text for p in document.paragraphs if "（清单第" in p.text]
    assert len(headings) == 9  # the items of a unit head's and a branch's posts
    assert "六、持续开展作风治理（清单第14项）" in headings
    assert "完成：2次（每年，按需开展）" in text
    # item 14: both records, oldest first; 16: the meeting only
    by_item, heading = {}, None
    for block in document.iter_inner_content():  # paragraphs and tables, in their order
        if isinstance(block, Paragraph) and "（清单第" in block.text:
            heading = block.text
        elif isinstance(block, Table):
            by_item[heading] = [[cell.text for cell in row.cells] for row in block.rows]
    assert len(by_item) == 2
    rows_14 = by_item["六、持续开展作风治理（清单第14项）"]
    assert len(by_item["八、强化服务群众意识（清单第16项）"]) == 2
    assert rows_14[0] == ["日期", "类型", "地点", "参加人员", "摘要"]
    assert {row[4] for row in rows_14[1:]} == {MEETING, TALK}  # the author reads the talk
    talk_row = next(row for row in rows_14[1:] if row[1] == "谈话")
    assert talk_row[2] == "处长办公室" and "冯涛" in talk_row[3] and "王某" in talk_row[3]
    assert "（暂无纪实记录）" in text  # the items nothing was recorded for

    event = AuditEvent.objects.get(action="duty_handbook.download")
    assert event.actor == head_sanitation and event.target_id == str(head_sanitation.pk)
    assert event.data["rows"] == 3 and event.data["year"] == YEAR


def test_a_handbook_is_read_by_those_who_read_the_persons_records(
        duty_list, sanitation_records, head_sanitation, leader_li, secretary, jiwei_chen,
        paizhu_sun, leader_wang, head_legal, outsider, client_for):
    url = "/duties/handbook/head_sanitation/"
    for reader in (leader_li, secretary, jiwei_chen, paizhu_sun, head_sanitation):
        assert MEETING in text_of(word(client_for(reader).get(url))), reader
    # another leader's unit, another unit's head (even one who took part in a talk), others
    for reader in (leader_wang, head_legal, outsider):
        assert client_for(reader).get(url).status_code == 404, reader
    assert client_for(secretary).get("/duties/handbook/nobody/").status_code == 404
    # a leader's handbook is not another leader's to read
    assert client_for(leader_li).get("/duties/handbook/leader_wang/").status_code == 404
    assert AuditEvent.objects.filter(action="duty_handbook.download").count() == 5


def test_a_talks_content_stays_out_of_the_handbook_of_a_reader_who_did_not_take_part(
        duty_list, sanitation_records, secretary, leader_li, client_for):
    text = text_of(word(client_for(secretary).get("/duties/handbook/head_sanitation/")))
    assert MEETING in text and "三楼会议室" in text
    assert TALK not in text and "处长办公室" not in text and "王某" not in text
    assert "冯涛" in text  # who took part is shown
    assert "谈话内容仅限参加人员和审核人查阅" in text
    # the reviewer (the supervising leader) reads it
    assert TALK in text_of(word(client_for(leader_li).get("/duties/handbook/head_sanitation/")))


def test_a_handbook_needs_an_issued_list_of_that_year_and_known_parameters(
        duty_list, head_sanitation, client_for):
    client = client_for(head_sanitation)
    assert client.get(f"/duties/handbook/?year={YEAR}").status_code == 200
    assert client.get(f"/duties/handbook/?year={YEAR - 1}").status_code == 404
    assert client.get("/duties/handbook/?year=abc").status_code == 400
    response = client.get("/duties/handbook/?colour=<b>red</b>")
    assert response.status_code == 400 and response["Content-Type"].startswith("text/plain")


# --- the workbook -------------------------------------------------------------------------

def test_the_export_writes_what_the_reader_may_see(duty_list, sanitation_records, jiwei_chen,
                                                   head_legal, outsider, client_for):
    meeting, talk = sanitation_records
    response = client_for(jiwei_chen).get("/duties/records/export/")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    rows, _sheet = workbook(response)
    assert rows[0] == ["日期", "类型", "单位", "填报人", "计入事项", "状态", "补录", "摘要",
                       "参加人员"]
    by_kind = {row[1]: row for row in rows[1:]}
    assert len(rows) == 3
    assert by_kind["会议"][2:7] == ["市容环境卫生管理处", "何平", "14、16", "待审核", None]
    assert by_kind["会议"][7] == MEETING
    assert by_kind["会议"][0].date() == meeting.date
    # the committee neither took part in the talk nor reviews it: date and people only
    assert by_kind["谈话"][7] is None and "王某" not in by_kind["谈话"][8]
    assert by_kind["谈话"][8] == "何平、冯涛"
    event = AuditEvent.objects.get(action="duty_record.export")
    assert event.actor == jiwei_chen and event.data == {"filters": {}, "rows": 2}

    # the legal division's head sees only the talk they took part in, and its content
    rows, _sheet = workbook(client_for(head_legal).get("/duties/records/export/"))
    assert [(row[1], row[7]) for row in rows[1:]] == [("谈话", TALK)]
    assert "王某" in rows[1][8]
    rows, _sheet = workbook(client_for(outsider).get("/duties/records/export/"))
    assert rows[1:] == []


@pytest.mark.parametrize("query", ["", "kind=talk", "item=16", "unit=sanitation",
                                   "unit=legal", "status=submitted", "late=1", "review=1",
                                   "kind=meeting&page=2"])
def test_the_export_applies_the_lists_filters(duty_list, sanitation_records, head_sanitation,
                                              leader_li, client_for, query):
    record(duty_list, head_sanitation, 18, kind="inspection", summary="检查。",
           date=late_day(), late_reason="事后补录。")
    client = client_for(leader_li)
    page = client.get(f"/duties/records/?{query.replace('&page=2', '')}").content.decode()
    shown = page.count('<tr><td><a href="/duties/records/')
    rows, _sheet = workbook(client.get(f"/duties/records/export/?{query}"))
    assert len(rows) - 1 == shown
    if not query:
        assert shown == 3  # the leader oversees the sanitation division
    if query == "late=1" and late_day() != recent_day():
        assert [row[6] for row in rows[1:]] == ["补录"]
    event = AuditEvent.objects.filter(action="duty_record.export").latest("pk")
    assert event.data["rows"] == shown
    assert "page" not in event.data["filters"]


def test_unknown_or_bad_filters_are_refused(duty_list, jiwei_chen, client_for):
    for query in ("colour=red", "item=abc", "status=lost"):
        response = client_for(jiwei_chen).get(f"/duties/records/export/?{query}")
        assert response.status_code == 400, query
    assert "colour" in client_for(jiwei_chen).get(
        "/duties/records/export/?colour=red").content.decode()
    assert not AuditEvent.objects.filter(action="duty_record.export").exists()


@pytest.mark.parametrize("planted", ['=HYPERLINK("http://evil.example/","click")', "=1+1",
                                     "+1+1", "-2+3", "@SUM(A1:A2)"])
def test_the_export_writes_a_planted_formula_as_inert_text(duty_list, head_sanitation,
                                                           jiwei_chen, client_for, planted):
    record(duty_list, head_sanitation, 14, summary=planted)
    rows, sheet = workbook(client_for(jiwei_chen).get("/duties/records/export/"))
    cell = sheet["H2"]
    assert cell.data_type == "s" and cell.value == "'" + planted


def test_reading_a_talk_many_at_once_agrees_with_sees_talk(
        duty_list, sanitation_records, head_sanitation, head_legal, leader_li, secretary,
        jiwei_chen, paizhu_sun):
    for record_ in sanitation_records:
        loaded = DutyRecord.objects.prefetch_related("participants").select_related(
            "unit").get(pk=record_.pk)
        for reader in (head_sanitation, head_legal, leader_li, secretary, jiwei_chen,
                       paizhu_sun):
            assert documents.sees_content(reader, loaded) == service.sees_talk(
                reader, record_), (record_.kind, reader)


# --- what they cost -----------------------------------------------------------------------

def _queries(client, url) -> int:
    assert client.get(url).status_code == 200  # the first visit: session, caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


def _records(duty_list, person, others, first, last):
    """Records ``first``…``last`` by ``person``: meetings and talks for items 14 and 16,
    some with colleagues."""
    for index in range(first, last + 1):
        record(duty_list, person, 14, 16, kind="talk" if index % 2 else "meeting",
               summary=f"第{index}次专题会。", participants=[person, *others[:index % 3]])


def test_the_handbook_and_the_export_cost_the_same_queries_for_1_and_20_records(
        duty_list, head_sanitation, head_legal, leader_li, secretary, client_for):
    urls = ["/duties/handbook/head_sanitation/", "/duties/records/export/"]
    readers = [secretary, leader_li]
    _records(duty_list, head_sanitation, [head_legal, leader_li], 1, 1)
    few = {(reader.username, url): _queries(client_for(reader), url)
           for reader in readers for url in urls}
    _records(duty_list, head_sanitation, [head_legal, leader_li], 2, 20)
    assert DutyRecord.objects.count() == 20
    many = {(reader.username, url): _queries(client_for(reader), url)
            for reader in readers for url in urls}
    assert many == few
    assert max(many.values()) <= 40, many
