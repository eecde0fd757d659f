"""The leader's annual report in Chromium: leader_li drafts the four sections beside the
annex DutyChain filled, the secretary returns it, leader_li revises, the secretary signs
it off; the archived report is read-only and its approval sheet downloads."""

import pytest

from flows.opening import open_annual_reports
from records.models import AnnualReport

from .conftest import expect, open_task_page, submit_and_wait

pytestmark = pytest.mark.browser

RETURN_OPINION = "请补充对分管处室开展谈心谈话的情况。"


def test_leader_li_reports_and_the_secretary_signs_off_in_the_browser(demo, people):
    open_annual_reports(year=2025)
    report = AnnualReport.objects.get(leader__username="leader_li", year=2025)
    detail = rf"/annual_reports/{report.pk}/$"

    leader = people.login("leader_li")
    leader.goto("/workflow/inbox/")
    expect(leader.locator("main a[href*='/annualreport/']")).to_have_count(1)
    open_task_page(leader, "/annualreport/")
    # the annex: the units leader_li oversees, filled in by DutyChain
    expect(leader.locator(".dc-annex")).to_contain_text("市容环境卫生管理处")
    leader.fill("textarea[name=work_done]", "全年听取分管处室季度汇报 12 次。")
    submit_and_wait(leader, "button[name=_save]", r"/draft/\d+/execute/")
    expect(leader.locator("textarea[name=work_done]")).to_have_value("全年听取分管处室季度汇报 12 次。")
    leader.fill("textarea[name=integrity]", "严格遵守中央八项规定精神。")
    people.shot(leader, "leader-draft")
    submit_and_wait(leader, "button[name=_submit]", detail)
    expect(leader.locator(".dc-status--submitted")).to_be_visible()

    secretary = people.login("secretary")
    open_task_page(secretary, "/annualreport/")
    expect(secretary.locator("main")).to_contain_text("严格遵守中央八项规定精神。")
    secretary.fill("textarea[name=opinion]", RETURN_OPINION)
    people.shot(secretary, "secretary-review")
    submit_and_wait(secretary, "button[name=_return]", detail)
    expect(secretary.locator(".dc-status--returned")).to_be_visible()

    open_task_page(leader, "/annualreport/")
    expect(leader.locator("section.dc-body .dc-opinion--return")).to_contain_text(RETURN_OPINION)
    leader.fill("textarea[name=work_done]", "全年听取分管处室季度汇报 12 次，谈心谈话 9 人次。")
    submit_and_wait(leader, "button[name=_submit]", detail)

    open_task_page(secretary, "/annualreport/")
    # what changed since the returned version is shown beside the decision
    expect(secretary.locator("main")).to_contain_text("谈心谈话 9 人次")
    secretary.fill("textarea[name=opinion]", "同意。")
    submit_and_wait(secretary, "button[name=_sign_off]", detail)
    expect(secretary.locator(".dc-status--signed_off")).to_be_visible()
    report.refresh_from_db()
    assert (report.status, report.version) == ("signed_off", 2)

    # archived, read-only: no form to fill, no task; the approval sheet downloads
    leader.goto(f"/annual_reports/{report.pk}/")
    main = leader.locator("main")
    expect(main).to_contain_text("谈心谈话 9 人次")
    expect(main.locator("textarea, input[type=text]")).to_have_count(0)
    expect(main.locator("a[href*='/execute/']")).to_have_count(0)
    expect(main.locator("table.dc-history tbody tr")).to_have_count(5)
    people.shot(leader, "leader-signed-off")
    with leader.expect_download() as download:
        leader.click(f"a[href='/annual_reports/{report.pk}/sheet.docx']")
    assert download.value.suggested_filename.endswith(".docx")
    leader.goto("/annual_reports/")
    expect(leader.locator("main")).to_contain_text(str(report.year))
