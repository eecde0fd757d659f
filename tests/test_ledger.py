"""The ledger (台账) and its Excel export: lights, filters, counts, sorting, pages, who sees what."""

import datetime
from io import BytesIO
from urllib.parse import quote

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext

from demo.problems import load_demo_problems
from flows.registration import register_problems
from records.models import AuditEvent, Problem
from records.workdays import add_working_days

FOUND_ON = datetime.date(2026, 10, 2)


@pytest.fixture
def register(jiwei_chen, unit):
    """Register one problem per item (unit code, category[, source[, found_on]])."""

    def make(*items, source="spot_check", found_on=FOUND_ON):
        return register_problems(by=jiwei_chen, source=source, found_on=found_on, items=[
            {"unit": unit(code), "category": category, "description": f"{unit(code).name}的问题{i}"}
            for i, (code, category) in enumerate(items)])

    return make


@pytest.fixture
def demo(bureau):
    """The demo spot check: enforcement filed, squad1 rectifying (extension asked), squad2
    awaiting verification, sanitation's plan awaiting approval, command overdue."""
    load_demo_problems()
    return {p.unit.code: p for p in Problem.objects.select_related("unit")}


def ledger(client, query=""):
    response = client.get("/problems/" + query)
    assert response.status_code == 200
    return response


def pks(response):
    return [problem.pk for problem in response.context["rows"]]


def workbook_rows(response):
    content = (b"".join(response.streaming_content) if response.streaming
               else response.content)
    sheet = openpyxl.load_workbook(BytesIO(content)).active
    return list(sheet.iter_rows(values_only=True)), sheet


def set_due(problem, day, **fields):
    Problem.objects.filter(pk=problem.pk).update(due_date=day, **fields)


# -- traffic lights --------------------------------------------------------------------------

@pytest.fixture
def five(register):
    return register(*[("enforcement", "hedonism")] * 6)


def test_lights_at_the_boundaries_relative_to_today(five, jiwei_chen, client_for):
    today = timezone.localdate()
    due_today, in_three, in_four, yesterday, no_date, closed = five
    set_due(due_today, today)
    set_due(in_three, add_working_days(today, 3))
    set_due(in_four, add_working_days(today, 4))
    set_due(yesterday, today - datetime.timedelta(days=1))
    set_due(no_date, None)
    # closed with a deadline long past: grey, never red
    set_due(closed, today - datetime.timedelta(days=30), status=Problem.Status.CLOSED)

    response = ledger(client_for(jiwei_chen))
    lights = {problem.pk: problem.light for problem in response.context["rows"]}
    assert lights == {due_today.pk: "yellow", in_three.pk: "yellow", in_four.pk: "green",
                      yesterday.pk: "red", no_date.pk: "green", closed.pk: "grey"}
    page = response.content.decode()
    assert f'data-problem="{yesterday.pk}" data-light="red"' in page
    assert f'data-problem="{closed.pk}" data-light="grey"' in page


@pytest.fixture
def before_national_day(monkeypatch):
    """Pretend today is Tuesday 29 September 2026: 1–7 October are the National Day holiday,
    Saturday 10 October a shifted working day (调休)."""
    real = timezone.localdate
    day = datetime.date(2026, 9, 29)
    monkeypatch.setattr(timezone, "localdate",
                        lambda value=None, timezone=None: day if value is None
                        else real(value, timezone))
    return day


def test_three_working_days_span_the_national_day_holiday(five, jiwei_chen, client_for,
                                                          before_national_day):
    due_today, third_day, fourth_day, overdue, *_rest = five
    set_due(due_today, datetime.date(2026, 9, 29))
    # working days after 29 Sep: 30 Sep, 8 Oct, 9 Oct (then Saturday 10 Oct)
    set_due(third_day, datetime.date(2026, 10, 9))
    set_due(fourth_day, datetime.date(2026, 10, 10))
    set_due(overdue, datetime.date(2026, 9, 28))

    response = ledger(client_for(jiwei_chen))
    assert response.context["lights"].threshold == datetime.date(2026, 10, 9)
    lights = {problem.pk: problem.light for problem in response.context["rows"]}
    assert lights[due_today.pk] == "yellow"
    assert lights[third_day.pk] == "yellow"
    assert lights[fourth_day.pk] == "green"
    assert lights[overdue.pk] == "red"


