"""Who is who in the chain on a given day: the one place every flow asks.

Assignees are resolved here at the moment a task is created, following
delegations, so that a reshuffle takes effect on the next task while history
keeps who held the post then.

Within ``remembering()`` (each request: accounts/middleware.py) every question is
asked of the database once; the path ahead, recusal and copy-to of one page ask
the same ones. Any change to the org chart or to a person forgets the answers
(accounts/signals.py). Outside it (Celery jobs, commands, tests calling the chain
directly) every question goes to the database.
"""

from __future__ import annotations

import contextvars
import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Delegation, Oversight, Post, Unit, User

Role = Post.Role
MAX_DELEGATION_HOPS = 5


class ChainGap(Exception):
    """Nobody holds a post the chain needs; the message says which, for the administrator."""


# question → answer, while remembering (None: not remembering)
_answers: contextvars.ContextVar[dict | None] = contextvars.ContextVar("chain_answers",
                                                                       default=None)


@contextmanager
def remembering() -> Iterator[None]:
    """Within the block, each question to the chain goes to the database once."""
    token = _answers.set({})
    try:
        yield
    finally:
        _answers.reset(token)


def forget() -> None:
    """The org chart changed: ask the database again."""
    answers = _answers.get()
    if answers is not None:
        answers.clear()


def _asked(question: tuple, ask: Callable):
    answers = _answers.get()
    if answers is None:
        return ask()
    if question not in answers:
        answers[question] = ask()
    return answers[question]


def today() -> datetime.date:
    return timezone.localdate()


def holders(unit: Unit | None, role: str, day: datetime.date | None = None) -> list[User]:
    """People holding ``role`` (in ``unit``, when given) on ``day``, longest-serving first."""
    day = day or today()

    def ask():
        posts = Post.objects.on(day).filter(role=role, user__is_active=True)
        if unit is not None:
            posts = posts.filter(unit=unit)
        return [post.user for post in posts.select_related("user").order_by("valid_from", "pk")]

    return list(_asked(("holders", unit.pk if unit is not None else None, role, day), ask))


def head_of(unit: Unit, day: datetime.date | None = None) -> User | None:
    found = holders(unit, Role.HEAD, day)
    return found[0] if found else None


def liaisons_of(unit: Unit, day: datetime.date | None = None) -> list[User]:
    return holders(unit, Role.LIAISON, day)


def supervisor_of(unit: Unit, day: datetime.date | None = None) -> User | None:
    """The supervising leader of ``unit``, or of its nearest ancestor that has one."""
    day = day or today()

    def ask():
        node: Unit | None = unit
        while node is not None:
            oversight = (Oversight.objects.on(day).filter(unit=node).select_related("leader")
                         .first())
            if oversight is not None:
                return oversight.leader
            node = node.parent
        return None

    return _asked(("supervisor_of", unit.pk if unit is not None else None, day), ask)


def secretary(day: datetime.date | None = None) -> User | None:
    found = holders(None, Role.SECRETARY, day)
    return found[0] if found else None


def discipline_committee(day: datetime.date | None = None) -> list[User]:
    return holders(None, Role.COMMITTEE, day)


def roles_of(user: User, day: datetime.date | None = None) -> set[str]:
    if not user.is_authenticated:
        return set()
    return set(Post.objects.on(day or today()).filter(user=user).values_list("role", flat=True))


def units_of(user: User, roles: tuple[str, ...], day: datetime.date | None = None) -> list[Unit]:
    posts = Post.objects.on(day or today()).filter(user=user, role__in=roles)
    return [post.unit for post in posts.select_related("unit").order_by("unit__order")]


def units_overseen_by(leader: User, day: datetime.date | None = None) -> list[Unit]:
    oversights = Oversight.objects.on(day or today()).filter(leader=leader)
    return [o.unit for o in oversights.select_related("unit").order_by("unit__order", "unit__code")]


def acting_for(user: User, day: datetime.date | None = None) -> User:
    """Who acts for ``user`` on ``day``: follows delegations, never in a circle."""
    day = day or today()

    def ask():
        acting = _follow_delegations(user, lambda absent: Delegation.objects.on(day).filter(
            absent=absent).select_related("acting").first())
        return None if acting.pk == user.pk else acting

    # remembered as "nobody else" rather than as the person asked about
    acting = _asked(("acting_for", user.pk, day), ask)
    return user if acting is None else acting


