"""The year's duty list (issue 18 §1): read from the work plan's text, targets set where the
plan redacts them, issued by the secretary, changed afterwards only by a new version with a
reason; drafts are the committee's and the secretary's."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from records.duty_plan import parse_plan
from records.models import AuditEvent, DutyItem, DutyList, DutyListRevision

PLAN = Path(__file__).resolve().parents[1] / "demo" / "work_plan_2022.txt"
YEAR = timezone.localdate().year


@pytest.fixture(scope="module")
def plan_text():
    return PLAN.read_text(encoding="utf-8")


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_seed_plan_reads_as_22_items_with_the_redacted_counts_flagged(plan_text):
    items = parse_plan(plan_text)
    assert [item.number for item in items] == list(range(1, 23))
    assert items[0].title == "加强政治理论学习"
    assert items[0].section.startswith("一、以政治建设为引领")
    assert items[21].section.startswith("六、以队伍建设为标杆")
    # "不少于XX次", "不少于X次", "至少X次": the year's target is to be set
    assert [item.number for item in items if item.target_needed] == [1, 4, 5, 17]
    # "每季度要听取1次": a count the plan gives, per quarter
    assert (items[5].suggested_target, items[5].period) == (1, "quarter")
    assert "XX" in items[0].text  # the text is kept as written


@pytest.fixture
def built(bureau, jiwei_chen, plan_text):
    response = api(jiwei_chen).post("/api/v1/duty-lists/", {"year": YEAR, "text": plan_text},
                                    format="json")
    assert response.status_code == 201, response.json()
    return DutyList.objects.get(pk=response.json()["id"])


def test_the_committee_builds_the_list_from_the_pasted_plan(bureau, jiwei_chen, plan_text,
                                                           client_for):
    response = client_for(jiwei_chen).post("/duties/", {"year": YEAR, "text": plan_text})
    duty_list = DutyList.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/duties/{duty_list.pk}/"
    assert duty_list.status == "draft" and duty_list.items.count() == 22
    page = client_for(jiwei_chen).get(f"/duties/{duty_list.pk}/").content.decode()
    assert "加强政治理论学习" in page and "需设定目标" in page
    assert page.count('class="dc-needs-target"') == 4
    event = AuditEvent.objects.get(action="duty_list.build")
    assert event.data == {"year": YEAR, "items": 22, "targets_needed": 4}


def test_the_plan_may_be_uploaded_as_a_gb18030_file(bureau, jiwei_chen, plan_text, client_for):
    upload = SimpleUploadedFile("2026年工作要点.txt", plan_text.encode("gb18030"))
    response = client_for(jiwei_chen).post("/duties/", {"year": YEAR, "file": upload})
    assert response.status_code == 302 and DutyList.objects.get().items.count() == 22


@pytest.mark.parametrize("data, message", [
    ({"year": YEAR, "text": "全年工作要点：加强学习。"}, "没有找到编号"),
    ({"year": 1999, "text": "1.加强学习。"}, "2"),
    ({"year": YEAR, "text": "1.加强学习。\n1.严肃纪律。"}, "1"),
    ({"year": YEAR, "text": "   "}, "粘贴"),
])
def test_a_plan_that_cannot_be_read_is_refused_and_nothing_is_built(bureau, jiwei_chen,
                                                                   client_for, data, message):
    response = client_for(jiwei_chen).post("/duties/", data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not DutyList.objects.exists()


def test_a_binary_upload_is_refused(bureau, jiwei_chen, client_for):
    upload = SimpleUploadedFile("plan.txt", b"\xff\xfe\x00\x00\x81\x30")
    response = client_for(jiwei_chen).post("/duties/", {"year": YEAR, "file": upload})
    assert response.status_code == 400 and not DutyList.objects.exists()


def test_one_list_a_year(built, jiwei_chen, plan_text):
    again = api(jiwei_chen).post("/api/v1/duty-lists/", {"year": YEAR, "text": plan_text},
                                 format="json")
    assert again.status_code == 400 and "year" in again.json()["errors"]
    assert DutyList.objects.count() == 1


@pytest.mark.parametrize("username", ["leader_li", "head_sanitation", "secretary",
                                      "paizhu_sun"])
def test_only_the_committee_builds(bureau, plan_text, username, client_for):
    from accounts.models import User

    person = User.objects.get(username=username)
    assert api(person).post("/api/v1/duty-lists/", {"year": YEAR, "text": plan_text},
                            format="json").status_code == 403
    assert client_for(person).post("/duties/", {"year": YEAR, "text": plan_text}) \
        .status_code == 403
    assert not DutyList.objects.exists()


def test_a_draft_is_the_committees_and_the_secretarys(built, client_for, secretary, leader_li,
                                                     head_sanitation, outsider):
    assert client_for(secretary).get(f"/duties/{built.pk}/").status_code == 200
    for person in (leader_li, head_sanitation, outsider):
        assert client_for(person).get(f"/duties/{built.pk}/").status_code == 404
        assert api(person).get(f"/api/v1/duty-lists/{built.pk}/").status_code == 404
        assert api(person).get("/api/v1/duty-lists/").json().get("results", []) == []


def _complete(duty_list, jiwei_chen):
    for item in duty_list.items.all():
        body = {"carriers": ["leaders", "unit_heads"]}
        if not item.target_set:
            body["target"] = 4
        response = api(jiwei_chen).patch(f"/api/v1/duty-lists/{duty_list.pk}/items/"
                                         f"{item.number}/", body, format="json")
        assert response.status_code == 200, response.json()


def test_issuing_needs_every_target_and_carrier_then_the_secretary_issues(
        built, jiwei_chen, secretary, head_sanitation, client_for):
    refused = api(secretary).post(f"/api/v1/duty-lists/{built.pk}/issue/")
    assert refused.status_code == 400
    message = refused.json()["detail"]
    assert "第1项" in message or "1" in message
    built.refresh_from_db()
    assert built.status == "draft"
    # the committee cannot issue, the secretary can once it is complete
    _complete(built, jiwei_chen)
    assert api(jiwei_chen).post(f"/api/v1/duty-lists/{built.pk}/issue/").status_code == 403
    response = client_for(secretary).post(f"/duties/{built.pk}/issue/")
    assert response.status_code == 302
    built.refresh_from_db()
    assert built.status == "issued" and built.issued_by == secretary
    assert AuditEvent.objects.filter(action="duty_list.issue").exists()
    # every member of the bureau reads it now
    assert client_for(head_sanitation).get(f"/duties/{built.pk}/").status_code == 200
    assert api(secretary).post(f"/api/v1/duty-lists/{built.pk}/issue/").status_code == 400


def test_an_issued_list_changes_only_by_a_new_version_with_a_reason(built, jiwei_chen,
                                                                   secretary, client_for):
    _complete(built, jiwei_chen)
    api(secretary).post(f"/api/v1/duty-lists/{built.pk}/issue/")
    url = f"/api/v1/duty-lists/{built.pk}/items/4/"
    no_reason = api(jiwei_chen).patch(url, {"target": 6}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["errors"]
    assert DutyItem.objects.get(duty_list=built, number=4).target == 4
    changed = api(jiwei_chen).patch(url, {"target": 6, "reason": "市委要求增加专题研究次数"},
                                    format="json")
    assert changed.status_code == 200 and changed.json()["target"] == 6
    built.refresh_from_db()
    assert built.version == 2
    revision = DutyListRevision.objects.get()
    assert revision.version == 1 and revision.reason == "市委要求增加专题研究次数"
    assert next(i for i in revision.items_before if i["number"] == 4)["target"] == 4
    # an issued item keeps someone who carries it
    emptied = api(jiwei_chen).patch(url, {"carriers": [], "reason": "调整"}, format="json")
    assert emptied.status_code == 400
    page = client_for(jiwei_chen).get(f"/duties/{built.pk}/").content.decode()
    assert "市委要求增加专题研究次数" in page


@pytest.mark.parametrize("body, field", [
    ({"target": 0}, "target"),
    ({"target": "三"}, "target"),
    ({"carriers": ["everyone"]}, "carriers"),
    ({"period": "week"}, "period"),
    ({"deadline_working_days": 99}, "deadline_working_days"),
    ({"title": ""}, "title"),
])
def test_bad_item_values_are_refused(built, jiwei_chen, body, field):
    response = api(jiwei_chen).patch(f"/api/v1/duty-lists/{built.pk}/items/1/", body,
                                     format="json")
    assert response.status_code == 400 and field in response.json()["errors"]
    item = DutyItem.objects.get(duty_list=built, number=1)
    assert item.target is None and item.carriers == [] and item.title == "加强政治理论学习"


def test_as_needed_and_a_count_exclude_each_other(built, jiwei_chen):
    url = f"/api/v1/duty-lists/{built.pk}/items/1/"
    assert api(jiwei_chen).patch(url, {"target": 3}, format="json").json()["as_needed"] is False
    after = api(jiwei_chen).patch(url, {"as_needed": True}, format="json").json()
    assert after["as_needed"] is True and after["target"] is None


def test_the_committee_edits_an_item_on_its_page(built, jiwei_chen, client_for):
    url = f"/duties/{built.pk}/items/1/"
    page = client_for(jiwei_chen).get(url).content.decode()
    assert "加强政治理论学习" in page
    response = client_for(jiwei_chen).post(url, {
        "title": "加强政治理论学习", "text": "全年组织中心组学习会不少于12次。", "target": 12,
        "period": "year", "carriers": ["leadership"], "deadline_working_days": 5,
        "reviewer": "secretary", "sample_percent": 100})
    assert response.status_code == 302
    item = DutyItem.objects.get(duty_list=built, number=1)
    assert (item.target, item.carriers, item.reviewer) == (12, ["leadership"], "secretary")


def test_last_years_list_is_a_starting_point(bureau, jiwei_chen, plan_text):
    last = api(jiwei_chen).post("/api/v1/duty-lists/", {"year": YEAR - 1, "text": plan_text},
                                format="json").json()
    api(jiwei_chen).patch(f"/api/v1/duty-lists/{last['id']}/items/1/",
                          {"target": 12, "carriers": ["leadership"]}, format="json")
    copied = api(jiwei_chen).post("/api/v1/duty-lists/", {"year": YEAR, "copy_from": last["id"]},
                                  format="json")
    assert copied.status_code == 201
    data = copied.json()
    assert data["year"] == YEAR and data["status"] == "draft" and len(data["items"]) == 22
    first = data["items"][0]
    assert (first["target"], first["carriers"]) == (12, ["leadership"])
    assert str(YEAR) in data["title"] or data["title"]


def test_the_committee_sets_the_lists_rules_with_a_reason_once_issued(built, jiwei_chen,
                                                                     secretary, client_for):
    from records.services import duties

    response = client_for(jiwei_chen).post(f"/duties/{built.pk}/rules/",
                                           {"record_within": 7, "lock_after": 15})
    assert response.status_code == 302
    built.refresh_from_db()
    assert (built.record_within, built.lock_after, built.version) == (7, 15, 1)
    for item in built.items.all():
        duties.duty_item_update(item=item, by=jiwei_chen, carriers=["unit_heads"],
                                **({"target": 2} if item.target_needed else {}))
    duties.duty_list_issue(duty_list=built, by=secretary)
    client_for(jiwei_chen).post(f"/duties/{built.pk}/rules/", {"record_within": 3,
                                                               "lock_after": 15})
    built.refresh_from_db()
    assert built.record_within == 7  # an issued list needs a reason
    client_for(jiwei_chen).post(f"/duties/{built.pk}/rules/", {
        "record_within": 3, "lock_after": 15, "reason": "按减负要求缩短填报期限。"})
    built.refresh_from_db()
    assert (built.record_within, built.version) == (3, 2)
    assert built.revisions.get().reason == "按减负要求缩短填报期限。"
    assert client_for(secretary).post(f"/duties/{built.pk}/rules/", {
        "record_within": 9, "lock_after": 15, "reason": "x"}).status_code == 404


def test_the_committee_closes_the_list_once_its_last_quarter_has_locked(
        built, jiwei_chen, secretary, monkeypatch):
    import datetime

    from django.core.exceptions import ValidationError

    from records.services import duties

    from .calendar_helpers import travel

    for item in built.items.all():
        duties.duty_item_update(item=item, by=jiwei_chen, carriers=["unit_heads"],
                                **({"target": 2} if item.target_needed else {}))
    duties.duty_list_issue(duty_list=built, by=secretary)
    with pytest.raises(ValidationError, match="锁定"):
        duties.duty_list_close(duty_list=built, by=jiwei_chen)
    day = duties.closes_on(built)
    assert datetime.date(YEAR + 1, 1, 10) < day < datetime.date(YEAR + 1, 2, 1)
    travel(monkeypatch, day)
    duties.duty_list_close(duty_list=built, by=jiwei_chen)
    built.refresh_from_db()
    assert built.status == "closed"
    with pytest.raises(ValidationError):
        duties.duty_item_update(item=built.items.first(), by=jiwei_chen, target=3,
                                reason="改")
