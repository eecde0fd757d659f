"""Who is who in the chain on a given day: the one place every flow asks.

Assignees are resolved here at the moment a task is created, following
delegations, so that a reshuffle takes effect on the next task while history
keeps who held the post then.

Within ``remembering()`` (each request: accounts/middleware.py) every question is
asked of the database once, and its answer is shared with the process's later
requests for as long as the org chart stays the same: the chart's version (a token
in accounts.ChartVersion, one small read per request) changes with every change to
the chart or to a person (accounts/signals.py), and answers read under another
version are never used. The chart changes seldom, and a bureau's pages ask the same
questions all day: the copy-to list, the candidates for a transfer, the path ahead.
Outside ``remembering()`` (Celery jobs, commands, tests calling the chain directly)
every question goes to the database.
"""

from __future__ import annotations

import contextvars
import datetime
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ChartVersion, Delegation, Oversight, Post, Unit, User

Role = Post.Role
MAX_DELEGATION_HOPS = 5


class ChainGap(Exception):
    """Nobody holds a post the chain needs; the message says which, for the administrator."""


@dataclass
class _Asking:
    """What one request has asked: answers by question, and the chart's version they hold
    for (read with the first question)."""

    answers: dict = field(default_factory=dict)
    version: str | None = None


# the request's questions, while remembering (None: not remembering)
_asking: contextvars.ContextVar[_Asking | None] = contextvars.ContextVar("chain_asking",
                                                                         default=None)


class _Shared:
    """Answers shared by the requests of this process, for one version of the chart."""

    LIMIT = 50_000  # questions; a city's pages ask a few per bureau and day

    version: str = ""
    answers: dict = {}

    @classmethod
    def of(cls, version: str) -> dict:
        if version != cls.version or len(cls.answers) >= cls.LIMIT:
            cls.version, cls.answers = version, {}
        return cls.answers


@contextmanager
def remembering() -> Iterator[None]:
    """Within the block, each question to the chain goes to the database once, and only
    if no earlier block of this process asked it of the same version of the chart."""
    token = _asking.set(_Asking())
    try:
        yield
    finally:
        _asking.reset(token)


def version() -> str:
    """The org chart's version now ("" when it has none: nothing is shared)."""
    return ChartVersion.objects.filter(pk=1).values_list("token", flat=True).first() or ""


def chart_changed() -> None:
    """The org chart or a person changed: a new version, so that every process asks the
    database again (once the change commits; a rolled-back change leaves the version as it
    was), and this request forgets what it asked."""
    token = uuid.uuid4().hex
    if not ChartVersion.objects.filter(pk=1).update(token=token):
        ChartVersion.objects.bulk_create([ChartVersion(pk=1, token=token)],
                                         ignore_conflicts=True)
    forget()


def current_version() -> str:
    """The chart's version this request reads its answers under (one small read per
    request; read now if no question was asked yet). Outside a request: read each time."""
    asking = _asking.get()
    if asking is None:
        return version()
    if asking.version is None:
        asking.version = version()
    return asking.version


def forget() -> None:
    """Ask the database again within this request (the chart changed, or may have)."""
    asking = _asking.get()
    if asking is not None:
        asking.answers.clear()
        asking.version = None


def _asked(question: tuple, ask: Callable):
    asking = _asking.get()
    if asking is None:
        return ask()
    if question not in asking.answers:
        shared = _Shared.of(asking.version) if current_version() else {}
        if question not in shared:
            shared[question] = ask()
        asking.answers[question] = shared[question]
    return asking.answers[question]


def forget_shared() -> None:
    """Drop what this process shares (tests: each builds its own chart, then rolls it
    back with its version)."""
    _Shared.version, _Shared.answers = "", {}


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


def bureau_line(unit: Unit) -> tuple[list[Unit], Unit]:
    """(the units above ``unit``'s bureau, root first; the bureau), read through
    ``unit.parent`` (callers select_related the line: no query then). A bureau on its own
    is the root of the chart; under a city's commission, a bureau is one of many."""
    node, line = unit, []
    while node is not None:
        line.append(node)
        node = node.parent
    line.reverse()  # root first
    bureau = line[1] if len(line) > 1 and line[1].kind == Unit.Kind.BUREAU else line[0]
    return line[:line.index(bureau)], bureau


def units_under(bureau: Unit) -> list[int]:
    """Ids of ``bureau`` and of the units up to three levels under it (divisions,
    subordinate units, squads), a level at a time through the parent index: a bureau's
    few dozen rows, not a scan of a city's thousands."""

    def ask():
        found, level = [bureau.pk], [bureau.pk]
        for _depth in range(3):
            level = list(Unit.objects.filter(parent_id__in=level).order_by()
                         .values_list("pk", flat=True))
            if not level:
                break
            found += level
        return found

    return list(_asked(("units_under", bureau.pk), ask))


def bureau_units(code: str) -> list[int] | None:
    """Ids of the bureau ``code`` and of its units up to three levels under it
    (``units_under``, the bureau first); None when no bureau has that code."""

    def ask():
        bureau = Unit.objects.filter(code=code, kind=Unit.Kind.BUREAU).first()
        return units_under(bureau) if bureau is not None else None

    return _asked(("bureau_units", code), ask)


def units_around(unit: Unit) -> list[int]:
    """Ids of the units near ``unit``: its bureau with every unit up to three levels under
    it, and the units above the bureau (the commission: its secretary and committee)."""
    above, bureau = bureau_line(unit)
    return [u.pk for u in above] + units_under(bureau)


def people_around(unit: Unit | None, roles: Iterable[str], day: datetime.date | None = None
                  ) -> list[User]:
    """Active holders of ``roles`` on ``day`` in the units around ``unit`` (``units_around``;
    the whole chart when ``unit`` is None), by name, each once and read with names only:
    whom a step of a record of ``unit`` may name (copied to, say)."""
    day, roles = day or today(), tuple(roles)
    # every unit of a bureau has the same people around it
    bureau = bureau_line(unit)[1] if unit is not None else None

    def ask():
        posts = Post.objects.on(day).filter(role__in=roles, user__is_active=True)
        if unit is not None:
            posts = posts.filter(unit_id__in=units_around(unit))
        people = {}
        for post in posts.select_related("user").only(
                "user__id", "user__name", "user__username").order_by(
                "user__name", "user__username"):
            people.setdefault(post.user_id, post.user)
        return list(people.values())

    return list(_asked(("people_around", bureau.pk if bureau is not None else None, roles, day),
                       ask))


def roles_of(user: User, day: datetime.date | None = None) -> set[str]:
    """The roles ``user`` holds on ``day`` (empty: no post that day)."""
    if not user.is_authenticated:
        return set()
    day = day or today()

    def ask():
        return frozenset(Post.objects.on(day).filter(user=user).values_list("role", flat=True))

    return set(_asked(("roles_of", user.pk, day), ask))


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


def stand_ins(day: datetime.date | None = None) -> dict[int, User]:
    """Everyone absent on ``day`` → who acts for them, delegations followed as acting_for
    does, in one query (for a sweep over many people)."""
    delegations = {}
    for delegation in Delegation.objects.on(day or today()).select_related(
            "absent", "acting").order_by("pk"):
        delegations.setdefault(delegation.absent_id, delegation)  # the first, as acting_for
    found = {}
    for absent_id, delegation in delegations.items():
        acting = _follow_delegations(delegation.absent,
                                     lambda person: delegations.get(person.pk))
        if acting.pk != absent_id:
            found[absent_id] = acting
    return found


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
