"""The approval actions in Chromium: a squad's report is submitted, withdrawn and submitted
again, agreed by the detachment head (level 1), transferred by the supervising leader to
another leader, who signs it off and copies it to a colleague."""

import pytest

from accounts.models import Unit, User
from flows.opening import open_report
from records.models import CopyTo, QuarterlyReport

from .conftest import expect, follow, open_task_page, submit_and_wait

pytestmark = pytest.mark.browser


def test_withdraw_level_by_level_transfer_and_copy_to_in_the_browser(demo, people):
    report = open_report(unit=Unit.objects.get(code="squad1"), year=2026, quarter=3)
    wang = User.objects.get(username="leader_wang")

    head = people.login("head_squad1")
    head.goto(f"/reports/{report.pk}/")
    # the path ahead names everyone still to act, level by level
    path = head.locator(".dc-path")
    expect(path).to_contain_text("曹勇")
    expect(path).to_contain_text("赵刚")
    expect(path).to_contain_text("第 2 级，共 2 级")
    people.shot(head, "path-ahead")

    open_task_page(head, "/draft/")
    head.fill("textarea[name=work_done]", "开展执法规范化学习 2 次。")
    submit_and_wait(head, "button[name=_submit]", rf"/reports/{report.pk}/$")
    # withdrawn before the detachment head acts: back with the head to revise
    head.locator(".dc-withdraw summary").click()
    head.fill("textarea[name=reason]", "漏报执法记录仪检查情况。")
    submit_and_wait(head, ".dc-withdraw button[type=submit]", rf"/reports/{report.pk}/$")
    expect(head.locator("main")).to_contain_text("已撤回")
    expect(head.locator(".dc-history")).to_contain_text("漏报执法记录仪检查情况。")
    people.shot(head, "withdrawn")
    open_task_page(head, "/draft/")
    head.fill("textarea[name=problems]", "执法记录仪使用不规范 1 起。")
    submit_and_wait(head, "button[name=_submit]", rf"/reports/{report.pk}/$")

    # level 1: the detachment head can only pass it up or return it
    detachment = people.login("head_enforcement")
    open_task_page(detachment, "/review/")
    expect(detachment.locator("main")).to_contain_text("您是第 1 级，共 2 级")
    expect(detachment.locator("button[name=_sign_off]")).to_have_count(0)
    detachment.fill("textarea[name=opinion]", "同意，报分管领导。")
    submit_and_wait(detachment, "button[name=_pass_up]", rf"/reports/{report.pk}/$")

    # level 2: the supervising leader transfers it to another leader with a reason
    zhao = people.login("leader_zhao")
    open_task_page(zhao, "/review/")
    zhao.locator(".dc-transfer summary").click()
    zhao.select_option("select[name=to]", str(wang.pk))
    zhao.fill(".dc-transfer textarea[name=reason]", "本人回避：当事人系亲属。")
    people.shot(zhao, "transfer")
    submit_and_wait(zhao, ".dc-transfer button[type=submit]", rf"/reports/{report.pk}/$")
    expect(zhao.locator("main")).to_contain_text("已转办给王志强")

    leader = people.login("leader_wang")
    open_task_page(leader, "/review/")
    leader.fill("textarea[name=opinion]", "同意。")
    leader.select_option("select[name=copy_to]", [str(User.objects.get(
        username="leader_li").pk)])
    submit_and_wait(leader, "button[name=_sign_off]", rf"/reports/{report.pk}/$")
    expect(leader.locator(".dc-status--signed_off")).to_be_visible()
    history = leader.locator(".dc-history")
    expect(history).to_contain_text("本人回避：当事人系亲属。")
    expect(history).to_contain_text("同意，报分管领导。")
    expect(history).to_contain_text("张建国")  # copied to the secretary by default
    people.shot(leader, "signed-off-history")
    report.refresh_from_db()
    assert report.status == QuarterlyReport.Status.SIGNED_OFF and report.version == 2
    assert set(CopyTo.objects.values_list("recipient__username", flat=True)) == {
        "secretary", "leader_li"}

    # the leader it was copied to reads it; the bell says so
    li = people.login("leader_li")
    li.goto(f"/reports/{report.pk}/")
    expect(li.locator("main")).to_contain_text("执法记录仪使用不规范 1 起。")
    follow(li, lambda: li.goto("/notifications/"), r"/notifications/$")
    expect(li.locator("main")).to_contain_text("抄送给您")
