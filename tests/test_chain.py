"""The org chart and the chain resolver: who heads, who oversees, who acts for whom, on a day."""

import datetime
import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from viewflow.workflow.models import Process, Task

from accounts import chain
from accounts.models import Delegation, Oversight, Post, Unit, User
from demo.bureau import load_demo
from flows.opening import open_quarter, open_report
from records.models import Opinion, QuarterlyReport

from .conftest import is_postgres, open_task, review, submit

ONE_DAY = datetime.timedelta(days=1)





@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def admin_user(bureau):
    return User.objects.get(username="admin")


def history_rows(page: str) -> list[str]:
    """The text of each row of the report page's history table."""
    table = page[page.index("dc-history") :]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    return [re.sub(r"<[^>]+>", " ", row) for row in body.split("<tr>")[1:]]


def row_with(rows: list[str], text: str) -> str:
    [row] = [row for row in rows if text in row]
    return row


def sanitation_oversight(unit):
    return Oversight.objects.get(unit=unit("sanitation"))


# --- the org chart on a date -------------------------------------------------------------


def test_head_and_supervisor_are_read_on_the_day_asked(
    unit, head_sanitation, leader_li, leader_wang
):
    sanitation = unit("sanitation")
    oversight = sanitation_oversight(unit)
    oversight.valid_to = date(2026, 6, 30)
    oversight.full_clean()
    oversight.save()
    Post.objects.filter(unit=sanitation, role=Post.Role.HEAD).update(valid_to=date(2026, 6, 30))
    successor = User.objects.create(username="head_sanitation_2", name="钱进")
    Post.objects.create(
        user=successor, unit=sanitation, role=Post.Role.HEAD, valid_from=date(2026, 7, 1)
    )
    handover = Oversight(leader=leader_wang, unit=sanitation, valid_from=date(2026, 7, 1))
    handover.full_clean()  # back-to-back with leader_li's period: no overlap
    handover.save()

    assert chain.head_of(sanitation, date(2021, 12, 31)) is None  # before the demo's posts
    assert chain.head_of(sanitation, date(2026, 6, 30)) == head_sanitation
    assert chain.head_of(sanitation, date(2026, 7, 1)) == successor
    assert chain.supervisor_of(sanitation, date(2026, 6, 30)) == leader_li
    assert chain.supervisor_of(sanitation, date(2026, 7, 1)) == leader_wang
    assert [u.code for u in chain.units_overseen_by(leader_wang, date(2026, 7, 1))] == [
        "office",
        "personnel",
        "finance",
        "sanitation",
    ]


def test_a_squad_without_its_own_oversight_goes_to_its_parents_leader(unit, leader_zhao):
    squad3 = Unit.objects.create(
        code="squad3", name="执法三大队", kind=Unit.Kind.SQUAD, parent=unit("enforcement")
    )

    assert not Oversight.objects.filter(unit=squad3).exists()
    assert chain.supervisor_of(squad3) == leader_zhao
    assert chain.supervisor_assignee(squad3) == chain.Assignee(leader_zhao, None)


def test_a_unit_with_no_leader_up_the_tree_is_a_chain_gap(bureau):
    orphan = Unit.objects.create(
        code="archive", name="档案室", kind=Unit.Kind.DIVISION, parent=bureau
    )

    assert chain.supervisor_of(orphan) is None
    with pytest.raises(chain.ChainGap, match="档案室"):
        chain.supervisor_assignee(orphan)


def test_an_overlapping_oversight_fails_validation_with_a_message(unit, leader_wang):
    clash = Oversight(leader=leader_wang, unit=unit("sanitation"), valid_from=date(2026, 1, 1))

    with pytest.raises(ValidationError) as refused:
        clash.full_clean()
    message = " ".join(refused.value.messages)
    assert "李明" in message and "市容环境卫生管理处" in message


