"""Duty records (issue 18 §2–§7): recorded once by whoever holds a post carrying the items,
counted for each, reviewed when drawn, late entries with a reason, quarters that lock and
reopen, counters that follow the chain through a change of head."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Post, User
from records.duty_seats import Light, my_counters
from records.models import AuditEvent, DutyRecord, DutyRecordItem, Notification
from records.services import duty_records as service

from .duty_helpers import DAY, YEAR, issued_list, pdf, recent_day

pytestmark = pytest.mark.usefixtures("on_a_known_day")

TODAY = DAY


def items(duty_list, *numbers):
    return list(duty_list.items.filter(number__in=numbers))


def record(duty_list, by, *numbers, **fields):
    data = dict(kind="meeting", date=recent_day(), summary="处务会专题研究作风治理。",
                place="三楼会议室")
    data.update(fields)
    return service.duty_record_create(by=by, duty_list=duty_list,
                                      items=items(duty_list, *numbers), **data)


@pytest.fixture
def duty_list(bureau):
    return issued_list()


def counter_of(user, duty_list, number):
    return next(c for c in my_counters(user, duty_list, TODAY) if c.item.number == number)


def test_a_record_counts_once_for_every_item_it_serves(duty_list, head_sanitation, unit):
    made = record(duty_list, head_sanitation, 14, 16, participants=[head_sanitation])
    assert made.status == "submitted" and made.unit == unit("sanitation")
    assert made.version == 1 and made.versions.get().content["items"] == [14, 16]
    assert counter_of(head_sanitation, duty_list, 14).done_year == 1
    assert counter_of(head_sanitation, duty_list, 16).done_year == 1
    assert AuditEvent.objects.get(action="duty_record.create").data["items"] == [14, 16]
    # the reviewer (the supervising leader) is told
    assert Notification.objects.filter(recipient__username="leader_li",
                                       kind="duty_record_review").count() == 1


def test_my_list_holds_the_items_of_my_posts_only(duty_list, head_sanitation, leader_li):
    mine = {c.item.number for c in my_counters(head_sanitation, duty_list, TODAY)}
    # unit heads and branches carry 2, 3, 9–11, 14–16, 18
    assert mine == {2, 3, 9, 10, 11, 14, 15, 16, 18}
    leaders = {c.item.number for c in my_counters(leader_li, duty_list, TODAY)}
    assert {1, 3, 6, 7} <= leaders and 14 not in leaders


@pytest.mark.parametrize("numbers, fields, field, message", [
    ((14,), {"date": TODAY + datetime.timedelta(days=1)}, "date", "未来"),
    ((14,), {"date": datetime.date(YEAR - 1, 12, 1)}, "date", "年度"),
    ((8,), {}, "items", "不由您记录"),
    ((), {}, "items", "选择"),
    ((14,), {"summary": "  "}, "summary", "做了什么"),
    ((14,), {"kind": "party"}, "kind", "会议"),
    ((14,), {"date": TODAY - datetime.timedelta(days=20)}, "late_reason", "补录"),
])
def test_bad_input_is_refused_and_nothing_is_recorded(duty_list, head_sanitation, numbers,
                                                      fields, field, message):
    with pytest.raises(ValidationError) as refused:
        record(duty_list, head_sanitation, *numbers, **fields)
    assert message in " ".join(refused.value.message_dict[field])
    assert not DutyRecord.objects.exists() and not DutyRecordItem.objects.exists()


def test_required_evidence_and_exact_duplicates_are_refused(bureau, head_sanitation):
    duty_list = issued_list(item_changes={14: {"evidence_required": True}})
    with pytest.raises(ValidationError) as refused:
        record(duty_list, head_sanitation, 14)
    assert "佐证" in " ".join(refused.value.message_dict["file"])
    made = record(duty_list, head_sanitation, 14, files=[pdf()])
    assert made.evidence.get().name == "会议记录.pdf"
    with pytest.raises(ValidationError, match="已经记录"):
        record(duty_list, head_sanitation, 14, files=[pdf()])
    assert DutyRecord.objects.count() == 1


def test_a_late_record_says_why_and_counts_as_late(duty_list, head_sanitation):
    day = TODAY - datetime.timedelta(days=20)
    made = record(duty_list, head_sanitation, 14, date=day, late_reason="外出培训，返岗补录。")
    assert made.is_late and made.late_reason == "外出培训，返岗补录。"
    assert not record(duty_list, head_sanitation, 16).is_late


def test_the_reviewer_returns_then_accepts_and_an_accepted_record_is_read_only(
        duty_list, head_sanitation, leader_li, leader_wang):
    made = record(duty_list, head_sanitation, 14)
    with pytest.raises(PermissionDenied):
        service.duty_record_review(record=made, by=leader_wang, accept=True)
    with pytest.raises(ValidationError, match="退回"):
        service.duty_record_review(record=made, by=leader_li, accept=False)
    service.duty_record_review(record=made, by=leader_li, accept=False,
                               opinion="请补充参会人员。")
    made.refresh_from_db()
    assert made.status == "returned"
    assert counter_of(head_sanitation, duty_list, 14).done_year == 0
    assert Notification.objects.filter(recipient=head_sanitation,
                                       kind="duty_record_returned").exists()
    service.duty_record_resubmit(record=made, by=head_sanitation, items=items(duty_list, 14),
                                 participants=[head_sanitation, leader_li], kind="meeting",
                                 date=made.date, summary=made.summary, place=made.place)
    made.refresh_from_db()
    assert (made.status, made.version) == ("submitted", 2)
    assert counter_of(head_sanitation, duty_list, 14).done_year == 1
    first, second = made.versions.order_by("number")
    assert (first.decision, first.opinion) == ("returned", "请补充参会人员。")
    assert second.content["participants"] == ["head_sanitation", "leader_li"]
    service.duty_record_review(record=made, by=leader_li, accept=True)
    made.refresh_from_db()
    assert made.status == "accepted" and made.reviewed_by == leader_li
    with pytest.raises(ValidationError):
        service.duty_record_resubmit(record=made, by=head_sanitation, items=items(duty_list, 14),
                                     kind="meeting", date=made.date, summary="改了")
    with pytest.raises(ValidationError):
        service.duty_record_evidence_add(record=made, by=head_sanitation, file=pdf())


def test_nobody_reviews_their_own_record(duty_list, bureau):
    # item 7 is each leader's, reviewed by the secretary; the secretary's own item 6
    # (reviewed by the committee) never comes back to them
    secretary = User.objects.get(username="secretary")
    made = record(duty_list, secretary, 6, kind="talk")
    reviewers = {user.username for user in service.reviewers_of(made)}
    assert "secretary" not in reviewers and "jiwei_chen" in reviewers


def test_records_drawn_at_zero_percent_are_accepted_as_recorded(bureau, head_sanitation):
    duty_list = issued_list(item_changes={14: {"sample_percent": 0}})
    made = record(duty_list, head_sanitation, 14)
    assert made.status == "accepted" and not made.sampled
    assert not Notification.objects.filter(kind="duty_record_review").exists()


def test_a_quarter_locks_and_the_committee_reopens_it_for_one_person(
        duty_list, head_sanitation, jiwei_chen, leader_li):
    day = datetime.date(YEAR, 1, 15)
    with pytest.raises(ValidationError, match="锁定"):
        record(duty_list, head_sanitation, 14, date=day, late_reason="漏记。")
    with pytest.raises(PermissionDenied):
        service.duty_quarter_reopen(duty_list=duty_list, person=head_sanitation, quarter=1,
                                    reason="漏记", by=leader_li)
    with pytest.raises(ValidationError):
        service.duty_quarter_reopen(duty_list=duty_list, person=head_sanitation, quarter=1,
                                    reason=" ", by=jiwei_chen)
    service.duty_quarter_reopen(duty_list=duty_list, person=head_sanitation, quarter=1,
                                reason="一季度专题会漏记，经核实补录。", by=jiwei_chen)
    made = record(duty_list, head_sanitation, 14, date=day, late_reason="漏记。")
    assert made.is_late
    assert AuditEvent.objects.get(action="duty_list.reopen").data["reason"] == \
        "一季度专题会漏记，经核实补录。"


def test_a_new_head_inherits_what_remains_of_the_units_target(duty_list, head_sanitation,
                                                              unit):
    change = TODAY - datetime.timedelta(days=40)
    before = change - datetime.timedelta(days=10)
    made = record(duty_list, head_sanitation, 14, date=before, late_reason="补录。")
    post = Post.objects.get(user=head_sanitation, role="head")
    post.valid_to = change - datetime.timedelta(days=1)
    post.save()
    successor = User.objects.create_user("head_sanitation_2", name="新处长")
    Post.objects.create(user=successor, unit=unit("sanitation"), role="head",
                        valid_from=change)
    # the unit's counter is the successor's now, with what their predecessor did
    assert counter_of(successor, duty_list, 14).done_year == 1
    assert made.author == head_sanitation
    # nothing is recorded in the successor's name before their post began
    with pytest.raises(ValidationError) as refused:
        record(duty_list, successor, 14, date=before, late_reason="补录。")
    assert "任职" in " ".join(refused.value.message_dict["date"])


def test_lights_turn_red_when_a_quarter_ended_below_target(duty_list, leader_li):
    counter = counter_of(leader_li, duty_list, 6)  # once a quarter
    assert counter.light == Light.RED and counter.talk


def test_the_sweep_tells_who_is_behind_on_a_reminder_day_once(duty_list, head_sanitation,
                                                              leader_li, monkeypatch):
    from records.services.duty_records import duty_reminders, reminder_days

    from .calendar_helpers import travel

    days = sorted(reminder_days(YEAR))
    # the last working day of Q1–Q3, and 15 working days before the year ends
    assert [day.month for day in days] == [3, 6, 9, 12] and days[-1] < datetime.date(YEAR, 12, 31)
    assert duty_reminders(days[0] + datetime.timedelta(days=1)) == 0
    travel(monkeypatch, days[1])
    told = duty_reminders(days[1])
    assert told > 0 and duty_reminders(days[1]) == 0  # once a day
    notice = Notification.objects.get(recipient=leader_li, kind="duty_behind")
    assert "6" in notice.title and notice.url == "/duties/mine/"


def test_the_committee_sees_units_two_periods_below_target(bureau, unit, jiwei_chen,
                                                          client_for):
    from records.duty_seats import units_for_a_talk

    # item 14 once a quarter for every unit head: nobody recorded it
    duty_list = issued_list(item_changes={14: {"period": "quarter", "target": 1}})
    flagged = dict(units_for_a_talk(duty_list, TODAY))
    assert unit("sanitation") in flagged and flagged[unit("sanitation")][0].number == 14
    page = client_for(jiwei_chen).get("/problems/dashboard/").content.decode()
    assert "市容环境卫生管理处" in page and "持续开展作风治理" in page


def test_the_quarterly_report_fills_its_annex_from_the_quarters_records(
        bureau, head_sanitation, leader_li, unit, client_for):
    from flows.opening import open_report
    from records.lateness import quarter_of

    duty_list = issued_list(item_changes={14: {"sample_percent": 0}, 16: {"sample_percent": 0}})
    made = record(duty_list, head_sanitation, 14, 16)
    record(duty_list, head_sanitation, 14, kind="talk", summary="谈心谈话，内容保密。",
                  date=made.date)
    year, quarter = quarter_of(made.date)
    report = open_report(unit=unit("sanitation"), year=year, quarter=quarter)
    report.refresh_from_db()
    annex = report.annex
    assert [row["items"] for row in annex["records"]] == [[14, 16], [14]]
    assert annex["records"][0]["summary"] == "处务会专题研究作风治理。"
    assert annex["records"][1]["summary"] == ""  # a talk's content stays on the record
    by_number = {row["number"]: row for row in annex["counters"]}
    assert by_number[14]["in_quarter"] == 2 and by_number[16]["in_quarter"] == 1
    page = client_for(head_sanitation).get(f"/reports/{report.pk}/").content.decode()
    assert "dc-duty-annex" in page and "处务会专题研究作风治理" in page


def test_whoever_acts_for_the_reviewer_reads_and_reviews(duty_list, head_sanitation, leader_li,
                                                         leader_wang, client_for):
    from accounts.models import Delegation

    made = record(duty_list, head_sanitation, 14)
    assert client_for(leader_wang).get(f"/duties/records/{made.pk}/").status_code == 404
    Delegation.objects.create(absent=leader_li, acting=leader_wang, valid_from=TODAY,
                              valid_to=TODAY + datetime.timedelta(days=7), reason="出差")
    queue = client_for(leader_wang).get("/duties/records/?review=1").content.decode()
    assert f"/duties/records/{made.pk}/" in queue
    service.duty_record_review(record=made, by=leader_wang, accept=True)
    made.refresh_from_db()
    assert made.status == "accepted" and made.reviewed_by == leader_wang


def test_someone_who_does_not_review_is_refused_whatever_the_status(duty_list, head_sanitation,
                                                                   leader_li, leader_wang):
    made = record(duty_list, head_sanitation, 14)
    service.duty_record_review(record=made, by=leader_li, accept=True)
    with pytest.raises(PermissionDenied):
        service.duty_record_review(record=made, by=leader_wang, accept=True)


def test_a_correction_that_makes_a_record_late_needs_a_reason(duty_list, head_sanitation,
                                                              leader_li):
    made = record(duty_list, head_sanitation, 14)
    service.duty_record_review(record=made, by=leader_li, accept=False, opinion="日期有误。")
    with pytest.raises(ValidationError) as refused:
        service.duty_record_resubmit(record=made, by=head_sanitation,
                                     items=items(duty_list, 14), kind="meeting",
                                     date=TODAY - datetime.timedelta(days=30),
                                     summary=made.summary)
    assert "补录" in " ".join(refused.value.message_dict["late_reason"])
    made.refresh_from_db()
    assert made.status == "returned" and made.version == 1
