"""The duty records (履责纪实) at city scale: a seed and its measurements.

``seed_duties(units=5000)`` builds the city's org chart with ``bench.seed.build_org`` (the
city, its committee and secretary, bureaus of 50 units, a head per unit, a leader per ten
units), then this year's duty list through the services (read from a 40-item plan by
committee_1, each item's carriers, period, target and reviewer set, issued by the
secretary), then a year of records written in bulk:

- every unit's head records ``per_item`` × 40 things a year (400 by default: 2,000,000
  records over 5,000 units), each counting for one or two of the 30 items heads and
  branches carry, spread over the year's working days up to yesterday; each unit leans
  towards some items and neglects others, so the heat map has every colour;
- every leader ``per_item`` records for each of the four items each leader carries, each
  bureau's leaders ``per_item`` for each of the two the leadership group carries, the
  secretary and the committee ``per_item`` for each of theirs;
- statuses as reviewers leave them: the last three weeks' records mostly awaiting review,
  older ones accepted (a few returned, a few accepted after one return, a few still
  waiting), the branch items' records drawn for review half the time (the others accepted
  as recorded); about 5 % recorded late (补录) with a reason; a talk (谈心谈话) names the
  unit's supervising leader as its participant.

Each record comes with its counted rows (DutyRecordItem: the head's seat, the record's
date, ``counts`` for submitted and accepted ones, as ``records.services.duty_records``
writes them) and its versions (DutyRecordVersion: what was submitted each time and the
decision). On PostgreSQL the rows are written with COPY (psycopg's ``cursor.copy``), a chunk
of units per transaction; elsewhere (the test suite's SQLite) with ``bulk_create``. The
records' audit events and reviewers' notifications are not written: nothing measured here
reads them.

``python -m bench.duties`` (``make bench-duties``) measures the pages and API lists over
those records in-process, as ``bench/run.py`` does, and writes its section of
bench/RESULTS.md.
"""

from __future__ import annotations

import datetime
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

PER_ITEM = 10  # records a year per unit and list item (the issue's "10 per unit and item")
N_ITEMS = 40
UNIT_ITEMS = range(1, 31)  # 1–20 each unit head, 21–30 each party branch
CHUNK_UNITS = 250  # units per COPY transaction (100,000 records at the default size)
RECENT = 15  # working days: records this young mostly still await review
KINDS = ["meeting", "study", "talk", "inspection", "lecture", "visit", "other"]
KIND_WEIGHTS = [30, 25, 15, 10, 5, 5, 10]
SUMMARIES = {
    "meeting": "召开处务会，传达学习全面从严治党工作部署，研究本处落实措施。",
    "study": "组织党员干部集中学习党章党规党纪，交流学习体会。",
    "talk": "与处室干部开展谈心谈话，了解思想动态，提醒廉洁自律。",
    "inspection": "对重点岗位廉政风险防控措施落实情况开展检查。",
    "lecture": "讲授廉政党课，结合典型案例开展警示教育。",
    "visit": "赴廉政教育基地参观学习。",
    "other": "完成全面从严治党相关工作并留存记录。",
}
LATE_REASON = "会后外出执行任务，返回后补录。"
RETURN_OPINION = "请补充会议记录和签到表。"


# -- the list ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ItemSpec:
    number: int
    carriers: list[str]
    period: str
    target: int | None  # None: as needed
    reviewer: str
    sample_percent: int = 100


def item_specs() -> list[ItemSpec]:
    """The 40 items: 1–20 each unit head carries, 21–30 each party branch (drawn for
    review half the time), 31–34 each leader, 35–36 the leadership group, 37 the
    secretary, 38–40 the committee; quarter and year targets, two monthly, three as
    needed."""
    specs = []
    for n in range(1, N_ITEMS + 1):
        if n <= 30:
            carrier = "unit_heads" if n <= 20 else "branches"
            if n in (5, 25):
                period, target = "month", 1
            elif n in (9, 19, 29):
                period, target = "year", None
            elif n % 2:
                period, target = "quarter", [2, 3, 4, 5, 6][n % 5]
            else:
                period, target = "year", [8, 12, 16, 20, 24][n % 5]
            specs.append(ItemSpec(n, [carrier], period, target, "supervisor",
                                  50 if carrier == "branches" else 100))
        elif n <= 34:
            specs.append(ItemSpec(n, ["leaders"], "quarter", 2, "secretary"))
        elif n <= 36:
            specs.append(ItemSpec(n, ["leadership"], "year", 4, "committee"))
        elif n == 37:
            specs.append(ItemSpec(n, ["secretary"], "quarter", 1, "committee"))
        else:
            specs.append(ItemSpec(n, ["committee"], "quarter", 2, "secretary"))
    return specs


