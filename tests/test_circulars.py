"""Circulars (通报): the committee publishes problems to the whole bureau, numbered per year."""

import datetime
import io
import threading
from unittest import mock
from urllib.parse import quote

import docx
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from docx.oxml.ns import qn
from docx.shared import Pt

from accounts.models import User
from flows.registration import register_problems
from records import selectors
from records.documents import chinese
from records.documents import circulars as circular_docx
from records.models import AuditEvent, Circular, Problem
from records.services import circulars

CHECK = "2026年中秋国庆节日期间明察暗访"
TITLE = "关于2026年中秋国庆节日期间明察暗访发现问题的通报"
BODY = "为深入贯彻中央八项规定精神，机关纪委于中秋国庆节日期间开展了明察暗访。现将发现的问题通报如下。"
DESCRIPTIONS = {
    "enforcement": ["执法车辆节日期间私用，停放在景区停车场。", "值班人员脱岗，值班电话无人接听。"],
    "sanitation": ["违规收受服务单位赠送的购物卡。"],
    "legal": ["工作日午间饮酒。"],
}


@pytest.fixture
def spot_check(bureau, unit, jiwei_chen):
    """One holiday spot check: four problems in three units."""
    items = [{"unit": unit(code), "category": "hedonism", "description": text}
             for code, texts in DESCRIPTIONS.items() for text in texts]
    problems = register_problems(by=jiwei_chen, source="spot_check",
                                 found_on=datetime.date(2026, 10, 2), items=items, title=CHECK)
    return problems[0].problem_list


def _form(chosen, **fields):
    data = {"title": TITLE, "body": BODY, "issuer": "中共市城市管理局机关纪律检查委员会",
            "issued_on": timezone.localdate().isoformat(),
            "problems": [p.pk for p in chosen]}
    data.update(fields)
    return data


def _issue(by, problems, issued_on=None, title=TITLE):
    return circulars.circular_issue(by=by, title=title, body=BODY,
                                    issued_on=issued_on or timezone.localdate(),
                                    problems=problems)


def _docx(response):
    assert response.status_code == 200
    return docx.Document(io.BytesIO(response.content))


def _east_asian_font(run):
    return run._r.rPr.rFonts.get(qn("w:eastAsia"))


# --- issuing ---------------------------------------------------------------------------

def test_the_committee_issues_a_circular_of_one_checks_problems_across_three_units(
        spot_check, client_for, jiwei_chen):
    committee = client_for(jiwei_chen)
    form = committee.get(f"/circulars/new/?problem_list={spot_check.pk}").content.decode()
    problems = list(spot_check.problems.all())
    for problem in problems:
        # the check's problems are offered and already ticked
        assert f'value="{problem.pk}" id="problem-{problem.pk}" checked' in form
    assert TITLE in form  # the title is suggested from the check
    assert f'value="{timezone.localdate().isoformat()}"' in form  # issued today, ISO for the picker

    response = committee.post("/circulars/new/", _form(problems))
    circular = Circular.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/circulars/{circular.pk}/"
    assert (circular.year, circular.number) == (timezone.localdate().year, 1)
    assert circular.document_number == f"〔{circular.year}〕1号"
    assert set(circular.problems.all()) == set(problems)
    assert circular.created_by == jiwei_chen
    event = AuditEvent.objects.get(action="circular.issue")
    assert event.actor == jiwei_chen and event.target_id == str(circular.pk)

    page = committee.get(f"/circulars/{circular.pk}/").content.decode()
    assert circular.document_number in page and TITLE in page and BODY in page
    # problems grouped by unit, in the bureau's order
    assert "一、政策法规处" in page and "二、市容环境卫生管理处" in page
    assert "三、城市管理综合执法支队" in page
    assert page.index("政策法规处") < page.index("工作日午间饮酒") < page.index("市容环境卫生管理处")
    for texts in DESCRIPTIONS.values():
        for text in texts:
            assert text in page


def test_the_committee_may_leave_out_some_of_a_checks_problems(spot_check, client_for,
                                                               jiwei_chen):
    chosen = list(spot_check.problems.filter(unit__code="enforcement"))
    client_for(jiwei_chen).post("/circulars/new/", _form(chosen))
    assert set(Circular.objects.get().problems.all()) == set(chosen)


