"""The demo's problem list: the 2026 Mid-Autumn and National Day spot check, in every state."""

from flows.demo import SPOT_CHECK, load_demo_problems
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
