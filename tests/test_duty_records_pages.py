"""Duty records in pages (issue 18 §3–§5, §7): my duty list with its counters, recording
from it, the reviewer's queue and decision, who reads what, a talk's content kept to those
who took part, the committee's reopening page."""

import pytest

from records.models import DutyRecord
from records.services import duty_records as service

from .duty_helpers import issued_list, pdf, recent_day

pytestmark = pytest.mark.usefixtures("on_a_known_day")


@pytest.fixture
def duty_list(bureau):
    return issued_list()


def form(duty_list, *numbers, **fields):
    data = {"kind": "meeting", "date": recent_day().isoformat(), "place": "三楼会议室",
            "summary": "处务会专题研究作风治理。",
            "items": [item.pk for item in duty_list.items.filter(number__in=numbers)]}
    data.update(fields)
    return data


def test_a_head_records_from_my_duty_list_and_sees_the_counter_move(
        duty_list, head_sanitation, client_for):
    client = client_for(head_sanitation)
    page = client.get("/duties/mine/").content.decode()
    assert "我的责任清单" in page and "持续开展作风治理" in page
    assert page.count('class="dc-counter">0 /') == 9  # nine items, nothing done yet
    item = duty_list.items.get(number=14)
    assert f"/duties/records/new/?item={item.pk}" in page
    response = client.post("/duties/records/new/", form(duty_list, 14, 16, file=pdf()))
    made = DutyRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/duties/records/{made.pk}/"
    assert made.evidence.count() == 1
    detail = client.get(f"/duties/records/{made.pk}/").content.decode()
    assert "处务会专题研究作风治理" in detail and "会议记录.pdf" in detail
    page = client.get("/duties/mine/").content.decode()
    assert page.count('class="dc-counter">1 /') == 2


def test_bad_input_on_the_page_is_refused_in_chinese_and_nothing_is_recorded(
        duty_list, head_sanitation, client_for):
    response = client_for(head_sanitation).post(
        "/duties/records/new/", form(duty_list, 14, date="2000-01-01"))
    assert response.status_code == 400 and "年度" in response.content.decode()
    # an item of someone else's post is not even offered
    response = client_for(head_sanitation).post("/duties/records/new/", form(duty_list, 8))
    assert response.status_code == 400
    assert not DutyRecord.objects.exists()


def test_the_supervising_leader_reviews_from_the_queue(duty_list, head_sanitation, leader_li,
                                                      leader_wang, client_for):
    made = service.duty_record_create(by=head_sanitation, duty_list=duty_list,
                                      items=list(duty_list.items.filter(number=14)),
                                      kind="meeting", date=recent_day(), summary="专题会。")
    queue = client_for(leader_li).get("/duties/records/?review=1").content.decode()
    assert f"/duties/records/{made.pk}/" in queue
    assert f"/duties/records/{made.pk}/" not in client_for(leader_wang).get(
        "/duties/records/?review=1").content.decode()
    client = client_for(leader_li)
    assert "采纳" in client.get(f"/duties/records/{made.pk}/").content.decode()
    client.post(f"/duties/records/{made.pk}/review/", {"decision": "return", "opinion": ""})
    made.refresh_from_db()
    assert made.status == "submitted"  # an opinion is needed to return
    client.post(f"/duties/records/{made.pk}/review/",
                {"decision": "return", "opinion": "请补充参会人员。"})
    made.refresh_from_db()
    assert made.status == "returned"
    edit = client_for(head_sanitation).post(
        f"/duties/records/{made.pk}/edit/", form(duty_list, 14, summary="专题会，全处参加。",
                                                  date=made.date.isoformat()))
    assert edit.status_code == 302
    made.refresh_from_db()
    assert (made.status, made.version) == ("submitted", 2)
    client.post(f"/duties/records/{made.pk}/review/", {"decision": "accept"})
    made.refresh_from_db()
    assert made.status == "accepted"
    page = client_for(head_sanitation).get(f"/duties/records/{made.pk}/").content.decode()
    assert "请补充参会人员" in page and "修改后重新提交" not in page


def test_the_stationed_group_reads_everything_and_decides_nothing(
        duty_list, head_sanitation, paizhu_sun, client_for):
    made = service.duty_record_create(by=head_sanitation, duty_list=duty_list,
                                      items=list(duty_list.items.filter(number=14)),
                                      kind="meeting", date=recent_day(), summary="专题会。")
    client = client_for(paizhu_sun)
    assert f"/duties/records/{made.pk}/" in client.get("/duties/records/").content.decode()
    page = client.get(f"/duties/records/{made.pk}/").content.decode()
    assert "专题会" in page and 'name="decision"' not in page
    client.post(f"/duties/records/{made.pk}/review/", {"decision": "accept"})
    made.refresh_from_db()
    assert made.status == "submitted"
    assert client.get("/duties/records/new/").status_code == 404


