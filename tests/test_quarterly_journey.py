"""The whole quarterly report journey, as the people in it see it."""

from records.models import AuditEvent, Opinion, QuarterlyReport

from .conftest import open_task, review, submit


def test_head_finds_the_opened_report_in_the_inbox(sanitation_report, head_sanitation, client_for):
    page = client_for(head_sanitation).get("/workflow/inbox/").content.decode()
    assert "市容环境卫生管理处" in page
    assert "2026" in page


def test_open_submit_return_resubmit_sign_off(sanitation_report, head_sanitation, leader_li,
                                              client_for):
    head, leader = client_for(head_sanitation), client_for(leader_li)

    assert open_task(sanitation_report).owner == head_sanitation
    assert submit(head, sanitation_report).status_code == 302
    sanitation_report.refresh_from_db()
    assert sanitation_report.status == QuarterlyReport.Status.SUBMITTED
    assert open_task(sanitation_report).owner == leader_li

    assert review(leader, sanitation_report, "return", "请补充“四风”问题排查情况。").status_code == 302
    sanitation_report.refresh_from_db()
    assert sanitation_report.status == QuarterlyReport.Status.RETURNED
    draft = open_task(sanitation_report)
    assert draft.owner == head_sanitation

    # the drafter sees the opinion on the revision page
    page = head.get(draft.flow_task.reverse("execute", args=[draft.process_id, draft.pk]))
    assert "请补充“四风”问题排查情况。" in page.content.decode()

    submit(head, sanitation_report, problems="发现公车私用苗头 1 起，已提醒谈话。")
    review(leader, sanitation_report, "sign_off", "同意。")
    sanitation_report.refresh_from_db()
    assert sanitation_report.status == QuarterlyReport.Status.SIGNED_OFF
    assert sanitation_report.version == 2
    assert sanitation_report.signed_off_by == leader_li
    assert sanitation_report.process.status == "DONE"
    assert list(Opinion.objects.filter(report=sanitation_report).values_list("kind", "version")) == [
        ("return", 1), ("sign_off", 2)]

    # history shows every step in order, with the opinions
    page = head.get(f"/reports/{sanitation_report.pk}/").content.decode()
    positions = [page.index(text) for text in ("请补充“四风”问题排查情况。", "同意。")]
    assert positions == sorted(positions)
    assert page.count("leader_li") + page.count("李明") >= 2
    actions = list(AuditEvent.objects.filter(target_id=str(sanitation_report.pk))
                   .values_list("action", flat=True))
    assert actions.count("report.submit") == 2 and "report.sign_off" in actions
