"""When the chain changes, who may see what follows — in the background."""

import datetime

from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from accounts.models import Delegation, Oversight, Post
from records.permissions import can_view

from .conftest import open_task, review, submit

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)


def test_a_new_supervising_leader_sees_open_items_and_the_old_one_keeps_only_what_he_acted_on(
        bureau, unit, head_sanitation, leader_li, leader_wang, client_for,
        django_capture_on_commit_callbacks):
    from flows.opening import open_report

    sanitation = unit("sanitation")
    acted_on = open_report(unit=sanitation, year=2026, quarter=2)
    submit(client_for(head_sanitation), acted_on)
    review(client_for(leader_li), acted_on, "sign_off", "同意。")
    still_open = open_report(unit=sanitation, year=2026, quarter=3)
    assert can_view(leader_li, still_open) and not can_view(leader_wang, still_open)

    with django_capture_on_commit_callbacks(execute=True):
        Oversight.objects.filter(unit=sanitation).update(valid_to=YESTERDAY)
        moved = Oversight(leader=leader_wang, unit=sanitation, valid_from=TODAY)
        moved.full_clean()
        moved.save()

    for user in (leader_li, leader_wang):
        user._dutychain_roles = None  # a fresh request would start without the cache
    assert can_view(leader_wang, still_open)
    assert not can_view(leader_li, still_open)
    assert can_view(leader_li, acted_on)  # he signed it off
    assert not can_view(leader_wang, acted_on)  # closed before his time


def test_a_delegation_moves_open_steps_and_its_end_takes_them_back(
        sanitation_report, head_sanitation, leader_li, leader_zhao, client_for,
        django_capture_on_commit_callbacks):
    submit(client_for(head_sanitation), sanitation_report)
    assert open_task(sanitation_report).owner == leader_li
    with django_capture_on_commit_callbacks(execute=True):
        delegation = Delegation.objects.create(absent=leader_li, acting=leader_zhao,
                                               valid_from=TODAY, reason="出差")
    task = open_task(sanitation_report)
    assert task.owner == leader_zhao and task.data["on_behalf_of"] == leader_li.pk
    assert can_view(leader_zhao, sanitation_report)

    with django_capture_on_commit_callbacks(execute=True):
        delegation.valid_from = TODAY - datetime.timedelta(days=5)
        delegation.valid_to = YESTERDAY
        delegation.save()
    task = open_task(sanitation_report)
    assert task.owner == leader_li and not task.data["on_behalf_of"]
    assert not can_view(leader_zhao, sanitation_report)  # he never acted on it


def test_a_head_whose_post_ends_is_logged_out_everywhere_and_the_new_head_sees_the_drafts(
        sanitation_report, head_sanitation, head_legal, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(head_sanitation)
    assert Session.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        Post.objects.filter(user=head_sanitation).update(valid_to=YESTERDAY)
        post = Post.objects.get(user=head_sanitation)
        post.save()  # as the admin form would
        Post.objects.create(user=head_legal, unit=sanitation_report.unit, role="head",
                            valid_from=TODAY)
    assert Session.objects.count() == 0
    assert client.get("/workflow/inbox/").status_code == 302  # back to the login page
    assert can_view(head_legal, sanitation_report)
    assert not can_view(head_sanitation, sanitation_report)


def test_org_chart_changes_in_the_admin_are_audited_with_who_made_them(bureau, unit, client_for):
    from accounts.models import User
    from records.models import AuditEvent

    admin = User.objects.get(username="admin")
    client_for(admin).post("/admin/accounts/delegation/add/", {
        "absent": User.objects.get(username="leader_li").pk,
        "acting": User.objects.get(username="leader_wang").pk,
        "valid_from": TODAY.isoformat(), "reason": "出差"})
    event = AuditEvent.objects.get(action="orgchart.delegation.create")
    assert event.actor == admin and event.data["after"]["reason"] == "出差"
