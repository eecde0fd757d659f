"""The one place that decides who may see and act on a record.

Grants are django-guardian object permissions in direct foreign-key tables,
written when a record is created and when a task is assigned. The secretary
and the discipline committee oversee everything by their post, so they hold no
per-row grants: their lists are unfiltered rather than a million grant rows.
The stationed discipline group sees what was filed with it, by the record's
state rather than by grants.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Permission
from django.db.models import Model, QuerySet
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from accounts import chain
from accounts.models import Post, User

from .kinds import kind_of
from .models import QuarterlyReport

Role = Post.Role
SEE_ALL_ROLES = {Role.SECRETARY, Role.COMMITTEE}


def _roles(user: User) -> set[str]:
    cached = getattr(user, "_dutychain_roles", None)
    if cached is None:
        cached = user._dutychain_roles = chain.roles_of(user)
    return cached


def roles(user: User) -> set[str]:
    """The roles ``user`` holds today (none for an anonymous visitor)."""
    return set(_roles(user)) if user.is_authenticated else set()


def roles_read(user: User) -> set[str] | None:
    """The user's roles if this request has read them already, else None (no query)."""
    return getattr(user, "_dutychain_roles", None)


def sees_everything(user: User) -> bool:
    """The secretary and the discipline committee oversee every unit."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(_roles(user) & SEE_ALL_ROLES)


def has_role(user: User, *roles: str) -> bool:
    return user.is_authenticated and bool(_roles(user) & set(roles))


def is_committee(user: User) -> bool:
    return user.is_authenticated and Role.COMMITTEE in _roles(user)


def is_stationed(user: User) -> bool:
    return user.is_authenticated and Role.STATIONED in _roles(user)


def _codename(model: type[Model]) -> str:
    return f"view_{model._meta.model_name}"


# the view permissions' ids, by database and codename: rows that only migrations write
_permission_ids: dict[tuple[str, str], int] = {}


@receiver(post_migrate)
def _forget_permission_ids(**kwargs) -> None:
    """Migrating (or a test database's flush) may give the permissions new ids."""
    _permission_ids.clear()


def _permission_id(model: type[Model], using: str) -> int:
    key = (using, _codename(model))
    if key not in _permission_ids:
        _permission_ids[key] = Permission.objects.using(using).get(
            codename=key[1], content_type__app_label="records").pk
    return _permission_ids[key]


def grant_view(obj: Model, users: Iterable[User | None]) -> None:
    """Let ``users`` see ``obj`` (idempotent: a grant already there is left as it is, by the
    table's unique key)."""
    wanted = {user.pk for user in users if user is not None}
    if not wanted:
        return
    table = kind_of(obj).grant_table
    permission_id = _permission_id(type(obj), obj._state.db or "default")
    table.objects.bulk_create(
        [table(content_object=obj, permission_id=permission_id, user_id=user_id)
         for user_id in sorted(wanted)],
        ignore_conflicts=True,
    )


def grant_view_many(grants: Iterable[tuple[Model, Iterable[User | None]]]) -> None:
    """``grant_view`` for many objects at once (idempotent): one insert per model."""
    rows: dict[type[Model], list[Model]] = {}
    for obj, users in grants:
        table = kind_of(obj).grant_table
        rows.setdefault(table, []).extend(
            table(content_object=obj, user_id=user_id)
            for user_id in {user.pk for user in users if user is not None})
    for table, new in rows.items():
        model = table._meta.get_field("content_object").related_model
        permission = Permission.objects.get(codename=_codename(model),
                                            content_type__app_label="records")
        for row in new:
            row.permission = permission
        table.objects.bulk_create(new, ignore_conflicts=True)


def _granted(user: User, model: type[Model]):
    return kind_of(model).grant_table.objects.filter(
        user=user, permission__codename=_codename(model)).values("content_object_id")


def visible(user: User, model: type[Model]) -> QuerySet:
    """Every ``model`` row ``user`` may see, as one queryset (no per-row checks)."""
    rows = model.objects.all()
    if not user.is_authenticated:
        return rows.none()
    if sees_everything(user):
        return rows
    mine = rows.filter(pk__in=_granted(user, model))
    stationed = kind_of(model).stationed_rows
    if stationed is not None and is_stationed(user):
        return rows.filter(stationed) | mine
    return mine


def can_view(user: User, obj: Model) -> bool:
    if not user.is_authenticated:
        return False
    if sees_everything(user):
        return True
    kind = kind_of(obj)
    if kind.stationed_sees is not None and kind.stationed_sees(obj) and is_stationed(user):
        return True
    return kind.grant_table.objects.filter(
        user=user, content_object=obj, permission__codename=_codename(type(obj))).exists()


def unit_drafters(unit) -> set[User]:
    """Who writes for a unit: its head and its liaisons, and whoever acts for them."""
    people = {chain.head_of(unit)} | set(chain.liaisons_of(unit))
    people.discard(None)
    return people | {chain.acting_for(person) for person in people}


def can_edit_draft(user: User, report: QuarterlyReport) -> bool:
    """The unit head and the party-affairs liaison draft; nobody edits once it is submitted."""
    return user.is_authenticated and report.is_editable and user in unit_drafters(report.unit)


def can_register_problems(user: User) -> bool:
    """The discipline committee and the leaders register problems."""
    return user.is_authenticated and bool(_roles(user) & {Role.COMMITTEE, Role.LEADER,
                                                            Role.SECRETARY})
