"""A city for the benchmark, built through the real services and flows.

``seed(units=5000, years=3)`` builds a city: a municipal discipline commission
("city") over ``units / 50`` bureaus, each with 50 units, a supervising leader for
every ten units, a secretary and five committee members at the top; then, quarter
by quarter over ``years`` years, it opens every unit's report with
``flows.quarterly.open_quarter`` (QuarterlyReportFlow.start), submits, returns and
signs them off through ``flows.actions.take`` (the same services as the task
pages and the API), and registers about ten problems per unit with
``flows.rectification.register_problems`` and walks each through analysis, plan
approval, progress, rectification and close-out (the flow files it). The clock is
moved to the day each step happens (``timezone.now`` is patched), so deadlines,
lateness and audit times are those of a real history. The newest quarter is left
in every state (drafts overdue, waiting for review, returned, signed off) and so are
its problems (analysing, plan under review, rectifying, rectifying overdue,
verifying, filed); finally the reminder sweep runs on a few mornings.

Nothing is written around the chain: every row comes from a service. Two things
are left out on purpose: the org chart's re-derivation jobs are not run while the
chart is built (no record exists yet, so they would change nothing), and outside
deliveries (email) are left pending instead of being sent.

``executor="pages"`` drives the same plan through the browser's task pages (a
Django test client per person) instead of ``take``; tests/test_bench_seed.py builds
a small city both ways and compares them.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import Oversight, Post, Unit, User
from demo.clock import Clock, quiet_background, time_travel
from demo.past import act, open_task
from flows.opening import open_report
from flows.registration import register_problems
from records.models import Problem, QuarterlyReport
from records.workdays import add_working_days, last_finished_quarter, quarter_end

UNITS_PER_BUREAU = 50
UNITS_PER_LEADER = 10
COMMITTEE_SIZE = 5
PROBLEMS_PER_UNIT = 10
PASSWORD = "bench-pass-123"
TZ_HOUR = 10  # the clock's hour for a step (demo.clock.HOUR)
CATEGORIES = [c for c in Problem.Category.values]
SOURCES = [s for s in Problem.Source.values]


# -- executors: who presses the buttons ----------------------------------------------------

class ActionsExecutor:
    """Each step through flows.actions.take: the API's path to the same services (as the
    demo's past takes them)."""

    def act(self, record, name: str, data: dict) -> None:
        act(record, name, data)


class PagesExecutor:
    """Each step through the browser's task page (a logged-in test client per person)."""

    BUTTONS = {"submit": "_submit", "sign_off": "_sign_off", "return": "_return",
               "analyse": None, "approve_plan": "_approve", "progress": "_progress",
               "report_done": "_done", "close_out": "_close_out", "send_back": "_send_back"}

    def __init__(self):
        self.clients = {}

    def _client(self, user):
        from django.test import Client

        # sessions expire as the clock moves on: log in again each (seeded) day
        day = timezone.localdate()
        if self.clients.get(user.pk, (None, None))[1] != day:
            client = Client()
            client.force_login(user)
            self.clients[user.pk] = (client, day)
        return self.clients[user.pk][0]

    def act(self, record, name: str, data: dict) -> None:
        task = open_task(record)
        url = task.flow_task.reverse("execute", args=[task.process_id, task.pk])
        post = {key: ("" if value is None else str(value)) for key, value in data.items()}
        if self.BUTTONS[name]:
            post[self.BUTTONS[name]] = "1"
        response = self._client(task.owner).post(url, post)
        task.refresh_from_db()
        completes = name not in ("progress",)
        if response.status_code != 302 or (task.status != STATUS.DONE) == completes:
            raise AssertionError(f"{name} on {record}: {response.status_code} "
                                 f"{response.get('Location')} task {task.status}")


# -- the org chart -------------------------------------------------------------------------

def _user(username: str, name: str, password_hash: str) -> User:
    return User.objects.create(username=username, name=name, password=password_hash,
                               email=f"{username}@bench.test")


