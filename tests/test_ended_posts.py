"""A person whose post has ended, or whose delegation has run out, acts no more (issue 15.1).

Sessions and tokens go with the last post; the login page and the token endpoint refuse a
person without a post, saying why; and every action asks, at the moment it is taken,
whether the actor still holds the step's post today — or acts under a delegation valid
today — not only whether the task is theirs.
"""

import datetime

from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import chain
from accounts.models import Delegation, Oversight, Post, User
from records.models import AuditEvent, Notification, QuarterlyReport

from .conftest import open_task, submit, task_url

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)
NO_POST = "岗位"


def token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0]}")
    return client


def end_post(user, *, by_admin=True):
    """End ``user``'s posts yesterday: through a save, as the admin's form does, or (as at
    midnight, when a post's last day passes) without one."""
    Post.objects.filter(user=user).update(valid_to=YESTERDAY)
    if by_admin:
        for post in Post.objects.filter(user=user):
            post.save()
    else:
        chain.chart_changed()  # a new day: nothing the chain remembered holds


def test_ending_a_heads_last_post_revokes_tokens_and_sessions_and_refuses_a_new_login(
        sanitation_report, head_sanitation, django_capture_on_commit_callbacks):
    browser = Client()
    browser.force_login(head_sanitation)
    api = token_client(head_sanitation)
    assert api.get("/api/v1/me/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        end_post(head_sanitation)

    assert not Token.objects.filter(user=head_sanitation).exists()
    assert Session.objects.count() == 0
    assert api.get("/api/v1/me/").status_code == 401
    event = AuditEvent.objects.filter(action="account.logout_everywhere").last()
    assert event.data["tokens"] == 1 and event.data["sessions"] == 1

    # a new token and a new login are refused, with the reason
    obtained = APIClient().post("/api/v1/auth/token/", {"username": "head_sanitation",
                                                       "password": "demo-pass-123"})
    assert obtained.status_code == 403 and NO_POST in obtained.json()["detail"]
    assert not Token.objects.filter(user=head_sanitation).exists()
    login = Client().post("/accounts/login/", {"username": "head_sanitation",
                                               "password": "demo-pass-123"})
    assert login.status_code == 200 and NO_POST in login.content.decode()


def test_a_post_that_ended_at_midnight_is_refused_on_the_next_request_with_its_session_or_token(
        sanitation_report, head_sanitation):
    browser = Client()
    browser.force_login(head_sanitation)
    api = token_client(head_sanitation)
    end_post(head_sanitation, by_admin=False)  # no save: the day simply passed

    refused = api.post(f"/api/v1/tasks/{open_task(sanitation_report).pk}/save/",
                       {"work_done": "不该保存。"}, format="json")
    assert refused.status_code == 401 and NO_POST in refused.json()["detail"]
    page = browser.get(task_url(open_task(sanitation_report)), follow=True)
    assert page.redirect_chain[-1][0].startswith("/accounts/login/")
    assert NO_POST in page.content.decode()
    sanitation_report.refresh_from_db()
    assert sanitation_report.work_done == ""


def test_the_nightly_job_signs_out_a_person_whose_last_post_ended_yesterday(
        sanitation_report, head_sanitation, head_legal):
    from flows.tasks import rederive_grants_for_today

    Client().force_login(head_sanitation)
    Client().force_login(head_legal)
    token_client(head_sanitation)
    end_post(head_sanitation, by_admin=False)
    rederive_grants_for_today()
    assert not Token.objects.filter(user=head_sanitation).exists()
    assert [s.get_decoded()["_auth_user_id"] for s in Session.objects.all()] == [
        str(head_legal.pk)]


def test_an_administrator_without_a_post_still_signs_in(bureau):
    User.objects.create_superuser("keeper", password="Xq7-long-enough-9")
    response = Client().post("/accounts/login/", {"username": "keeper",
                                                  "password": "Xq7-long-enough-9"})
    assert response.status_code == 302


def test_a_head_moved_to_another_unit_can_no_longer_submit_the_old_units_report(
        sanitation_report, head_sanitation, unit, client_for, django_capture_on_commit_callbacks):
    # the head moves to the legal division; sanitation has nobody yet (a step with no
    # successor stays where it is, but its old owner may not act on it)
    with django_capture_on_commit_callbacks(execute=True):
        end_post(head_sanitation)
        Post.objects.create(user=head_sanitation, unit=unit("legal"), role=Post.Role.HEAD,
                            valid_from=TODAY)
    task = open_task(sanitation_report)
    assert task.owner == head_sanitation

    page = client_for(head_sanitation).get(task_url(task))
    assert page.status_code == 403 and "不再担任" in page.content.decode()
    posted = client_for(head_sanitation).post(task_url(task), {
        "work_done": "冒名提交。", "_submit": "1"})
    assert posted.status_code == 403
    api = token_client(head_sanitation).post(f"/api/v1/tasks/{task.pk}/submit/",
                                             {"work_done": "冒名提交。"}, format="json")
    assert api.status_code == 403 and "不再担任" in api.json()["detail"]
    sanitation_report.refresh_from_db()
    assert sanitation_report.status == QuarterlyReport.Status.DRAFT
    assert sanitation_report.work_done == ""
    # the administrators and the secretary are told that the step has nobody
    told = Notification.objects.filter(kind=Notification.Kind.NO_HOLDER)
    assert {n.recipient.username for n in told} == {"admin", "secretary"}
    assert "没有单位负责人" in told.first().body


def test_an_expired_delegation_is_not_honoured_before_the_nightly_rederivation(
        sanitation_report, head_sanitation, leader_li, leader_zhao, client_for,
        django_capture_on_commit_callbacks):
    submit(client_for(head_sanitation), sanitation_report)
    with django_capture_on_commit_callbacks(execute=True):
        delegation = Delegation.objects.create(absent=leader_li, acting=leader_zhao,
                                               valid_from=TODAY - datetime.timedelta(days=5),
                                               reason="出差")
    task = open_task(sanitation_report)
    assert task.owner == leader_zhao
    # the delegation's last day was yesterday; the night's re-derivation has not run
    Delegation.objects.filter(pk=delegation.pk).update(valid_to=YESTERDAY)
    chain.chart_changed()  # a new day: nothing the chain remembered holds

    page = client_for(leader_zhao).post(task_url(task), {"opinion": "同意。", "_sign_off": "1"})
    assert page.status_code == 403 and "委托" in page.content.decode()
    api = token_client(leader_zhao).post(f"/api/v1/tasks/{task.pk}/sign_off/",
                                         {"opinion": "同意。"}, format="json")
    assert api.status_code == 403 and "委托" in api.json()["detail"]
    sanitation_report.refresh_from_db()
    assert sanitation_report.status == QuarterlyReport.Status.SUBMITTED


def test_a_leader_whose_oversight_moved_cannot_sign_off_before_the_step_follows(
        sanitation_report, head_sanitation, leader_li, leader_wang, client_for, unit):
    submit(client_for(head_sanitation), sanitation_report)
    task = open_task(sanitation_report)
    assert task.owner == leader_li
    # as at midnight: the oversight's period ended, the new one began, nothing re-derived
    Oversight.objects.filter(unit=unit("sanitation")).update(valid_to=YESTERDAY)
    Oversight.objects.bulk_create([Oversight(leader=leader_wang, unit=unit("sanitation"),
                                             valid_from=TODAY)])
    chain.chart_changed()  # a new day: nothing the chain remembered holds
    response = client_for(leader_li).post(task_url(task), {"opinion": "同意。",
                                                           "_sign_off": "1"})
    assert response.status_code == 403
    bulk = token_client(leader_li).post("/api/v1/tasks/bulk/sign_off/",
                                        {"tasks": [task.pk]}, format="json")
    assert bulk.json()[0]["ok"] is False and "不再担任" in bulk.json()[0]["error"]
    sanitation_report.refresh_from_db()
    assert sanitation_report.status == QuarterlyReport.Status.SUBMITTED


def test_the_acting_leader_of_a_delegation_valid_today_signs_off(
        sanitation_report, head_sanitation, leader_li, leader_zhao, client_for,
        django_capture_on_commit_callbacks):
    submit(client_for(head_sanitation), sanitation_report)
    with django_capture_on_commit_callbacks(execute=True):
        Delegation.objects.create(absent=leader_li, acting=leader_zhao, valid_from=TODAY,
                                  reason="出差")
    task = open_task(sanitation_report)
    response = client_for(leader_zhao).post(task_url(task), {"opinion": "同意。",
                                                             "_sign_off": "1"})
    assert response.status_code == 302
    sanitation_report.refresh_from_db()
    assert sanitation_report.status == QuarterlyReport.Status.SIGNED_OFF