def plan_text(year: int) -> str:
    lines = [f"{year}年全面从严治党工作要点（基准测试）", "一、压实主体责任"]
    for spec in item_specs():
        lines.append(f"{spec.number}.第{spec.number}项责任任务。全年开展不少于X次，"
                     "做到有部署、有检查、有记录。")
    return "\n".join(lines)


def build_list(year: int):
    """This year's list through the services: read from the plan by committee_1, each
    item set, issued by the secretary."""
    from accounts.models import User
    from records.services import duties

    committee = User.objects.get(username="committee_1")
    duty_list = duties.duty_list_from_plan(year=year, by=committee, text=plan_text(year))
    specs = {spec.number: spec for spec in item_specs()}
    for item in duty_list.items.order_by("number"):
        spec = specs[item.number]
        changes = {"carriers": spec.carriers, "period": spec.period,
                   "reviewer": spec.reviewer, "sample_percent": spec.sample_percent}
        if spec.target is None:
            changes["as_needed"] = True
        else:
            changes["target"] = spec.target
        duties.duty_item_update(item=item, by=committee, **changes)
    return duties.duty_list_issue(duty_list=duty_list,
                                  by=User.objects.get(username="city_secretary"))


# -- writing rows --------------------------------------------------------------------------

def _columns(model) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


