"""The demo's problem list: the 2026 Mid-Autumn and National Day spot check, in every state."""

from demo.problems import SPOT_CHECK, load_demo_problems
from records.models import AuditEvent, Problem, ProblemList


def test_demo_problem_list_covers_the_states_and_loads_once(bureau):
    assert load_demo_problems() == 5
    assert load_demo_problems() == 0
    assert ProblemList.objects.get().title == SPOT_CHECK
    by_unit = dict(Problem.objects.values_list("unit__code", "status"))
    assert by_unit == {"enforcement": "filed", "squad1": "rectifying", "squad2": "verifying",
                       "sanitation": "plan_review", "command": "analysing"}
    overdue = Problem.objects.get(unit__code="command")
    assert overdue.is_overdue and overdue.assignee.username == "head_command"
    assert Problem.objects.get(unit__code="squad1").extensions.get().decision == "pending"
    assert AuditEvent.objects.filter(action="problem.close_out").count() == 1
    # sanitation's problem is shared with legal and facilities: a countersign once approved
    joint = Problem.objects.get(unit__code="sanitation")
    assert sorted(joint.co_units.values_list("code", flat=True)) == ["facilities", "legal"]


def test_a_fresh_demo_has_a_reminder_waiting_after_the_first_sweep(bureau):
    from django.utils import timezone

    from flows.reminders import sweep
    from records.models import Notification
    from records.workdays import add_working_days, is_workday

    load_demo_problems()
    sanitation = Problem.objects.get(unit__code="sanitation")
    assert sanitation.due_date == add_working_days(timezone.localdate(), 1)
    sweep()
    if is_workday(timezone.localdate()):
        assert Notification.objects.filter(recipient__username="leader_li", kind="due_soon",
                                           key=f"records.problem:{sanitation.pk}").exists()
        assert Notification.objects.filter(recipient__username="secretary",
                                           kind="overdue").exists()
