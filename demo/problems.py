"""Demo problems: the 2026 Mid-Autumn and National Day spot check, in various states.

Driven through the real services and flows, as the demo people would, so
the history, grants and audit trail are what the product itself writes.
"""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import Unit, User
from flows.registration import register_problems
from records.models import Problem, ProblemList
from records.services import extensions, problems
from records.services.evidence import evidence_add
from records.workdays import add_working_days

SPOT_CHECK = "2026年中秋国庆节日期间明察暗访"
ITEMS = [
    # unit, category, description, person concerned, how far it got
    ("enforcement", "hedonism", "10月3日，执法支队1辆执法车辆停放在郊区某农家乐停车场，涉嫌公车私用。",
     "执法支队队员某某", "filed"),
    ("squad1", "formalism", "执法一大队节日值班表与实际在岗人员不符，值班记录系事后补填。",
     "", "extension"),
    ("squad2", "work_style", "执法二大队服务窗口工作人员上班时间玩手机，群众反映办事等候时间过长。",
     "", "verifying"),
    ("sanitation", "bureaucratism", "市容环境卫生管理处对群众投诉的占道经营问题推诿扯皮，超过7日未答复。",
     "", "plan_review"),
    ("command", "discipline", "数字城管指挥中心节日值班人员擅自离岗约2小时，未履行请假手续。",
     "", "overdue"),
]
# a joint problem: once its plan is approved, each unit's head writes its part (countersign)
CO_UNITS = {"sanitation": ("legal", "facilities")}


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _act(problem: Problem, do) -> None:
    """Complete the problem's open task as its owner, doing ``do(task)`` first."""
    task = Task.objects.get(process_id=problem.process_id, status=STATUS.ASSIGNED)
    with task.activation() as activation:
        activation.start(None)
        do(task)
        activation.execute()
    problem.refresh_from_db()


ROOT_CAUSE = "节日期间监督管理责任落实不到位，制度执行不严。"
MEASURES = "1. 开展专题警示教育；2. 修订相关管理制度；3. 对相关人员进行提醒谈话。"
# the sanitation plan was returned once: its second version answers the leader's opinion
RETURN_OPINION = "整改措施不够具体，请明确投诉办理时限和责任人。"
REVISED_MEASURES = ("1. 开展专题警示教育；2. 修订投诉办理制度，明确3个工作日内答复；"
                    "3. 对相关人员进行提醒谈话。")


def _analyse(problem, head, days=20, measures=MEASURES):
    _act(problem, lambda t: problems.problem_analyse(
        problem=problem, by=head, root_cause=ROOT_CAUSE, measures=measures,
        planned_date=timezone.localdate() + datetime.timedelta(days=days), task=t))


def _return(problem, leader):
    _act(problem, lambda t: problems.problem_return_plan(
        problem=problem, by=leader, opinion=RETURN_OPINION, task=t))


def _approve(problem, leader):
    _act(problem, lambda t: problems.problem_approve_plan(
        problem=problem, by=leader, opinion="同意整改方案，抓紧落实。", task=t))


def _rectify(problem, head):
    problems.problem_add_progress(problem=problem, by=head, text="已召开专题会议，完成制度修订。")
    evidence_add(problem=problem, by=head, file=ContentFile(
        b"%PDF-1.4\n% demo evidence\n", name="整改情况说明.pdf"))
    _act(problem, lambda t: problems.problem_report_rectified(problem=problem, by=head))


@transaction.atomic
def load_demo_problems() -> int:
    """Register the spot check's problem list and move each problem along; safe to repeat."""
    if ProblemList.objects.filter(title=SPOT_CHECK).exists():
        return 0
    jiwei = _user("jiwei_chen")
    codes = [i[0] for i in ITEMS] + [code for co in CO_UNITS.values() for code in co]
    units = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    created = register_problems(
        by=jiwei, source=Problem.Source.SPOT_CHECK, found_on=datetime.date(2026, 10, 5),
        title=SPOT_CHECK,
        items=[{"unit": units[code], "category": category, "description": text,
                "person_concerned": person,
                "co_units": [units[other] for other in CO_UNITS.get(code, ())]}
               for code, category, text, person, _state in ITEMS],
    )
    for problem, (code, _c, _t, _p, state) in zip(created, ITEMS, strict=True):
        head = _user(f"head_{code}")
        if state == "overdue":
            # registered at the check, never analysed: its deadline has passed
            registered = datetime.datetime(2026, 10, 9, 9, 0, tzinfo=timezone.get_current_timezone())
            Problem.objects.filter(pk=problem.pk).update(
                registered_at=registered, due_date=add_working_days(registered.date(), 10))
            continue
        _analyse(problem, head)
        if state == "plan_review":
            # returned once and resubmitted: the leader's page shows what changed
            _return(problem, Task.objects.get(process_id=problem.process_id,
                                              status=STATUS.ASSIGNED).owner)
            _analyse(problem, head, measures=REVISED_MEASURES)
            # the leader's approval falls due on the next working day, so a fresh
            # `make run` shows a reminder without anyone clicking
            Problem.objects.filter(pk=problem.pk).update(
                due_date=add_working_days(timezone.localdate(), 1))
            continue
        leader = Task.objects.get(process_id=problem.process_id, status=STATUS.ASSIGNED).owner
        _approve(problem, leader)
        if state == "extension":
            problems.problem_add_progress(problem=problem, by=head, text="已重新核对值班安排。")
            extensions.problem_request_extension(
                problem=problem, by=head, new_date=problem.due_date + datetime.timedelta(days=15),
                reason="需待下月支部会议集中学习后完成整改。")
            continue
        _rectify(problem, head)
        if state == "verifying":
            continue
        _act(problem, lambda t, p=problem: problems.problem_close_out(
            problem=p, by=jiwei, opinion="整改到位，同意销号。", task=t))
    return len(created)
