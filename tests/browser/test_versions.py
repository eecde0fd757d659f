"""Versions on return in Chromium: the demo's sanitation plan was returned once and
resubmitted; the leader's task page shows what changed beside the opinion that returned it,
in Chinese and in English, and the version pages compare each version with the one before."""

import pytest

from demo.problems import RETURN_OPINION, REVISED_MEASURES, load_demo_problems
from records.models import Problem

from .conftest import expect, follow, open_task_page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("locale, heading", [("zh-hans", "与上次提交相比的修改"),
                                              ("en", "Changes since the last submission")])
def test_the_leader_sees_the_changes_of_a_resubmitted_plan(demo, people, locale, heading):
    load_demo_problems()
    problem = Problem.objects.get(unit__code="sanitation")
    leader = people.login("leader_li")
    if locale == "en":  # Chinese first: English is chosen with the top bar's switch
        with leader.expect_navigation():
            leader.locator("header form.dc-lang button[name=language]").click()
        leader.wait_for_load_state()
    open_task_page(leader, "/approve_plan/")
    changes = leader.locator("main section.dc-changes")
    expect(changes).to_contain_text(heading)
    expect(changes.locator("aside")).to_contain_text(RETURN_OPINION)
    # 修订相关管理制度 → 修订投诉办理制度，明确3个工作日内答复: only those characters marked
    expect(changes.locator("ins")).to_have_text(["投诉办", "，明确3个工作日内答复"])
    expect(changes.locator("del")).to_have_text(["相关管"])
    # deletions are struck through, additions underlined, so both read without colour
    assert "line-through" in changes.locator("del").first.evaluate(
        "e => getComputedStyle(e).textDecorationLine")
    assert "underline" in changes.locator("ins").first.evaluate(
        "e => getComputedStyle(e).textDecorationLine")
    people.shot(leader, f"leader-sees-changes-{locale}")

    follow(leader, lambda: leader.goto(f"/problems/{problem.pk}/"), rf"/problems/{problem.pk}/$")
    link = leader.locator(f"main a[href='/problems/{problem.pk}/versions/2/#changes']")
    follow(leader, link.click, r"/versions/2/")
    expect(leader.locator("main")).to_contain_text(REVISED_MEASURES)
    expect(leader.locator("#changes ins")).to_have_count(2)
    people.shot(leader, f"version-2-{locale}")