def test_filtering_by_light_in_sql_agrees_with_the_light_shown(five, jiwei_chen, client_for):
    today = timezone.localdate()
    days = [today, add_working_days(today, 3), add_working_days(today, 4),
            today - datetime.timedelta(days=1), None, None]
    for problem, day in zip(five, days, strict=True):
        set_due(problem, day)
    Problem.objects.filter(pk=five[-1].pk).update(status=Problem.Status.FILED)
    client = client_for(jiwei_chen)
    everything = ledger(client).context["rows"]
    for light in ("red", "yellow", "green", "grey"):
        shown = ledger(client, f"?light={light}").context["rows"]
        assert {p.pk for p in shown} == {p.pk for p in everything if p.light == light}
        assert shown and all(p.light == light for p in shown)


# -- filters, counts, sorting, pages ---------------------------------------------------------

@pytest.fixture
def mixed(register):
    spot = register(("enforcement", "hedonism"), ("enforcement", "formalism"),
                    ("sanitation", "bureaucratism"), ("legal", "discipline"))
    supervision = register(("enforcement", "hedonism"), ("office", "other"),
                           source="supervision", found_on=datetime.date(2025, 6, 3))
    # one of enforcement's problems already has its plan waiting for approval
    Problem.objects.filter(pk=spot[1].pk).update(status=Problem.Status.PLAN_REVIEW)
    return spot + supervision


@pytest.mark.parametrize("query, expected", [
    ("?unit=enforcement", [0, 1, 4]),
    ("?category=hedonism", [0, 4]),
    ("?source=supervision", [4, 5]),
    ("?status=plan_review", [1]),
    ("?year=2025", [4, 5]),
    ("?unit=enforcement&year=2026&category=hedonism", [0]),
])
def test_each_filter_narrows_the_rows(mixed, jiwei_chen, client_for, query, expected):
    assert set(pks(ledger(client_for(jiwei_chen), query))) == {mixed[i].pk for i in expected}


def test_under_a_city_commission_a_bureau_filters_every_unit_under_it(
        mixed, register, jiwei_chen, client_for, unit):
    from accounts.models import Unit

    # the demo bureau becomes one of the bureaus a city's commission oversees
    city = Unit.objects.create(code="city", name="市纪委监委", kind=Unit.Kind.BUREAU)
    Unit.objects.filter(code="bureau").update(parent=city)
    squad = register(("squad1", "hedonism"))
    client = client_for(jiwei_chen)
    page = ledger(client)
    assert ("bureau", "市城市管理局（全部单位）") in page.context["units"]
    assert set(pks(ledger(client, "?unit=bureau"))) == {p.pk for p in mixed + squad}
    # a unit still filters to itself alone, not the squads under it
    assert set(pks(ledger(client, "?unit=enforcement"))) == {mixed[i].pk for i in (0, 1, 4)}
    api = client.get("/api/v1/problems/?unit=bureau").json()
    assert {row["id"] for row in api["results"]} == {p.pk for p in mixed + squad}


