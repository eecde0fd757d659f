"""The year-end assessment in Chromium: jiwei_chen starts and opens the year's assessment;
head_sanitation self-scores a line with its reason and submits; leader_li scores the
sanitation division; the committee adjusts a line and adds a bonus with its evidence, then
publishes; the head appeals a line; the secretary's approval is refused while the appeal is
open; the committee answers it; the head accepts the sheet; the secretary approves and the
committee circulates the results."""

import pytest

from records.models.assessments import Appeal, Assessment, ScoreLine, SpecialEntry

from ..duty_helpers import PDF, issued_list
from .conftest import expect, follow, submit_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("on_a_known_day")]

Status = Assessment.Status


@pytest.fixture
def duty_list(demo):
    return issued_list()


def press(page, action: str, url_regex: str) -> None:
    """Open a confirmation (<details data-action=…>) and press its button."""
    page.click(f"details[data-action='{action}'] summary")
    submit_and_wait(page, f"details[data-action='{action}'] button[type=submit]", url_regex)


def score_line(page, line: ScoreLine, form: str, score: str, reason: str, sheet_url: str):
    row = page.locator(f"tbody[data-line='{line.pk}']")
    row.locator(f"form.{form} input[name=score]").fill(score)
    row.locator(f"form.{form} input[name=reason]").fill(reason)
    with page.expect_response(lambda response: response.request.method == "POST"):
        follow(page, row.locator(f"form.{form} button[type=submit]").click, sheet_url)