class Writer:
    """Rows of a model, as tuples in ``_columns(model)`` order: COPY on PostgreSQL,
    bulk_create elsewhere."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"

    def write(self, model, rows: list[tuple]) -> None:
        if not rows:
            return
        names = _columns(model)
        if not self.postgres:
            model.objects.bulk_create([model(**dict(zip(names, row, strict=True)))
                                       for row in rows], batch_size=500)
            return
        columns = ", ".join(connection.ops.quote_name(model._meta.get_field(name).column)
                            for name in names)
        with connection.cursor() as cursor:
            with cursor.cursor.copy(
                    f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) "
                    "FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)


def _next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def _reset_sequences(models) -> None:
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


# -- the records ---------------------------------------------------------------------------

class Generator:
    """The year's records, author by author; deterministic (one random stream per author)."""

    def __init__(self, duty_list, days: list[datetime.date], per_item: int):
        from records.models import DutyRecord, DutyRecordItem, DutyRecordVersion

        self.duty_list = duty_list
        self.days = days
        self.per_item = per_item
        self.items = {item.number: item for item in duty_list.items.all()}
        self.tz = timezone.get_current_timezone()
        self.ids = {model: _next_id(model) for model in
                    (DutyRecord, DutyRecordItem, DutyRecordVersion,
                     DutyRecord.participants.through)}
        self.records, self.counted, self.versions, self.participants = [], [], [], []
        self.statuses: dict[str, int] = {}
        self.late = 0

    def _take(self, model) -> int:
        value = self.ids[model]
        self.ids[model] += 1
        return value

    def _moment(self, index: int, rng: random.Random) -> datetime.datetime:
        day = self.days[min(index, len(self.days) - 1)]
        return datetime.datetime.combine(day, datetime.time(rng.randint(8, 17),
                                                            rng.randint(0, 59)),
                                         tzinfo=self.tz)

    def record(self, rng: random.Random, *, author: tuple[int, str], unit_id: int,
               day_index: int, numbers: list[int], seat: tuple[str, int, int | None],
               reviewer: tuple[int, str] | None, participant: tuple[int, str] | None = None
               ) -> None:
        """One record of ``author`` (id, username) for the unit of its seat, counted for
        ``numbers`` at ``seat`` (carrier, unit, leader), reviewed by ``reviewer``."""
        from records.models import DutyRecord, DutyRecordItem, DutyRecordVersion

        Status = DutyRecord.Status
        day_index = min(day_index, len(self.days) - 1)
        items = [self.items[n] for n in sorted(set(numbers))]
        first = items[0]
        kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
        age = len(self.days) - 1 - day_index  # working days before the last one
        draw = rng.random()
        if age < RECENT:
            status = (Status.SUBMITTED if draw < 0.6 else Status.RETURNED if draw < 0.65
                      else Status.ACCEPTED)
        else:
            status = (Status.ACCEPTED if draw < 0.96 else Status.RETURNED if draw < 0.985
                      else Status.SUBMITTED)
        percent = max(item.sample_percent for item in items)
        sampled = percent >= 100 or rng.randrange(100) < percent
        if not sampled:
            status = Status.ACCEPTED
        late = age > 25 and rng.random() < 0.05
        made_index = day_index + (rng.randint(6, 20) if late else rng.choice((0, 0, 1, 1, 2)))
        created = self._moment(made_index, rng)
        once_returned = (sampled and status == Status.ACCEPTED and age > 10
                         and rng.random() < 0.03)
        reviewed_at = None
        if sampled and status != Status.SUBMITTED:
            reviewed_at = self._moment(made_index + rng.randint(1, 3 if not once_returned
                                                                 else 2), rng)
            if once_returned:
                reviewed_at = max(reviewed_at, created) + datetime.timedelta(days=3)
            reviewed_at = max(reviewed_at, created + datetime.timedelta(hours=1))
        reviewer_id = reviewer[0] if reviewer and reviewed_at else None
        pk = self._take(DutyRecord)
        date = self.days[day_index]
        summary = SUMMARIES[kind]
        people = [participant] if participant and kind == "talk" else []
        self.records.append((
            pk, self.duty_list.pk, author[0], unit_id, kind, date, "", "", "", summary,
            status, 2 if once_returned else 1, late, LATE_REASON if late else "", sampled,
            first.reviewer, reviewer_id, reviewed_at, once_returned or status == Status.RETURNED,
            created, reviewed_at or created))
        counts = status in DutyRecord.COUNTING
        for item in items:
            self.counted.append((self._take(DutyRecordItem), pk, item.pk, seat[0], seat[1],
                                 seat[2], date, counts))
        for person in people:
            self.participants.append((self._take(DutyRecord.participants.through), pk,
                                      person[0]))
        content = json.dumps({
            "kind": kind, "date": date.isoformat(), "place": "", "organiser": "",
            "guests": "", "summary": summary, "late_reason": LATE_REASON if late else "",
            "items": [item.number for item in items],
            "participants": sorted(person[1] for person in people), "files": []},
            ensure_ascii=False)
        if once_returned:
            returned_at = created + datetime.timedelta(days=1)
            self.versions.append((self._take(DutyRecordVersion), pk, 1, content, author[0],
                                  created, Status.RETURNED, RETURN_OPINION, reviewer_id,
                                  returned_at))
            self.versions.append((self._take(DutyRecordVersion), pk, 2, content, author[0],
                                  returned_at + datetime.timedelta(days=1), Status.ACCEPTED,
                                  "", reviewer_id, reviewed_at))
        else:
            decision = "" if status == Status.SUBMITTED else status
            self.versions.append((
                self._take(DutyRecordVersion), pk, 1, content, author[0], created, decision,
                RETURN_OPINION if status == Status.RETURNED else "", reviewer_id,
                reviewed_at))
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.late += late

    def flush(self, writer: Writer) -> int:
        from records.models import DutyRecord, DutyRecordItem, DutyRecordVersion

        written = len(self.records)
        with transaction.atomic():
            writer.write(DutyRecord, self.records)
            writer.write(DutyRecordItem, self.counted)
            writer.write(DutyRecordVersion, self.versions)
            writer.write(DutyRecord.participants.through, self.participants)
        self.records, self.counted, self.versions, self.participants = [], [], [], []
        return written