def test_in_a_city_the_unit_options_list_one_bureaus_units_at_a_time(
        mixed, register, jiwei_chen, client_for, unit):
    """Thousands of units do not go into one drop-down: the committee picks a bureau, then
    one of its units."""
    from accounts.models import Unit

    city = Unit.objects.create(code="city", name="市纪委监委", kind=Unit.Kind.BUREAU)
    Unit.objects.filter(code="bureau").update(parent=city)
    other = Unit.objects.create(code="b2", name="第二局", kind=Unit.Kind.BUREAU, parent=city)
    Unit.objects.create(code="b2u1", name="第二局第一处", kind=Unit.Kind.DIVISION, parent=other)
    squad = register(("squad1", "hedonism"))
    client = client_for(jiwei_chen)
    codes = [code for code, _name in ledger(client).context["units"]]
    assert sorted(codes) == ["b2", "bureau"]
    for query in ("?unit=bureau", "?unit=enforcement", "?unit=squad1"):
        page = ledger(client, query)
        codes = [code for code, _name in page.context["units"]]
        assert sorted(codes[:2]) == ["b2", "bureau"] and {"enforcement", "squad1"} <= set(codes)
        assert "b2u1" not in codes  # another bureau's units, and units without problems
        assert page.context["filters"].unit == query.split("=")[1]
    assert set(pks(ledger(client, "?unit=squad1"))) == {p.pk for p in squad}
    assert ledger(client, "?unit=b2").context["filters"].unit == "b2"
    assert ledger(client, "?unit=%00").context["filters"].unit is None
    assert ledger(client).context["years"] == [2026, 2025]


def test_invalid_filter_values_are_ignored(mixed, jiwei_chen, client_for):
    response = ledger(client_for(jiwei_chen), "?unit=nowhere&category=gluttony&source=%00&"
                      "status=lost&light=purple&year=20x6&sort=password&page=zz")
    assert set(pks(response)) == {p.pk for p in mixed}
    assert response.context["filters"].sort == "-found_on"


def test_counts_by_status_cover_every_filter_but_the_status_one(mixed, jiwei_chen, client_for):
    response = ledger(client_for(jiwei_chen), "?unit=enforcement&status=analysing")
    counts = {s["value"]: s["count"] for s in response.context["statuses"]}
    assert counts["analysing"] == 2 and counts["plan_review"] == 1
    assert sum(counts.values()) == response.context["total"] == 3
    assert len(pks(response)) == 2
    page = response.content.decode()
    # a count links to its status, keeping the other filters
    assert 'href="?unit=enforcement&amp;status=plan_review"' in page


def test_sorting_follows_the_whitelist_both_ways(mixed, jiwei_chen, client_for, unit):
    client = client_for(jiwei_chen)
    today = timezone.localdate()
    for offset, problem in enumerate(mixed):
        set_due(problem, today + datetime.timedelta(days=10 - offset))
    Problem.objects.filter(pk=mixed[0].pk).update(due_date=None, status=Problem.Status.FILED)

    by_due = pks(ledger(client, "?sort=due_date"))
    assert by_due == [p.pk for p in reversed(mixed[1:])] + [mixed[0].pk]  # no deadline last
    by_due_desc = pks(ledger(client, "?sort=-due_date"))
    assert by_due_desc == [p.pk for p in mixed[1:]] + [mixed[0].pk]

    found = [p.found_on for p in ledger(client, "?sort=found_on").context["rows"]]
    assert found == sorted(found)
    units = [p.unit.order for p in ledger(client, "?sort=unit").context["rows"]]
    assert units == sorted(units)
    statuses = [p.status for p in ledger(client, "?sort=-status").context["rows"]]
    assert statuses[0] == Problem.Status.FILED and statuses[-1] == Problem.Status.ANALYSING
    categories = [p.category for p in ledger(client, "?sort=category").context["rows"]]
    assert categories == sorted(categories, key=Problem.Category.values.index)


def test_a_sort_link_keeps_the_filters_and_turns_the_order_round(mixed, jiwei_chen, client_for):
    page = ledger(client_for(jiwei_chen), "?unit=enforcement&sort=due_date").content.decode()
    assert 'href="?unit=enforcement&amp;sort=-due_date"' in page
    assert 'href="?unit=enforcement&amp;sort=status"' in page


