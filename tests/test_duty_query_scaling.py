"""The duty records' pages and API lists cost the same number of queries in a small city and in
a city many times its size (both built by the duty benchmark's generator, bench/duties.py):
counters are counted by the database, not row by row."""


import pytest
from django.core.cache import cache
from django.core.management import call_command

from accounts import chain
from bench.duties import duty_cases, duty_size, duty_subjects, seed_duties

from .calendar_helpers import travel
from .duty_helpers import DAY
from .test_query_scaling import query_counts


def _counts() -> dict[str, int]:
    return query_counts(duty_cases(duty_subjects()))


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
