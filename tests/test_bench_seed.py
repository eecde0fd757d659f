"""The benchmark's generator writes what people pressing the buttons would have written: a
small city built through flows.actions.take equals the same city built page by page."""

import re
from collections import Counter

import pytest
from django.core.management import call_command
from viewflow.workflow.models import Task

from bench.seed import city_size, seed
from records.models import (
    AuditEvent,
    Notification,
    Opinion,
    Problem,
    ProblemUserObjectPermission,
    QuarterlyReport,
    QuarterlyReportUserObjectPermission,
)

SIZE = dict(units=4, years=1, problems_per_unit=8, sweep_days=2)


def _snapshot() -> dict:
    """Everything the city holds, keyed by names rather than ids."""
    reports = {r.pk: f"{r.unit.code}/{r.year}Q{r.quarter}"
               for r in QuarterlyReport.objects.select_related("unit")}
    problems = {p.pk: f"{p.unit.code}/{p.description}"
                for p in Problem.objects.select_related("unit")}
    keys = {**{("quarterlyreport", pk): key for pk, key in reports.items()},
            **{("problem", pk): key for pk, key in problems.items()}}
    by_process = {r.process_id: reports[r.pk] for r in QuarterlyReport.objects.all()}
    by_process |= {p.process_id: problems[p.pk] for p in Problem.objects.all()}

    def target(model, pk):
        return keys.get((model.split(".")[-1], int(pk)), model) if pk.isdigit() else model

    size = city_size()
    del size["audit_events"]  # compared below, without the page path's logins
    return {
        "size": size,
        "reports": sorted(
            (reports[r.pk], r.status, r.version, r.due_date, r.step_due_date, r.submitted_at,
             r.signed_off_at, r.work_done, r.submitted_by.username if r.submitted_by else None)
            for r in QuarterlyReport.objects.select_related("submitted_by")),
        "problems": sorted(
            (problems[p.pk], p.status, p.step, p.assignee.username if p.assignee else None,
             p.due_date, p.planned_date, p.approved_date, p.root_cause, p.registered_at,
             p.rectified_at, p.closed_at, p.filed_at)
            for p in Problem.objects.select_related("assignee")),
        "tasks": sorted(
            (by_process[t.process_id], t.flow_task.name, t.status,
             t.owner.username if t.owner else None, t.created, t.finished)
            for t in Task.objects.select_related("owner")),
        "opinions": sorted(
            ((reports if o.record_type.model == "quarterlyreport" else problems)[o.record_id],
             o.kind, o.text, o.author.username, o.created_at)
            for o in Opinion.objects.select_related("author", "record_type")),
        "grants": sorted(
            [(reports[g.content_object_id], g.user.username) for g in
             QuarterlyReportUserObjectPermission.objects.select_related("user")]
            + [(problems[g.content_object_id], g.user.username) for g in
               ProblemUserObjectPermission.objects.select_related("user")]),
        # the page path logs people in (an account.login event each): not the chain's doing
        "audit": Counter(
            (e.action, e.actor.username if e.actor else None, target(e.target_type, e.target_id),
             e.at)
            for e in AuditEvent.objects.select_related("actor").exclude(
                action__startswith="account.")),
        # titles name the record by its number, which depends on the database's sequences
        "notifications": sorted(
            (n.recipient.username, n.kind, n.day, n.deadline, re.sub(r"#\d+", "#", n.title))
            for n in Notification.objects.select_related("recipient")),
    }


@pytest.mark.django_db(transaction=True)
def test_a_generated_city_equals_one_built_page_by_page(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    seed(executor="actions", log=lambda *a: None, **SIZE)
    generated = _snapshot()
    call_command("flush", interactive=False, verbosity=0)
    seed(executor="pages", log=lambda *a: None, **SIZE)
    by_pages = _snapshot()
    for part in generated:
        assert generated[part] == by_pages[part], part
    # and the city has what the benchmark needs: reports and problems in every state
    statuses = {row[1] for row in generated["problems"]}
    assert {"analysing", "plan_review", "rectifying", "verifying", "filed"} <= statuses
    assert {row[1] for row in generated["reports"]} == {"draft", "submitted", "returned",
                                                        "signed_off"}
    assert any(kind == "overdue" for _user, kind, *_rest in generated["notifications"])
