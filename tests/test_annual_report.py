"""The leader's annual report (年度履责情况汇报, seed duty 6): opened every January for each
member of the leadership group, drafted in four sections with an annex DutyChain fills,
signed off or returned by the secretary; every approval action works for it."""

import datetime

import pytest
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import Post
from flows.opening import annual_opening_day, open_annual_reports, open_report
from flows.registration import register_problems
from flows.reminders import sweep
from records.deadlines import annual_report_due_date
from records.models import AnnualReport, Notification, Opinion, QuarterlyReport

from .conftest import open_task, review, submit, task_url

SECTIONS = {"work_done": "全年听取分管处室季度汇报 12 次，开展谈心谈话 9 人次。",
            "problems": "督导检查深度不够。", "next_steps": "每季度到分管处室调研一次。",
            "integrity": "严格遵守中央八项规定精神，无违规收受礼品礼金。"}


def _report(username, year=2025):
    return AnnualReport.objects.get(leader__username=username, year=year)


def test_the_opening_day_is_the_first_working_day_of_january(bureau):
    # 2026: New Year's Day and the two days after are off; Sunday 4 January is worked
    assert annual_opening_day(2025) == datetime.date(2026, 1, 4)
    assert annual_opening_day(2024) == datetime.date(2025, 1, 2)


def test_the_deadline_is_20_january_or_the_last_working_day_before_it(bureau, settings):
    assert annual_report_due_date(2025) == datetime.date(2026, 1, 20)  # a Tuesday
    settings.DUTYCHAIN_ANNUAL_REPORT_DUE = "01-03"  # a holiday, after two more
    assert annual_report_due_date(2025) == datetime.date(2025, 12, 31)
    settings.DUTYCHAIN_ANNUAL_REPORT_DUE = "01-04"  # a Sunday worked in lieu
    assert annual_report_due_date(2025) == datetime.date(2026, 1, 4)


def test_january_opens_one_report_per_leadership_member_of_the_opening_day(
        bureau, leader_li, leader_wang, leader_zhao, secretary):
    opened, problems = open_annual_reports(year=2025)
    assert (opened, problems) == (3, [])
    reports = AnnualReport.objects.filter(year=2025)
    assert {r.leader for r in reports} == {leader_li, leader_wang, leader_zhao}
    for report in reports:
        assert report.status == "draft" and report.unit.code == "bureau"
        assert report.due_date == report.step_due_date == datetime.date(2026, 1, 20)
        assert open_task(report).owner == report.leader
    # the secretary is in no leadership group of their own: no report
    assert not AnnualReport.objects.filter(leader=secretary).exists()
    assert open_annual_reports(year=2025) == (0, [])


def test_who_joins_or_leaves_the_group_gets_or_loses_the_report_by_the_opening_day(
        bureau, leader_zhao, leader_wang, head_legal):
    day = annual_opening_day(2025)
    # leader_zhao left the group before the opening day, leader_wang after it
    Post.objects.filter(user=leader_zhao, role="leader").update(
        valid_to=day - datetime.timedelta(days=1))
    Post.objects.filter(user=leader_wang, role="leader").update(
        valid_to=day + datetime.timedelta(days=30))
    # head_legal joined the group after the opening day
    Post.objects.create(user=head_legal, unit=bureau, role="leader",
                        valid_from=day + datetime.timedelta(days=1))
    open_annual_reports(year=2025)
    assert set(AnnualReport.objects.values_list("leader__username", flat=True)) == {
        "leader_li", "leader_wang"}


def test_the_annex_lists_the_units_overseen_with_their_reports_and_problems(
        bureau, unit, leader_li, jiwei_chen, client_for, secretary):
    open_report(unit=unit("sanitation"), year=2025, quarter=4)
    open_annual_reports(year=2025)
    report = _report("leader_li")
    rows = {row["code"]: row for row in report.annex["units"]}
    assert set(rows) == {"legal", "sanitation", "facilities", "command"}
    assert rows["sanitation"]["reports"] == {"1": "", "2": "", "3": "", "4": "draft"}
    assert rows["sanitation"]["open_problems"] == 0
    # a problem found later counts in the annex the secretary reads at the submission
    register_problems(by=jiwei_chen, source="spot_check", found_on=datetime.date(2026, 11, 2),
                      items=[{"unit": unit("sanitation"), "category": "formalism",
                              "description": "台账造假"}])
    submit(client_for(leader_li), report, **SECTIONS)
    report.refresh_from_db()
    rows = {row["code"]: row for row in report.annex["units"]}
    assert rows["sanitation"]["open_problems"] == 1
    html = client_for(secretary).get(
        reverse("annual_reports:detail", args=[report.pk])).content.decode()
    for code in rows:
        assert unit(code).name in html


