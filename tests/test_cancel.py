"""Withdrawing: an item opened or registered in error is cancelled with a reason, never deleted."""

from viewflow.workflow.models import Task

from records.models import AuditEvent, Opinion, QuarterlyReport

from .conftest import submit


def test_the_committee_cancels_a_report_with_a_reason_and_it_stays_listed(
        sanitation_report, jiwei_chen, head_sanitation, client_for):
    client = client_for(jiwei_chen)
    page = client.get(f"/reports/{sanitation_report.pk}/").content.decode()
    assert f'action="/reports/{sanitation_report.pk}/cancel/"' in page
    client.post(f"/reports/{sanitation_report.pk}/cancel/", {"opinion": "单位已撤并，误开启。"})
    sanitation_report.refresh_from_db()
    assert sanitation_report.status == QuarterlyReport.Status.CANCELLED
    assert not Task.objects.filter(process_id=sanitation_report.process_id,
                                   status="ASSIGNED").exists()
    assert Opinion.objects.get(report=sanitation_report, kind="cancel").text == "单位已撤并，误开启。"
    assert AuditEvent.objects.filter(action="quarterlyreport.cancel").exists()
    # the head still finds it, cancelled, with the reason; a new one may be opened
    head_page = client_for(head_sanitation).get(f"/reports/{sanitation_report.pk}/")
    assert "单位已撤并，误开启。" in head_page.content.decode()


def test_a_cancel_needs_a_reason_and_only_the_committee_may(sanitation_report, jiwei_chen,
                                                           head_sanitation, leader_li,
                                                           client_for):
    url = f"/reports/{sanitation_report.pk}/cancel/"
    client_for(jiwei_chen).post(url, {"opinion": "  "})
    for person in (head_sanitation, leader_li):
        assert client_for(person).post(url, {"opinion": "不需要了"}).status_code == 404
    sanitation_report.refresh_from_db()
    assert sanitation_report.status == QuarterlyReport.Status.DRAFT
    assert not Opinion.objects.filter(kind="cancel").exists()


def test_a_signed_off_report_cannot_be_cancelled(sanitation_report, head_sanitation, leader_li,
                                                 jiwei_chen, client_for):
    from .conftest import review

    submit(client_for(head_sanitation), sanitation_report)
    review(client_for(leader_li), sanitation_report, "sign_off")
    client_for(jiwei_chen).post(f"/reports/{sanitation_report.pk}/cancel/", {"opinion": "撤销"})
    sanitation_report.refresh_from_db()
    assert sanitation_report.status == QuarterlyReport.Status.SIGNED_OFF


def test_the_committee_cancels_a_problem_registered_in_error(bureau, unit, jiwei_chen,
                                                             client_for):
    from records.models import Problem

    from .test_rectification import new_problem

    problem = new_problem(jiwei_chen, unit("enforcement"))
    client_for(jiwei_chen).post(f"/problems/{problem.pk}/cancel/", {"opinion": "重复登记。"})
    problem.refresh_from_db()
    assert problem.status == Problem.Status.CANCELLED and problem.assignee is None
    ledger = client_for(jiwei_chen).get("/problems/?status=cancelled").content.decode()
    assert f"/problems/{problem.pk}/" in ledger
