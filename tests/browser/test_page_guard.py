"""The watch over every page is itself watched: each kind of misbehaviour is caught."""

import pytest

from .conftest import expect

pytestmark = pytest.mark.browser


def test_the_guard_catches_errors_failed_requests_and_other_hosts(demo, people):
    page = people.login("jiwei_chen")
    assert people.guard.problems == []
    page.goto("/problems/")
    expect(page.locator("main table.dc-ledger__table")).to_be_visible()

    page.evaluate("console.error('broken widget')")
    page.evaluate("setTimeout(() => { throw new Error('uncaught in a handler'); })")
    page.evaluate("fetch('/static/dutychain/missing.css').catch(() => {})")
    page.evaluate("fetch('https://cdn.example.com/font.woff2').catch(() => {})")
    page.wait_for_timeout(500)

    problems = "\n".join(people.guard.problems)
    assert "console error: broken widget" in problems
    assert "uncaught JavaScript error: uncaught in a handler" in problems
    assert "HTTP 404: GET " in problems and "/static/dutychain/missing.css" in problems
    assert "request to another host: GET https://cdn.example.com/font.woff2" in problems

    # a failure the test provokes on purpose is not one
    people.guard.problems.clear()
    people.guard.expect(404, r"/problems/999999/$")
    response = page.goto("/problems/999999/")
    assert response.status == 404
    assert people.guard.problems == []