def test_a_leader_drafts_submits_and_the_secretary_returns_then_signs_off(
        bureau, leader_li, secretary, client_for):
    open_annual_reports(year=2025)
    report = _report("leader_li")
    leader, boss = client_for(leader_li), client_for(secretary)

    # a draft saved is not submitted, and a submission needs the duties described
    task = open_task(report)
    response = leader.post(task_url(task), {"work_done": "草稿", "_save": "1"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.work_done, report.status, report.version) == ("草稿", "draft", 0)
    response = leader.post(task_url(task), {"work_done": "", "_submit": "1"})
    assert response.status_code == 200 and "_submit" in response.content.decode()

    assert submit(leader, report, **SECTIONS).status_code == 302
    report.refresh_from_db()
    assert (report.status, report.version, report.integrity) == (
        "submitted", 1, SECTIONS["integrity"])
    review_task = open_task(report)
    assert review_task.owner == secretary and review_task.flow_task.name == "review"
    assert review_task in Task.objects.filter(owner=secretary, status=STATUS.ASSIGNED)

    assert review(boss, report, "return", "廉洁自律部分请写具体。").status_code == 302
    report.refresh_from_db()
    assert report.status == "returned"
    assert open_task(report).owner == leader_li
    assert submit(leader, report, **{**SECTIONS, "integrity": "逐项说明：无。"}).status_code == 302
    report.refresh_from_db()
    assert report.version == 2

    # the second version against the first: the integrity section changed
    page = boss.get(reverse("annual_reports:version", args=[report.pk, 2]))
    assert page.status_code == 200 and "逐项说明" in page.content.decode()

    assert review(boss, report, "sign_off", "同意。").status_code == 302
    report.refresh_from_db()
    assert (report.status, report.signed_off_by) == ("signed_off", secretary)
    assert not Task.objects.filter(process_id=report.process_id, status=STATUS.ASSIGNED,
                                   flow_task_type="HUMAN").exists()
    assert [o.kind for o in Opinion.objects.of(report)] == ["return", "sign_off"]
    # archived: read-only, nothing to act on
    page = leader.get(reverse("annual_reports:detail", args=[report.pk]))
    assert page.status_code == 200
    assert SECTIONS["work_done"] in page.content.decode()
    assert "/execute/" not in page.content.decode()


def test_the_leader_withdraws_before_the_secretary_acts(bureau, leader_li, client_for):
    open_annual_reports(year=2025)
    report = _report("leader_li")
    leader = client_for(leader_li)
    submit(leader, report, **SECTIONS)
    response = leader.post(reverse("annual_reports:withdraw", args=[report.pk]),
                           {"reason": "补充材料"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "draft"
    assert open_task(report).owner == leader_li


def test_others_cannot_see_a_leaders_report(bureau, leader_li, leader_wang, head_sanitation,
                                            secretary, jiwei_chen, client_for):
    open_annual_reports(year=2025)
    report = _report("leader_li")
    url = reverse("annual_reports:detail", args=[report.pk])
    for user in (leader_wang, head_sanitation):
        assert client_for(user).get(url).status_code == 404
    for user in (leader_li, secretary, jiwei_chen):
        assert client_for(user).get(url).status_code == 200
    listing = client_for(leader_wang).get(reverse("annual_reports:index")).content.decode()
    assert str(report) not in listing and str(_report("leader_wang")) in listing


def test_the_approval_sheet_and_the_urge_work_for_it(bureau, leader_li, jiwei_chen,
                                                      client_for):
    open_annual_reports(year=2025)
    report = _report("leader_li")
    leader = client_for(leader_li)
    submit(leader, report, **SECTIONS)
    pdf = leader.get(reverse("annual_reports:sheet_pdf", args=[report.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    docx = leader.get(reverse("annual_reports:sheet_docx", args=[report.pk]))
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    # the committee urges the secretary, who has it
    response = client_for(jiwei_chen).post(reverse("annual_reports:urge", args=[report.pk]),
                                           {"message": "请尽快审阅。"})
    assert response.status_code == 302
    assert Notification.objects.filter(recipient__username="secretary", kind="urged").exists()


def test_the_leader_is_reminded_before_the_deadline(bureau, leader_li):
    open_annual_reports(year=2025)
    report = _report("leader_li")
    counts = sweep(today=datetime.date(2026, 1, 19))
    assert counts.get("due_soon", 0) >= 3
    note = Notification.objects.get(recipient=leader_li, kind="due_soon")
    assert note.url == reverse("annual_reports:detail", args=[report.pk])


def test_a_leader_who_left_the_group_can_no_longer_act_on_it(bureau, leader_li, client_for):
    open_annual_reports(year=2025)
    report = _report("leader_li")
    Post.objects.filter(user=leader_li, role="leader").update(
        valid_to=datetime.date.today() - datetime.timedelta(days=1))
    response = client_for(leader_li).post(task_url(open_task(report)),
                                          {**SECTIONS, "_submit": "1"})
    assert response.status_code in (302, 403)
    report.refresh_from_db()
    assert report.status == "draft"


def test_the_committee_cancels_one_opened_in_error(bureau, jiwei_chen, client_for):
    open_annual_reports(year=2025)
    report = _report("leader_zhao")
    response = client_for(jiwei_chen).post(reverse("annual_reports:cancel", args=[report.pk]),
                                           {"opinion": "已调离领导班子。"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "cancelled"
    # the January run does not open it again
    assert open_annual_reports(year=2025) == (0, [])
    assert QuarterlyReport.objects.count() == 0


@pytest.mark.parametrize("value", ["13-01", "0120", "02-29", ""])
def test_a_deadline_setting_that_is_no_day_of_the_year_stops_the_checks(settings, value):
    from records.checks import annual_report_due_check

    settings.DUTYCHAIN_ANNUAL_REPORT_DUE = value
    [error] = annual_report_due_check()
    assert error.id == "records.E001" and "month-day" in error.hint
