"""The approval sheet (审批单): every step, person, date and opinion, as PDF and .docx.

The files are read back the way an archivist's software would: python-docx for the Word
file, pypdf for the PDF, and fontTools to prove the PDF's embedded font draws every
Chinese character it prints (a box in place of a character is a failed sheet).

Every PDF test runs on any machine: with a TrueType Chinese font installed (CI installs
fonts-wqy-zenhei) the PDF embeds it, without one it names reportlab's built-in font. Only
the embedding checks need the TrueType font, and skip without it except on CI.
"""

import datetime
import io
import os
import re
from pathlib import Path
from types import SimpleNamespace

import docx
import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from fontTools.ttLib import TTCollection, TTFont

from flows.selectors import history
from records.documents import sheet_docx, sheet_pdf, sheets
from records.models import AuditEvent, Opinion, Problem

from .conftest import open_task, review, submit, task_url

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def _on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture
def truetype_font():
    """The embedding checks need a TrueType Chinese font: skipped without one, except on CI."""
    path = sheet_pdf.pdf_font_path()
    if path is None:
        if _on_ci():
            pytest.fail("CI must embed a TrueType Chinese font in the PDF, but none is "
                        "installed (apt-get install fonts-wqy-zenhei)", pytrace=False)
        pytest.skip("no TrueType Chinese font to embed (apt-get install fonts-wqy-zenhei): "
                    "the PDF uses reportlab's built-in font here, tested without this one")
    return path


@pytest.fixture
def without_truetype_fonts(settings, monkeypatch, tmp_path):
    """A bare machine: no DUTYCHAIN_PDF_FONT and none of Debian's Chinese fonts."""
    settings.DUTYCHAIN_PDF_FONT = ""
    monkeypatch.setattr(sheet_pdf, "DEFAULT_PDF_FONTS", (str(tmp_path / "wqy-zenhei.ttc"),))


def _squash(text: str) -> str:
    """Table cells wrap lines anywhere: compare without whitespace."""
    return re.sub(r"\s+", "", text)


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "".join(page.extract_text() for page in reader.pages)


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


def embedded_fonts(content: bytes) -> list[dict]:
    """Every font the PDF's pages use, with its descriptor's embedded file."""
    reader = pypdf.PdfReader(io.BytesIO(content))
    found = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            to_unicode = {}
            if "/ToUnicode" in font:
                cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
                for code, char in re.findall(r"<([0-9A-Fa-f]{2,4})> <([0-9A-Fa-f]{4})>", cmap):
                    to_unicode[int(code, 16)] = chr(int(char, 16))
            found[str(font["/BaseFont"])] = {
                "to_unicode": to_unicode,
                "file": next((descriptor[key].get_object() for key in
                              ("/FontFile2", "/FontFile3", "/FontFile") if key in descriptor),
                             None)}
    return [{"name": name, **info} for name, info in found.items()]


def source_cmap() -> set[int]:
    """The code points the configured font file draws (its first face, as embedded)."""
    path = sheet_pdf.pdf_font_path()
    if path.suffix.lower() == ".ttc":
        font = TTCollection(str(path)).fonts[0]
    else:
        font = TTFont(str(path))
    return set(font.getBestCmap())


def assert_pdf_draws(content: bytes, texts: list[str]) -> None:
    fonts = embedded_fonts(content)
    cjk_fonts = [f for f in fonts if not f["name"].startswith("/Helvetica")]
    assert cjk_fonts, fonts
    # each subset reportlab writes is embedded (FontFile2: TrueType outlines)
    assert all(f["file"] is not None for f in cjk_fonts), fonts
    drawn = set()  # characters some embedded subset draws with a real outline
    for font in cjk_fonts:
        embedded = TTFont(io.BytesIO(font["file"].get_data()))
        assert embedded["maxp"].numGlyphs > 1
        codes = {}
        for table in embedded["cmap"].tables:
            codes.update(table.cmap)
        glyf = embedded["glyf"]
        for code, char in font["to_unicode"].items():
            name = codes.get(code)
            if code and name and glyf[name].numberOfContours != 0:
                drawn.add(char)
    printed = {ch for text in texts for ch in CJK.findall(text) if not ch.isspace()}
    assert printed - drawn == set(), "printed without an embedded outline"
    cmap = source_cmap()
    missing = {ch for text in texts for ch in CJK.findall(text) if ord(ch) not in cmap}
    assert missing == set(), f"no glyph for {sorted(missing)}"


