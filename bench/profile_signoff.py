"""Where a sign-off's time goes: `python -m bench.profile_signoff`, on a database of its own.

The throughput figure of bench/run.py (a leader opens the review task page and signs off,
next to bare viewflow) measured in-process through Django's test client, request by
request: the median server time and the query count of the review page (GET) and of the
sign-off (POST), ours and bare. Query counts are the stable figure on a busy machine.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/speed python -m bench.profile_signoff --seed 40
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/speed python -m bench.profile_signoff
    ... --profile        # and a cProfile of the GETs and the POSTs, by cumulative time
    ... --sql            # and the queries of one review page and one sign-off
    ... --gunicorn 4 --leaders 5   # throughput through gunicorn, as bench/run.py measures it

``--seed N`` empties the database and builds a city of N units (bench.seed, one year);
every run then opens a new quarter of reports, submits those of the first leaders' units
and signs them off, so runs can be repeated on the same city. Outside deliveries and
re-derivation jobs are not enqueued (as while seeding).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("BENCH_PORT", "8799")  # not the benchmark's own port

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import get_resolver  # noqa: E402

SIGN_OFF = {"opinion": "同意。", "_sign_off": "1"}
BARE_SIGN_OFF = {"approved": "on"}


def _guard() -> None:
    name = settings.DATABASES["default"]["NAME"]
    if connection.vendor == "postgresql" and name == "bench":
        raise SystemExit("bench/profile_signoff.py changes its database: give it one of its "
                         "own (DATABASE_URL), not the benchmark's")


def _next_quarter() -> tuple[int, int]:
    from records.models import QuarterlyReport

    latest = QuarterlyReport.objects.order_by("-year", "-quarter").values("year", "quarter")[0]
    year, quarter = latest["year"], latest["quarter"] + 1
    return (year + 1, 1) if quarter > 4 else (year, quarter)


def _leaders(count: int) -> list:
    from accounts.models import Post, User

    return list(User.objects.filter(posts__role=Post.Role.LEADER).order_by("username"))[:count]


def _open_units_of(leaders, year: int, quarter: int) -> None:
    from accounts.models import Unit
    from flows.opening import open_report

    for unit in Unit.objects.filter(oversights__leader__in=leaders).distinct().order_by("pk"):
        open_report(unit=unit, year=year, quarter=quarter)


def _measure(client: Client, method: str, url: str, data=None, profiler=None, sql=False):
    in_db = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            in_db.append(time.perf_counter() - started)

    with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(timed):
        if profiler:
            profiler.enable()
        started = time.perf_counter()
        response = client.get(url) if method == "GET" else client.post(url, data)
        elapsed = (time.perf_counter() - started) * 1000
        if profiler:
            profiler.disable()
    if sql:
        print(f"--- {method} {url}: {len(queries)} queries")
        for number, query in enumerate(queries.captured_queries, start=1):
            print(f"{number:3} {query['sql'][:300]}")
    expected = 200 if method == "GET" else 302
    assert response.status_code == expected, (method, url, response.status_code)
    return elapsed, len(queries), sum(in_db) * 1000


def _print_profile(label: str, method: str, profiler: cProfile.Profile) -> None:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(30)
    # and the project's own functions (not the libraries')
    stats.print_stats(r"^(?!.*site-packages).*/(accounts|flows|records|bench)/", 50)
    print(f"\n--- {label} {method}: cProfile, all requests, by cumulative time ---")
    print("\n".join(line for line in out.getvalue().splitlines()
                    if line.strip() and not line.lstrip().startswith(
                        ("Ordered by", "List reduced", "function calls"))))


def _run(ours: dict, bare: dict, leaders: list, profile: bool, sql: bool) -> None:
    """Each leader signs off their reviews, ours and bare in turn (so that both see the
    same load on a busy machine): the median of each request, and of each pair."""
    sides = {"ours": (ours, SIGN_OFF), "bare": (bare, BARE_SIGN_OFF)}
    times = {(side, method): [] for side in sides for method in ("GET", "POST", "pair")}
    counts = {(side, method): [] for side in sides for method in ("GET", "POST")}
    in_db = {(side, method): [] for side in sides for method in ("GET", "POST")}
    profilers = {key: cProfile.Profile() for key in counts} if profile else {}
    for leader in leaders:
        client = Client()
        client.force_login(leader)
        for number in range(min(len(ours[leader.pk]), len(bare[leader.pk]))):
            for side, (urls, data) in sides.items():
                url, pair = urls[leader.pk][number], 0.0
                for method in ("GET", "POST"):
                    ms, n, db = _measure(client, method, url,
                                         data if method == "POST" else None,
                                         profilers.get((side, method)),
                                         sql and number == 1 and leader == leaders[0])
                    times[side, method].append(ms)
                    counts[side, method].append(n)
                    in_db[side, method].append(db)
                    pair += ms
                times[side, "pair"].append(pair)
    for side in sides:
        for method in ("GET", "POST", "pair"):
            ordered = sorted(times[side, method])
            line = (f"{side:5} {method:4} n={len(ordered):3}  median "
                    f"{statistics.median(ordered):6.1f} ms  p90 "
                    f"{ordered[int(0.9 * (len(ordered) - 1))]:6.1f} ms")
            if method != "pair":
                line += (f"  queries min/median/max {min(counts[side, method])}/"
                         f"{statistics.median(counts[side, method]):g}/"
                         f"{max(counts[side, method])}, median "
                         f"{statistics.median(in_db[side, method]):.1f} ms in the database")
            print(line)
    ratio = statistics.median(times["bare", "pair"]) / statistics.median(times["ours", "pair"])
    print(f"in-process ratio bare/ours (medians of GET+POST): {ratio:.2f}")
    for (side, method), profiler in profilers.items():
        _print_profile(side, method, profiler)


def _through_gunicorn(ours: dict, bare: dict, leaders: list, workers: int) -> None:
    """As bench/run.py measures throughput: gunicorn serving both, a sign-off per GET and
    POST, one client and then the other leaders at once (BENCH_PORT, not the benchmark's)."""
    from bench.run import PORT, session_cookie, start_gunicorn, stop, throughput, warm_up

    cookies = {leader.pk: session_cookie(leader) for leader in leaders}
    base = f"http://127.0.0.1:{PORT}"
    server = start_gunicorn(workers)
    try:
        warm_up(base, cookies[leaders[0].pk], [ours[leaders[0].pk][0], bare[leaders[0].pk][0]],
                workers)
        for group in (leaders[:1], leaders[1:]):
            result = {}
            for name, urls, data in (("ours", ours, SIGN_OFF), ("bare", bare, BARE_SIGN_OFF)):
                result[name] = throughput(
                    base, [(cookies[leader.pk], urls[leader.pk]) for leader in group], data)
                assert not result[name]["error_count"], result[name]["errors"]
            print(f"gunicorn, {len(group)} client(s): ours {result['ours']['per_second']:.1f}/s "
                  f"(latency median {result['ours']['latency']['median']:.0f} ms), bare "
                  f"{result['bare']['per_second']:.1f}/s (latency median "
                  f"{result['bare']['latency']['median']:.0f} ms), ratio "
                  f"{result['ours']['per_second'] / result['bare']['per_second']:.2f}")
    finally:
        stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, metavar="UNITS",
                        help="empty the database and build a city of UNITS units first")
    parser.add_argument("--leaders", type=int, default=2,
                        help="whose units' reports are signed off (10 each)")
    parser.add_argument("--quarters", type=int, default=1,
                        help="how many new quarters of reports to sign off (10 per leader each)")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sql", action="store_true",
                        help="print the queries of one review page and one sign-off")
    parser.add_argument("--gunicorn", type=int, metavar="WORKERS",
                        help="measure throughput through gunicorn instead, as bench/run.py "
                             "does (needs two leaders or more)")
    args = parser.parse_args()
    _guard()
    assert get_resolver().url_patterns  # viewflow registers its URL names with the URLconf

    from unittest import mock

    from bench.run import prepare_bare, prepare_reviews
    from bench.seed import quiet_background, seed

    if args.seed:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("flush", interactive=False, verbosity=0)
        seed(units=args.seed, years=1, problems_per_unit=2, sweep_days=1)
    leaders = _leaders(args.leaders)
    with quiet_background(), mock.patch.object(settings, "DEBUG", False):
        ours = {leader.pk: [] for leader in leaders}
        for _i in range(args.quarters):
            year, quarter = _next_quarter()
            _open_units_of(leaders, year, quarter)
            for leader_pk, urls in prepare_reviews(year, quarter, leaders).items():
                ours[leader_pk] += urls
        bare = prepare_bare(leaders, min(len(u) for u in ours.values()))
        print(f"up to {year}Q{quarter}: {sum(len(u) for u in ours.values())} reviews of "
              f"{len(leaders)} leaders; {connection.vendor}")
        if args.gunicorn:
            _through_gunicorn(ours, bare, leaders, args.gunicorn)
        else:
            _run(ours, bare, leaders, args.profile, args.sql)


if __name__ == "__main__":
    main()
