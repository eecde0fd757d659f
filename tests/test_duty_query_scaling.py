"""The duty records' pages and API lists cost the same number of queries in a small city and in
a city many times its size (both built by the duty benchmark's generator, bench/duties.py):
counters are counted by the database, not row by row."""

import datetime

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts import chain
from bench.duties import duty_cases, duty_size, duty_subjects, seed_duties

from .calendar_helpers import travel

# a day late in a year whose holidays are known, so the year has records behind it
DAY = datetime.date(2026, 11, 20)


def _counts() -> dict[str, int]:
    counts = {}
    for label, user, url in duty_cases(duty_subjects()):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == 200, url  # first visit: session, caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[label] = len(queries)
    return counts


@pytest.mark.django_db(transaction=True)
def test_each_duty_page_and_api_list_costs_the_same_queries_at_two_sizes(monkeypatch):
    travel(monkeypatch, DAY)
    seed_duties(units=2, per_item=1, log=lambda *a: None)
    small_size, small = duty_size(), _counts()
    call_command("flush", interactive=False, verbosity=0)
    chain.forget_shared()
    cache.clear()
    seed_duties(units=12, per_item=4, log=lambda *a: None)
    large_size, large = duty_size(), _counts()
    # many times the records, and pages of them at both sizes
    assert large_size["records"] > 15 * small_size["records"] > 15 * 50
    assert large_size["counted_rows"] > 15 * small_size["counted_rows"]
    assert large == small
    assert all(count <= 25 for count in large.values()), large
