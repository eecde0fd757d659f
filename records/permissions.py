"""The one place that decides who may see and act on a record.

Grants are django-guardian object permissions in direct foreign-key tables,
written when a record is created and when a task is assigned. The secretary
and the discipline committee oversee everything by their post, so they hold no
per-row grants: their lists are unfiltered rather than a million grant rows.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Permission
from django.db.models import QuerySet

from accounts import chain
from accounts.models import Post, User

from .models import QuarterlyReport, QuarterlyReportUserObjectPermission

Role = Post.Role
SEE_ALL_ROLES = {Role.SECRETARY, Role.COMMITTEE}
VIEW_REPORT = "view_quarterlyreport"


def sees_everything(user: User) -> bool:
    """The secretary and the discipline committee oversee every unit."""
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_dutychain_sees_all", None)
    if cached is None:
        cached = user.is_superuser or bool(chain.roles_of(user) & SEE_ALL_ROLES)
        user._dutychain_sees_all = cached
    return cached


def _view_permission() -> Permission:
    return Permission.objects.get(codename=VIEW_REPORT, content_type__app_label="records")


def grant_report_view(report: QuarterlyReport, users: Iterable[User | None]) -> None:
    """Let ``users`` see ``report`` (idempotent)."""
    wanted = {user.pk for user in users if user is not None}
    if not wanted:
        return
    permission = _view_permission()
    existing = set(
        QuarterlyReportUserObjectPermission.objects.filter(
            content_object=report, permission=permission, user_id__in=wanted
        ).values_list("user_id", flat=True)
    )
    QuarterlyReportUserObjectPermission.objects.bulk_create(
        [
            QuarterlyReportUserObjectPermission(
                content_object=report, permission=permission, user_id=user_id
            )
            for user_id in wanted - existing
        ],
        ignore_conflicts=True,
    )


def can_view_report(user: User, report: QuarterlyReport) -> bool:
    if not user.is_authenticated:
        return False
    if sees_everything(user):
        return True
    return QuarterlyReportUserObjectPermission.objects.filter(
        user=user, content_object=report, permission__codename=VIEW_REPORT
    ).exists()


def reports_visible_to(user: User) -> QuerySet[QuarterlyReport]:
    reports = QuarterlyReport.objects.all()
    if not user.is_authenticated:
        return reports.none()
    if sees_everything(user):
        return reports
    granted = QuarterlyReportUserObjectPermission.objects.filter(
        user=user, permission__codename=VIEW_REPORT
    ).values("content_object_id")
    return reports.filter(pk__in=granted)


def can_edit_draft(user: User, report: QuarterlyReport) -> bool:
    """The unit head and the party-affairs liaison draft; nobody edits once it is submitted."""
    if not (user.is_authenticated and report.is_editable):
        return False
    drafters = {chain.head_of(report.unit)} | set(chain.liaisons_of(report.unit))
    drafters = {u for u in drafters if u is not None}
    return user in drafters or any(chain.acting_for(u) == user for u in drafters)


def can_open_report_for(user: User, unit) -> bool:
    return user.is_authenticated and chain.head_of(unit) == user
