"""Bulk sign-off (批量签收): a leader signs off several quarterly reports at once.

Each selected task goes through ``actions.take(name="sign_off")`` on its own, exactly
as if signed off from its page (the flow's row lock, the task still open and the
user's, the review form, ``services.report_sign_off``), each in a transaction of its
own: one report that cannot be signed off does not stop the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.chain import ChainGap
from accounts.models import Post, User
from records import kinds, permissions
from records.models import QuarterlyReport

from . import steps
from .actions import TaskConflict, take


def sign_off_nodes() -> list:
    """The steps a quarterly report is signed off at (its review, at any level)."""
    flow_class = kinds.by_key("report").flow_class
    return [node for node in steps.all_steps(flow_class) if "sign_off" in steps.actions(node)]


def sign_off_queue(user: User) -> QuerySet:
    """The user's open review tasks of submitted quarterly reports, oldest submission first."""
    if not user.is_authenticated:
        return Task.objects.none()
    return (Task.objects.filter(owner=user, status=STATUS.ASSIGNED, flow_task_type="HUMAN",
                                flow_task__in=sign_off_nodes(),
                                process__quarterly_report__status=QuarterlyReport.Status.SUBMITTED)
            .select_related("process__quarterly_report__unit",
                            "process__quarterly_report__submitted_by")
            .order_by("process__quarterly_report__submitted_at", "pk"))


def can_bulk_sign_off(user: User) -> bool:
    """Leaders, and whoever holds review tasks (e.g. acting for an absent leader)."""
    if not user.is_authenticated:
        return False
    return permissions.has_role(user, Post.Role.LEADER) or sign_off_queue(user).exists()


@dataclass
class Result:
    task: int
    ok: bool
    error: str = ""
    report: QuarterlyReport | None = None


def _clean_ids(task_ids: Iterable) -> list:
    seen, ordered = set(), []
    for pk in task_ids:
        if pk not in seen:
            seen.add(pk)
            ordered.append(pk)
    return ordered


def bulk_sign_off(*, user: User, task_ids: Iterable[int], opinion: str = "",
                  opinions: Mapping[int, str] | None = None, request=None) -> list[Result]:
    """Sign off each task; a per-task opinion overrides the common one. One result per task."""
    opinions = opinions or {}
    results = []
    for pk in _clean_ids(task_ids):
        own = (opinions.get(pk) or "").strip()
        text = own or (opinion or "").strip()
        try:
            _task, report, _result = take(task_pk=pk, name="sign_off", user=user,
                                    data={"opinion": text}, request=request)
        except Http404:
            results.append(Result(pk, False, _("No such task")))
        except TaskConflict:
            report = QuarterlyReport.objects.filter(process__task__pk=pk).first()
            status = report.get_status_display() if report else ""
            results.append(Result(pk, False, _(
                "Already handled: the report is now “%(status)s”; nothing was changed.")
                % {"status": status}, report))
        except FlowLockFailed:
            results.append(Result(pk, False, _(
                "Someone else is acting on this item right now. Wait a moment and try "
                "again.")))
        except ValidationError as error:
            results.append(Result(pk, False, " ".join(error.messages)))
        except (ChainGap, PermissionDenied) as refused:
            results.append(Result(pk, False, str(refused)))
        else:
            results.append(Result(pk, True, "", report))
    return results