def _follow_delegations(user: User, delegation_of: Callable[[User], Delegation | None]) -> User:
    seen = {user.pk}
    current = user
    for _hop in range(MAX_DELEGATION_HOPS):
        delegation = delegation_of(current)
        if delegation is None or delegation.acting_id in seen:
            break
        current = delegation.acting
        seen.add(current.pk)
    return current


@dataclass(frozen=True)
class Assignee:
    """Who gets a task, and for whom they act when it came through a delegation."""

    user: User
    on_behalf_of: User | None = None


def assignee_for(user: User | None, what: str, day: datetime.date | None = None) -> Assignee:
    """Resolve the task owner for the post holder ``user``; ``what`` names the gap if none."""
    if user is None:
        raise ChainGap(what)
    acting = acting_for(user, day)
    return Assignee(acting, None if acting.pk == user.pk else user)


def _no_head(unit: Unit, day: datetime.date | None) -> str:
    return _("%(unit)s has no unit head on %(day)s.") % {"unit": unit, "day": day or today()}


def unit_head_assignee(unit: Unit, day: datetime.date | None = None) -> Assignee:
    return assignee_for(head_of(unit, day), _no_head(unit, day), day)


def supervisor_assignee(unit: Unit, day: datetime.date | None = None) -> Assignee:
    return assignee_for(
        supervisor_of(unit, day), _("%(unit)s has no supervising leader on %(day)s.")
        % {"unit": unit, "day": day or today()}, day,
    )


class Snapshot:
    """The chain of many units on one day, read in a fixed number of queries.

    Answers as ``head_of``, ``liaisons_of``, ``supervisor_of``, ``acting_for`` and
    ``unit_head_assignee`` do, row for row (same filters, same order, same tie-breaks),
    for work on many units at once — opening a quarter — without a query per unit.
    """

    def __init__(self, units: Iterable[Unit], day: datetime.date | None = None):
        self.day = day or today()
        parents = {unit.pk: unit.parent_id for unit in units}
        self._holders: dict[tuple[int, str], list[User]] = defaultdict(list)
        posts = Post.objects.on(self.day).filter(
            unit_id__in=list(parents), role__in=(Role.HEAD, Role.LIAISON), user__is_active=True)
        for post in posts.select_related("user").order_by("valid_from", "pk"):
            self._holders[post.unit_id, post.role].append(post.user)
        # the tree above the units: oversight is inherited from the nearest ancestor
        missing = set(parents.values()) - set(parents) - {None}
        while missing:
            found = dict(Unit.objects.filter(pk__in=missing).values_list("pk", "parent_id"))
            parents.update(found)
            missing = set(found.values()) - set(parents) - {None}
        self._parents = parents
        self._leaders: dict[int, User] = {}
        for oversight in Oversight.objects.on(self.day).filter(unit_id__in=list(parents)) \
                .select_related("leader").order_by("pk"):
            self._leaders.setdefault(oversight.unit_id, oversight.leader)
        # the delegations in force that day are few: all of them, first by id as .first() does
        self._delegations: dict[int, Delegation] = {}
        for delegation in Delegation.objects.on(self.day).select_related("acting").order_by("pk"):
            self._delegations.setdefault(delegation.absent_id, delegation)

    def head_of(self, unit: Unit) -> User | None:
        found = self._holders.get((unit.pk, Role.HEAD))
        return found[0] if found else None

    def liaisons_of(self, unit: Unit) -> list[User]:
        return list(self._holders.get((unit.pk, Role.LIAISON), []))

    def supervisor_of(self, unit: Unit) -> User | None:
        node, seen = unit.pk, set()
        while node is not None and node not in seen:
            if node in self._leaders:
                return self._leaders[node]
            seen.add(node)
            node = self._parents.get(node)
        return None

    def acting_for(self, user: User) -> User:
        return _follow_delegations(user, lambda absent: self._delegations.get(absent.pk))

    def unit_head_assignee(self, unit: Unit) -> Assignee:
        head = self.head_of(unit)
        if head is None:
            raise ChainGap(_no_head(unit, self.day))
        acting = self.acting_for(head)
        return Assignee(acting, None if acting.pk == head.pk else head)
