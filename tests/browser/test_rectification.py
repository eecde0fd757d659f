"""A spot-check problem in Chromium: registered, analysed, approved, rectified with evidence,
closed out, and filed where the stationed group sees it."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Unit
from records.models import Evidence, Opinion, Problem

from .conftest import expect, follow, open_task_page, submit_and_wait

pytestmark = pytest.mark.browser

DESCRIPTION = "执法车辆节日期间私用，未履行派车登记手续。"
OTHER_DESCRIPTION = "环卫作业车辆加油卡管理不规范。"
CLOSE_OUT_OPINION = "整改到位，同意销号。"


def tiny_pdf(text: str) -> bytes:
    """A valid one-page PDF (header, objects, cross-reference table, trailer) saying ``text``."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(pdf)


def test_a_spot_check_problem_is_rectified_closed_out_and_filed_in_the_browser(
        demo, people, tmp_path):
    enforcement = Unit.objects.get(code="enforcement")
    sanitation = Unit.objects.get(code="sanitation")
    found_on = (timezone.localdate() - datetime.timedelta(days=3)).isoformat()
    planned = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()

    # the discipline committee registers the spot check's problem list: two problems
    committee = people.login("jiwei_chen")
    committee.goto("/problems/register/")
    committee.fill("input[name=title]", "2026年节日期间明察暗访")
    committee.select_option("select[name=source]", "spot_check")
    committee.fill("input[name=found_on]", found_on)
    for i, (unit, category, description) in enumerate([
            (enforcement, "hedonism", DESCRIPTION), (sanitation, "extravagance", OTHER_DESCRIPTION)]):
        committee.select_option(f"select[name=p-{i}-unit]", str(unit.pk))
        committee.select_option(f"select[name=p-{i}-category]", category)
        committee.fill(f"textarea[name=p-{i}-description]", description)
    committee.fill("input[name=p-0-person_concerned]", "王某")
    people.shot(committee, "committee-registers")
    submit_and_wait(committee, "main form button[type=submit]", r"/problems/$")
    expect(committee.locator("main table.dc-ledger__table")).to_contain_text(DESCRIPTION)
    expect(committee.locator("main table.dc-ledger__table")).to_contain_text(OTHER_DESCRIPTION)
    people.shot(committee, "committee-ledger")
    problem = Problem.objects.get(unit=enforcement)
    assert problem.status == Problem.Status.ANALYSING
    assert problem.problem_list.title == "2026年节日期间明察暗访"
    assert problem.person_concerned == "王某"

    # the unit head writes the root-cause analysis and the measures
    head = people.login("head_enforcement")
    open_task_page(head, "/analyse/")
    expect(head.locator("main")).to_contain_text(DESCRIPTION)
    head.fill("textarea[name=root_cause]", "车辆管理制度执行不严，节日期间监督缺位。")
    head.fill("textarea[name=measures]", "建立派车登记制度，责任到人；节前开展警示教育。")
    head.fill("input[name=planned_date]", planned)
    people.shot(head, "head-analyses")
    submit_and_wait(head, "button[name=_submit]", rf"/problems/{problem.pk}/$")
    expect(head.locator(".dc-status--plan_review")).to_be_visible()

    # the supervising leader approves the plan
    leader = people.login("leader_zhao")
    open_task_page(leader, "/approve_plan/")
    expect(leader.locator("main")).to_contain_text("建立派车登记制度，责任到人")
    leader.fill("textarea[name=opinion]", "同意整改方案。")
    people.shot(leader, "leader-approves")
    submit_and_wait(leader, "button[name=_approve]", rf"/problems/{problem.pk}/$")
    expect(leader.locator(".dc-status--rectifying")).to_be_visible()
    problem.refresh_from_db()
    assert problem.approved_date.isoformat() == planned

    # the unit head notes progress, uploads a real PDF as evidence, and reports it done
    pdf = tiny_pdf("Vehicle dispatch register, December 2026")
    open_task_page(head, "/rectify/")
    head.fill("textarea[name=text]", "已建立派车登记制度并组织学习。")
    submit_and_wait(head, "button[name=_progress]", r"/rectify/\d+/execute/$")
    expect(head.locator("main")).to_contain_text("已建立派车登记制度并组织学习。")
    head.set_input_files("input[name=file]", files=[
        {"name": "派车登记表.pdf", "mimeType": "application/pdf", "buffer": pdf}])
    submit_and_wait(head, "button[name=_evidence]", r"/rectify/\d+/execute/$")
    expect(head.locator(f"main a[href^='/problems/{problem.pk}/evidence/']")).to_have_text(
        "派车登记表.pdf")
    people.shot(head, "head-rectifies")
    evidence = Evidence.objects.get(problem=problem)
    assert evidence.name == "派车登记表.pdf" and evidence.size == len(pdf)
    submit_and_wait(head, "button[name=_done]", rf"/problems/{problem.pk}/$")
    expect(head.locator(".dc-status--verifying")).to_be_visible()

    # the committee member who registered it verifies and closes it out
    open_task_page(committee, "/verify/")
    expect(committee.locator("main")).to_contain_text("派车登记表.pdf")
    committee.fill("textarea[name=opinion]", CLOSE_OUT_OPINION)
    people.shot(committee, "committee-verifies")
    submit_and_wait(committee, "button[name=_close_out]", rf"/problems/{problem.pk}/$")
    problem.refresh_from_db()
    assert problem.status == Problem.Status.FILED and problem.filed_at is not None
    assert list(Opinion.objects.filter(problem=problem).values_list("kind", flat=True)) == [
        "approve", "close_out"]

    # the stationed group sees it filed, with the opinion and the evidence, read-only
    stationed = people.login("paizhu_sun")
    stationed.goto("/problems/")
    row = stationed.locator(f"tr[data-problem='{problem.pk}']")
    expect(row).to_contain_text(DESCRIPTION[:20])
    expect(stationed.locator("main table.dc-ledger__table")).not_to_contain_text(OTHER_DESCRIPTION)
    follow(stationed, row.locator("a").first.click, rf"/problems/{problem.pk}/$")
    main = stationed.locator("main")
    expect(main.locator(".dc-status--filed")).to_be_visible()
    expect(main).to_contain_text(DESCRIPTION)
    expect(main).to_contain_text(CLOSE_OUT_OPINION)
    expect(main).to_contain_text("已建立派车登记制度并组织学习。")
    expect(main.locator("form")).to_have_count(0)
    expect(main.locator("a[href*='/execute/']")).to_have_count(0)
    people.shot(stationed, "stationed-sees-it-filed")
    with stationed.expect_download() as download:
        stationed.click(f"main a[href='/problems/{problem.pk}/evidence/{evidence.pk}/']")
    saved = tmp_path / "evidence.pdf"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "派车登记表.pdf"
    assert saved.read_bytes() == pdf
    # downloading leaves the page where it was
    assert stationed.url.endswith(f"/problems/{problem.pk}/")
    expect(main.locator(".dc-status--filed")).to_be_visible()
