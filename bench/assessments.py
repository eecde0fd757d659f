"""The year-end assessment's nightly scoring at city scale: a seed and its measurement.

``seed_assessments(units=5000)`` builds the duty records' city (``bench.duties.seed_duties``:
the org chart, this year's 40-item list and ``per_item`` records a unit and item), then,
written in bulk as the flows would leave them, what the other automatic criteria read:

- every unit's quarterly reports of this year's finished quarters: most submitted on time
  and signed off within the review's deadline; some submitted late, some returned once or
  twice; in the latest quarter some never submitted, some awaiting their leader's review
  past its deadline, some signed off late;
- ``problems`` problems a unit found this year: most closed out in time, some closed out
  after their approved date, some still open past it, some with a deadline extended.

Neither has a process, tasks, grants or an audit trail: nothing the scoring reads.

``python -m bench.assessments`` (``make bench-assessments-run``) creates this year's
assessment (``services.assessments.assessment_create``, its first computation) and times
``services.assessments.assessments_nightly`` — the Celery beat job's work — a few times over
the whole city and over the first bureaus only (the others' units and leaders made
inactive), counting its queries; each size in a transaction rolled back afterwards, so the
city stays as seeded. It replaces its own section of bench/RESULTS.md.
"""

from __future__ import annotations

import datetime
import json
import statistics
import time
from collections.abc import Callable

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

PER_ITEM = 10  # as the duty records' benchmark
PROBLEMS = 3  # problems a unit found this year
SUBSET = 500  # the smaller size measured: the first bureaus' units
TARGET_S = 60
SECTION_START = "<!-- bench-assessments:start -->"
SECTION_END = "<!-- bench-assessments:end -->"
CONTENT = {"work_done": "组织理论学习中心组学习 3 次，开展廉政谈话 5 人次。",
           "problems": "个别同志学习不够深入。", "next_steps": "加强日常监督。"}


# -- the seed ------------------------------------------------------------------------------