def test_the_year_end_assessment_from_opening_to_the_circular(duty_list, people):
    committee = people.login("jiwei_chen")
    committee.goto("/assessments/")
    submit_and_wait(committee, "form.dc-create button[type=submit]", r"/assessments/\d+/$")
    assessment = Assessment.objects.get()
    detail = f"/assessments/{assessment.pk}/"
    expect(committee.locator("main .dc-ranking")).to_have_count(2)
    people.shot(committee, "assessment-prepared")
    press(committee, "open", rf"{detail}$")
    expect(committee.locator("li[data-step='self_scoring']")).to_have_attribute(
        "data-state", "current")
    assessment.refresh_from_db()
    assert assessment.status == Status.SELF_SCORING

    sheet = assessment.sheets.get(unit__code="sanitation", subject__isnull=True)
    sheet_url = rf"/assessments/sheets/{sheet.pk}/(#line-\d+)?$"
    lines = list(sheet.lines.select_related("criterion").filter(criterion__kind="manual")
                 .order_by("criterion__number"))
    line = lines[0]
    top = line.criterion.max_points

    head = people.login("head_sanitation")
    head.goto("/assessments/")
    follow(head, head.locator(f"main li[data-sheet='{sheet.pk}'] a").click, sheet_url)
    expect(head.locator("[data-figure='hidden']")).to_have_count(1)
    score_line(head, line, "dc-score", str(top - 1), "全年仅更新一次责任清单。", sheet_url)
    expect(head.locator(f"tbody[data-line='{line.pk}'] [data-col='self']")).to_contain_text(
        "全年仅更新一次责任清单。")
    people.shot(head, "assessment-self-scored")
    press(head, "submit", sheet_url)
    sheet.refresh_from_db()
    assert sheet.self_at is not None

    committee.goto(detail)
    press(committee, "advance", rf"{detail}$")  # to the leaders' scoring

    leader = people.login("leader_li")
    leader.goto("/assessments/")
    follow(leader, leader.locator(f"section.dc-to-score li[data-sheet='{sheet.pk}'] a").click,
           sheet_url)
    score_line(leader, line, "dc-score", str(top - 2), "督查发现清单未分解到岗。", sheet_url)
    press(leader, "submit", sheet_url)
    sheet.refresh_from_db()
    assert sheet.leader_by.username == "leader_li"
    people.shot(leader, "assessment-leader-scored")
    # the head does not see the leader's score before publication
    head.goto(f"/assessments/sheets/{sheet.pk}/")
    expect(head.locator("main")).not_to_contain_text("督查发现清单未分解到岗")

    committee.goto(detail)
    press(committee, "advance", rf"{detail}$")  # to the committee's review
    committee.goto(f"/assessments/sheets/{sheet.pk}/")
    second = lines[1]
    score_line(committee, second, "dc-adjust", "1", "核查会议记录，全年仅开展一次。", sheet_url)
    second.refresh_from_db()
    assert second.adjusted == 1
    form = committee.locator("form.dc-special-form")
    bonus = assessment.units_scheme.criteria.get(special="bonus")
    form.locator("select[name=criterion]").select_option(value=str(bonus.pk))
    form.locator("input[name=points]").fill("1")
    form.locator("textarea[name=reason]").fill("经验做法被市委推广。")
    form.locator("input[name=file]").set_input_files(files=[
        {"name": "推广文件.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    submit_and_wait(committee, "form.dc-special-form button[type=submit]", sheet_url)
    expect(committee.locator("section.dc-specials")).to_contain_text("推广文件.pdf")
    assert SpecialEntry.objects.count() == 1
    people.shot(committee, "assessment-review")
    committee.goto(detail)
    press(committee, "advance", rf"{detail}$")  # published
    assessment.refresh_from_db()
    assert assessment.status == Status.PUBLISHED

    head.goto(f"/assessments/sheets/{sheet.pk}/")
    expect(head.locator("[data-figure='total']")).to_be_visible()
    expect(head.locator("main")).to_contain_text("督查发现清单未分解到岗")
    row = head.locator(f"tbody[data-line='{second.pk}']")
    row.locator("details.dc-appeal-form summary").click()
    row.locator("textarea[name=text]").fill("第二季度另有一次会议记录，请核实。")
    submit_and_wait(head, f"tbody[data-line='{second.pk}'] details.dc-appeal-form "
                          "button[type=submit]", sheet_url)
    appeal = Appeal.objects.get()
    assert appeal.status == Appeal.Status.OPEN

    secretary = people.login("secretary")
    secretary.goto(detail)
    people.guard.expect(400, rf"{detail}act/$")
    press(secretary, "approve", rf"{detail}(act/)?$")  # Turbo keeps the URL of a refusal
    expect(secretary.locator("main .dc-errors")).to_be_visible()
    people.shot(secretary, "assessment-approval-refused")
    assessment.refresh_from_db()
    assert assessment.status == Status.PUBLISHED

    committee.goto(f"/assessments/sheets/{sheet.pk}/")
    answer = committee.locator(f"div[data-appeal='{appeal.pk}'] form.dc-answer")
    answer.locator("input[name=upheld][value=yes]").check()
    answer.locator("input[name=score]").fill("2")
    answer.locator("textarea[name=answer]").fill("核实有记录，改为2分。")
    submit_and_wait(committee, f"div[data-appeal='{appeal.pk}'] form.dc-answer "
                               "button[type=submit]", sheet_url)
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.UPHELD

    head.goto(f"/assessments/sheets/{sheet.pk}/")
    expect(head.locator("main")).to_contain_text("核实有记录，改为2分。")
    submit_and_wait(head, "form.dc-acknowledge button[type=submit]", sheet_url)
    sheet.refresh_from_db()
    assert sheet.acknowledged_at is not None
    people.shot(head, "assessment-accepted")

    secretary.goto(detail)
    press(secretary, "approve", rf"{detail}$")
    assessment.refresh_from_db()
    assert assessment.status == Status.APPROVED
    committee.goto(detail)
    press(committee, "circular", rf"{detail}$")
    follow(committee, committee.locator("main a.dc-circular").click, r"/circulars/\d+/$")
    expect(committee.locator("main")).to_contain_text("市容环境卫生管理处")
    people.shot(committee, "assessment-circular")