def test_the_form_offers_the_problems_closed_this_quarter(spot_check, client_for, jiwei_chen):
    this_quarter_start, _next = selectors.quarter_bounds(timezone.localdate())
    first, second, third, _fourth = spot_check.problems.order_by("pk")
    Problem.objects.filter(pk=first.pk).update(status=Problem.Status.FILED,
                                               closed_at=timezone.now())
    Problem.objects.filter(pk=second.pk).update(status=Problem.Status.CLOSED,
                                                closed_at=timezone.now())
    last_quarter = timezone.make_aware(datetime.datetime.combine(
        this_quarter_start - datetime.timedelta(days=1), datetime.time(12)))
    Problem.objects.filter(pk=third.pk).update(status=Problem.Status.FILED,
                                               closed_at=last_quarter)

    assert set(selectors.closed_in_quarter()) == {first, second}
    form = client_for(jiwei_chen).get("/circulars/new/?closed=1").content.decode()
    assert first.description in form and second.description in form
    assert third.description not in form
    assert "季度问题整改销号情况的通报" in form


def test_numbers_run_in_sequence_within_a_year_and_restart_in_a_new_year(spot_check,
                                                                          jiwei_chen):
    problems = list(spot_check.problems.all())
    today = timezone.localdate()
    last_year = today.replace(year=today.year - 1, month=12, day=30)
    numbers = [_issue(jiwei_chen, problems, issued_on=day).document_number
               for day in (last_year, last_year, today, today, last_year, today)]
    y, x = today.year, today.year - 1
    assert numbers == [f"〔{x}〕1号", f"〔{x}〕2号", f"〔{y}〕1号", f"〔{y}〕2号",
                       f"〔{x}〕3号", f"〔{y}〕3号"]


