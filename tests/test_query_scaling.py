"""The benchmark's pages and API lists cost the same number of queries in a small city and in
a city six times its size (both built by the benchmark's generator, bench/seed.py)."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.pages import page_cases, subjects
from bench.seed import city_size, seed


def _counts() -> dict[str, int]:
    return query_counts(page_cases(subjects()))


def query_counts(cases) -> dict[str, int]:
    """label → the queries of a second visit of each (label, user, URL) case."""
    counts = {}
    for label, user, url in cases:
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == 200, url  # first visit: session, caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[label] = len(queries)
    return counts


@pytest.mark.django_db(transaction=True)
def test_each_page_and_api_list_costs_the_same_queries_at_two_sizes():
    seed(units=2, years=1, problems_per_unit=3, sweep_days=1, log=lambda *a: None)
    small_size, small = city_size(), _counts()
    call_command("flush", interactive=False, verbosity=0)
    seed(units=12, years=1, problems_per_unit=6, sweep_days=1, log=lambda *a: None)
    large_size, large = city_size(), _counts()
    # the larger city has more of everything, and more than one page of ledger rows
    assert large_size["problems"] == 72 > 50 > small_size["problems"]
    assert large_size["task_rows"] > 5 * small_size["task_rows"]
    assert large == small
    assert all(count <= 25 for count in large.values()), large
