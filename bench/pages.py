"""Who and what the benchmark measures, shared with tests/test_query_scaling.py: the pages
and API lists people use most, each for the person who uses it most in the city."""

from __future__ import annotations


def subjects() -> dict:
    """The people and records the pages are measured for: the busiest of each kind."""
    from django.db.models import Count
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from accounts.models import Post, User
    from records.ledger import Lights
    from records.models import Problem, QuarterlyReport

    open_tasks = (Task.objects.filter(status=STATUS.ASSIGNED, flow_task_type="HUMAN")
                  .values("owner_id").annotate(n=Count("pk")))
    heads = set(Post.objects.filter(role=Post.Role.HEAD).values_list("user_id", flat=True))
    head_id = max((row for row in open_tasks if row["owner_id"] in heads),
                  key=lambda row: row["n"])["owner_id"]
    latest = QuarterlyReport.objects.order_by("-year", "-quarter").values("year", "quarter")[0]
    leader = User.objects.filter(posts__role=Post.Role.LEADER).order_by("username").first()
    committee = User.objects.filter(posts__role=Post.Role.COMMITTEE).order_by("username").first()
    # the report with the longest history (most opinions), and its unit's head
    report = (QuarterlyReport.objects.annotate(n=Count("opinions")).order_by("-n", "-pk").first())
    report_head = User.objects.filter(posts__role=Post.Role.HEAD,
                                      posts__unit_id=report.unit_id).first()
    # the bureau with the most overdue problems (its units are its children)
    overdue = (Problem.objects.filter(Lights.now().q("red")).values("unit__parent__code")
               .annotate(n=Count("pk")).order_by("-n").first())
    return {
        "head": User.objects.get(pk=head_id), "leader": leader, "committee": committee,
        "year": latest["year"], "quarter": latest["quarter"], "report": report,
        "report_head": report_head, "overdue_bureau": overdue["unit__parent__code"] if overdue else "",
    }


def page_cases(s: dict) -> list[tuple[str, object, str]]:
    return [
        ("Unit head's inbox", s["head"], "/workflow/inbox/"),
        ("Leader's quarter board", s["leader"],
         f"/reports/board/?year={s['year']}&quarter={s['quarter']}"),
        ("Committee's ledger, unfiltered", s["committee"], "/problems/"),
        ("Committee's ledger, overdue of one bureau", s["committee"],
         f"/problems/?light=red&unit={s['overdue_bureau']}"),
        ("A report's page with its history", s["report_head"], f"/reports/{s['report'].pk}/"),
        ("API inbox", s["head"], "/api/v1/tasks/"),
        ("API ledger", s["committee"], "/api/v1/problems/"),
    ]
