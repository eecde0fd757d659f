"""The year's duty list in Chromium: jiwei_chen reads the work plan into items and sets the
redacted targets, the secretary issues it, head_sanitation reads it."""

from pathlib import Path

import pytest

from records.models import DutyItem, DutyList

from .conftest import expect, submit_and_wait

pytestmark = pytest.mark.browser

PLAN = Path(__file__).resolve().parents[2] / "demo" / "work_plan_2022.txt"


def test_the_committee_builds_the_list_and_the_secretary_issues_it(demo, people):
    committee = people.login("jiwei_chen")
    committee.goto("/duties/")
    committee.fill("textarea[name=text]", PLAN.read_text(encoding="utf-8"))
    submit_and_wait(committee, "form[enctype] button[type=submit]", r"/duties/\d+/$")
    duty_list = DutyList.objects.get()
    rows = committee.locator("table.dc-duty-items tbody tr")
    expect(rows).to_have_count(22)
    expect(committee.locator("tr.dc-needs-target")).to_have_count(4)
    people.shot(committee, "duty-list-read")

    # every item needs a carrier; the four redacted counts a target
    for item in duty_list.items.order_by("number"):
        committee.goto(f"/duties/{duty_list.pk}/items/{item.number}/")
        committee.check("input[name=carriers][value=unit_heads]")
        if item.target_needed:
            committee.fill("input[name=target]", "6")
        submit_and_wait(committee, "form button[type=submit].mdc-button--raised",
                        rf"/duties/{duty_list.pk}/$")
    expect(committee.locator("tr.dc-needs-target")).to_have_count(0)
    assert DutyItem.objects.get(duty_list=duty_list, number=1).target == 6

    secretary = people.login("secretary")
    secretary.goto(f"/duties/{duty_list.pk}/")
    submit_and_wait(secretary, "form[action$='/issue/'] button", rf"/duties/{duty_list.pk}/$")
    expect(secretary.locator("main")).to_contain_text("已印发")
    people.shot(secretary, "duty-list-issued")

    head = people.login("head_sanitation")
    head.goto(f"/duties/{duty_list.pk}/")
    expect(head.locator("main")).to_contain_text("加强政治理论学习")
    expect(head.locator("main a[href*='/items/']")).to_have_count(0)
