"""Duty records through the API (issue 18): my items with their counters, recording, the
records one may read, review, correction and evidence; what the API refuses, and a talk's
content kept for those who took part."""

import datetime

import pytest
from rest_framework.test import APIClient

from records.models import AuditEvent, DutyRecord, DutyRecordEvidence

from .duty_helpers import DAY, PDF, issued_list, pdf, recent_day

pytestmark = pytest.mark.usefixtures("on_a_known_day")

TODAY = DAY
SECRET = "谈话内容机密API"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def body(**changes) -> dict:
    data = {"kind": "meeting", "date": recent_day().isoformat(), "place": "三楼会议室",
            "organiser": "市容环境卫生管理处", "summary": "处务会专题研究作风治理。",
            "items": [14, 16], "participants": ["leader_li"]}
    data.update(changes)
    return data


def create(user, **changes):
    return api(user).post("/api/v1/duty-records/", body(**changes), format="json")


def url(record, tail=""):
    return f"/api/v1/duty-records/{record.pk if hasattr(record, 'pk') else record}/{tail}"


@pytest.fixture
def duty_list(bureau):
    return issued_list()


@pytest.fixture
def talk(duty_list, head_sanitation):
    """A talk of sanitation's head with leader_wang, and its minutes."""
    response = create(head_sanitation, kind="talk", summary=SECRET, guests="张三",
                      items=[14], participants=["leader_wang"])
    assert response.status_code == 201, response.json()
    made = DutyRecord.objects.get(pk=response.json()["id"])
    assert api(head_sanitation).post(url(made, "evidence/"), {"file": pdf("谈话记录.pdf")},
                                     format="multipart").status_code == 201
    return made


def test_my_items_carry_their_counters(duty_list, head_sanitation):
    assert create(head_sanitation).status_code == 201
    answer = api(head_sanitation).get("/api/v1/duty-items/mine/").json()
    assert answer["duty_list"]["year"] == duty_list.year
    items = {item["number"]: item for item in answer["items"]}
    assert set(items) == {2, 3, 9, 10, 11, 14, 15, 16, 18}
    assert items[14]["done_year"] == 1 and items[16]["done_year"] == 1
    assert items[14]["light"] in ("green", "yellow", "red", "grey")
    assert {"label", "done", "target", "ended"} == set(items[14]["periods"][0])
    assert {"number", "title", "period", "target", "as_needed", "done", "done_year", "expected",
            "light", "talk", "next_deadline", "periods"} == set(items[14])
    assert api(head_sanitation).get("/api/v1/duty-items/mine/",
                                    {"year": 2020}).status_code == 400


def test_before_a_list_is_issued_my_items_are_none(bureau, head_sanitation):
    answer = api(head_sanitation).get("/api/v1/duty-items/mine/").json()
    assert answer == {"duty_list": None, "items": []}


def test_record_return_correct_and_accept(duty_list, head_sanitation, leader_li):
    response = create(head_sanitation)
    assert response.status_code == 201, response.json()
    made = response.json()
    assert (made["status"], made["version"], made["unit"]["code"]) == ("submitted", 1,
                                                                       "sanitation")
    assert [item["number"] for item in made["items"]] == [14, 16]
    assert [person["username"] for person in made["participants"]] == ["leader_li"]
    assert made["can_add_evidence"] and not made["can_review"] and not made["can_resubmit"]

    # the supervising leader finds it among those awaiting their review
    reviewer = api(leader_li)
    waiting = reviewer.get("/api/v1/duty-records/", {"review": "true"}).json()
    assert [row["id"] for row in waiting["results"]] == [made["id"]]
    assert api(head_sanitation).get("/api/v1/duty-records/",
                                    {"review": "true"}).json()["count"] == 0
    assert reviewer.get(url(made["id"])).json()["can_review"]

    # returned, with what to correct
    refused = reviewer.post(url(made["id"], "review/"), {"decision": "return"}, format="json")
    assert refused.status_code == 400 and "opinion" in refused.json()["errors"]
    returned = reviewer.post(url(made["id"], "review/"),
                             {"decision": "return", "opinion": "请补充参会人员。"}, format="json")
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    mine = api(head_sanitation).get(url(made["id"])).json()
    assert mine["can_resubmit"]
    assert [(v["number"], v["decision"], v["opinion"], v["decided_by"]["username"])
            for v in mine["versions"]] == [(1, "returned", "请补充参会人员。", "leader_li")]

    # corrected and submitted again: version 2, with a file
    assert api(leader_li).post(url(made["id"], "resubmit/"), body(),
                               format="json").status_code == 403
    again = api(head_sanitation).post(
        url(made["id"], "resubmit/"), body(participants=["leader_li", "head_sanitation"]),
        format="json")
    assert again.status_code == 200, again.json()
    assert (again.json()["status"], again.json()["version"]) == ("submitted", 2)
    upload = api(head_sanitation).post(url(made["id"], "evidence/"), {"file": pdf()},
                                       format="multipart")
    assert upload.status_code == 201 and upload.json()["name"] == "会议记录.pdf"
    download = reviewer.get(url(made["id"], f"evidence/{upload.json()['id']}/"))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert AuditEvent.objects.filter(action="duty_record.evidence_download").count() == 1

    accepted = reviewer.post(url(made["id"], "review/"), {"decision": "accept"}, format="json")
    assert accepted.status_code == 200
    assert (accepted.json()["status"], accepted.json()["reviewed_by"]["username"]) == (
        "accepted", "leader_li")
    assert [v["decision"] for v in accepted.json()["versions"]] == ["returned", "accepted"]
    # accepted: read-only
    assert api(head_sanitation).post(url(made["id"], "resubmit/"), body(),
                                     format="json").status_code == 400
    late = api(head_sanitation).post(url(made["id"], "evidence/"), {"file": pdf("x.pdf")},
                                     format="multipart")
    assert late.status_code == 400 and late.json()["detail"]
    assert reviewer.post(url(made["id"], "review/"), {"decision": "accept"},
                         format="json").status_code == 400


