"""The language switch in Chromium: the same page in Chinese, then in English, then back."""

import pytest
from django.utils import translation

from accounts.models import Unit
from flows.opening import open_report

from .conftest import expect

pytestmark = pytest.mark.browser


def _in(language, text):
    with translation.override(language):
        return translation.gettext(text)


def test_the_top_bar_switch_shows_the_same_page_in_english_and_back_in_chinese(demo, people):
    report = open_report(unit=Unit.objects.get(code="sanitation"), year=2026, quarter=3)
    history_zh, history_en = _in("zh-hans", "History"), _in("en", "History")
    unit_zh, unit_en = _in("zh-hans", "Unit"), _in("en", "Unit")
    assert history_zh != history_en and unit_zh != unit_en, "the Chinese catalogue is compiled"

    # an office machine whose browser asks for English still gets Chinese first
    head = people.login("head_sanitation", locale="en-US")
    path = f"/reports/{report.pk}/"
    head.goto(path)
    html, main = head.locator("html"), head.locator("main")
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(main.locator(".dc-card:has(table.dc-history) h2")).to_have_text(
        history_zh)
    expect(main.locator("table.dc-table th").first).to_have_text(unit_zh)
    expect(main).to_contain_text("市容环境卫生管理处")
    people.shot(head, "report-in-chinese")

    switch = head.locator("header form.dc-lang button[name=language]")
    expect(switch).to_have_attribute("value", "en")
    with head.expect_navigation():
        switch.click()
    head.wait_for_load_state()
    assert head.url.endswith(path), "the switch comes back to the same page"
    expect(html).to_have_attribute("lang", "en")
    expect(main.locator(".dc-card:has(table.dc-history) h2")).to_have_text(
        history_en)
    expect(main.locator("table.dc-table th").first).to_have_text(unit_en)
    expect(main).to_contain_text("市容环境卫生管理处")  # data stays as entered
    expect(switch).to_have_attribute("value", "zh-hans")
    people.shot(head, "report-in-english")

    # the choice holds on the next page, and the switch turns it back
    head.goto("/workflow/inbox/")
    expect(html).to_have_attribute("lang", "en")
    with head.expect_navigation():
        switch.click()
    head.wait_for_load_state()
    assert head.url.endswith("/workflow/inbox/")
    expect(html).to_have_attribute("lang", "zh-hans")
    head.goto(path)
    expect(main.locator("table.dc-table th").first).to_have_text(unit_zh)
