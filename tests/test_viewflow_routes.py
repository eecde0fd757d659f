"""viewflow's own task pages change a process without the product's services and audit
trail (issue 15.3): cancel, undo, revive, a task's detail page, a gate's re-execution and
the flow charts are not mounted. Only a step's page and a link to it are, and no route
answers 500."""

import pytest
from django.urls import get_resolver
from viewflow.workflow.models import Task

from accounts.models import User
from records.models import AuditEvent

from .conftest import open_task, review, submit, task_url

SUPPORTED = {"index", "execute", "process_detail", "inbox", "queue", "archive", "transfer"}


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.name


def test_only_the_steps_pages_are_mounted_under_the_workflow():
    names = {name for route, name in _routes(get_resolver().url_patterns)
             if route.startswith("workflow/")}
    assert names <= SUPPORTED, names - SUPPORTED


@pytest.fixture
def signed_off(sanitation_report, head_sanitation, leader_li, client_for):
    submit(client_for(head_sanitation), sanitation_report)
    review(client_for(leader_li), sanitation_report, "sign_off", "同意。")
    return sanitation_report


@pytest.mark.parametrize("username", ["admin", "leader_li", "secretary"])
def test_cancel_undo_revive_and_detail_of_every_step_answer_404_and_change_nothing(
        signed_off, client_for, username):
    client = client_for(User.objects.get(username=username))
    before = AuditEvent.objects.count()
    tasks = Task.objects.filter(process_id=signed_off.process_id)
    for task in tasks:
        base = f"/workflow/flows/quarterlyreport/{task.process_id}/{task.flow_task.name}/{task.pk}/"
        for action in ("cancel/", "undo/", "revive/", "detail/"):
            assert client.get(base + action).status_code == 404, base + action
            assert client.post(base + action).status_code == 404, base + action
    for chart in ("chart/", f"{signed_off.process_id}/chart/"):
        assert client.get(f"/workflow/flows/quarterlyreport/{chart}").status_code == 404
    assert AuditEvent.objects.count() == before
    assert [t.status for t in Task.objects.filter(process_id=signed_off.process_id)] == \
        [t.status for t in tasks]


def test_a_steps_link_opens_its_page_for_its_owner_and_the_record_for_a_reader(
        sanitation_report, head_sanitation, leader_li, secretary, outsider, client_for):
    submit(client_for(head_sanitation), sanitation_report)
    task = open_task(sanitation_report)
    link = f"/workflow/flows/quarterlyreport/{task.process_id}/review/{task.pk}/"
    assert client_for(leader_li).get(link)["Location"] == task_url(task)
    # the secretary may read the report, and is shown it instead of a task not hers
    assert client_for(secretary).get(link)["Location"] == f"/reports/{sanitation_report.pk}/"
    assert client_for(outsider).get(link).status_code == 404
    # a finished step's link (the archive's) leads to the record
    draft = Task.objects.get(process_id=sanitation_report.process_id,
                             flow_task_type="HUMAN", status="DONE")
    done_link = f"/workflow/flows/quarterlyreport/{draft.process_id}/draft/{draft.pk}/"
    assert client_for(head_sanitation).get(done_link)["Location"] == \
        f"/reports/{sanitation_report.pk}/"
    # with another process's id: 404, whoever asks
    assert client_for(leader_li).get(
        f"/workflow/flows/quarterlyreport/{task.process_id + 999}/review/{task.pk}/"
    ).status_code == 404


def test_the_inbox_and_the_archive_link_each_step_without_an_error(
        sanitation_report, head_sanitation, leader_li, client_for):
    submit(client_for(head_sanitation), sanitation_report)
    for user, page in ((leader_li, "/workflow/inbox/"), (head_sanitation, "/workflow/archive/")):
        response = client_for(user).get(page)
        assert response.status_code == 200
        assert "/workflow/flows/quarterlyreport/" in response.content.decode()
