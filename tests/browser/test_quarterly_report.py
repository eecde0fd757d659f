"""The quarterly report in Chromium: drafted, returned, revised, resubmitted, signed off."""

import pytest

from accounts.models import Unit, User
from flows.opening import open_report
from records.models import Opinion, QuarterlyReport

from .conftest import expect, open_task_page, submit_and_wait

pytestmark = pytest.mark.browser

RETURN_OPINION = "请补充“四风”问题排查情况。"
SIGN_OFF_OPINION = "同意。"


def test_a_report_is_returned_revised_and_signed_off_in_the_browser(demo, people):
    report = open_report(unit=Unit.objects.get(code="sanitation"), year=2026, quarter=3)
    head_name = User.objects.get(username="head_sanitation").name
    leader_name = User.objects.get(username="leader_li").name

    # the unit head finds the report in the inbox, saves a draft, then submits it
    head = people.login("head_sanitation")
    people.shot(head, "head-inbox")
    open_task_page(head, "/draft/")
    head.fill("textarea[name=work_done]", "组织理论学习中心组学习会 3 次，开展廉政谈话 12 人次。")
    submit_and_wait(head, "button[name=_save]", r"/draft/\d+/execute/")
    expect(head.locator("textarea[name=work_done]")).to_have_value(
        "组织理论学习中心组学习会 3 次，开展廉政谈话 12 人次。")
    report.refresh_from_db()
    assert report.status == QuarterlyReport.Status.DRAFT
    head.fill("textarea[name=next_steps]", "开展节日期间作风纪律专项检查。")
    people.shot(head, "head-draft")
    submit_and_wait(head, "button[name=_submit]", rf"/reports/{report.pk}/$")
    expect(head.locator(".dc-status--submitted")).to_be_visible()
    people.shot(head, "head-submitted")
    report.refresh_from_db()
    assert report.status == QuarterlyReport.Status.SUBMITTED

    # the supervising leader returns it with an opinion
    leader = people.login("leader_li")
    open_task_page(leader, "/review/")
    expect(leader.locator("main")).to_contain_text("开展节日期间作风纪律专项检查。")
    leader.fill("textarea[name=opinion]", RETURN_OPINION)
    people.shot(leader, "leader-review")
    submit_and_wait(leader, "button[name=_return]", rf"/reports/{report.pk}/$")
    expect(leader.locator(".dc-status--returned")).to_be_visible()
    report.refresh_from_db()
    assert report.status == QuarterlyReport.Status.RETURNED

    # the head sees the opinion on the revision page, revises and resubmits
    open_task_page(head, "/draft/")
    expect(head.locator("section.dc-body .dc-opinion--return")).to_contain_text(RETURN_OPINION)
    people.shot(head, "head-sees-opinion")
    head.fill("textarea[name=problems]", "发现公车私用苗头 1 起，已提醒谈话。")
    submit_and_wait(head, "button[name=_submit]", rf"/reports/{report.pk}/$")
    expect(head.locator(".dc-status--submitted")).to_be_visible()

    # the leader signs it off
    open_task_page(leader, "/review/")
    expect(leader.locator("main")).to_contain_text("发现公车私用苗头 1 起，已提醒谈话。")
    leader.fill("textarea[name=opinion]", SIGN_OFF_OPINION)
    submit_and_wait(leader, "button[name=_sign_off]", rf"/reports/{report.pk}/$")
    expect(leader.locator(".dc-status--signed_off")).to_be_visible()
    report.refresh_from_db()
    assert report.status == QuarterlyReport.Status.SIGNED_OFF
    assert report.version == 2 and report.signed_off_by.username == "leader_li"

    # the report is read-only: no form, no task, nothing to edit, nothing left in the inbox
    head.goto(f"/reports/{report.pk}/")
    main = head.locator("main")
    expect(main).to_contain_text("发现公车私用苗头 1 起，已提醒谈话。")
    expect(main.locator("form")).to_have_count(0)
    expect(main.locator("textarea, input[type=text], button[type=submit]")).to_have_count(0)
    expect(main.locator(f"a[href='/reports/{report.pk}/edit/']")).to_have_count(0)
    expect(main.locator("a[href*='/execute/']")).to_have_count(0)
    people.shot(head, "head-signed-off")

    # its history shows every step in order: opened, draft, review (returned), draft,
    # review (signed off), with who acted and the opinions
    rows = head.locator("table.dc-history tbody tr")
    expect(rows).to_have_count(5)
    cells = [[cell.strip() for cell in rows.nth(i).locator("td").all_inner_texts()]
             for i in range(5)]
    steps, people_column, decisions = ([row[i] for row in cells] for i in (0, 1, 4))
    # each submission names the version it produced: "起草并提交 · 第1版"
    assert steps[1].endswith("第1版") and steps[3].endswith("第2版")
    steps = [step.split(" · ")[0] for step in steps]
    assert steps[1] == steps[3] and steps[2] == steps[4] and steps[1] != steps[2]
    assert [name.split(" ")[0] for name in people_column[1:]] == [
        head_name, leader_name, head_name, leader_name]
    assert decisions[0] == decisions[1] == decisions[3] == ""
    assert RETURN_OPINION in decisions[2] and SIGN_OFF_OPINION in decisions[4]
    assert all(row[3] for row in cells), "every step is finished"
    kinds = dict(Opinion.Kind.choices)
    assert str(kinds["return"]) in decisions[2] and str(kinds["sign_off"]) in decisions[4]
    head.goto("/workflow/inbox/")
    expect(head.locator("main a[href*='/quarterlyreport/']")).to_have_count(0)
