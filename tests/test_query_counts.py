"""List pages cost a fixed number of queries, however many rows they show."""

import pytest

from accounts.models import Unit
from flows.opening import open_quarter

from .conftest import submit


@pytest.fixture
def many_quarters(bureau):
    for year, quarter in [(2025, 1), (2025, 2), (2025, 3), (2025, 4), (2026, 1), (2026, 2)]:
        open_quarter(year=year, quarter=quarter)


def _count(client, url, django_assert_max_num_queries, budget):
    with django_assert_max_num_queries(budget):
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# Budget for a page: session + user (2), the user's posts/roles (1-2), the page's own rows
# and their count (2-3), the menu's inbox/queue counts (3); a few to spare, far from one per row.
BUDGET = 16


def test_secretary_report_list_is_a_fixed_number_of_queries(many_quarters, secretary, client_for,
                                                             django_assert_max_num_queries):
    page = _count(client_for(secretary), "/reports/", django_assert_max_num_queries, BUDGET)
    assert page.count("/reports/") > 50  # 60 reports, one page of 50 rows


def test_leader_board_is_a_fixed_number_of_queries(many_quarters, leader_li, client_for,
                                                   django_assert_max_num_queries):
    page = _count(client_for(leader_li), "/reports/board/?year=2026&quarter=2",
                  django_assert_max_num_queries, BUDGET)
    for name in ("政策法规处", "市容环境卫生管理处", "市政设施管理处", "数字城管指挥中心"):
        assert name in page


def test_head_inbox_is_a_fixed_number_of_queries(many_quarters, head_sanitation, client_for,
                                                 django_assert_max_num_queries):
    page = _count(client_for(head_sanitation), "/workflow/inbox/", django_assert_max_num_queries,
                  BUDGET)
    assert page.count("市容环境卫生管理处") >= 6


def test_leader_list_filters_by_grants_in_one_query(many_quarters, leader_li, client_for,
                                                    django_assert_max_num_queries):
    page = _count(client_for(leader_li), "/reports/?year=2025", django_assert_max_num_queries,
                  BUDGET)
    assert "政策法规处" in page and "办公室" not in page.split("<main")[-1]


def test_report_page_with_history_is_a_fixed_number_of_queries(many_quarters, head_sanitation,
                                                                leader_li, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from records.models import QuarterlyReport

    from .conftest import review

    report = QuarterlyReport.objects.get(unit=Unit.objects.get(code="sanitation"), year=2026,
                                         quarter=1)
    head, leader = client_for(head_sanitation), client_for(leader_li)
    head.get(f"/reports/{report.pk}/")  # a process's first page asks the chain; later ones share
    counts = []
    for _round in range(3):
        submit(head, report)
        review(leader, report, "return", "再改。")
        with CaptureQueriesContext(connection) as queries:
            page = head.get(f"/reports/{report.pk}/").content.decode()
        counts.append(len(queries))
    # the history, its versions, copies and urges, the path ahead (the chain today) and
    # what the head may do are each a fixed number of queries, however long the history
    assert counts[0] == counts[1] == counts[2] <= 34, counts
    assert page.count("再改。") == 3