def test_the_database_refuses_an_overlapping_oversight_on_postgresql(unit, leader_wang):
    if not is_postgres():
        pytest.skip("the exclusion constraint exists on PostgreSQL only")
    sanitation = unit("sanitation")

    with pytest.raises(IntegrityError), transaction.atomic():
        Oversight.objects.create(leader=leader_wang, unit=sanitation, valid_from=date(2026, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        # a bounded period inside leader_li's open-ended one
        Oversight.objects.create(
            leader=leader_wang,
            unit=sanitation,
            valid_from=date(2023, 1, 1),
            valid_to=date(2023, 1, 1),
        )
    assert Oversight.objects.filter(unit=sanitation).count() == 1


def test_back_to_back_oversights_are_fine(unit, leader_li, leader_wang):
    oversight = sanitation_oversight(unit)
    oversight.valid_to = date(2026, 6, 30)
    oversight.save()

    # straight to the database too: on PostgreSQL the constraint must agree with clean()
    with transaction.atomic():
        Oversight.objects.create(
            leader=leader_wang, unit=unit("sanitation"), valid_from=date(2026, 7, 1)
        )
    for row in Oversight.objects.filter(unit=unit("sanitation")):
        row.full_clean()
    assert Oversight.objects.filter(unit=unit("sanitation")).count() == 2


# --- the chain at work in the quarterly report ------------------------------------------


def test_a_leader_moved_before_review_gets_the_review_and_history_keeps_the_drafter(
    sanitation_report, unit, head_sanitation, leader_li, leader_wang, client_for, today
):
    oversight = sanitation_oversight(unit)
    oversight.valid_to = today - ONE_DAY
    oversight.full_clean()
    oversight.save()
    handover = Oversight(leader=leader_wang, unit=unit("sanitation"), valid_from=today)
    handover.full_clean()
    handover.save()

    head = client_for(head_sanitation)
    assert submit(head, sanitation_report).status_code == 302

    assert open_task(sanitation_report).owner == leader_wang
    draft = Task.objects.get(
        process_id=sanitation_report.process_id, flow_task_type="HUMAN", status="DONE"
    )
    assert draft.flow_task.name == "draft" and draft.owner == head_sanitation
    rows = history_rows(head.get(f"/reports/{sanitation_report.pk}/").content.decode())
    assert "何平" in rows[1]  # the draft step, after the "opened" row
    assert "王志强" in rows[2]  # the review step
    assert not any("李明" in row for row in rows)


def test_a_delegation_in_force_sends_the_review_to_the_acting_leader(
    sanitation_report, head_sanitation, leader_li, leader_zhao, client_for, today
):
    Delegation.objects.create(
        absent=leader_li,
        acting=leader_zhao,
        valid_from=today - ONE_DAY,
        valid_to=today + ONE_DAY,
        reason="出差",
    )

    submit(client_for(head_sanitation), sanitation_report)

    task = open_task(sanitation_report)
    assert task.owner == leader_zhao
    assert task.data["on_behalf_of"] == leader_li.pk
    acting = client_for(leader_zhao)
    rows = history_rows(acting.get(f"/reports/{sanitation_report.pk}/").content.decode())
    assert "李明" in row_with(rows, "赵刚")  # 赵刚 (acting for 李明)

    assert review(acting, sanitation_report, "sign_off", "同意。").status_code == 302
    opinion = Opinion.objects.get(report=sanitation_report)
    assert (opinion.author, opinion.on_behalf_of, opinion.kind) == (
        leader_zhao,
        leader_li,
        "sign_off",
    )
    sanitation_report.refresh_from_db()
    assert sanitation_report.status == QuarterlyReport.Status.SIGNED_OFF


def test_a_delegation_that_ended_yesterday_has_no_effect(
    sanitation_report, head_sanitation, leader_li, leader_zhao, client_for, today
):
    Delegation.objects.create(
        absent=leader_li,
        acting=leader_zhao,
        valid_from=today - 7 * ONE_DAY,
        valid_to=today - ONE_DAY,
    )

    submit(client_for(head_sanitation), sanitation_report)

    task = open_task(sanitation_report)
    assert task.owner == leader_li
    assert task.data["on_behalf_of"] is None


def test_a_delegation_cycle_does_not_loop(unit, leader_li, leader_zhao, today):
    Delegation.objects.create(absent=leader_li, acting=leader_zhao, valid_from=today)
    Delegation.objects.create(absent=leader_zhao, acting=leader_li, valid_from=today)

    assert chain.acting_for(leader_li) == leader_zhao
    assert chain.acting_for(leader_zhao) == leader_li
    assert chain.supervisor_assignee(unit("sanitation")) == chain.Assignee(leader_zhao, leader_li)


def test_a_unit_whose_head_left_cannot_open_a_report_and_nothing_is_created(unit, today):
    sanitation = unit("sanitation")
    Post.objects.filter(unit=sanitation, role=Post.Role.HEAD).update(valid_to=today - ONE_DAY)

    with pytest.raises(chain.ChainGap, match="市容环境卫生管理处"):
        open_report(unit=sanitation, year=2026, quarter=3)
    assert not QuarterlyReport.objects.exists()
    assert not Process.objects.exists()

    # opening the whole quarter goes on for the other units and names the gap
    opened, problems = open_quarter(year=2026, quarter=3)
    assert opened == 9
    assert len(problems) == 1 and "市容环境卫生管理处" in problems[0]
    assert not QuarterlyReport.objects.filter(unit=sanitation).exists()


def test_loading_the_demo_twice_changes_nothing(bureau):
    def snapshot():
        return (
            load_demo(password="other-pass"),
            Post.history.count(),
            Oversight.history.count(),
            User.objects.get(username="leader_li").password,
        )

    first = snapshot()
    assert snapshot() == first
    assert first[0] == {"units": 11, "users": 19, "posts": 19, "oversights": 10}


# --- the administrator's pages ----------------------------------------------------------


def test_the_admin_lists_oversights(admin_user, client_for):
    page = client_for(admin_user).get("/admin/accounts/oversight/")

    assert page.status_code == 200
    text = page.content.decode()
    for name in ("市容环境卫生管理处", "执法二大队", "李明", "王志强", "赵刚"):
        assert name in text


def test_the_admin_shows_a_units_history(admin_user, unit, client_for):
    sanitation = unit("sanitation")
    sanitation.name = "市容环境卫生处"
    sanitation.save()

    page = client_for(admin_user).get(f"/admin/accounts/unit/{sanitation.pk}/history/")

    assert page.status_code == 200
    text = page.content.decode()
    assert "市容环境卫生管理处" in text and "市容环境卫生处" in text


def test_changing_an_oversight_in_the_admin_is_kept_in_its_history(
    admin_user, unit, leader_li, client_for
):
    oversight = sanitation_oversight(unit)
    client = client_for(admin_user)

    response = client.post(
        f"/admin/accounts/oversight/{oversight.pk}/change/",
        {
            "leader": leader_li.pk,
            "unit": oversight.unit_id,
            "valid_from": "2022-01-01",
            "valid_to": "2026-06-30",
        },
    )

    assert response.status_code == 302
    records = list(oversight.history.order_by("history_date"))
    assert [r.history_type for r in records] == ["+", "~"]
    assert (records[0].valid_to, records[1].valid_to) == (None, date(2026, 6, 30))
    assert records[1].history_user == admin_user


def test_the_admin_refuses_an_overlapping_oversight(admin_user, unit, leader_wang, client_for):
    response = client_for(admin_user).post(
        "/admin/accounts/oversight/add/",
        {
            "leader": leader_wang.pk,
            "unit": unit("sanitation").pk,
            "valid_from": "2026-01-01",
            "valid_to": "",
        },
    )

    assert response.status_code == 200
    assert "李明" in response.content.decode()
    assert Oversight.objects.filter(unit=unit("sanitation")).count() == 1