def build_org(units: int, start: datetime.date, log: Callable = print, *,
              per_bureau: int = UNITS_PER_BUREAU, per_leader: int = UNITS_PER_LEADER) -> dict:
    """The city, its bureaus and units, and everyone's posts and oversights."""
    password_hash = make_password(PASSWORD)
    bureaus = max(1, -(-units // per_bureau))
    with transaction.atomic():
        city = Unit.objects.create(code="city", name="市纪委监委", kind=Unit.Kind.BUREAU)
        for username, name, role in [("city_secretary", "市委书记", Post.Role.SECRETARY)] + [
                (f"committee_{i}", f"纪委委员{i}", Post.Role.COMMITTEE)
                for i in range(1, COMMITTEE_SIZE + 1)]:
            Post.objects.create(user=_user(username, name, password_hash), unit=city,
                                role=role, valid_from=start)
        made = 0
        for b in range(bureaus):
            bureau = Unit.objects.create(code=f"b{b:03d}", name=f"第{b + 1}局",
                                         kind=Unit.Kind.BUREAU, parent=city, order=b)
            in_bureau = min(per_bureau, units - made)
            leader = None
            for u in range(in_bureau):
                code = f"b{b:03d}u{u:02d}"
                unit = Unit.objects.create(code=code, name=f"第{b + 1}局第{u + 1}处",
                                           kind=Unit.Kind.DIVISION, parent=bureau, order=u)
                Post.objects.create(user=_user(f"head_{code}", f"处长{code}", password_hash),
                                    unit=unit, role=Post.Role.HEAD, valid_from=start)
                if u % per_leader == 0:
                    lcode = f"b{b:03d}l{u // per_leader}"
                    leader = _user(f"leader_{lcode}", f"局领导{lcode}", password_hash)
                    Post.objects.create(user=leader, unit=bureau, role=Post.Role.LEADER,
                                        valid_from=start)
                Oversight.objects.create(leader=leader, unit=unit, valid_from=start)
            made += in_bureau
        log(f"org chart: {bureaus} bureaus, {made} units")
    return {"bureaus": bureaus, "units": made}


# -- the plan ------------------------------------------------------------------------------
#
# Every bureau lives the same history: what happens to a unit's report or to a problem
# depends on its position in its bureau, and each step is taken bureau by bureau, the
# clock set to the same moment for each. So a city can be built step by step, or its first
# bureau built so and copied to the others (bench/clone.py) with the same result.

def quarters(years: int, today: datetime.date) -> list[tuple[int, int]]:
    """The last ``4 × years`` finished quarters, oldest first; the newest one's steps (up to
    35 days after it is opened) must all lie before ``today``."""
    year, quarter = last_finished_quarter(today)
    if add_working_days(quarter_end(year, quarter), 1) + datetime.timedelta(days=40) >= today:
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    found = []
    for _i in range(4 * years):
        found.append((year, quarter))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return found[::-1]


def _report(unit_id, year, quarter):
    return QuarterlyReport.objects.get(unit_id=unit_id, year=year, quarter=quarter)


CONTENT = {"work_done": "组织理论学习中心组学习 3 次，开展廉政谈话 5 人次。",
           "problems": "个别同志学习不够深入。", "next_steps": "加强日常监督。"}


def _report_fate(u: int, latest: bool) -> str:
    """What happens to the report of the unit at position ``u`` of its bureau."""
    if not latest:
        return "late" if u % 20 == 7 else ("returned_once" if u % 10 == 3 else "signed")
    return ["draft", "draft", "submitted", "returned", "signed", "signed", "signed",
            "signed", "late", "returned_once"][u % 10]


def _each(clock, bureaus, day, hour=TZ_HOUR):
    """Bureau by bureau, at the same moment of ``day``: (position, unit id) of its units."""
    for unit_ids in bureaus:
        clock.day(day, hour)
        yield from enumerate(unit_ids)


def _run_quarter(ex, clock, bureaus: list[list[int]], year, quarter, latest):
    """One quarter's reports: opened, submitted (some late, some returned), signed off;
    the latest quarter is left in every state."""
    opened_on = add_working_days(quarter_end(year, quarter), 1)
    units = {u.pk: u for u in Unit.objects.filter(pk__in=[pk for b in bureaus for pk in b])}
    for _u, unit_id in _each(clock, bureaus, opened_on, 8):
        open_report(unit=units[unit_id], year=year, quarter=quarter)

    def step(working_days, wanted, name, data):
        for u, unit_id in _each(clock, bureaus, add_working_days(opened_on, working_days)):
            if _report_fate(u, latest) in wanted:
                clock.tick()
                ex.act(_report(unit_id, year, quarter), name, data)

    step(3, {"submitted", "returned", "signed", "returned_once"}, "submit", CONTENT)
    step(6, {"returned", "returned_once"}, "return", {"opinion": "请补充问题整改情况。"})
    step(8, {"returned_once"}, "submit", CONTENT)
    step(14, {"late"}, "submit", CONTENT)  # after the deadline (10 working days)
    step(16, {"signed", "returned_once", "late"}, "sign_off", {"opinion": "同意。"})
    return opened_on


def _problem_fate(k: int, latest: bool) -> str:
    if not latest:
        return "filed_sent_back" if k % 20 == 9 else (
            "filed_returned" if k % 10 == 4 else "filed")
    return ["analysing", "plan_review", "rectifying", "rectifying", "overdue", "verifying",
            "filed", "filed_returned", "filed_sent_back", "filed"][k % 10]


def _run_problems(ex, clock, bureaus: list[list[Unit]], committee, ks: range,
                  index: int, opened_on, latest, today) -> int:
    """Each bureau's check finds problems ``ks`` (numbered in the bureau, the unit at
    position k of the bureau responsible): registered as one list, each moved to its fate."""
    found_on = opened_on + datetime.timedelta(days=10)
    problems: list[list[tuple[int, int]]] = []  # per bureau: (k, problem id)
    for b, units in enumerate(bureaus):
        clock.day(found_on, 9)
        clock.tick()
        members = [(k, units[k % len(units)]) for k in ks]
        items = [{"unit": unit, "category": CATEGORIES[k % len(CATEGORIES)],
                  "description": f"检查发现问题 {unit.code}-{k}：台账记录不完整。",
                  "person_concerned": "" if k % 3 else f"当事人{k}"} for k, unit in members]
        registered = register_problems(
            by=committee[(index + b) % len(committee)], source=SOURCES[index % len(SOURCES)],
            found_on=found_on, items=items,
            title=f"{found_on} 专项检查（{units[0].parent.name}）")
        problems.append([(k, p.pk) for (k, _unit), p in zip(members, registered, strict=True)])

    def step(day_offset, wanted, name, data):
        for in_bureau in problems:
            clock.day(found_on + datetime.timedelta(days=day_offset))
            for k, pk in in_bureau:
                f = _problem_fate(k, latest)
                if f in wanted:
                    clock.tick()
                    ex.act(Problem.objects.get(pk=pk), name, data(f) if callable(data) else data)

    not_analysing = {_problem_fate(k, latest) for k in range(20)} - {"analysing"}

    # overdue ones promise a date that has passed by today; the others one far ahead
    def plan(f):
        planned = (found_on + datetime.timedelta(days=20) if f == "overdue" or not latest
                   else today + datetime.timedelta(days=60))
        return {"root_cause": "制度执行不严，日常监督缺位。", "measures": "健全制度，逐项整改。",
                "planned_date": planned.isoformat()}

    step(3, not_analysing, "analyse", plan)
    step(6, {"filed_returned"}, "return", {"opinion": "整改措施不具体，请细化。"})
    step(8, {"filed_returned"}, "analyse", plan)
    step(10, not_analysing - {"plan_review"}, "approve_plan", {"opinion": "同意。"})
    done = {"verifying", "filed", "filed_returned", "filed_sent_back"}
    step(15, done, "progress", {"text": "已完成制度修订并组织学习。"})
    step(16, done, "report_done", {})
    step(19, {"filed_sent_back"}, "send_back", {"opinion": "佐证材料不足。"})
    step(21, {"filed_sent_back"}, "progress", {"text": "补充佐证材料。"})
    step(22, {"filed_sent_back"}, "report_done", {})
    step(25, done - {"verifying"}, "close_out", {"opinion": "整改到位，予以销号。"})
    return sum(len(b) for b in problems)


def seed(*, units: int = 50, years: int = 1, problems_per_unit: int = PROBLEMS_PER_UNIT,
         executor: str = "actions", today: datetime.date | None = None,
         sweep_days: int = 3, clone: bool | None = None, per_bureau: int = UNITS_PER_BUREAU,
         per_leader: int = UNITS_PER_LEADER, log: Callable = print) -> dict:
    """Build the city; returns how many of each thing there are.

    ``clone`` (the default when the city has more than one bureau, all full, and the
    steps go through ``take``): only the first bureau goes through the services, and
    bench/clone.py copies it to the others. ``clone=False`` builds every bureau step by
    step, the reference the copy is tested against."""
    from bench.clone import Prototype
    from bench.clone import clone as copy_bureau
    from flows.reminders import sweep

    today = today or timezone.localdate()
    whole = units % per_bureau == 0 and units > per_bureau
    if clone is None:
        clone = whole and executor == "actions"
    if clone and not whole:
        raise ValueError("copying a bureau needs a city of whole bureaus (units a multiple "
                         f"of {per_bureau}), more than one")
    ex = PagesExecutor() if executor == "pages" else ActionsExecutor()
    plan = quarters(years, today)
    clock = Clock()
    started = time.monotonic()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # durability is not needed while seeding
            cursor.execute("SET synchronous_commit TO off")
    with time_travel(clock), quiet_background():
        org_start = quarter_end(*plan[0]) - datetime.timedelta(days=365)
        clock.day(org_start)
        org = build_org(units, org_start, log, per_bureau=per_bureau, per_leader=per_leader)
        city = [list(Unit.objects.filter(parent__code=f"b{b:03d}").select_related("parent")
                     .order_by("order")) for b in range(org["bureaus"])]
        committee = list(User.objects.filter(username__startswith="committee_")
                         .order_by("username"))
        prototype = None
        if clone:
            city = city[:1]
            prototype = Prototype()
            clock.listeners.append(prototype.mark)
        in_bureau = problems_per_unit * len(city[0])  # each bureau's problems, all years
        per_quarter = [in_bureau // len(plan)] * len(plan)
        per_quarter[-1] += in_bureau - sum(per_quarter)
        k = 0
        for index, (year, quarter) in enumerate(plan):
            latest = index == len(plan) - 1
            opened_on = _run_quarter(ex, clock, [[u.pk for u in b] for b in city], year,
                                     quarter, latest)
            made = _run_problems(ex, clock, city, committee,
                                 range(k, k + per_quarter[index]), index, opened_on, latest,
                                 today)
            k += per_quarter[index]
            log(f"{year}Q{quarter}: reports and {made} problems "
                f"({time.monotonic() - started:.0f}s)")
        if clone:
            clock.listeners.remove(prototype.mark)
            copy_bureau(prototype, org["bureaus"], committee, log)
            log(f"copied ({time.monotonic() - started:.0f}s)")
        # the morning reminder sweep on the last few working days up to today
        day, mornings = today, []
        while len(mornings) < sweep_days:
            day -= datetime.timedelta(days=1)
            if add_working_days(day - datetime.timedelta(days=1), 1) == day:
                mornings.append(day)
        for morning in reversed(mornings):
            clock.day(morning, 7)
            sweep(morning)
        clock.moment = None
    counts = city_size()
    counts["seconds"] = round(time.monotonic() - started, 1)
    log(f"city: {counts}")
    return counts


def city_size() -> dict:
    from viewflow.workflow.models import Process

    from records.models import (
        AuditEvent,
        Notification,
        ProblemUserObjectPermission,
        QuarterlyReportUserObjectPermission,
    )

    return {
        "units": Unit.objects.exclude(kind=Unit.Kind.BUREAU).count(),
        "bureaus": Unit.objects.filter(kind=Unit.Kind.BUREAU, parent__isnull=False).count(),
        "leaders": Post.objects.filter(role=Post.Role.LEADER).count(),
        "users": User.objects.count(),
        "processes": Process.objects.count(),
        "task_rows": Task.objects.count(),
        "reports": QuarterlyReport.objects.count(),
        "problems": Problem.objects.count(),
        "grants": QuarterlyReportUserObjectPermission.objects.count()
        + ProblemUserObjectPermission.objects.count(),
        "audit_events": AuditEvent.objects.count(),
        "notifications": Notification.objects.count(),
    }


def settle(counts: dict, name: str, write) -> None:
    """After a seed of millions of rows: on PostgreSQL the planner's statistics and the
    visibility map now, as autovacuum would within minutes, rather than racing the
    measurements that follow; then the seed's counts kept in var/<name>.json for the run."""
    import json
    import time
    from pathlib import Path

    from django.conf import settings
    from django.db import connection

    if connection.vendor == "postgresql":
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        counts["seconds"]["vacuum"] = round(time.monotonic() - started, 1)
        write(f"vacuumed and analysed ({counts['seconds']['vacuum']:.0f}s)")
    record = Path(settings.VAR_DIR) / f"{name}.json"
    record.parent.mkdir(exist_ok=True)
    record.write_text(json.dumps(counts))