@pytest.mark.parametrize("changes, field", [
    ({"date": (TODAY + datetime.timedelta(days=1)).isoformat()}, "date"),
    ({"items": [8]}, "items"),  # the committee's item
    ({"items": [14, 99]}, "items"),  # no such item
    ({"items": []}, "items"),
    ({"participants": ["leader_li", "nobody_at_all"]}, "participants"),
    ({"participants": ["outsider"]}, "participants"),  # no post in the chain
    ({"kind": "party"}, "kind"),
    ({"summary": ["not", "text"]}, "summary"),
    ({"date": (TODAY - datetime.timedelta(days=20)).isoformat(), "items": [14]},
     "late_reason"),
])
def test_bad_input_is_400_json_naming_the_field_and_nothing_is_recorded(
        duty_list, head_sanitation, outsider, changes, field):
    response = create(head_sanitation, **changes)
    assert response.status_code == 400, response.json()
    assert response["Content-Type"] == "application/json"
    assert field in response.json()["errors"] and response.json()["detail"]
    assert not DutyRecord.objects.exists()


def test_an_unknown_username_is_named(duty_list, head_sanitation):
    response = api(head_sanitation).post("/api/v1/duty-records/",
                                         body(participants=["ghost_user"]), format="json",
                                         HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["errors"] == {"participants": ["Nobody has the username ghost_user."]}


def test_someone_elses_record_is_404_and_not_listed(duty_list, head_sanitation, head_legal,
                                                    outsider, leader_li):
    made = create(head_sanitation).json()
    for user in (head_legal, outsider):
        client = api(user)
        assert client.get(url(made["id"])).status_code == 404
        assert client.post(url(made["id"], "review/"), {"decision": "accept"},
                           format="json").status_code == 404
        assert client.post(url(made["id"], "evidence/"), {"file": pdf()},
                           format="multipart").status_code == 404
        assert client.get("/api/v1/duty-records/").json()["count"] == 0
    assert api(leader_li).get("/api/v1/duty-records/").json()["count"] == 1
    assert DutyRecord.objects.get().status == "submitted"
    assert DutyRecordEvidence.objects.count() == 0


def test_the_stationed_group_reads_but_neither_records_nor_reviews(duty_list, head_sanitation,
                                                                   paizhu_sun):
    made = create(head_sanitation).json()
    client = api(paizhu_sun)
    assert client.get(url(made["id"])).json()["summary"] == "处务会专题研究作风治理。"
    assert client.get("/api/v1/duty-records/").json()["count"] == 1
    assert client.post("/api/v1/duty-records/", body(), format="json").status_code == 403
    assert client.post(url(made["id"], "review/"), {"decision": "accept"},
                       format="json").status_code == 403
    assert client.post(url(made["id"], "resubmit/"), body(), format="json").status_code == 403
    assert DutyRecord.objects.get().status == "submitted" and DutyRecord.objects.count() == 1


def test_a_talks_content_is_for_those_who_took_part_and_its_reviewer(
        talk, head_sanitation, leader_wang, leader_li, secretary, paizhu_sun):
    for user in (head_sanitation, leader_wang, leader_li):  # author, participant, reviewer
        seen = api(user).get(url(talk)).json()
        assert seen["full"] and seen["summary"] == SECRET and seen["guests"] == "张三"
        assert len(seen["evidence"]) == 1 and seen["versions"]
    for user in (secretary, paizhu_sun):
        client = api(user)
        seen = client.get(url(talk)).json()
        assert not seen["full"] and seen["kind"] == "talk" and seen["unit"]["code"] == \
            "sanitation"
        assert [person["username"] for person in seen["participants"]] == ["leader_wang"]
        assert all(seen[name] is None for name in ("summary", "place", "organiser", "guests",
                                                    "late_reason", "items", "evidence",
                                                    "versions"))
        [row] = client.get("/api/v1/duty-records/").json()["results"]
        assert row["summary"] is None and row["items"] is None and not row["full"]
        assert SECRET not in client.get("/api/v1/duty-records/").content.decode()
        evidence = talk.evidence.get()
        assert client.get(url(talk, f"evidence/{evidence.pk}/")).status_code == 404


def test_the_list_filters_and_refuses_an_unknown_filter(duty_list, head_sanitation, leader_li,
                                                        secretary):
    create(head_sanitation)
    create(head_sanitation, kind="study", items=[16], participants=[])
    client = api(secretary)

    def ids(**filters):
        response = client.get("/api/v1/duty-records/", filters)
        assert response.status_code == 200, response.json()
        return [row["kind"] for row in response.json()["results"]]

    assert sorted(ids()) == ["meeting", "study"]
    assert ids(kind="study") == ["study"]
    assert sorted(ids(item=16)) == ["meeting", "study"] and ids(item=14) == ["meeting"]
    assert len(ids(unit="sanitation")) == 2 and ids(unit="legal") == []
    assert len(ids(status="submitted")) == 2 and ids(status="accepted") == []
    assert ids(late="true") == []
    assert ids(year=TODAY.year - 1) == []
    refused = client.get("/api/v1/duty-records/", {"colour": "red"})
    assert refused.status_code == 400 and "colour" in refused.json()["detail"]
    assert client.get("/api/v1/duty-records/", {"status": "lost"}).status_code == 400