def _moment(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def _report_fate(u: int, latest: bool) -> str:
    """What became of the report of the unit at position ``u`` of its bureau."""
    if latest:
        fate = {0: "draft", 2: "awaiting", 5: "signed_late"}.get(u % 10)
        if fate:
            return fate
    if u % 20 == 7:
        return "late"
    if u % 25 == 11:
        return "returned_twice"
    return "returned_once" if u % 10 == 3 else "signed"


def _reports(year: int, today: datetime.date, units: list[tuple[int, int, int, int | None]]
             ) -> list:
    """This year's finished quarters' reports of ``units`` (id, position in its bureau,
    head id, supervising leader id)."""
    from records.models import QuarterlyReport
    from records.workdays import Calendar, add_working_days, quarter_end

    Status = QuarterlyReport.Status
    calendar = Calendar(datetime.date(year, 1, 1), datetime.date(year + 1, 3, 31))

    def after(day, n):
        return add_working_days(day, n, calendar)

    quarters = [q for q in range(1, 5) if after(quarter_end(year, q), 25) < today]
    rows = []
    for quarter in quarters:
        opened = after(quarter_end(year, quarter), 1)
        due = after(quarter_end(year, quarter), 10)
        latest = quarter == quarters[-1]
        for unit_id, u, head_id, leader_id in units:
            fate = _report_fate(u, latest)
            report = QuarterlyReport(
                unit_id=unit_id, year=year, quarter=quarter, due_date=due,
                created_at=_moment(opened, 8), opened_by=None, **CONTENT)
            if fate == "draft":
                report.status, report.step_due_date = Status.DRAFT, due
                report.work_done = report.problems = report.next_steps = ""
                rows.append(report)
                continue
            submitted = after(opened, {"late": 14, "returned_once": 8,
                                       "returned_twice": 12}.get(fate, 3))
            report.version = {"returned_once": 2, "returned_twice": 3}.get(fate, 1)
            report.submitted_at, report.submitted_by_id = _moment(submitted, 16), head_id
            report.last_edited_by_id = head_id
            if fate == "awaiting":
                report.status, report.step_due_date = Status.SUBMITTED, after(submitted, 5)
            else:
                signed = after(submitted, 9 if fate == "signed_late" else 2)
                report.status = Status.SIGNED_OFF
                report.signed_off_at, report.signed_off_by_id = _moment(signed, 11), leader_id
            rows.append(report)
    return rows


def _problems(year: int, today: datetime.date, per_unit: int, committee_id: int,
              units: list[tuple[int, int, int, int | None]]) -> tuple[list, list]:
    """``per_unit`` problems a unit, found through the year; and the extensions granted."""
    from records.models import ExtensionRequest, Problem
    from records.workdays import Calendar, add_working_days

    Status = Problem.Status
    calendar = Calendar(datetime.date(year, 1, 1), today + datetime.timedelta(days=60))
    span = (today - datetime.date(year, 1, 20)).days
    categories, problems, extensions = Problem.Category.values, [], []
    for unit_id, u, head_id, leader_id in units:
        for k in range(per_unit):
            found = datetime.date(year, 1, 20) + datetime.timedelta(
                days=(span * k) // per_unit + u % 7)
            registered = add_working_days(found, 1, calendar)
            approved = registered + datetime.timedelta(days=40)
            problem = Problem(
                source=Problem.Source.SPOT_CHECK, category=categories[(u + k) % len(categories)],
                description=f"检查发现问题 {unit_id}-{k}：台账记录不完整。", found_on=found,
                unit_id=unit_id, registered_by_id=committee_id,
                registered_at=_moment(registered), root_cause="制度执行不严，日常监督缺位。",
                measures="健全制度，逐项整改。", planned_date=approved, approved_date=approved,
                plan_version=1)
            draw = (u * 7 + k * 3) % 20
            if approved >= today or draw < 3:
                # still rectifying: overdue once its approved date has passed
                problem.status, problem.step = Status.RECTIFYING, "rectify"
                problem.assignee_id, problem.due_date = head_id, approved
            else:
                late = draw < 6
                closed = approved + datetime.timedelta(days=12 if late else -5)
                closed = min(closed, today - datetime.timedelta(days=1))
                problem.status, problem.step = Status.FILED, ""
                problem.rectified_at = _moment(closed - datetime.timedelta(days=3))
                problem.closed_at, problem.closed_by_id = _moment(closed, 15), leader_id
                problem.filed_at = problem.closed_at
            problems.append(problem)
            if draw in (7, 8) and leader_id:
                extensions.append((len(problems) - 1, ExtensionRequest(
                    requested_by_id=head_id, requested_at=_moment(approved - datetime.timedelta(
                        days=10)), current_date=approved,
                    new_date=approved + datetime.timedelta(days=15),
                    reason="需待下月支部会议集中学习后完成整改。", decision="granted",
                    decided_by_id=leader_id,
                    decided_at=_moment(approved - datetime.timedelta(days=8)),
                    decider_id=leader_id)))
    return problems, extensions


def seed_assessments(*, units: int = 5000, per_item: int = PER_ITEM, problems: int = PROBLEMS,
                     today: datetime.date | None = None, log: Callable = print) -> dict:
    """The duty records' city, then this year's reports and problems; returns what was made
    and how long each part took."""
    from accounts.models import Oversight, Post, Unit, User
    from bench.duties import seed_duties
    from records.models import ExtensionRequest, Problem, QuarterlyReport

    today = today or timezone.localdate()
    year = today.year
    counts = seed_duties(units=units, per_item=per_item, today=today, log=log)
    started = time.monotonic()
    heads = dict(Post.objects.filter(role=Post.Role.HEAD).values_list("unit_id", "user_id"))
    overseer = dict(Oversight.objects.values_list("unit_id", "leader_id"))
    subjects = [(pk, order, heads[pk], overseer.get(pk)) for pk, order in
                Unit.objects.filter(kind=Unit.Kind.DIVISION).order_by("parent__order", "order")
                .values_list("pk", "order")]
    committee = User.objects.get(username="committee_1")
    with transaction.atomic():
        QuarterlyReport.objects.bulk_create(_reports(year, today, subjects), batch_size=2000)
        found, extensions = _problems(year, today, problems, committee.pk, subjects)
        Problem.objects.bulk_create(found, batch_size=2000)
        for index, request in extensions:
            request.problem_id = found[index].pk
        ExtensionRequest.objects.bulk_create([request for _i, request in extensions],
                                             batch_size=2000)
    counts["seconds"]["reports_and_problems"] = round(time.monotonic() - started, 1)
    counts.update(assessment_size())
    counts["problems_per_unit"] = problems
    log(f"reports and problems written ({counts['seconds']['reports_and_problems']:.0f}s)")
    return counts


def assessment_size() -> dict:
    from records.models import ExtensionRequest, Problem, QuarterlyReport

    return {"reports": QuarterlyReport.objects.count(), "problems": Problem.objects.count(),
            "extensions": ExtensionRequest.objects.count()}


# -- measuring -----------------------------------------------------------------------------

def _keep_only(bureaus: int) -> None:
    """Leave the first ``bureaus`` bureaus' units and leaders the only active ones."""
    from accounts.models import Post, Unit, User

    city = Unit.objects.get(code="city")
    kept = list(Unit.objects.filter(parent=city).order_by("order", "code")
                .values_list("pk", flat=True)[:bureaus])
    Unit.objects.filter(kind=Unit.Kind.DIVISION).exclude(parent__in=kept).update(
        is_active=False)
    User.objects.filter(posts__role=Post.Role.LEADER).exclude(posts__unit__in=kept).update(
        is_active=False)


class _Rollback(Exception):
    pass


def measure(*, units: int | None, runs: int, log: Callable = print) -> dict:
    """Create this year's assessment, then time the nightly scoring ``runs`` times over the
    city (or its first ``units`` units); rolled back afterwards."""
    from accounts import chain
    from accounts.models import User
    from bench.seed import UNITS_PER_BUREAU
    from records.models import Assessment, AssessmentSheet, Explanation, ScoreLine
    from records.services import assessments as service

    year = timezone.localdate().year
    committee = User.objects.get(username="committee_1")
    result: dict = {}
    try:
        with transaction.atomic():
            if units is not None:
                _keep_only(-(-units // UNITS_PER_BUREAU))
            chain.forget_shared()
            started = time.monotonic()
            assessment = service.assessment_create(year=year, by=committee)
            result["create_s"] = round(time.monotonic() - started, 2)
            seconds, queries = [], None
            for run in range(runs):
                with CaptureQueriesContext(connection) as captured:
                    started = time.monotonic()
                    done = service.assessments_nightly()
                    seconds.append(time.monotonic() - started)
                assert done == 1, done
                queries = len(captured) if queries is None else queries
                log(f"  nightly run {run + 1}: {seconds[-1]:.1f} s, {len(captured)} queries")
            sheets = AssessmentSheet.objects.filter(assessment=assessment)
            result.update(
                runs=[round(s, 2) for s in seconds], median_s=round(statistics.median(seconds), 2),
                max_s=round(max(seconds), 2), queries=queries,
                units=sheets.filter(subject__isnull=True).count(),
                leaders=sheets.filter(subject__isnull=False).count(),
                lines=ScoreLine.objects.filter(sheet__assessment=assessment).count(),
                explanations=Explanation.objects.filter(
                    line__sheet__assessment=assessment).count(),
                costly=_costly(assessment))
            assert Assessment.objects.get(pk=assessment.pk).computed_at is not None
            raise _Rollback
    except _Rollback:
        pass
    chain.forget_shared()
    return result


def _costly(assessment) -> list[tuple[str, int]]:
    """The explanation codes written, most frequent first."""
    from django.db.models import Count

    from records.models import Explanation

    return list(Explanation.objects.filter(line__sheet__assessment=assessment)
                .values_list("code").annotate(n=Count("pk")).order_by("-n"))


def section(data: dict) -> str:
    from bench.run import verdict

    m, seed = data["machine"], data.get("seed") or {}
    lines = [
        SECTION_START,
        "",
        "## The year-end assessment's nightly scoring at city scale",
        "",
        f"One run of `python -m bench.assessments` (`make bench-assessments`), "
        f"{data['finished']} UTC, on its own database, built by `manage.py "
        f"bench_seed_assessments --units {seed.get('units', '?')} --per-item "
        f"{seed.get('per_item', PER_ITEM)} --problems {seed.get('problems_per_unit', PROBLEMS)}`"
        " (bench/assessments.py): the duty records' city (bench/duties.py) and this year's "
        "quarterly reports and problems, written in bulk.",
        "",
    ]
    if seed:
        s = seed["seconds"]
        lines += [f"The seed took {sum(s.values()) / 60:.1f} minutes: the org chart and the "
                  f"list through the services {s['org_and_list']:.0f} s, the duty records "
                  f"written with COPY {s['records']:.0f} s, the reports and problems "
                  f"{s['reports_and_problems']:.0f} s, VACUUM ANALYZE {s.get('vacuum', 0):.0f} s.",
                  ""]
    size = data["size"]
    lines += [
        f"- CPU: {m['cpu']}, {m['cores']} cores, shared with other runs; load average "
        f"{data['load'][0]:.1f} / {data['load'][1]:.1f} / {data['load'][2]:.1f} (1, 5, 15 "
        "min) when the report was written",
        f"- PostgreSQL {m['postgresql']} (default settings); Python {m['python']}; "
        f"Django {m['django']}",
        f"- Data: {size['records']} duty records ({size['counted_rows']} counted rows), "
        f"{size['reports']} quarterly reports, {size['problems']} problems, "
        f"{size['extensions']} extensions granted",
        "",
        f"`services.assessments.assessments_nightly()` (the beat job "
        f"`records.tasks.assessments_nightly`) recomputing the {data['year']} assessment "
        f"(every automatic line of every sheet from the records up to today, explanation "
        f"lines rewritten, lines and totals updated), {data['runs']} runs after "
        "`assessment_create` (whose own first computation is the create column); each size in "
        "a transaction rolled back afterwards:",
        "",
        "| units | leaders | score lines | explanations | create s | nightly median s | max s "
        "| queries | target | |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in data["sizes"]:
        lines.append(
            f"| {row['units']} | {row['leaders']} | {row['lines']} | {row['explanations']} | "
            f"{row['create_s']} | {row['median_s']} | {row['max_s']} | {row['queries']} | "
            f"≤ {TARGET_S} s, queries flat | {verdict(row['max_s'] <= TARGET_S)} |")
    counts = {row["queries"] for row in data["sizes"]}
    lines += [
        "",
        ("The query count is the same at every size" if len(counts) == 1 else
         "**The query count differs between the sizes**") + "; tests/test_assessment_query_"
        "scaling.py asserts it at two sizes in the suite.",
        "",
        "Explanations written at the largest size, by code: " + ", ".join(
            f"{code} {n}" for code, n in data["sizes"][-1]["costly"]) + ".",
    ]
    if data.get("notes"):
        lines += ["", data["notes"]]
    lines += ["", SECTION_END]
    return "\n".join(lines)


def write_section(text: str) -> None:
    """Replace this benchmark's section of bench/RESULTS.md, or append it."""
    from bench.run import RESULTS

    current = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if SECTION_START in current and SECTION_END in current:
        current = (current[:current.index(SECTION_START)] + text
                   + current[current.index(SECTION_END) + len(SECTION_END):])
    else:
        current = current.rstrip("\n") + "\n\n" + text + "\n"
    RESULTS.write_text(current)


def _seed_record() -> dict | None:
    from pathlib import Path

    from django.conf import settings

    path = Path(settings.VAR_DIR) / "bench-assessments-seed.json"
    return json.loads(path.read_text()) if path.exists() else None


def main() -> None:
    import argparse
    import os
    import sys
    from pathlib import Path

    from accounts.models import Unit
    from bench.duties import duty_size
    from bench.run import ROOT, log, machine
    from records.models import Assessment, AssessmentSheet, Explanation, ScoreLine

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--subset", type=int, default=SUBSET,
                        help="the smaller size measured (units; 0: none)")
    parser.add_argument("--notes", default="", help="a paragraph for RESULTS.md")
    parser.add_argument("--no-write", action="store_true", help="leave RESULTS.md alone")
    parser.add_argument("--json", default=str(ROOT / "var" / "bench-assessments-results.json"))
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The benchmark runs on PostgreSQL: set DATABASE_URL (see README, Benchmark).")
    total = Unit.objects.filter(kind=Unit.Kind.DIVISION).count()
    # earlier runs' rows, rolled back, are dead tuples still: clear them, as autovacuum would
    with connection.cursor() as cursor:
        for model in (Explanation, ScoreLine, AssessmentSheet, Assessment):
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    sizes = []
    for units in ([args.subset] if 0 < args.subset < total else []) + [None]:
        log(f"measuring at {units or total} units")
        sizes.append(measure(units=units, runs=args.runs, log=log))
        log(f"  {sizes[-1]}")
    data = {"machine": machine(), "size": {**duty_size(), **assessment_size()},
            "seed": _seed_record(), "sizes": sizes, "runs": args.runs,
            "year": timezone.localdate().year, "load": os.getloadavg(), "notes": args.notes,
            "finished": time.strftime("%Y-%m-%d %H:%M", time.gmtime())}
    Path(args.json).write_text(json.dumps(data, default=str, indent=1))
    if not args.no_write:
        write_section(section(data))
        log("wrote its section of bench/RESULTS.md")


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    main()