def _moment(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def expected_steps(record) -> list[str]:
    with translation.override("zh-hans"):
        return [str(entry.step) for entry in history(record)]


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


# --- a report returned once and signed off -----------------------------------------------

@pytest.fixture
def signed_report(sanitation_report, client_for, head_sanitation, leader_li):
    head, leader = client_for(head_sanitation), client_for(leader_li)
    submit(head, sanitation_report, work_done="落实党风廉政建设主体责任，召开专题会议两次。",
           problems="个别科室学习记录不全。", next_steps="完善学习台账。")
    review(leader, sanitation_report, "return", "请补充问题整改的具体时限。")
    submit(head, sanitation_report, work_done="落实党风廉政建设主体责任，召开专题会议两次，"
           "整改时限为十月底。", problems="个别科室学习记录不全。", next_steps="完善学习台账。")
    review(leader, sanitation_report, "sign_off", "同意，按期推进。")
    sanitation_report.refresh_from_db()
    assert sanitation_report.status == "signed_off"
    return sanitation_report


def test_the_report_sheet_names_every_step_person_date_and_opinion(
        signed_report, client_for, head_sanitation, leader_li, jiwei_chen):
    client = client_for(head_sanitation)
    pdf = _get(client, f"/reports/{signed_report.pk}/sheet.pdf")
    word = _get(client, f"/reports/{signed_report.pk}/sheet.docx")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert word["Content-Type"] == sheet_docx.DOCX_CONTENT_TYPE
    # the Chinese filename survives (RFC 5987)
    assert "filename*=utf-8''" in word["Content-Disposition"].lower()
    assert "%E5%AE%A1%E6%89%B9%E5%8D%95" in word["Content-Disposition"]  # 审批单

    entries = history(signed_report)
    assert len(entries) == 4  # submit, return, submit again, sign off
    opinions = ["请补充问题整改的具体时限。", "同意，按期推进。"]
    texts = ["季度履责汇报审批单", signed_report.unit.name, "2026年第3季度", "退回", "签",
             head_sanitation.name, leader_li.name, *opinions, *expected_steps(signed_report),
             *[_moment(e.created) for e in entries], *[_moment(e.finished) for e in entries],
             "落实党风廉政建设主体责任", "完善学习台账"]
    for content in (pdf_text(pdf.content), docx_text(word.content)):
        squashed = _squash(content)
        for text in texts:
            assert _squash(text) in squashed, text

    # each print is on the committee's trail page
    events = AuditEvent.objects.filter(action="report.sheet_print",
                                       target_id=str(signed_report.pk))
    assert sorted(events.values_list("data__format", flat=True)) == ["docx", "pdf"]
    trail = _get(client_for(jiwei_chen), f"/reports/{signed_report.pk}/trail/")
    assert "report.sheet_print" in trail.content.decode()


def test_the_report_page_offers_both_downloads(signed_report, client_for, leader_li):
    page = _get(client_for(leader_li), f"/reports/{signed_report.pk}/").content.decode()
    assert f"/reports/{signed_report.pk}/sheet.pdf" in page
    assert f"/reports/{signed_report.pk}/sheet.docx" in page
    assert "打印审批单 (PDF)" in page and "下载审批单 (Word)" in page


# --- a problem through every step, with an extension -------------------------------------

@pytest.fixture
def filed_problem(bureau, unit, client_for, jiwei_chen, head_enforcement, leader_zhao):
    from flows.registration import register_problems

    committee, head, leader = (client_for(u) for u in (jiwei_chen, head_enforcement, leader_zhao))
    (problem,) = register_problems(
        by=jiwei_chen, source="spot_check", found_on=datetime.date(2026, 10, 2),
        items=[{"unit": unit("enforcement"), "category": "hedonism",
                "description": "执法车辆节日期间私用，未履行派车审批手续。"}])
    later = timezone.localdate() + datetime.timedelta(days=30)
    analyse = {"root_cause": "车辆管理制度执行不严。", "measures": "建立派车登记制度。",
               "planned_date": later.isoformat()}
    head.post(task_url(open_task(problem)), analyse)
    leader.post(task_url(open_task(problem)), {"opinion": "措施要具体到人。", "_return": "1"})
    head.post(task_url(open_task(problem)), {**analyse, "measures": "建立派车登记制度，责任到人。"})
    leader.post(task_url(open_task(problem)), {"opinion": "同意整改方案。", "_approve": "1"})
    rectify = task_url(open_task(problem))
    head.post(rectify, {"_extension": "1", "reason": "车辆定位系统采购需走政府采购程序。",
                        "new_date": (later + datetime.timedelta(days=20)).isoformat()})
    leader.post(f"/problems/{problem.pk}/extension/",
                {"opinion": "同意延期二十天。", "_grant": "1"})
    head.post(rectify, {"text": "已建立派车登记制度。", "_progress": "1"})
    head.post(rectify, {"file": SimpleUploadedFile("登记表.pdf", b"%PDF-1.4 evidence"),
                        "_evidence": "1"})
    head.post(rectify, {"_done": "1"})
    committee.post(task_url(open_task(problem)), {"opinion": "缺少整改前后对比。",
                                                  "_send_back": "1"})
    head.post(task_url(open_task(problem)), {"_done": "1"})
    committee.post(task_url(open_task(problem)), {"opinion": "同意销号。", "_close_out": "1"})
    problem.refresh_from_db()
    assert problem.status == Problem.Status.FILED
    assert list(problem.opinions.values_list("kind", flat=True)) == [
        "return", "approve", "grant", "send_back", "close_out"]
    return problem


def test_the_problem_sheet_has_every_step_and_the_extension(
        filed_problem, client_for, jiwei_chen, head_enforcement, leader_zhao,
        paizhu_sun):
    client = client_for(paizhu_sun)
    pdf = _get(client, f"/problems/{filed_problem.pk}/sheet.pdf")
    word = _get(client, f"/problems/{filed_problem.pk}/sheet.docx")
    entries = history(filed_problem)
    assert len(entries) >= 7
    opinions = list(filed_problem.opinions.values_list("text", flat=True))
    grant = filed_problem.opinions.get(kind=Opinion.Kind.GRANT)
    texts = ["问题整改审批单", "执法车辆节日期间私用", "车辆管理制度执行不严",
             "建立派车登记制度，责任到人", "车辆定位系统采购需走政府采购程序", "延期",
             jiwei_chen.name, head_enforcement.name, leader_zhao.name, *opinions,
             *expected_steps(filed_problem), _moment(grant.created_at),
             *[_moment(e.created) for e in entries], *[_moment(e.finished) for e in entries],
             f"{filed_problem.approved_date.year}年{filed_problem.approved_date.month}月"
             f"{filed_problem.approved_date.day}日"]
    for content in (pdf_text(pdf.content), docx_text(word.content)):
        squashed = _squash(content)
        for text in texts:
            assert _squash(text) in squashed, text
    assert AuditEvent.objects.filter(action="problem.sheet_print",
                                     target_id=str(filed_problem.pk)).count() == 2
    trail = _get(client_for(jiwei_chen), f"/problems/{filed_problem.pk}/trail/")
    assert "problem.sheet_print" in trail.content.decode()


def test_the_pdf_embeds_a_font_that_draws_every_chinese_character_it_prints(
        signed_report, filed_problem, truetype_font, client_for, jiwei_chen):
    client = client_for(jiwei_chen)
    for url in (f"/reports/{signed_report.pk}/sheet.pdf",
                f"/problems/{filed_problem.pk}/sheet.pdf"):
        content = _get(client, url).content
        assert "同意" in pdf_text(content)
        assert_pdf_draws(content, [pdf_text(content)])


def test_without_a_truetype_font_the_pdf_prints_in_reportlabs_built_in_font(
        signed_report, without_truetype_fonts, client_for, head_sanitation, leader_li):
    from records.checks import pdf_font_check

    assert sheet_pdf.pdf_font_path() is None
    assert pdf_font_check() == []  # nothing for `make test` or `check --deploy` to fail on
    pdf = _get(client_for(head_sanitation), f"/reports/{signed_report.pk}/sheet.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    fonts = embedded_fonts(pdf.content)
    # named, not embedded: the reader's PDF viewer draws it with a Chinese font of its own
    assert f"/{sheet_pdf.BUILTIN_PDF_FONT}" in [f["name"] for f in fonts]
    assert [f["file"] for f in fonts] == [None] * len(fonts)
    text = _squash(pdf_text(pdf.content))
    for expected in ("季度履责汇报审批单", signed_report.unit.name, leader_li.name,
                     "同意，按期推进。", "请补充问题整改的具体时限。", "第1页共1页"):
        assert expected in text, expected
    assert AuditEvent.objects.filter(action="report.sheet_print", data__format="pdf").exists()


def test_the_sheet_lists_the_extension_decision_in_time_order(filed_problem):
    sheet = sheets.build_sheet(filed_problem, history(filed_problem))
    steps = [row.step for row in sheet.rows]
    assert steps[0] == "登记"
    asked, decided = steps.index("申请延期"), steps.index("延期审批")
    assert asked < decided
    decided_row = sheet.rows[decided]
    assert decided_row.opinion == "同意延期二十天。" and "同意延期" in decided_row.decision
    moments = [row.at for row in sheet.rows[1:]]
    assert moments == sorted(moments)


def test_the_problem_page_offers_both_downloads(filed_problem, client_for, head_enforcement):
    page = _get(client_for(head_enforcement), f"/problems/{filed_problem.pk}/").content.decode()
    assert f"/problems/{filed_problem.pk}/sheet.pdf" in page
    assert f"/problems/{filed_problem.pk}/sheet.docx" in page


# --- the API ------------------------------------------------------------------------------

def test_the_api_serves_both_formats(signed_report, filed_problem, client_for, jiwei_chen):
    client = client_for(jiwei_chen)
    for name, record in (("report", signed_report), ("problem", filed_problem)):
        pdf = _get(client, reverse(f"api:{name}_sheet_pdf", args=[record.pk]))
        assert pdf["Content-Type"] == "application/pdf"
        assert "attachment" in pdf["Content-Disposition"]
        assert pdf.content.startswith(b"%PDF") and "同意" in pdf_text(pdf.content)
        word = _get(client, reverse(f"api:{name}_sheet_docx", args=[record.pk]))
        assert word["Content-Type"] == sheet_docx.DOCX_CONTENT_TYPE
        assert "同意" in docx_text(word.content)
    assert AuditEvent.objects.filter(action__endswith=".sheet_print").count() == 4
    schema = _get(client, "/api/v1/schema/?format=json").json()
    for path in ("/api/v1/reports/{id}/sheet/pdf/", "/api/v1/problems/{id}/sheet/docx/"):
        assert path in schema["paths"]


# --- outsiders ----------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["head_office", "leader_wang", "head_legal"])
def test_outsiders_get_no_sheet(signed_report, filed_problem, client_for, username):
    from accounts.models import User

    client = client_for(User.objects.get(username=username))
    before = AuditEvent.objects.filter(action__endswith=".sheet_print").count()
    urls = []
    for name, record in (("reports", signed_report), ("problems", filed_problem)):
        urls += [f"/{name}/{record.pk}/sheet.pdf", f"/{name}/{record.pk}/sheet.docx",
                 f"/api/v1/{name}/{record.pk}/sheet/pdf/",
                 f"/api/v1/{name}/{record.pk}/sheet/docx/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (403, 404), (url, response.status_code)
        assert "同意".encode() not in response.content
    assert AuditEvent.objects.filter(action__endswith=".sheet_print").count() == before


def test_anonymous_people_are_sent_to_log_in(signed_report, client):
    assert client.get(f"/reports/{signed_report.pk}/sheet.pdf").status_code == 302
    assert client.get(f"/api/v1/reports/{signed_report.pk}/sheet/pdf/").status_code in (401, 403)


# --- robustness -----------------------------------------------------------------------------

def test_a_broken_configured_font_is_explained_and_word_still_works(
        signed_report, client_for, head_sanitation, settings, tmp_path):
    """DUTYCHAIN_PDF_FONT is the administrator's choice: when it cannot be used the PDF is
    refused with the reason rather than printed in another font."""
    settings.DUTYCHAIN_PDF_FONT = str(tmp_path / "missing.ttf")
    client = client_for(head_sanitation)
    response = client.get(f"/reports/{signed_report.pk}/sheet.pdf", follow=True)
    assert response.status_code == 200
    assert "字体" in response.content.decode() and "DUTYCHAIN_PDF_FONT" in response.content.decode()
    api = client.get(f"/api/v1/reports/{signed_report.pk}/sheet/pdf/")
    assert api.status_code == 503 and "DUTYCHAIN_PDF_FONT" in api.json()["detail"]
    assert _get(client, f"/reports/{signed_report.pk}/sheet.docx")
    assert not AuditEvent.objects.filter(action="report.sheet_print", data__format="pdf").exists()
    # a CFF-flavoured OpenType font is refused too, with the reason
    otf = tmp_path / "cff.otf"
    otf.write_bytes(b"OTTO" + bytes(64))
    settings.DUTYCHAIN_PDF_FONT = str(otf)
    with pytest.raises(sheet_pdf.SheetUnavailable, match="CFF"):
        sheet_pdf.pdf_font_path()


def test_manage_py_check_warns_about_a_broken_configured_font_only(
        without_truetype_fonts, settings, tmp_path, capsys):
    from records.checks import pdf_font_check

    settings.DUTYCHAIN_PDF_FONT = str(tmp_path / "missing.ttf")
    warnings = pdf_font_check()
    assert [w.id for w in warnings] == ["records.W001"]
    assert "DUTYCHAIN_PDF_FONT" in warnings[0].msg and "missing.ttf" in warnings[0].msg
    call_command("check")  # a warning, not an error: the site still runs
    assert "records.W001" in capsys.readouterr().err
    otf = tmp_path / "cff.otf"
    otf.write_bytes(b"OTTO" + bytes(64))
    settings.DUTYCHAIN_PDF_FONT = str(otf)
    assert [w.id for w in pdf_font_check()] == ["records.W001"]
    # unset, on a machine without Debian's Chinese fonts: the built-in font serves
    settings.DUTYCHAIN_PDF_FONT = ""
    assert pdf_font_check() == []


def test_a_step_the_sheet_does_not_know_still_prints(signed_report, monkeypatch, leader_li):
    """A later flow may add steps (countersign, transfer): whatever history() yields prints."""
    unknown = SimpleNamespace(step="会签", owner=leader_li, created=timezone.now())
    bare = SimpleNamespace()
    sheet = sheets.build_sheet(signed_report, [unknown, bare], by=leader_li)
    for content in (pdf_text(sheet_pdf.render_pdf(sheet)), docx_text(sheet_docx.render_docx(sheet))):
        assert "会签" in content and leader_li.name in content


def test_a_long_sheet_runs_over_pages_with_page_numbers(signed_report, leader_li):
    sheet = sheets.build_sheet(signed_report, history(signed_report), by=leader_li)
    sheet.rows *= 12
    content = sheet_pdf.render_pdf(sheet)
    pages = pypdf.PdfReader(io.BytesIO(content)).pages
    assert len(pages) > 1
    assert _squash(f"第 2 页 共 {len(pages)} 页") in _squash(pages[1].extract_text())
    # the table's header repeats on the next page
    assert "办理人" in pages[1].extract_text()


def test_long_content_is_summarised(signed_report):
    signed_report.work_done = "廉" * 2000
    sheet = sheets.build_sheet(signed_report, history(signed_report))
    work_done = dict(sheet.content)["履责情况"]
    assert len(work_done) < 500 and work_done.endswith("全文见履责链系统）")


def test_printing_costs_a_fixed_number_of_queries(filed_problem, client_for, paizhu_sun,
                                                  django_assert_max_num_queries):
    client = client_for(paizhu_sun)
    with django_assert_max_num_queries(40):
        _get(client, f"/problems/{filed_problem.pk}/sheet.docx")


def test_the_font_is_the_one_ci_installs():
    """.ci/run installs the package of the default font."""
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()
    assert "fonts-wqy-zenhei" in ci
    assert sheet_pdf.DEFAULT_PDF_FONTS[0].endswith("wqy-zenhei.ttc")


def test_a_font_without_chinese_is_refused_with_a_message(signed_report, client_for,
                                                          head_sanitation, settings, tmp_path):
    """A TrueType font that cannot draw Chinese would print boxes: it is refused."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    pen = TTGlyphPen(None)
    pen.moveTo((0, 0))
    pen.lineTo((0, 500))
    pen.lineTo((500, 0))
    pen.closePath()
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef", "A"])
    builder.setupCharacterMap({ord("A"): "A"})
    builder.setupGlyf({".notdef": pen.glyph(), "A": pen.glyph()})
    builder.setupHorizontalMetrics({".notdef": (500, 0), "A": (500, 0)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "LatinOnly", "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    latin = tmp_path / "latin.ttf"
    builder.save(str(latin))
    settings.DUTYCHAIN_PDF_FONT = str(latin)

    response = client_for(head_sanitation).get(f"/reports/{signed_report.pk}/sheet.pdf",
                                               follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and "不含中文字符" in page
    assert not AuditEvent.objects.filter(action="report.sheet_print").exists()