@pytest.fixture
def sixty(bureau, jiwei_chen, unit):
    """60 problems straight into the table (the committee sees every row, grants or not)."""
    units = [unit("enforcement"), unit("sanitation")]
    Problem.objects.bulk_create([
        Problem(source="spot_check", category="hedonism" if i % 2 else "formalism",
                description=f"第{i}号问题", found_on=FOUND_ON - datetime.timedelta(days=i),
                unit=units[i % 2], registered_by=jiwei_chen, step="analyse",
                assignee=jiwei_chen, due_date=timezone.localdate())
        for i in range(60)])
    return Problem.objects.all()


def test_the_ledger_pages_by_fifty_and_the_links_keep_the_filters(sixty, jiwei_chen, client_for):
    client = client_for(jiwei_chen)
    first = ledger(client, "?source=spot_check&sort=found_on")
    assert len(pks(first)) == 50
    assert 'href="?source=spot_check&amp;sort=found_on&amp;page=2"' in first.content.decode()
    second = ledger(client, "?source=spot_check&sort=found_on&page=2")
    assert len(pks(second)) == 10
    assert not set(pks(first)) & set(pks(second))
    assert 'href="?source=spot_check&amp;sort=found_on&amp;page=1"' in second.content.decode()
    # beyond the last page: the last page, not an error
    assert pks(ledger(client, "?source=spot_check&sort=found_on&page=99")) == pks(second)


def test_rows_show_step_assignee_and_deadline_and_link_to_the_problem(demo, jiwei_chen,
                                                                    client_for):
    response = ledger(client_for(jiwei_chen))
    sanitation = demo["sanitation"]
    row = next(p for p in response.context["rows"] if p.pk == sanitation.pk)
    assert row.step_title == gettext("Approve the plan")
    page = response.content.decode()
    assert f'href="/problems/{sanitation.pk}/"' in page
    assert "市容环境卫生管理处对群众投诉的占道经营问题推诿扯皮" in page
    assert sanitation.assignee.name in page and sanitation.due_date.isoformat() in page
    assert 'href="/problems/export.xlsx"' in page
    filtered = ledger(client_for(jiwei_chen), "?unit=sanitation&light=green&sort=-due_date")
    assert ('href="/problems/export.xlsx?unit=sanitation&amp;light=green&amp;sort=-due_date"'
            in filtered.content.decode())


# -- the export ------------------------------------------------------------------------------

HEADERS = ["No.", "Unit", "Category", "Source", "Description", "Person concerned", "Date found",
           "Status", "Current step", "Assignee", "Deadline", "Traffic light"]


