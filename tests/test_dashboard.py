"""The dashboard: the committee's pictures, drawn by the app as SVG, for the committee and the
secretary only, at a fixed number of queries."""

import datetime
import re
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from demo.problems import load_demo_problems
from flows.registration import register_problems
from records.models import Problem

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def demo(bureau):
    """The demo spot check: enforcement filed, squad1 rectifying, squad2 awaiting verification,
    sanitation's plan awaiting approval, command overdue."""
    load_demo_problems()
    return {p.unit.code: p for p in Problem.objects.select_related("unit")}


def dashboard(client):
    response = client.get("/problems/dashboard/")
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("username", ["jiwei_chen", "secretary"])
def test_the_committee_and_the_secretary_see_the_dashboard(demo, client_for, username):
    page = dashboard(client_for(User.objects.get(username=username))).content.decode()
    assert page.count("<svg") == 3
    assert "城市管理综合执法支队" in page and "数字城管指挥中心" in page


@pytest.mark.parametrize("username", ["head_enforcement", "liaison_enforcement", "leader_zhao",
                                      "leader_wang", "paizhu_sun", "head_office"])
def test_everybody_else_is_refused_the_dashboard(demo, client_for, username):
    response = client_for(User.objects.get(username=username)).get("/problems/dashboard/")
    assert response.status_code == 403
    assert "城市管理综合执法支队" not in response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(bureau, client):
    response = client.get("/problems/dashboard/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_headline_numbers(demo, jiwei_chen, client_for):
    response = dashboard(client_for(jiwei_chen))
    headline = response.context["headline"]
    # open: squad1, squad2, sanitation, command; overdue: command; filed: enforcement (this
    # year, unless the demo's check was at the end of last year)
    closed = timezone.localtime(demo["enforcement"].closed_at).year == timezone.localdate().year
    assert (headline["open"], headline["overdue"], headline["closed_this_year"]) == (4, 1, closed)
    # hedonism, formalism and bureaucratism of five problems
    assert (headline["four_winds"], headline["total"], headline["four_winds_share"]) == (3, 5, 60)
    page = response.content.decode()
    assert re.search(r'data-figure="overdue">\s*<span class="dc-headline__number">1<', page)
    assert re.search(r'data-figure="four_winds_share">\s*<span[^>]*>60%<', page)


def test_closed_this_year_is_by_beijing_time_and_cancelled_problems_do_not_count(demo, jiwei_chen,
                                                                       client_for):
    Problem.objects.filter(pk=demo["enforcement"].pk).update(
        registered_at=datetime.datetime(2025, 12, 1, 9, 0, tzinfo=SHANGHAI),
        closed_at=datetime.datetime(2025, 12, 31, 23, 0, tzinfo=SHANGHAI))
    Problem.objects.filter(pk=demo["command"].pk).update(status=Problem.Status.CANCELLED)
    # half an hour into New Year's Day in Beijing is still 2025 in UTC: it counts for 2026
    Problem.objects.filter(pk=demo["squad2"].pk).update(
        status=Problem.Status.FILED, due_date=None, filed_at=timezone.now(),
        closed_at=datetime.datetime(2026, 1, 1, 0, 30, tzinfo=SHANGHAI))
    headline = dashboard(client_for(jiwei_chen)).context["headline"]
    assert (headline["open"], headline["overdue"], headline["closed_this_year"]) == (2, 0, 1)
    assert headline["total"] == 4


def test_open_overdue_and_closed_by_unit_are_bars_in_proportion(demo, jiwei_chen, client_for):
    response = dashboard(client_for(jiwei_chen))
    by_unit = {row["unit__code"]: (row["open"], row["overdue"], row["closed"])
               for row in response.context["by_unit"]}
    assert by_unit == {"enforcement": (0, 0, 1), "squad1": (1, 0, 0), "squad2": (1, 0, 0),
                       "sanitation": (1, 0, 0), "command": (1, 1, 0)}
    chart = response.context["charts"][0]
    command = next(row for row in chart["rows"] if row["label"] == "数字城管指挥中心")
    assert [s["css"] for s in command["segments"]] == ["dc-bar--overdue"]
    # every unit has one problem: every bar is the full width
    assert {sum(s["width"] for s in row["segments"]) for row in chart["rows"]} == {400}
    page = response.content.decode()
    # one red bar by unit (command) and one by category (discipline), one green bar in each
    assert page.count('class="dc-bar dc-bar--overdue"') == 2
    assert page.count('class="dc-bar dc-bar--closed"') == 2


def test_categories_show_open_and_closed_with_the_four_winds_highlighted(demo, jiwei_chen,
                                                                       client_for):
    response = dashboard(client_for(jiwei_chen))
    by_category = {row["category"]: row for row in response.context["by_category"]}
    assert len(by_category) == 8
    assert (by_category["hedonism"]["closed"], by_category["hedonism"]["open"]) == (1, 0)
    assert by_category["discipline"]["overdue"] == 1
    assert by_category["extravagance"]["open"] == by_category["extravagance"]["closed"] == 0
    highlighted = [row["label"] for row in response.context["charts"][1]["rows"]
                   if row["highlight"]]
    assert highlighted == [str(label) for value, label in Problem.Category.choices
                           if value in Problem.FOUR_WINDS]
    assert response.content.decode().count("dc-chart__row--highlight") == 4


def _registered_and_closed(problem, registered, closed):
    Problem.objects.filter(pk=problem.pk).update(
        status=Problem.Status.FILED, filed_at=closed, closed_at=closed, registered_at=registered,
        due_date=None)


def test_closing_time_counts_working_days_across_the_national_day_holiday(
        bureau, jiwei_chen, unit, client_for):
    first, second, third = register_problems(
        by=jiwei_chen, source="spot_check", found_on=datetime.date(2026, 9, 25), items=[
            {"unit": unit(code), "category": "hedonism", "description": "节日期间公车私用"}
            for code in ("enforcement", "enforcement", "sanitation")])
    at = lambda *day: datetime.datetime(*day, 10, 0, tzinfo=SHANGHAI)  # noqa: E731
    # registered Monday 28 Sep, closed Friday 9 Oct: 29 and 30 Sep, 8 and 9 Oct = 4 working days
    _registered_and_closed(first, at(2026, 9, 28), at(2026, 10, 9))
    # registered Tuesday 29 Sep, closed Wednesday 30 Sep: 1 working day
    _registered_and_closed(second, at(2026, 9, 29), at(2026, 9, 30))
    # registered and closed during the holiday: 0
    _registered_and_closed(third, at(2026, 10, 2), at(2026, 10, 6))

    response = dashboard(client_for(jiwei_chen))
    closing = {row["unit__name"]: (row["count"], row["average"], row["longest"])
               for row in response.context["closing"]}
    assert closing == {"城市管理综合执法支队": (2, 2.5, 4), "市容环境卫生管理处": (1, 0, 0)}
    page = response.content.decode()
    chart = response.context["charts"][2]
    enforcement = next(row for row in chart["rows"] if row["label"] == "城市管理综合执法支队")
    assert [(s["css"], s["width"]) for s in enforcement["segments"]] == [
        ("dc-bar--max", 400), ("dc-bar--average", 250)]
    assert "2.5" in enforcement["text"] and "2.5" in page


def test_the_dashboard_costs_the_same_queries_for_5_or_40_problems(
        bureau, jiwei_chen, unit, client_for, django_assert_max_num_queries):
    client = client_for(jiwei_chen)
    dashboard(client)  # the process's first request reads the person's posts
    codes = ["enforcement", "squad1", "squad2", "sanitation", "command", "office"]
    categories = ["hedonism", "formalism", "discipline", "extravagance", "other"]
    counts = []
    for n in (5, 35):
        made = register_problems(by=jiwei_chen, source="spot_check",
                                 found_on=datetime.date(2026, 10, 2), items=[
                                     {"unit": unit(codes[i % 6]), "category": categories[i % 5],
                                      "description": f"问题{i}"} for i in range(n)])
        Problem.objects.filter(pk__in=[p.pk for p in made[::2]]).update(
            status=Problem.Status.FILED, closed_at=timezone.now(), filed_at=timezone.now(),
            due_date=None)
        # 16 with the org chart's version, which the side menu is kept rendered under
        with django_assert_max_num_queries(16):
            with CaptureQueriesContext(connection) as queries:
                response = dashboard(client)
        counts.append(len(queries))
    assert response.context["headline"]["total"] == 40
    assert counts[0] == counts[1]