def test_a_talks_content_is_for_those_who_took_part(duty_list, head_sanitation, leader_li,
                                                     secretary, head_legal, client_for):
    made = service.duty_record_create(
        by=head_sanitation, duty_list=duty_list, items=list(duty_list.items.filter(number=14)),
        kind="talk", date=recent_day(), summary="与新任科长谈心谈话，提醒廉洁自律。",
        participants=[head_sanitation])
    # the reviewer and the participants read it; the secretary sees date and participants
    assert "廉洁自律" in client_for(leader_li).get(f"/duties/records/{made.pk}/") \
        .content.decode()
    page = client_for(secretary).get(f"/duties/records/{made.pk}/").content.decode()
    assert "廉洁自律" not in page and "何平" in page
    # another unit's head does not see it at all
    assert client_for(head_legal).get(f"/duties/records/{made.pk}/").status_code == 404


def test_unknown_filters_are_refused(duty_list, jiwei_chen, client_for):
    response = client_for(jiwei_chen).get("/duties/records/?colour=red")
    assert response.status_code == 400 and "colour" in response.content.decode()


def test_only_the_committee_reopens(duty_list, jiwei_chen, head_sanitation, client_for):
    assert client_for(head_sanitation).get(f"/duties/{duty_list.pk}/reopen/").status_code == 404
    page = client_for(jiwei_chen).get(f"/duties/{duty_list.pk}/reopen/").content.decode()
    assert "重新开放" in page
    response = client_for(jiwei_chen).post(f"/duties/{duty_list.pk}/reopen/",
                                           {"person": "nobody", "quarter": 1, "reason": "漏记"})
    assert response.status_code == 400 and "用户名" in response.content.decode()


def test_the_heat_map_colours_units_by_item(duty_list, head_sanitation, leader_li, jiwei_chen,
                                            head_legal, paizhu_sun, client_for):
    service.duty_record_create(by=head_sanitation, duty_list=duty_list,
                               items=list(duty_list.items.filter(number__in=[14, 16])),
                               kind="meeting", date=recent_day(), summary="专题会。",
                               late_reason="补录。")
    page = client_for(jiwei_chen).get("/duties/heatmap/").content.decode()
    assert "市容环境卫生管理处" in page and "执法支队" in page
    units = page.count('<th scope="row">')
    assert units >= 10 and page.count('class="dc-heat dc-heat--') == units * 9  # 9 items
    # a leader sees the units they oversee
    page = client_for(leader_li).get("/duties/heatmap/").content.decode()
    assert "市容环境卫生管理处" in page and "执法支队" not in page
    assert client_for(paizhu_sun).get("/duties/heatmap/").status_code == 200
    assert client_for(head_legal).get("/duties/heatmap/").status_code == 404
    assert client_for(jiwei_chen).get("/duties/heatmap/?bureau=nowhere").status_code == 404
    assert client_for(jiwei_chen).get("/duties/heatmap/?colour=red").status_code == 400


def test_heat_map_figures(duty_list, head_sanitation, unit):
    from django.utils import timezone

    from records.duty_seats import heat_map

    made = service.duty_record_create(by=head_sanitation, duty_list=duty_list,
                                      items=list(duty_list.items.filter(number=14)),
                                      kind="meeting", date=recent_day(), summary="专题会。")
    service.duty_record_review(record=made, by=service.reviewers_of(made)[0], accept=False,
                               opinion="请补充。")
    heat = heat_map(duty_list, [unit("sanitation"), unit("legal")], timezone.localdate())
    assert heat.records == 1 and heat.returned_rate == 1 and heat.late_rate == 0
    assert [row[0].code for row in heat.rows] == ["sanitation", "legal"] or \
        [row[0].code for row in heat.rows] == ["legal", "sanitation"]


def test_a_reader_of_every_unit_sees_one_bureau_at_a_time(bureau, unit, head_sanitation,
                                                        jiwei_chen, client_for):
    from accounts.models import Unit

    duty_list = issued_list()
    made = service.duty_record_create(by=head_sanitation, duty_list=duty_list,
                                      items=list(duty_list.items.filter(number=14)),
                                      kind="meeting", date=recent_day(), summary="专题会。")
    Unit.objects.create(code="water", name="市水务局", kind="bureau")
    client = client_for(jiwei_chen)
    # their own bureau by default, another by choice, a unit by its code wherever it is
    assert f"/duties/records/{made.pk}/" in client.get("/duties/records/").content.decode()
    assert f"/duties/records/{made.pk}/" not in client.get(
        "/duties/records/?bureau=water").content.decode()
    assert f"/duties/records/{made.pk}/" in client.get(
        "/duties/records/?unit=sanitation").content.decode()
    assert client.get("/duties/records/?bureau=nowhere").status_code == 400
