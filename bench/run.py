"""The benchmark: `python -m bench.run` (or `make bench`) on a city built by `bench_seed`.

Measures, on the database named by DATABASE_URL (PostgreSQL), and writes bench/RESULTS.md:
- server time (median, p95) and query count of the pages and API lists people use most;
- the ledger export of every problem: time and the serving process's peak memory;
- the reminder sweep over the whole city (each run rolled back, so each is a full morning);
- opening a quarter for every unit with 1 and with 2 Celery workers (Redis, CELERY_BROKER_URL);
- sign-off throughput with 1 and 4 concurrent clients through gunicorn, next to bare
  viewflow (bench/flows.py) served by the same gunicorn in the same run.

The run changes the city: it opens two new quarters (for the Celery figures) and signs
their reports off (for the throughput figure). Seed a fresh city before running it again.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import re
import resource
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import get_resolver  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BIN = Path(PY).parent
RESULTS = Path(__file__).with_name("RESULTS.md")
PORT = int(os.environ.get("BENCH_PORT", "8765"))

TARGET_MS = 150
TARGET_EXPORT_S, TARGET_EXPORT_MB = 30, 300
TARGET_OPEN_S = 60
TARGET_SWEEP_S = 60
TARGET_RATIO = 0.5


def stats(values: list[float]) -> dict:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {"median": statistics.median(ordered), "p95": p95, "n": len(ordered)}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# -- the machine and the city ----------------------------------------------------------------

def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text()
                .splitlines() if line.startswith("model name")), platform.processor())
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(mem_kb / 1024 / 1024, 1),
            "postgresql": pg, "python": platform.python_version(),
            "django": django.get_version()}


from .pages import page_cases, subjects  # noqa: E402


def profile_page(label: str, user, url: str) -> str:
    """Why a page is slow: its slowest query with EXPLAIN ANALYZE, and where Python spends
    the time (cProfile, by cumulative time)."""
    import cProfile
    import io
    import pstats

    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
    in_db = sum(float(q["time"]) for q in queries.captured_queries) * 1000
    text = [f"### {label} (`{url}`)", "",
            f"{len(queries)} queries, {in_db:.1f} ms in the database; the slowest "
            f"({float(slowest['time']) * 1000:.1f} ms):", "", "```sql", slowest["sql"][:1500],
            "```", ""]
    if slowest["sql"].lstrip().upper().startswith("SELECT"):
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN ANALYZE " + slowest["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        text += ["```", plan[:4000], "```", ""]
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(url)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
    body = out.getvalue()
    text += ["```", body[body.find("ncalls"):][:7000], "```", ""]
    return "\n".join(text)


def measure_pages(cases, runs: int) -> list[dict]:
    results = []
    for label, user, url in cases:
        client = Client()
        client.force_login(user)
        for _warm in range(2):
            assert client.get(url).status_code == 200, (label, url)
        # what the process holds by now (the app, the city's subjects) is not garbage: a full
        # collection walking it landed on one request in twelve (~110 ms); a served process
        # freezes it the same way after loading the app (config/wsgi.py)
        gc.collect()
        gc.freeze()
        times = []
        for _i in range(runs):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        result = {"label": label, "url": url, "user": user.username, "queries": len(queries),
                  **stats(times)}
        log(f"{label}: median {result['median']:.1f} ms, p95 {result['p95']:.1f} ms, "
            f"{result['queries']} queries")
        if result["p95"] > TARGET_MS:
            result["profile"] = profile_page(label, user, url)
        results.append(result)
    return results


# -- the export: measured in a fresh process, so its peak memory is the export's ---------------

def export_once(username: str) -> dict:
    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = client.get("/problems/export.xlsx")
    size = 0
    for chunk in response.streaming_content:  # read as a browser would, nothing kept
        size += len(chunk)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": seconds, "peak_mb": peak / 1024, "before_mb": base / 1024,
            "bytes": size, "streaming": response.streaming}


def measure_export(username: str, runs: int) -> dict:
    rows = []
    for _i in range(runs):
        out = subprocess.run([PY, "-m", "bench.run", "--export-once", username], cwd=ROOT,
                             capture_output=True, text=True, check=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    result = {"time": stats([r["seconds"] for r in rows]),
              "peak": stats([r["peak_mb"] for r in rows]),
              "baseline_mb": rows[0]["before_mb"], "bytes": rows[0]["bytes"],
              "streaming": rows[0]["streaming"]}
    log(f"export: {result}")
    return result


# -- the reminder sweep --------------------------------------------------------------------------

class Rollback(Exception):
    pass


def measure_sweep(runs: int) -> dict:
    from unittest import mock

    from django.utils import timezone

    from flows.reminders import sweep
    from records import tasks as record_tasks
    from records.workdays import add_working_days

    # a working morning a week on from the seed's last sweep: every overdue item is due for
    # its weekly escalation again, and the next days' deadlines for their reminders
    morning = add_working_days(timezone.localdate() + datetime.timedelta(days=6), 1)
    times, counts = [], None
    with mock.patch.object(record_tasks.deliver, "delay"):
        for _i in range(runs):
            try:
                with transaction.atomic():
                    started = time.perf_counter()
                    counts = sweep(morning)
                    times.append(time.perf_counter() - started)
                    raise Rollback
            except Rollback:
                pass
    result = {"time": stats(times), "day": morning.isoformat(), "counts": counts}
    log(f"sweep: {result}")
    return result


# -- opening a quarter with Celery workers ---------------------------------------------------------

def start_worker(concurrency: int, name: str) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    log_file = open(ROOT / "var" / f"bench-worker-{name}.log", "w")  # noqa: SIM115
    return subprocess.Popen(
        [str(BIN / "celery"), "-A", "config", "worker", "-Q", "bench",
         "-n", f"{name}@%h", "--concurrency", str(concurrency), "--pool", "prefork",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning"],
        cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def measure_open_quarter(year: int, quarter: int, workers: int) -> dict:
    """Production's path: the job beat sends each quarter (flows.tasks.open_quarter), which
    enqueues one flows.tasks.open_reports job per chunk of units; all on the bench queue."""
    from flows import tasks
    from flows.opening import CHUNK_UNITS, reporting_units
    from records.models import QuarterlyReport

    units = reporting_units().count()
    worker = start_worker(workers, f"bench{workers}")
    try:
        time.sleep(6)  # the worker's start-up is not the job's time
        started = time.perf_counter()
        tasks.open_quarter.apply_async((year, quarter), {"queue": "bench"}, queue="bench")
        done = 0
        while done < units:
            if time.perf_counter() - started > 1800:
                raise TimeoutError(f"only {done} of {units} opened in 30 minutes")
            time.sleep(0.5)
            done = QuarterlyReport.objects.filter(year=year, quarter=quarter).count()
        seconds = time.perf_counter() - started
    finally:
        stop(worker)
    result = {"workers": workers, "units": units, "seconds": seconds, "chunk": CHUNK_UNITS,
              "period": f"{year}Q{quarter}"}
    log(f"open quarter: {result}")
    return result


# -- sign-off throughput through gunicorn, ours next to bare viewflow -------------------------------

def prepare_reviews(year: int, quarter: int, leaders: list) -> dict[int, list[str]]:
    """Submit the quarter's reports of these leaders' units (not timed); their review tasks'
    URLs, by leader."""
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from bench.seed import CONTENT
    from flows import actions
    from records.models import QuarterlyReport

    urls = {}
    for leader in leaders:
        urls[leader.pk] = []
        for report in QuarterlyReport.objects.filter(
                year=year, quarter=quarter, unit__oversights__leader=leader).order_by("pk"):
            task = Task.objects.get(process_id=report.process_id, status=STATUS.ASSIGNED)
            if task.flow_task.name == "draft":
                actions.take(task_pk=task.pk, name="submit", user=task.owner, data=CONTENT)
            review = Task.objects.get(process_id=report.process_id, status=STATUS.ASSIGNED)
            assert review.owner_id == leader.pk
            urls[leader.pk].append(review.flow_task.reverse(
                "execute", args=[review.process_id, review.pk]))
    return urls


def prepare_bare(leaders: list, per_leader: int) -> dict[int, list[str]]:
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from accounts.models import User

    from .flows import BareFlow

    drafter = User.objects.filter(username__startswith="head_").order_by("pk").first()
    urls = {}
    for leader in leaders:
        urls[leader.pk] = []
        for _i in range(per_leader):
            process = BareFlow.start.run(drafter=drafter, reviewer=leader)
            task = Task.objects.get(process_id=process.pk, status=STATUS.ASSIGNED)
            with transaction.atomic():
                process.text = "本季度工作情况。"
                process.save()
                activation = task.flow_task.activation_class(task)
                activation.start(None)
                activation.execute()
            review = Task.objects.get(process_id=process.pk, status=STATUS.ASSIGNED)
            urls[leader.pk].append(review.flow_task.reverse(
                "execute", args=[review.process_id, review.pk]))
    return urls


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def sign_off_all(base: str, cookie: str, urls: list[str], data: dict, latencies: list,
                 errors: list) -> None:
    import requests

    http = requests.Session()
    http.cookies.set(settings.SESSION_COOKIE_NAME, cookie)
    for url in urls:
        started = time.perf_counter()
        page = http.get(base + url)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if page.status_code != 200 or token is None:
            errors.append(f"GET {url}: {page.status_code}")
            continue
        response = http.post(base + url, data={**data, "csrfmiddlewaretoken": token.group(1)},
                             headers={"Referer": base + url}, allow_redirects=False)
        latencies.append((time.perf_counter() - started) * 1000)
        if response.status_code != 302:
            errors.append(f"POST {url}: {response.status_code}")


def warm_up(base: str, cookie: str, urls: list[str], workers: int) -> None:
    """Warm every gunicorn worker on each path with pages that change nothing."""
    import requests

    warm = requests.Session()
    warm.cookies.set(settings.SESSION_COOKIE_NAME, cookie)
    for _i in range(4 * workers):
        for url in ["/workflow/inbox/", *urls]:
            warm.get(base + url)


def throughput(base: str, clients: list[tuple[str, list[str]]], data: dict) -> dict:
    latencies, errors = [], []
    threads = [threading.Thread(target=sign_off_all,
                                args=(base, cookie, urls, data, latencies, errors))
               for cookie, urls in clients]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    done = len(latencies) - len([e for e in errors if e.startswith("POST")])
    return {"clients": len(clients), "signed_off": done, "seconds": seconds,
            "per_second": done / seconds if seconds else 0, "latency": stats(latencies or [0]),
            "errors": errors[:5], "error_count": len(errors)}


def start_gunicorn(workers: int) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings",
           "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    log_file = open(ROOT / "var" / "bench-gunicorn.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "bench.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{PORT}",
         "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
    import requests

    try:
        for _i in range(120):
            if process.poll() is not None:
                break
            try:
                requests.get(f"http://127.0.0.1:{PORT}/accounts/login/", timeout=30)
                return process
            except requests.RequestException:
                time.sleep(0.5)
    except BaseException:
        stop(process)
        raise
    stop(process)
    raise RuntimeError("gunicorn did not start: see var/bench-gunicorn.log")


def measure_throughput(year: int, quarters: list[tuple[int, int]], gunicorn_workers: int
                       ) -> dict:
    from accounts.models import Post, User

    leaders = list(User.objects.filter(posts__role=Post.Role.LEADER).order_by("username"))
    need = 5
    if len(leaders) < need:
        raise RuntimeError("the throughput figure needs a city with at least 5 leaders")
    one, four = leaders[:1], leaders[1:5]
    ours = {}
    for y, q in quarters:
        for leader_pk, urls in prepare_reviews(y, q, one + four).items():
            ours.setdefault(leader_pk, []).extend(urls)
    per_leader = min(len(urls) for urls in ours.values())
    if not per_leader:
        raise RuntimeError(f"no report of {quarters} to review: run on a freshly seeded city")
    bare = prepare_bare(one + four, per_leader)
    log(f"throughput: {per_leader} reviews per leader prepared, ours and bare")
    cookies = {leader.pk: session_cookie(leader) for leader in one + four}
    ours_data = {"opinion": "同意。", "_sign_off": "1"}
    bare_data = {"approved": "on"}
    base = f"http://127.0.0.1:{PORT}"
    server = start_gunicorn(gunicorn_workers)
    try:
        warm_up(base, cookies[one[0].pk], [ours[one[0].pk][0], bare[one[0].pk][0]],
                gunicorn_workers)
        result = {}
        for name, urls, data in [("ours", ours, ours_data), ("bare", bare, bare_data)]:
            result[name, 1] = throughput(base, [(cookies[one[0].pk], urls[one[0].pk])], data)
            log(f"{name}, 1 client: {result[name, 1]}")
        for name, urls, data in [("ours", ours, ours_data), ("bare", bare, bare_data)]:
            result[name, 4] = throughput(
                base, [(cookies[leader.pk], urls[leader.pk]) for leader in four], data)
            log(f"{name}, 4 clients: {result[name, 4]}")
    finally:
        stop(server)
    return {"per_leader": per_leader, "gunicorn_workers": gunicorn_workers,
            **{f"{name}_{n}": value for (name, n), value in result.items()}}


# -- the report ---------------------------------------------------------------------------------

def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def seed_line(seed: dict | None) -> str:
    if not seed:
        return ""
    return (f"The city took {seed['seconds'] / 60:.1f} minutes to build on this machine: its "
            "first bureau through the services, step by step over the years, then copied to "
            "the other bureaus (bench/clone.py), then the reminder sweep on three mornings.")


def missed(data: dict) -> list[str]:
    """The figures that missed their target, by name."""
    out = [f"{row['label']} (p95 {row['p95']:.0f} ms)" for row in data["pages"]
           if row["p95"] > TARGET_MS]
    e, sw, t = data["export"], data["sweep"], data["throughput"]
    if e["time"]["p95"] > TARGET_EXPORT_S or e["peak"]["p95"] > TARGET_EXPORT_MB:
        out.append("the ledger export")
    if sw["time"]["p95"] > TARGET_SWEEP_S:
        out.append("the reminder sweep")
    out += [f"opening a quarter with {row['workers']} worker(s)" for row in data["open"]
            if row["seconds"] > TARGET_OPEN_S]
    for n in (1, 4):
        ours, bare = t[f"ours_{n}"], t[f"bare_{n}"]
        if not bare["per_second"] or ours["per_second"] / bare["per_second"] < TARGET_RATIO:
            out.append(f"sign-off throughput with {n} client(s)")
    return out


def write_results(data: dict) -> None:
    m, size = data["machine"], data["size"]
    lines = [
        "# Benchmark results",
        "",
        f"One run of `python -m bench.run`, {data['finished']} UTC, on the city built by "
        f"`manage.py bench_seed --units {data['seed_units']} --years {data['seed_years']}`.",
        "",
        seed_line(data.get("seed")),
        "",
        data.get("size_note", ""),
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu']}, {m['cores']} cores; RAM {m['ram_gb']} GB; load average "
        f"{os.getloadavg()[0]:.1f} when the report was written (wall-clock figures are "
        "noisy on a shared machine, which is why throughput is a ratio to bare viewflow "
        "measured in the same run)",
        f"- PostgreSQL {m['postgresql']}; Python {m['python']}; Django {m['django']}",
        "",
        "## Data size",
        "",
        "| units | bureaus | leaders | users | processes | task rows | reports | problems "
        "| grants | audit events | notifications |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        "| " + " | ".join(str(size[k]) for k in (
            "units", "bureaus", "leaders", "users", "processes", "task_rows", "reports",
            "problems", "grants", "audit_events", "notifications")) + " |",
        "",
        f"Problems by status: {data['problem_statuses']}.  ",
        f"Reports by status: {data['report_statuses']}.",
        "",
        "## Pages and API lists (server time in-process through Django's test client, "
        f"{data['page_runs']} runs each after 2 warm-up runs)",
        "",
        "| what | URL | as | median ms | p95 ms | queries | target | |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in data["pages"]:
        lines.append(f"| {row['label']} | `{row['url']}` | {row['user']} | {row['median']:.1f} "
                     f"| {row['p95']:.1f} | {row['queries']} | p95 ≤ {TARGET_MS} ms "
                     f"| {verdict(row['p95'] <= TARGET_MS)} |")
    e = data["export"]
    lines += [
        "",
        "Query counts do not grow with the data: tests/test_query_scaling.py asserts the same "
        "count for each of these at two city sizes.",
        "",
        "## Ledger export (every problem, as the committee)",
        "",
        f"{size['problems']} rows, {e['bytes'] / 1e6:.1f} MB of .xlsx, streamed "
        f"({'a streaming response' if e['streaming'] else 'NOT streaming'}); {e['time']['n']} "
        "runs, each in a fresh process whose peak RSS is the figure (the process is "
        f"{e['baseline_mb']:.0f} MB before the export starts).",
        "",
        "| | median | p95 | target | |",
        "|---|---|---|---|---|",
        f"| time | {e['time']['median']:.1f} s | {e['time']['p95']:.1f} s | ≤ {TARGET_EXPORT_S} s "
        f"| {verdict(e['time']['p95'] <= TARGET_EXPORT_S)} |",
        f"| peak memory | {e['peak']['median']:.0f} MB | {e['peak']['p95']:.0f} MB "
        f"| ≤ {TARGET_EXPORT_MB} MB | {verdict(e['peak']['p95'] <= TARGET_EXPORT_MB)} |",
    ]
    sw = data["sweep"]
    lines += [
        "",
        "## Morning reminder sweep over the whole city",
        "",
        f"`flows.reminders.sweep({sw['day']})`, {sw['time']['n']} runs, each in a transaction "
        f"rolled back afterwards (so every run does a full morning's work: {sw['counts']}).",
        "",
        "| median | p95 | target | |",
        "|---|---|---|---|",
        f"| {sw['time']['median']:.1f} s | {sw['time']['p95']:.1f} s | ≤ {TARGET_SWEEP_S} s "
        f"| {verdict(sw['time']['p95'] <= TARGET_SWEEP_S)} |",
        "",
        "## Opening a quarter for every unit with Celery workers (Redis)",
        "",
        "From enqueueing production's job (`flows.tasks.open_quarter`, as beat does; it "
        f"enqueues one `flows.tasks.open_reports` job per {data['open'][0]['chunk']} units, "
        "each opening its units in one transaction, `flows.quarterly.open_reports`) until "
        "every report exists. One run each (a run opens a quarter; a second run of the same "
        "quarter would open nothing).",
        "",
        "| workers | quarter | units | seconds | target | |",
        "|---|---|---|---|---|---|",
    ]
    for row in data["open"]:
        lines.append(f"| {row['workers']} | {row['period']} | {row['units']} | "
                     f"{row['seconds']:.1f} | ≤ {TARGET_OPEN_S} s "
                     f"| {verdict(row['seconds'] <= TARGET_OPEN_S)} |")
    t = data["throughput"]
    lines += [
        "",
        "## Sign-off throughput through gunicorn, next to bare viewflow",
        "",
        f"gunicorn with {t['gunicorn_workers']} sync workers serving `bench.wsgi` (DutyChain "
        "and the bare flow of bench/flows.py at /bare/, same server, same database). A "
        "sign-off is what a person does: open the review task page (GET) and sign off (POST, "
        "302). Each client is a different leader with their own reviews "
        f"({t['per_leader']} each).",
        "",
        "| clients | DutyChain /s | bare viewflow /s | ratio | DutyChain latency median / p95 ms "
        "| bare latency median / p95 ms | target | |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for n in (1, 4):
        ours, bare = t[f"ours_{n}"], t[f"bare_{n}"]
        ratio = ours["per_second"] / bare["per_second"] if bare["per_second"] else 0
        lines.append(
            f"| {n} | {ours['per_second']:.1f} | {bare['per_second']:.1f} | {ratio:.2f} "
            f"| {ours['latency']['median']:.0f} / {ours['latency']['p95']:.0f} "
            f"| {bare['latency']['median']:.0f} / {bare['latency']['p95']:.0f} "
            f"| ≥ {TARGET_RATIO} | {verdict(ratio >= TARGET_RATIO)} |")
        if ours["error_count"] or bare["error_count"]:
            lines.append(f"|  | errors: {ours['errors']} {bare['errors']} | | | | | | |")
    misses = missed(data)
    lines += ["", "## Verdict", "",
              "Every figure met its target in this run." if not misses else
              "Missed in this run: " + "; ".join(misses) + "."]
    profiles = [row["profile"] for row in data["pages"] if row.get("profile")]
    if profiles:
        lines += ["", "## Profiles of the pages over their target", ""] + profiles
    if data.get("notes"):
        lines += ["", "## Notes", "", data["notes"]]
    text = "\n".join(lines) + "\n"
    # the duty records' and the assessments' sections (bench/duties.py, bench/assessments.py,
    # each its own city) stay as they were
    kept = _kept_sections()
    RESULTS.write_text(text + ("\n" + kept + "\n" if kept else ""))


def _kept_sections() -> str:
    from bench import assessments, duties

    current = RESULTS.read_text() if RESULTS.exists() else ""
    kept = [current[current.index(module.SECTION_START):current.index(module.SECTION_END)
                    + len(module.SECTION_END)]
            for module in (duties, assessments)
            if module.SECTION_START in current and module.SECTION_END in current]
    return "\n\n".join(kept)
    log(f"wrote {RESULTS}")


def distribution(model) -> dict:
    from django.db.models import Count

    return dict(model.objects.values_list("status").annotate(n=Count("pk")).order_by("status"))


def _seed_record(size: dict) -> dict | None:
    """What bench_seed wrote about the city it built (var/bench-seed.json), if it is this one."""
    record = Path(settings.VAR_DIR) / "bench-seed.json"
    if not record.exists():
        return None
    seed = json.loads(record.read_text())
    return seed if seed.get("units") == size["units"] else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--export-once")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--export-runs", type=int, default=3)
    parser.add_argument("--sweep-runs", type=int, default=3)
    parser.add_argument("--gunicorn-workers", type=int, default=4)
    parser.add_argument("--skip", default="", help="comma-separated: pages,export,sweep,open,"
                                                    "throughput (for trying the harness)")
    parser.add_argument("--note", default="", help="a paragraph for RESULTS.md (e.g. why "
                                                    "the city is smaller than 5,000 units)")
    parser.add_argument("--json", default=str(ROOT / "var" / "bench-results.json"))
    args = parser.parse_args()
    assert get_resolver().url_patterns
    if args.export_once:
        print(json.dumps(export_once(args.export_once)))
        return
    if connection.vendor != "postgresql":
        sys.exit("The benchmark runs on PostgreSQL: set DATABASE_URL (see README, Benchmark).")
    from records.models import Problem, QuarterlyReport

    from .seed import city_size

    skip = set(filter(None, args.skip.split(",")))
    size = city_size()
    quarters = QuarterlyReport.objects.values("year", "quarter").distinct().count()
    data = {"machine": machine(), "size": size, "page_runs": args.runs,
            "seed_units": size["units"], "seed_years": f"{quarters / 4:g}",
            "size_note": args.note, "problem_statuses": distribution(Problem),
            "seed": _seed_record(size),
            "report_statuses": distribution(QuarterlyReport)}
    log(f"city: {data['size']}")
    s = subjects()
    if "pages" not in skip:
        data["pages"] = measure_pages(page_cases(s), args.runs)
    if "export" not in skip:
        data["export"] = measure_export(s["committee"].username, args.export_runs)
    if "sweep" not in skip:
        data["sweep"] = measure_sweep(args.sweep_runs)
    last = QuarterlyReport.objects.order_by("-year", "-quarter").values_list(
        "year", "quarter").first()
    new = []
    year, quarter = last
    for _i in range(2):
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
        new.append((year, quarter))
    if "open" not in skip:
        data["open"] = [measure_open_quarter(*new[0], workers=1),
                        measure_open_quarter(*new[1], workers=2)]
    if "throughput" not in skip:
        data["throughput"] = measure_throughput(year, new, args.gunicorn_workers)
    data["finished"] = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    Path(args.json).write_text(json.dumps(data, default=str, indent=1))
    if not skip:
        write_results(data)


if __name__ == "__main__":
    main()