def test_a_number_taken_meanwhile_is_not_issued_twice(spot_check, jiwei_chen):
    problems = list(spot_check.problems.all())
    first = _issue(jiwei_chen, problems)
    real_next_number = circulars.next_number
    answers = iter([1])  # as if another circular took 〔year〕1号 after we looked

    def stale_then_fresh(year):
        return next(answers, None) or real_next_number(year)

    with mock.patch.object(circulars, "next_number", side_effect=stale_then_fresh):
        second = _issue(jiwei_chen, problems)
    assert (first.number, second.number) == (1, 2)
    assert second.problems.count() == len(problems)
    assert AuditEvent.objects.filter(action="circular.issue").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_circulars_issued_at_the_same_moment_get_different_numbers(spot_check,
                                                                       jiwei_chen):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers")
    problems = list(spot_check.problems.all())
    barrier = threading.Barrier(2)
    real_next_number = circulars.next_number
    looked = threading.local()

    def both_look_before_either_writes(year):
        number = real_next_number(year)
        if not getattr(looked, "once", False):
            looked.once = True
            barrier.wait(timeout=10)
        return number

    results = []

    def issue():
        try:
            results.append(_issue(jiwei_chen, problems).number)
        except BaseException as error:  # reported in the main thread
            results.append(error)
        finally:
            connection.close()

    with mock.patch.object(circulars, "next_number",
                           side_effect=both_look_before_either_writes) as looking:
        threads = [threading.Thread(target=issue, daemon=True) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert sorted(results) == [1, 2]
    assert looking.call_count == 3  # both took 1; the loser looked again and took 2
    assert Circular.objects.count() == 2


# --- who may issue, bad input ----------------------------------------------------------

@pytest.mark.parametrize("username", ["head_sanitation", "leader_li", "secretary", "paizhu_sun",
                                      "liaison_enforcement"])
def test_only_the_discipline_committee_may_issue_circulars(spot_check, client_for, username):
    client = client_for(User.objects.get(username=username))
    assert client.get("/circulars/new/").status_code == 404
    response = client.post("/circulars/new/", _form(spot_check.problems.all()))
    assert response.status_code == 404
    assert not Circular.objects.exists()
    with pytest.raises(ValidationError):
        _issue(User.objects.get(username=username), list(spot_check.problems.all()))
    assert not Circular.objects.exists()


def test_the_issue_link_is_shown_to_the_committee_only(spot_check, client_for, jiwei_chen,
                                                       head_sanitation):
    def links(user):
        return client_for(user).get("/circulars/").content.decode().count('"/circulars/new/"')

    # the menu lists the page for everyone; the button on the list is the committee's
    assert links(jiwei_chen) == links(head_sanitation) + 1


TOMORROW = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


@pytest.mark.parametrize("bad, field", [
    ({"problems": []}, "problems"),
    ({"issued_on": TOMORROW}, "issued_on"),
    ({"title": ""}, "title"),
    ({"title": "   "}, "title"),
    ({"issued_on": "2026-13-45"}, "issued_on"),
    ({"problems": ["999999"]}, "problems"),
])
def test_bad_input_gives_a_message_and_issues_nothing(spot_check, client_for, jiwei_chen, bad,
                                                      field):
    response = client_for(jiwei_chen).post(
        f"/circulars/new/?problem_list={spot_check.pk}",
        _form(spot_check.problems.all(), **bad))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert 'role="alert"' in response.content.decode()
    assert not Circular.objects.exists()
    assert not AuditEvent.objects.filter(action="circular.issue").exists()


def test_a_rejected_form_keeps_what_was_ticked(spot_check, client_for, jiwei_chen):
    kept = spot_check.problems.order_by("pk").first()
    page = client_for(jiwei_chen).post("/circulars/new/", _form([kept], title="")).content.decode()
    assert f'value="{kept.pk}" id="problem-{kept.pk}" checked' in page
    assert not Circular.objects.exists()


def test_a_cancelled_problem_cannot_be_circulated(spot_check, jiwei_chen, client_for):
    cancelled = spot_check.problems.order_by("pk").first()
    Problem.objects.filter(pk=cancelled.pk).update(status=Problem.Status.CANCELLED)
    with pytest.raises(ValidationError):
        _issue(jiwei_chen, [cancelled])
    response = client_for(jiwei_chen).post("/circulars/new/", _form([cancelled]))
    assert response.context["form"].errors["problems"]
    assert not Circular.objects.exists()


# --- reading ---------------------------------------------------------------------------

@pytest.fixture
def circular(spot_check, jiwei_chen):
    return _issue(jiwei_chen, list(spot_check.problems.all()))


@pytest.mark.parametrize("username", ["head_sanitation", "head_office", "liaison_enforcement",
                                      "leader_li", "secretary", "paizhu_sun", "jiwei_liu",
                                      "admin"])
def test_every_member_of_the_bureau_reads_the_circulars(circular, client_for, username):
    client = client_for(User.objects.get(username=username))
    listing = client.get("/circulars/").content.decode()
    assert circular.document_number in listing and TITLE in listing
    page = client.get(f"/circulars/{circular.pk}/").content.decode()
    # every unit's problems are named: that is what a circular is for
    for texts in DESCRIPTIONS.values():
        for text in texts:
            assert text in page
    assert client.get(f"/circulars/{circular.pk}/docx/").status_code == 200


def test_someone_holding_no_post_does_not_see_circulars(circular, client_for):
    stranger = User.objects.create_user(username="former_staff", password="x")
    for url in ("/circulars/", f"/circulars/{circular.pk}/", f"/circulars/{circular.pk}/docx/"):
        # signed out at the door: a person without a post is not let in at all
        response = client_for(stranger).get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("path", ["/circulars/", "/circulars/new/", "/circulars/{pk}/",
                                  "/circulars/{pk}/docx/"])
def test_anonymous_visitors_are_sent_to_log_in(circular, path):
    response = Client().get(path.format(pk=circular.pk))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_unit_still_cannot_open_another_units_problem_from_a_circular(circular, client_for,
                                                                       head_sanitation):
    client = client_for(head_sanitation)
    page = client.get(f"/circulars/{circular.pk}/").content.decode()
    own = circular.problems.get(unit__code="sanitation")
    other = circular.problems.filter(unit__code="enforcement").first()
    assert f'href="/problems/{own.pk}/"' in page
    assert f'href="/problems/{other.pk}/"' not in page
    assert other.description in page
    assert client.get(f"/problems/{own.pk}/").status_code == 200
    assert client.get(f"/problems/{other.pk}/").status_code == 404


def test_an_issued_circular_cannot_be_changed_through_its_page(circular, client_for,
                                                               jiwei_chen):
    client = client_for(jiwei_chen)
    assert client.post(f"/circulars/{circular.pk}/", {"title": "改过的标题"}).status_code == 405
    circular.refresh_from_db()
    assert circular.title == TITLE


def test_the_list_shows_the_newest_circular_first(spot_check, client_for, jiwei_chen,
                                                  head_legal):
    problems = list(spot_check.problems.all())
    today = timezone.localdate()
    _issue(jiwei_chen, problems, issued_on=today.replace(year=today.year - 1),
           title="去年的通报")
    _issue(jiwei_chen, problems, title="第一份通报")
    _issue(jiwei_chen, problems, title="第二份通报")
    page = client_for(head_legal).get("/circulars/").content.decode()
    assert page.index("第二份通报") < page.index("第一份通报") < page.index("去年的通报")


def test_the_list_costs_the_same_queries_for_2_or_12_circulars(
        spot_check, client_for, head_sanitation, jiwei_chen, django_assert_max_num_queries):
    problems = list(spot_check.problems.all())
    client = client_for(head_sanitation)
    for _ in range(2):
        _issue(jiwei_chen, problems)
    with CaptureQueriesContext(connection) as two:
        assert client.get("/circulars/").status_code == 200
    for _ in range(10):
        _issue(jiwei_chen, problems)
    with django_assert_max_num_queries(len(two)):
        page = client.get("/circulars/").content.decode()
    assert page.count('href="/circulars/') >= 12 and f"〔{timezone.localdate().year}〕12号" in page
    assert len(two) <= 16


# --- the .docx -------------------------------------------------------------------------

def test_the_docx_holds_the_number_title_and_every_problem(circular, client_for,
                                                           head_sanitation):
    response = client_for(head_sanitation).get(f"/circulars/{circular.pk}/docx/")
    document = _docx(response)
    assert response["Content-Type"] == circular_docx.DOCX_CONTENT_TYPE
    filename = f"{circular.document_number} {TITLE}.docx"
    assert f"filename*=utf-8''{quote(filename)}" in response["Content-Disposition"]

    texts = [p.text for p in document.paragraphs]
    text = "\n".join(texts)
    assert circular.document_number in texts and TITLE in texts
    assert texts.index(circular.document_number) < texts.index(TITLE) < texts.index(BODY)
    for problem in circular.problems.all():
        assert problem.description in text
    assert ["一、政策法规处", "二、市容环境卫生管理处", "三、城市管理综合执法支队"] == [
        t for t in texts if "、" in t[:3]]
    assert any(t.startswith("2.") and DESCRIPTIONS["enforcement"][1] in t for t in texts)
    issued = circular.issued_on
    assert texts[-1] == f"{issued.year}年{issued.month}月{issued.day}日"
    assert texts[-2] == circular.issuer

    event = AuditEvent.objects.get(action="circular.download")
    assert event.actor == head_sanitation and event.target_id == str(circular.pk)


def test_the_docx_is_laid_out_as_an_official_document(circular, client_for, jiwei_chen):
    document = _docx(client_for(jiwei_chen).get(f"/circulars/{circular.pk}/docx/"))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin,
                                  section.left_margin, section.right_margin)] == [37, 35, 28, 26]
    paragraphs = {p.text: p for p in document.paragraphs if p.text}

    title = paragraphs[TITLE]
    assert title.alignment == 1  # centred
    assert _east_asian_font(title.runs[0]) == "方正小标宋简体"
    assert title.runs[0].font.size == Pt(22)
    assert paragraphs[circular.document_number].alignment == 1

    body = paragraphs[BODY]
    assert _east_asian_font(body.runs[0]).startswith("仿宋")
    assert body.runs[0].font.size == Pt(16)
    assert body.paragraph_format.first_line_indent == Pt(32)
    assert body.paragraph_format.line_spacing == Pt(28)

    heading = paragraphs["一、政策法规处"]
    assert _east_asian_font(heading.runs[0]) == "黑体"
    assert paragraphs[circular.issuer].alignment == 2  # right


def test_chinese_numerals_for_unit_headings():
    assert [chinese.chinese_numeral(n) for n in (1, 9, 10, 11, 20, 23, 99)] == [
        "一", "九", "十", "十一", "二十", "二十三", "九十九"]
    assert chinese.chinese_date(datetime.date(2026, 11, 26)) == "2026年11月26日"
