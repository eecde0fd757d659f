"""Duty records in Chromium: head_sanitation records from their duty list with evidence and
sees the counters move; leader_li returns it with an opinion, the head corrects it, the
leader accepts it; paizhu_sun reads the records and the heat map, and decides nothing."""

import pytest

from records.models import DutyRecord

from ..duty_helpers import PDF, issued_list, recent_day
from .conftest import expect, follow, submit_and_wait

pytestmark = pytest.mark.browser


@pytest.fixture
def duty_list(demo):
    return issued_list()


def test_record_review_and_read(duty_list, people):
    head = people.login("head_sanitation")
    head.goto("/duties/mine/")
    row = head.locator("tr[data-item='14']")
    expect(row.locator(".dc-counter")).to_contain_text("0 /")
    follow(head, row.locator("a[href*='/duties/records/new/']").click, r"/duties/records/new/")
    head.fill("input[name=date]", recent_day().isoformat())
    head.fill("input[name=place]", "三楼会议室")
    head.fill("textarea[name=summary]", "处务会专题研究作风治理，部署本处纠治“四风”工作。")
    head.check(f"input[name=items][value='{duty_list.items.get(number=16).pk}']")
    head.set_input_files("input[name=file]", files=[
        {"name": "会议记录.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    people.shot(head, "duty-record-form")
    submit_and_wait(head, "form button[type=submit].mdc-button--raised",
                    r"/duties/records/\d+/$")
    expect(head.locator("main")).to_contain_text("会议记录.pdf")
    record = DutyRecord.objects.get()
    assert record.status == "submitted" and record.evidence.count() == 1
    head.goto("/duties/mine/")
    expect(head.locator("tr[data-item='14'] .dc-counter")).to_contain_text("1 /")
    expect(head.locator("tr[data-item='16'] .dc-counter")).to_contain_text("1 /")
    people.shot(head, "my-duty-list")

    leader = people.login("leader_li")
    leader.goto("/duties/records/?review=1")
    follow(leader, leader.locator(f"main a[href='/duties/records/{record.pk}/']").click,
           rf"/duties/records/{record.pk}/$")
    leader.fill("textarea[name=opinion]", "请补充参会人员。")
    submit_and_wait(leader, "button[name=decision][value=return]",
                    rf"/duties/records/{record.pk}/$")
    expect(leader.locator("main .dc-status")).to_contain_text("退回")

    head.goto(f"/duties/records/{record.pk}/")
    expect(head.locator("main")).to_contain_text("请补充参会人员")
    follow(head, head.locator(f"a[href='/duties/records/{record.pk}/edit/']").click,
           rf"/duties/records/{record.pk}/edit/$")
    head.fill("input[name=guests]", "全处干部12人")
    submit_and_wait(head, "form button[type=submit].mdc-button--raised",
                    rf"/duties/records/{record.pk}/$")
    record.refresh_from_db()
    assert (record.status, record.version) == ("submitted", 2)

    leader.goto(f"/duties/records/{record.pk}/")
    submit_and_wait(leader, "button[name=decision][value=accept]",
                    rf"/duties/records/{record.pk}/$")
    expect(leader.locator("main .dc-status")).to_contain_text("已采纳")
    people.shot(leader, "duty-record-accepted")

    stationed = people.login("paizhu_sun")
    stationed.goto("/duties/records/")
    expect(stationed.locator(f"main a[href='/duties/records/{record.pk}/']")).to_have_count(1)
    stationed.goto(f"/duties/records/{record.pk}/")
    expect(stationed.locator("main")).to_contain_text("处务会专题研究作风治理")
    expect(stationed.locator("button[name=decision]")).to_have_count(0)
    stationed.goto("/duties/heatmap/")
    expect(stationed.locator("table.dc-heatmap")).to_be_visible()
    people.shot(stationed, "duty-heat-map")