def test_the_export_holds_exactly_the_filtered_rows(mixed, jiwei_chen, client_for):
    client = client_for(jiwei_chen)
    query = "?unit=enforcement&category=hedonism&sort=found_on"
    response = client.get("/problems/export.xlsx" + query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    rows, sheet = workbook_rows(response)
    assert list(rows[0]) == [gettext(header) for header in HEADERS]
    assert [row[0] for row in rows[1:]] == pks(ledger(client, query)) == [mixed[4].pk, mixed[0].pk]
    first = rows[1]
    assert first[1] == "城市管理综合执法支队" and first[2] == gettext("Hedonism")
    assert first[6] == datetime.datetime(2025, 6, 3)  # a real date cell
    assert sheet["G2"].number_format == "yyyy-mm-dd" and sheet["K2"].number_format == "yyyy-mm-dd"
    assert first[11] in {str(label) for label in
                         (gettext("Overdue"), gettext("Due within 3 working days"),
                          gettext("On track"))}

    filename = f"{gettext('Problem ledger')}-{timezone.localdate().isoformat()}.xlsx"
    assert f"filename*=utf-8''{quote(filename)}" in response["Content-Disposition"]
    event = AuditEvent.objects.get(action="problem.export")
    assert event.actor == jiwei_chen and event.data == {
        "filters": {"unit": "enforcement", "category": "hedonism", "sort": "found_on"}, "rows": 2}


def test_the_export_is_not_paginated(sixty, jiwei_chen, client_for):
    rows, _sheet = workbook_rows(client_for(jiwei_chen).get("/problems/export.xlsx?category=hedonism"))
    assert len(rows) - 1 == 30
    rows, _sheet = workbook_rows(client_for(jiwei_chen).get("/problems/export.xlsx"))
    assert {row[0] for row in rows[1:]} == set(sixty.values_list("pk", flat=True))


def test_the_export_writes_the_light_as_text_and_closed_rows_without_deadline(
        demo, jiwei_chen, client_for):
    rows, _sheet = workbook_rows(client_for(jiwei_chen).get("/problems/export.xlsx"))
    by_pk = {row[0]: row for row in rows[1:]}
    filed = by_pk[demo["enforcement"].pk]
    assert filed[11] == gettext("Closed") and filed[10] is None and filed[8] is None
    overdue = by_pk[demo["command"].pk]
    assert overdue[11] == gettext("Overdue")
    assert overdue[8] == gettext("Root-cause analysis and measures")


# -- who sees what ---------------------------------------------------------------------------

def _seen(client, url):
    response = client.get(url)
    assert response.status_code == 200
    if url.startswith("/problems/export"):
        rows, _sheet = workbook_rows(response)
        return {row[0] for row in rows[1:]}
    return set(pks(response))


@pytest.mark.parametrize("url", ["/problems/", "/problems/export.xlsx"])
@pytest.mark.parametrize("username, units", [
    ("jiwei_chen", {"enforcement", "squad1", "squad2", "sanitation", "command"}),
    ("secretary", {"enforcement", "squad1", "squad2", "sanitation", "command"}),
    ("leader_zhao", {"enforcement", "squad1", "squad2"}),
    ("leader_li", {"sanitation", "command"}),
    ("leader_wang", set()),
    ("head_enforcement", {"enforcement"}),
    ("head_sanitation", {"sanitation"}),
    ("head_office", set()),
    ("paizhu_sun", {"enforcement"}),  # only the filed one
])
def test_the_ledger_and_the_export_show_only_what_the_user_may_see(demo, client_for, url,
                                                                   username, units):
    from accounts.models import User

    seen = _seen(client_for(User.objects.get(username=username)), url)
    assert seen == {demo[code].pk for code in units}


def test_a_unit_filter_cannot_reach_another_units_problems(demo, outsider, leader_wang,
                                                           client_for):
    for user in (outsider, leader_wang):
        assert _seen(client_for(user), "/problems/?unit=enforcement") == set()
        assert _seen(client_for(user), "/problems/export.xlsx?unit=enforcement") == set()
    assert "城市管理综合执法支队" not in client_for(outsider).get("/problems/").content.decode()


def test_the_stationed_group_sees_a_problem_once_it_is_filed(demo, paizhu_sun, client_for):
    squad2 = demo["squad2"]
    client = client_for(paizhu_sun)
    assert squad2.pk not in _seen(client, "/problems/")
    Problem.objects.filter(pk=squad2.pk).update(status=Problem.Status.FILED,
                                                filed_at=timezone.now())
    assert squad2.pk in _seen(client, "/problems/")


@pytest.mark.parametrize("url", ["/problems/", "/problems/export.xlsx"])
def test_anonymous_visitors_are_sent_to_log_in(bureau, client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# -- a fixed number of queries ---------------------------------------------------------------

def _problems(register, n):
    codes = ["enforcement", "squad1", "squad2", "sanitation", "command"]
    categories = ["hedonism", "formalism", "discipline", "bureaucratism", "other"]
    return register(*[(codes[i % 5], categories[i % 5]) for i in range(n)])


# session, user, roles (3); unit options, the calendar, the count, the rows, the status counts,
# the year options (6); the menu's notification count (1); the session save (3). The export: the
# same without count/status/years/menu, plus the audit event (4). Measured 12-13 for each.
BUDGET = 15


def _measure(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries)


@pytest.mark.parametrize("username", ["jiwei_chen", "leader_zhao", "paizhu_sun"])
def test_the_ledger_and_export_cost_the_same_queries_for_5_or_40_rows(
        register, client_for, django_assert_max_num_queries, username):
    from accounts.models import User

    client = client_for(User.objects.get(username=username))
    client.get("/problems/")  # the process's first request reads the person's posts
    measured = []
    for n in (5, 35):
        made = _problems(register, n)
        Problem.objects.filter(pk__in=[p.pk for p in made[::3]]).update(
            status=Problem.Status.FILED, filed_at=timezone.now(), due_date=None)
        with django_assert_max_num_queries(BUDGET):
            page, page_queries = _measure(client, "/problems/?sort=unit")
        with django_assert_max_num_queries(BUDGET):
            export, export_queries = _measure(client, "/problems/export.xlsx?sort=due_date")
        measured.append((page_queries, export_queries))
        assert len(pks(page)) == len(workbook_rows(export)[0]) - 1 > 0
    assert len(pks(page)) > 10  # 40 rows for the committee, fewer for others, never none
    assert measured[0] == measured[1]


def test_a_row_names_its_category_source_and_status_in_the_readers_language(
        register, jiwei_chen, client_for):
    from django.utils import translation

    register(("enforcement", "hedonism"))
    client = client_for(jiwei_chen)
    labels = {}
    for language in ("zh-hans", "en", "zh-hans"):
        client.cookies["django_language"] = language
        row = ledger(client).content.decode().split('class="dc-ledger__row')[1].split("</tr>")[0]
        with translation.override(language):
            expected = [str(Problem.Category.HEDONISM.label), str(Problem.Source.SPOT_CHECK.label),
                        str(Problem.Status.ANALYSING.label)]
        assert all(label in row for label in expected), (language, expected, row)
        labels[language] = expected
    assert labels["en"] != labels["zh-hans"]


@pytest.mark.parametrize("planted", ['=HYPERLINK("http://evil.example/","click")', "=1+1",
                                     "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"])
def test_the_export_writes_a_planted_formula_as_inert_text(unit, jiwei_chen, client_for,
                                                           planted):
    problem = register_problems(by=jiwei_chen, source="spot_check", found_on=FOUND_ON, items=[
        {"unit": unit("sanitation"), "category": "formalism", "description": planted,
         "person_concerned": planted}])
    rows, sheet = workbook_rows(client_for(jiwei_chen).get("/problems/export.xlsx"))
    row = next(number for number, values in enumerate(rows, start=1)
               if values[0] == problem[0].pk)
    stored = problem[0].description  # as registered: surrounding blanks stripped
    for column in ("E", "F"):
        cell = sheet[f"{column}{row}"]
        assert cell.data_type == "s"  # never "f": a formula
        assert cell.value == "'" + stored


def test_a_value_starting_with_a_tab_or_a_return_is_neutralised_too():
    from records.documents.spreadsheets import neutralised

    assert neutralised("\t=1+1") == "'\t=1+1" and neutralised("\r=1") == "'\r=1"
    assert neutralised("整改 -1") == "整改 -1"


def test_the_export_leaves_ordinary_text_as_it_is(unit, jiwei_chen, client_for):
    problem = register_problems(by=jiwei_chen, source="spot_check", found_on=FOUND_ON, items=[
        {"unit": unit("sanitation"), "category": "formalism",
         "description": "公车私用，1+1 次"}])
    rows, sheet = workbook_rows(client_for(jiwei_chen).get("/problems/export.xlsx"))
    values = next(values for values in rows if values[0] == problem[0].pk)
    assert values[4] == "公车私用，1+1 次"
