"""The problem ledger in Chromium: filtered to one unit's overdue problems, exported to Excel."""

import datetime

import openpyxl
import pytest
from django.utils import timezone

from accounts.models import Unit, User
from flows.registration import register_problems
from records.models import Problem

from .conftest import expect, follow

pytestmark = pytest.mark.browser


def test_the_ledger_filters_one_units_overdue_problems_and_exports_exactly_those(
        demo, people, tmp_path):
    today = timezone.localdate()
    enforcement = Unit.objects.get(code="enforcement")
    squad1 = Unit.objects.get(code="squad1")
    problems = register_problems(
        by=User.objects.get(username="jiwei_chen"), source="spot_check",
        found_on=today - datetime.timedelta(days=40), title="2026年第四季度作风督查",
        items=[{"unit": unit, "category": "hedonism", "description": f"{unit.name}问题{i}"}
               for i, unit in enumerate([enforcement, enforcement, enforcement, squad1])])
    late, later, on_track, other_unit = problems
    # two of enforcement's problems are past their deadline, so is squad 1's
    Problem.objects.filter(pk=late.pk).update(due_date=today - datetime.timedelta(days=9))
    Problem.objects.filter(pk=later.pk).update(due_date=today - datetime.timedelta(days=2))
    Problem.objects.filter(pk=on_track.pk).update(due_date=today + datetime.timedelta(days=30))
    Problem.objects.filter(pk=other_unit.pk).update(due_date=today - datetime.timedelta(days=9))

    committee = people.login("jiwei_chen")
    committee.goto("/problems/")
    rows = committee.locator("tr.dc-ledger__row")
    expect(rows).to_have_count(4)
    people.shot(committee, "ledger-all")

    committee.select_option("form.dc-filters select[name=unit]", "enforcement")
    committee.select_option("form.dc-filters select[name=light]", "red")
    follow(committee, lambda: committee.click("form.dc-filters button[type=submit]"),
           r"/problems/\?(?=.*unit=enforcement)(?=.*light=red)")
    expect(rows).to_have_count(2)
    shown = sorted(int(pk) for pk in (rows.nth(i).get_attribute("data-problem") for i in range(2)))
    assert shown == sorted([late.pk, later.pk])
    for i in range(2):
        expect(rows.nth(i)).to_have_attribute("data-light", "red")
        expect(rows.nth(i).locator(".dc-ledger__unit")).to_have_text(enforcement.name)
    expect(committee.locator("form.dc-filters select[name=unit]")).to_have_value("enforcement")
    people.shot(committee, "ledger-enforcement-overdue")

    export = committee.locator("a.dc-export")
    expect(export).to_have_attribute("href", "/problems/export.xlsx?unit=enforcement&light=red")
    with committee.expect_download() as download:
        export.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    saved = tmp_path / "ledger.xlsx"
    download.value.save_as(saved)

    sheet = openpyxl.load_workbook(saved).active
    header, *data = list(sheet.iter_rows(values_only=True))
    assert len(header) == 12 and len(data) == 2
    assert sorted(row[0] for row in data) == sorted([late.pk, later.pk])
    assert {row[1] for row in data} == {enforcement.name}
    assert {row[4] for row in data} == {late.description, later.description}
    deadlines = {row[0]: row[10] for row in data}
    assert deadlines[late.pk].date() == today - datetime.timedelta(days=9)
    assert deadlines[later.pk].date() == today - datetime.timedelta(days=2)
    # the page is still the filtered ledger
    expect(rows).to_have_count(2)