def _check_column_order() -> None:
    """The tuples above follow the models' columns: fail loudly if a model changed."""
    from records.models import DutyRecord, DutyRecordItem, DutyRecordVersion

    expected = {
        DutyRecord: ["id", "duty_list_id", "author_id", "unit_id", "kind", "date", "place",
                     "organiser", "guests", "summary", "status", "version", "is_late",
                     "late_reason", "sampled", "reviewer_role", "reviewed_by_id",
                     "reviewed_at", "was_returned", "created_at", "updated_at"],
        DutyRecordItem: ["id", "record_id", "item_id", "carrier", "unit_id", "leader_id",
                         "date", "counts"],
        DutyRecordVersion: ["id", "record_id", "number", "content", "submitted_by_id",
                            "submitted_at", "decision", "opinion", "decided_by_id",
                            "decided_at"],
        DutyRecord.participants.through: ["id", "dutyrecord_id", "user_id"],
    }
    for model, names in expected.items():
        if _columns(model) != names:
            raise RuntimeError(f"{model.__name__}'s columns changed: {_columns(model)}; "
                               "update bench/duties.py's rows")


def working_days(year: int, until: datetime.date) -> list[datetime.date]:
    from records.workdays import Calendar

    calendar = Calendar(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    day, found = datetime.date(year, 1, 1), []
    while day <= until and day.year == year:
        if calendar.is_workday(day):
            found.append(day)
        day += datetime.timedelta(days=1)
    return found


def seed_duties(*, units: int = 5000, per_item: int = PER_ITEM, today: datetime.date | None
                = None, log: Callable = print) -> dict:
    """Build the org chart, this year's list and a year of records; returns what was made
    and how long each part took."""
    from accounts.models import Oversight, Post, Unit, User
    from bench.seed import build_org
    from demo.clock import Clock, quiet_background, time_travel
    from records.models import DutyRecord, DutyRecordItem, DutyRecordVersion

    _check_column_order()
    today = today or timezone.localdate()
    year = today.year
    days = working_days(year, today - datetime.timedelta(days=1))
    if len(days) < 30:
        raise RuntimeError("the benchmark's records need a month of this year behind today")
    started = time.monotonic()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # durability is not needed while seeding
            cursor.execute("SET synchronous_commit TO off")
    clock = Clock()
    with time_travel(clock), quiet_background():
        clock.day(datetime.date(year - 1, 1, 2))
        org = build_org(units, datetime.date(year - 1, 1, 2), log)
        clock.day(days[2])
        duty_list = build_list(year)
        clock.moment = None
    timings = {"org_and_list": time.monotonic() - started}
    log(f"org chart and the {year} list ({timings['org_and_list']:.0f}s)")

    heads = {post.unit_id: (post.user_id, post.user.username) for post in
             Post.objects.filter(role=Post.Role.HEAD).select_related("user")}
    overseer = {o.unit_id: (o.leader_id, o.leader.username)
                for o in Oversight.objects.select_related("leader")}
    city = Unit.objects.get(code="city")
    bureaus = list(Unit.objects.filter(parent=city).order_by("order", "code"))
    leaders = {}  # bureau id → [(leader id, username)]
    for post in Post.objects.filter(role=Post.Role.LEADER).select_related("user").order_by(
            "user__username"):
        leaders.setdefault(post.unit_id, []).append((post.user_id, post.user.username))
    secretary = User.objects.get(username="city_secretary")
    committee = list(User.objects.filter(username__startswith="committee_").order_by(
        "username"))
    gen = Generator(duty_list, days, per_item)
    writer = Writer()
    per_unit = per_item * N_ITEMS
    n_days = len(days)
    unit_numbers = list(UNIT_ITEMS)
    written, unit_index = 0, 0
    for bureau in bureaus:
        units_here = list(Unit.objects.filter(parent=bureau).order_by("order", "code")
                          .values_list("pk", flat=True))
        for unit_id in units_here:
            rng = random.Random(unit_index)
            # each unit leans towards some items and neglects others
            weights = [rng.uniform(0.2, 1.8) for _n in unit_numbers]
            head = heads[unit_id]
            leader = overseer.get(unit_id)
            for k in range(per_unit):
                day_index = min(n_days - 1, k * n_days // per_unit + rng.randrange(2))
                first = rng.choices(unit_numbers, weights)[0]
                numbers = [first]
                # a record counts for the items of one seat: the head's or the branch's
                carrier = "unit_heads" if first <= 20 else "branches"
                if rng.random() < 0.5:
                    group = slice(0, 20) if first <= 20 else slice(20, 30)
                    numbers.append(rng.choices(unit_numbers[group], weights[group])[0])
                gen.record(rng, author=head, unit_id=unit_id, day_index=day_index,
                           numbers=numbers, seat=(carrier, unit_id, None), reviewer=leader,
                           participant=leader)
            unit_index += 1
            if unit_index % CHUNK_UNITS == 0:
                written += gen.flush(writer)
                log(f"{unit_index} units, {written} records "
                    f"({time.monotonic() - started:.0f}s)")
        # the bureau's leaders: each leader's items, and the leadership group's
        rng = random.Random(-1 - bureau.pk)
        here = leaders.get(bureau.pk, [])
        for leader in here:
            for number in range(31, 35):
                for j in range(per_item):
                    gen.record(rng, author=leader, unit_id=bureau.pk,
                               day_index=(j * n_days) // per_item + rng.randrange(5),
                               numbers=[number], seat=("leaders", bureau.pk, leader[0]),
                               reviewer=(secretary.pk, secretary.username))
        for number in (35, 36):
            for j in range(per_item if here else 0):
                gen.record(rng, author=here[j % len(here)], unit_id=bureau.pk,
                           day_index=(j * n_days) // per_item + rng.randrange(5),
                           numbers=[number], seat=("leadership", bureau.pk, None),
                           reviewer=(committee[0].pk, committee[0].username))
    rng = random.Random(-999_999)
    for j in range(per_item):
        gen.record(rng, author=(secretary.pk, secretary.username), unit_id=city.pk,
                   day_index=(j * n_days) // per_item, numbers=[37],
                   seat=("secretary", city.pk, None),
                   reviewer=(committee[0].pk, committee[0].username))
        for number in (38, 39, 40):
            member = committee[(j + number) % len(committee)]
            gen.record(rng, author=(member.pk, member.username), unit_id=city.pk,
                       day_index=(j * n_days) // per_item, numbers=[number],
                       seat=("committee", city.pk, None),
                       reviewer=(secretary.pk, secretary.username))
    written += gen.flush(writer)
    _reset_sequences([DutyRecord, DutyRecordItem, DutyRecordVersion,
                      DutyRecord.participants.through])
    timings["records"] = time.monotonic() - started - timings["org_and_list"]
    log(f"{written} records written ({timings['records']:.0f}s)")
    counts = duty_size()
    counts.update(org)
    counts["statuses"] = gen.statuses
    counts["late"] = gen.late
    counts["per_item"] = per_item
    counts["year"] = year
    counts["seconds"] = {name: round(value, 1) for name, value in timings.items()}
    return counts


def duty_size() -> dict:
    from records.models import DutyItem, DutyRecord, DutyRecordItem, DutyRecordVersion

    return {"records": DutyRecord.objects.count(),
            "counted_rows": DutyRecordItem.objects.count(),
            "versions": DutyRecordVersion.objects.count(),
            "participants": DutyRecord.participants.through.objects.count(),
            "items": DutyItem.objects.count()}


# -- who and what is measured (shared with tests/test_duty_query_scaling.py) --------------

def duty_subjects() -> dict:
    from accounts.models import Post, Unit, User

    unit = Unit.objects.filter(kind=Unit.Kind.DIVISION).order_by("code").first()
    head = User.objects.get(posts__role=Post.Role.HEAD, posts__unit=unit)
    leader = User.objects.filter(posts__role=Post.Role.LEADER).order_by("username").first()
    committee = User.objects.filter(posts__role=Post.Role.COMMITTEE).order_by(
        "username").first()
    return {"head": head, "leader": leader, "committee": committee, "unit": unit.code,
            "bureau": unit.parent.code}


def duty_cases(s: dict) -> list[tuple[str, object, str]]:
    """(label, user, URL) of the duty pages and API lists; the API ones only if served."""
    from django.urls import Resolver404, resolve

    cases = [
        ("Unit head's duty list", s["head"], "/duties/mine/"),
        ("API: unit head's duty items", s["head"], "/api/v1/duty-items/mine/"),
        ("Unit head's records", s["head"], "/duties/records/"),
        ("Leader's duty list", s["leader"], "/duties/mine/"),
        ("Leader's records (the units overseen)", s["leader"], "/duties/records/"),
        ("Leader's review queue", s["leader"], "/duties/records/?review=1"),
        ("Leader's heat map (own units)", s["leader"], "/duties/heatmap/"),
        ("Committee's record ledger (lands on its first bureau)", s["committee"],
         "/duties/records/"),
        ("Committee's record ledger, whole city (chosen)", s["committee"],
         "/duties/records/?bureau=city"),
        ("Committee's record ledger, one unit", s["committee"],
         f"/duties/records/?unit={s['unit']}"),
        ("Committee's record ledger, item 3", s["committee"], "/duties/records/?item=3"),
        ("Committee's record ledger, awaiting review", s["committee"],
         "/duties/records/?status=submitted"),
        ("Heat map of one bureau", s["committee"], f"/duties/heatmap/?bureau={s['bureau']}"),
        ("API record list (its first bureau)", s["committee"], "/api/v1/duty-records/"),
        ("API record list, one unit", s["committee"],
         f"/api/v1/duty-records/?unit={s['unit']}"),
    ]
    served = []
    for case in cases:
        try:
            resolve(case[2].split("?")[0])
        except Resolver404:
            continue
        served.append(case)
    return served


# -- measuring -----------------------------------------------------------------------------

SECTION_START = "<!-- bench-duties:start -->"
SECTION_END = "<!-- bench-duties:end -->"


def _seed_record() -> dict | None:
    from pathlib import Path

    from django.conf import settings

    path = Path(settings.VAR_DIR) / "bench-duties-seed.json"
    return json.loads(path.read_text()) if path.exists() else None


def statuses() -> dict:
    from django.db.models import Count

    from records.models import DutyRecord

    return dict(DutyRecord.objects.values_list("status").annotate(n=Count("pk"))
                .order_by("status"))


def section(data: dict) -> str:
    from bench.run import TARGET_MS, verdict

    m, size, seed = data["machine"], data["size"], data.get("seed") or {}
    lines = [
        SECTION_START,
        "",
        "## Duty records (履责纪实) at city scale",
        "",
        f"One run of `python -m bench.duties` (`make bench-duties`), {data['finished']} UTC, "
        "on its own database, built by `manage.py bench_seed_duties --units "
        f"{seed.get('units', size.get('units', '?'))} --per-item "
        f"{seed.get('per_item', PER_ITEM)}` (bench/duties.py).",
        "",
    ]
    if seed:
        s = seed["seconds"]
        lines += [
            f"The seed took {sum(s.values()) / 60:.1f} minutes: the org chart "
            f"(`bench.seed.build_org`) and the {seed['year']} list through the services "
            f"{s['org_and_list']:.0f} s, the records written with COPY "
            f"{s['records']:.0f} s, VACUUM ANALYZE {s.get('vacuum', 0):.0f} s. Records "
            f"by status: {seed['statuses']}; {seed['late']} recorded late.",
            "",
        ]
    lines += [
        f"- CPU: {m['cpu']}, {m['cores']} cores, shared with other test runs; load average "
        f"{data['load'][0]:.1f} / {data['load'][1]:.1f} / {data['load'][2]:.1f} (1, 5, 15 "
        "min) when the report was written",
        f"- PostgreSQL {m['postgresql']} (default settings: shared_buffers 128 MB, "
        f"work_mem 4 MB); Python {m['python']}; Django {m['django']}",
        "",
        "| units | list items | records | counted rows | versions | participants |",
        "|---|---|---|---|---|---|",
        f"| {data['units']} | {size['items']} | {size['records']} | {size['counted_rows']} "
        f"| {size['versions']} | {size['participants']} |",
        "",
        f"Server time in-process through Django's test client, {data['runs']} runs each "
        "after 2 warm-up runs" + (" (before: the same city before the changes described "
                                  f"below, {data['before']['runs']} runs)"
                                  if data.get("before") else "") + ":",
        "",
    ]
    before = {row["label"]: row for row in (data.get("before") or {}).get("pages", [])}
    if before:
        lines += ["| what | URL | as | before: median / p95 ms, queries | median ms | p95 ms "
                  "| queries | target | |",
                  "|---|---|---|---|---|---|---|---|---|"]
    else:
        lines += ["| what | URL | as | median ms | p95 ms | queries | target | |",
                  "|---|---|---|---|---|---|---|---|"]
    for row in data["pages"]:
        was = before.get(row["label"])
        then = ([f"{was['median']:.0f} / {was['p95']:.0f}, {was['queries']}" if was else "—"]
                if before else [])
        lines.append("| " + " | ".join([
            row["label"], f"`{row['url']}`", row["user"], *then, f"{row['median']:.1f}",
            f"{row['p95']:.1f}", str(row["queries"]), f"p95 ≤ {TARGET_MS} ms",
            verdict(row["p95"] <= TARGET_MS)]) + " |")
    lines += ["", "Query counts do not grow with the data: tests/test_duty_query_scaling.py "
              "asserts the same count for each of these at two sizes."]
    if data.get("notes"):
        lines += ["", data["notes"]]
    profiles = [row["profile"].replace("### ", "#### ", 1) for row in data["pages"]
                if row.get("profile")]
    if profiles:
        lines += ["", "### Profiles of the pages over their target", ""] + profiles
    lines += ["", SECTION_END]
    return "\n".join(lines)


def write_section(text: str) -> None:
    """Replace this benchmark's section of bench/RESULTS.md, or append it."""
    from bench.run import RESULTS

    current = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if SECTION_START in current and SECTION_END in current:
        before = current[:current.index(SECTION_START)]
        after = current[current.index(SECTION_END) + len(SECTION_END):]
        current = before + text + after
    else:
        current = current.rstrip("\n") + "\n\n" + text + "\n"
    RESULTS.write_text(current)


def main() -> None:
    import argparse
    import os
    import sys
    from pathlib import Path

    from bench.run import ROOT, log, machine, measure_pages

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--only", default="", help="measure the cases whose label contains "
                                                   "this (no RESULTS.md)")
    parser.add_argument("--notes", default="", help="a paragraph for RESULTS.md")
    parser.add_argument("--before", default="", help="an earlier run's JSON: its figures "
                                                     "shown next to these")
    parser.add_argument("--no-write", action="store_true", help="leave RESULTS.md alone")
    parser.add_argument("--json", default=str(ROOT / "var" / "bench-duties-results.json"))
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The benchmark runs on PostgreSQL: set DATABASE_URL (see README, Benchmark).")
    from accounts.models import Unit

    size = duty_size()
    log(f"duty records: {size}")
    cases = duty_cases(duty_subjects())
    if args.only:
        cases = [case for case in cases if args.only.lower() in case[0].lower()]
    pages = measure_pages(cases, args.runs)
    data = {"machine": machine(), "size": size, "seed": _seed_record(), "pages": pages,
            "runs": args.runs, "load": os.getloadavg(), "notes": args.notes,
            "units": Unit.objects.filter(kind=Unit.Kind.DIVISION).count(),
            "statuses": statuses(),
            "finished": time.strftime("%Y-%m-%d %H:%M", time.gmtime())}
    if args.before:
        data["before"] = json.loads(Path(args.before).read_text())
    Path(args.json).write_text(json.dumps(data, default=str, indent=1))
    if not args.only and not args.no_write:
        write_section(section(data))
        log("wrote its section of bench/RESULTS.md")


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    main()
