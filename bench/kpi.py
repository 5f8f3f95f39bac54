"""Bench: 1,000,000 raw KPI events → daily roll-up → dashboard render time, over HTTP.

Creates a scratch PostgreSQL database (dropped afterwards; ``--database-url``
for another one, which must be EMPTY, or hold this bench's seeding of the same
size with ``--reuse``), 200 articles and 5,000 LINE friends, then bulk-loads
(COPY) deterministic raw events over the last 90 days: page views (paths, entry
channels, referrers, UTM campaigns, per-day visitor hashes) and tracked-link
clicks (broadcasts, articles, hashed recipients). It times:

- the bulk load (for scale only; 1M events in well under a minute),
- the roll-up of all 90 days (what the worker does after downtime) and the
  re-roll of one day (what the hourly job does), then ANALYZE (what autovacuum
  does soon after),
- in-process (Flask test client): SQL queries per render and CPU per render, the
  app's process time and the database backends' CPU from /proc: figures that
  hold on a loaded machine, where wall-clock times do not,
- then, over HTTP against ``monozukuri serve --with-worker`` logged in as ward
  staff, from a separate process (bench/loadgen.py, one client at a time): the
  dashboard ``/admin/kpi`` for the default 8 weeks, the full 90 days and LINE
  only, and one CSV export; rounds alternate with the bare Flask anchor
  (bench/anchor.py, started the same way; its req/s is printed). Median and
  spread over rounds.

Goal (issue 12): every dashboard median ≤ 300 ms and ≤ 20 SQL queries per
render (also asserted by tests/kpi/test_dashboard.py). Exit status 0 unless
``--strict`` is given and the goal is missed. ``--profile 8w|90d|line`` prints a
cProfile (process time) of three in-process renders instead.

    .venv/bin/python bench/kpi.py [--events 1000000] [--rounds 3] [--seconds 8]
                                  [--database-url URL [--reuse]] [--no-http] [--profile 90d]
"""
from __future__ import annotations

import argparse
import contextlib
import http.client
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "bench"))  # after the project: this file must not shadow kpi/
sys.path.append(str(ROOT / "tools"))  # kpi_render_cost: in-process figures beside the HTTP ones

import harness  # noqa: E402
from kpi_render_cost import PASSWORD, in_process, profile  # noqa: E402
from sqlalchemy import func, insert, select, text  # noqa: E402

DAYS = 90
CLICK_SHARE = 0.15
BATCH = 20_000
GOAL_MS = 300.0
GOAL_QUERIES = 20



def build_app(database_url: str, instance: Path):
    from core.migrate import upgrade
    from web.app import create_app

    app = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "bench-secret",
                      "BASE_URL": "http://bench.local", "TESTING": True, "WTF_CSRF_ENABLED": False})
    upgrade(app)
    return app


def seed_people_and_articles(session, rng: random.Random) -> tuple[list[int], list[str]]:
    from content.models import Article
    from core.db import utcnow
    from notifications.models import Subscriber

    session.execute(insert(Article), [
        {"slug": f"bench-{n}", "title": f"ベンチ記事 {n}", "category": "feature", "status": "published",
         "published_at": utcnow(), "version": 1} for n in range(200)])
    users = [f"U{n:032x}" for n in range(5000)]
    personas = ("student", "jobseeker", "parent", "other")
    session.execute(insert(Subscriber), [
        {"channel": "line", "external_id": u, "persona": rng.choice(personas), "status": "active",
         "followed_at": utcnow() - timedelta(days=rng.randint(0, 120)),
         "created_at": utcnow() - timedelta(days=rng.randint(0, 120))} for u in users])
    session.commit()
    return list(session.scalars(select(Article.id))), users


def _page_view(rng, day, created, slugs):
    channel = rng.choices(("web", "line", "discord"), (0.7, 0.22, 0.08))[0]
    path = rng.choice(("/", "/events", "/category/feature", *slugs[:3])) if rng.random() < 0.3 else rng.choice(slugs)
    bot = channel != "web"
    return {"created_at": created, "day": day, "path": path, "channel": channel,
            "referrer_domain": "" if bot or rng.random() < 0.5 else rng.choice(("google.com", "yahoo.co.jp", "t.co")),
            "utm_source": channel if bot else "", "utm_medium": "bot" if bot else "",
            "utm_campaign": f"broadcast-{rng.randint(1, 40)}" if bot else "",
            "visitor_hash": None if rng.random() < 0.05 else f"{rng.randint(0, 30_000):016x}"}


def _click(rng, day, created, article_ids, recipients):
    broadcast = rng.randint(1, 40)  # each broadcast features one article, as real ones do
    return {"created_at": created, "day": day, "channel": rng.choices(("line", "discord"), (0.8, 0.2))[0],
            "broadcast_id": broadcast, "article_id": article_ids[broadcast * 5 % len(article_ids)],
            "campaign": f"broadcast-{broadcast}", "path": "/articles/x", "recipient_hash": rng.choice(recipients)}


VIEW_COLUMNS = ("created_at", "day", "path", "channel", "referrer_domain", "utm_source", "utm_medium",
                "utm_campaign", "visitor_hash")
CLICK_COLUMNS = ("created_at", "day", "channel", "broadcast_id", "article_id", "campaign", "path", "recipient_hash")


def _copy_rows(session, table, columns: tuple[str, ...], rows: list[dict]) -> None:
    """Bulk load: COPY on PostgreSQL (1M rows in well under a minute), executemany elsewhere."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.execute(insert(table), rows)
        return
    raw = connection.connection.driver_connection  # psycopg 3
    with raw.cursor() as cursor, cursor.copy(
            f"COPY {table.__tablename__} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[name] for name in columns])


def insert_events(session, total: int, article_ids: list[int], users: list[str], rng: random.Random) -> float:
    from channels.links import hash_recipient
    from kpi.metrics import day_bounds, jst_day
    from kpi.models import Click, PageView

    today = jst_day()
    slugs = [f"/articles/bench-{n}" for n in range(200)]
    recipients = [hash_recipient("bench-secret", u) for u in users[:3000]] + [None] * 500
    starts = {today - timedelta(days=d): day_bounds(today - timedelta(days=d))[0] for d in range(DAYS)}
    started = time.perf_counter()
    batches = ((PageView, VIEW_COLUMNS, []), (Click, CLICK_COLUMNS, []))
    views, clicks = batches[0][2], batches[1][2]
    for n in range(total):
        day = today - timedelta(days=n % DAYS)
        created = starts[day] + timedelta(seconds=rng.randint(0, 86_399))
        if rng.random() < CLICK_SHARE:
            clicks.append(_click(rng, day, created, article_ids, recipients))
        else:
            views.append(_page_view(rng, day, created, slugs))
        for table, columns, rows in batches:
            if len(rows) >= BATCH:
                _copy_rows(session, table, columns, rows)
                rows.clear()
    for table, columns, rows in batches:
        if rows:
            _copy_rows(session, table, columns, rows)
    session.commit()
    return time.perf_counter() - started


def time_rollup(app, session) -> tuple[float, float]:
    from kpi import rollup
    from kpi.metrics import jst_day

    started = time.perf_counter()
    for n in range(DAYS):
        rollup.rollup_day(session, jst_day() - timedelta(days=n), app.config["SECRET_KEY"])
        session.commit()
    all_days = time.perf_counter() - started
    started = time.perf_counter()
    rollup.rollup_day(session, jst_day(), app.config["SECRET_KEY"])
    session.commit()
    return all_days, time.perf_counter() - started


def create_staff(app) -> None:
    from core.db import db
    from staff.accounts import create_account

    with app.app_context():
        create_account(db.session, "ward@bench.local", "ベンチ", "ward", PASSWORD, None)
        db.session.commit()


def login_over_http(port: int) -> str:
    """Log in through the real form; the Cookie header of the staff session."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/admin/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    body = urlencode({"csrf_token": token, "email": "ward@bench.local", "password": PASSWORD})
    conn.request("POST", "/admin/login", body=body, headers={
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    if response.status != 302:
        raise SystemExit(f"login failed: HTTP {response.status}")
    return response.getheader("Set-Cookie", cookie).split(";")[0]


def measure(ports: dict, targets: dict, cookie: str, args) -> dict[str, list[dict]]:
    results: dict[str, list[dict]] = {name: [] for name in targets}
    for name, path in targets.items():  # warm-up: templates compiled, connections open
        harness.load(ports[name], [path], 1, 1.0, cookie)
    for number in range(1, args.rounds + 1):
        for name, path in targets.items():
            result = harness.load(ports[name], [path], 1, args.seconds, cookie)
            results[name].append(result)
            print(f"  round {number} {name:<28} p50 {result['p50']:7.1f}  p95 {result['p95']:7.1f} ms  "
                  f"({result['requests']} renders, {result['errors']} errors)", flush=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="an EMPTY PostgreSQL database (default: a scratch one)")
    parser.add_argument("--pg-url", default=harness.DEFAULT_PG, help="where the scratch database is made")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8.0, help="seconds per target per round")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--strict", action="store_true")
    parser.add_argument("--reuse", action="store_true",
                        help="with --database-url: keep the database and reuse a seeding of the same size")
    parser.add_argument("--cpu-renders", type=int, default=5, help="in-process renders per target (CPU time)")
    parser.add_argument("--profile", metavar="TARGET", help="cProfile (CPU time) three in-process renders of TARGET "
                        "(8w, 90d, line) and print the top functions")
    parser.add_argument("--no-http", action="store_true", help="only the in-process figures")
    args = parser.parse_args()
    if args.reuse and not args.database_url:
        parser.error("--reuse needs --database-url")
    from tests.testkit import scratch_postgres_database

    instance = Path(tempfile.mkdtemp(prefix="bench-kpi-"))
    try:
        scratch = (contextlib.nullcontext(args.database_url) if args.database_url
                   else scratch_postgres_database(args.pg_url))
        with scratch as url:
            return run(args, url, instance)
    finally:
        shutil.rmtree(instance, ignore_errors=True)


def analyze(session) -> None:
    """Planner statistics, as autovacuum gathers them within a minute of a bulk load (PostgreSQL)."""
    if session.connection().dialect.name == "postgresql":
        session.commit()
        for table in ("kpi_daily_metrics", "kpi_daily_totals", "kpi_weekly_metrics", "kpi_page_views", "kpi_clicks"):
            session.execute(text(f"ANALYZE {table}"))
        session.commit()


def prepare(app) -> None:
    from core.db import db
    from kpi.models import DailyMetric, WeeklyMetric

    rng = random.Random(20261128)
    with app.app_context():
        session = db.session
        article_ids, users = seed_people_and_articles(session, rng)
        inserted = insert_events(session, app.config["TEST_EVENTS"], article_ids, users, rng)
        print(f"inserted {app.config['TEST_EVENTS']:,} raw events over {DAYS} days in {inserted:.1f} s "
              f"({app.config['DATABASE_URL'].split(':')[0]})", flush=True)
        all_days, one_day = time_rollup(app, session)
        rows = session.scalar(select(func.count()).select_from(DailyMetric))
        weekly = session.scalar(select(func.count()).select_from(WeeklyMetric))
        print(f"roll-up of {DAYS} days: {all_days:.1f} s ({all_days / DAYS * 1000:.0f} ms/day, {rows:,} daily rows, "
              f"{weekly:,} weekly rows); re-roll of one day: {one_day * 1000:.0f} ms", flush=True)
        analyze(session)
        db.session.remove()
    create_staff(app)


def already_seeded(app, events: int) -> bool:
    """True when this database holds a finished seeding of ``events`` raw events (``--reuse``)."""
    from core.db import db
    from kpi.models import Click, PageView, RollupDay
    from staff.models import StaffUser

    with app.app_context():
        session = db.session
        seeded = (session.scalar(select(func.count()).select_from(PageView))
                  + session.scalar(select(func.count()).select_from(Click)))
        ready = (session.scalar(select(func.count()).select_from(RollupDay)) >= DAYS
                 and session.scalar(select(StaffUser.id).where(StaffUser.email == "ward@bench.local")) is not None)
        db.session.remove()
    if seeded and not (seeded == events and ready):
        raise SystemExit(f"the database holds {seeded:,} raw events, not a finished seeding of {events:,}: "
                         "give an empty database")
    return bool(seeded)


def targets_for(today) -> dict[str, str]:
    span = f"?from={today - timedelta(days=DAYS - 1)}&to={today}"
    return {"dashboard (8 weeks)": "/admin/kpi/", f"dashboard ({DAYS} days)": "/admin/kpi/" + span,
            "dashboard (LINE only)": "/admin/kpi/?channel=line",
            "CSV export (funnel by article)": "/admin/kpi/export/funnel_article.csv" + span}


def run(args, url: str, instance: Path) -> int:
    from kpi.metrics import jst_day

    app = build_app(url, instance)
    app.config["TEST_EVENTS"] = args.events
    if args.reuse and already_seeded(app, args.events):
        print(f"reusing the seeding of {args.events:,} raw events in the given database", flush=True)
    else:
        prepare(app)
    targets = targets_for(jst_day())
    if args.profile:
        chosen = {"8w": "dashboard (8 weeks)", "90d": f"dashboard ({DAYS} days)", "line": "dashboard (LINE only)"}
        profile(app, targets[chosen[args.profile]])
        return 0
    print(f"in-process (Flask test client), {harness.machine_line()}", flush=True)
    cpu = in_process(app, targets, args)
    if args.no_http:
        return 0
    ports = {"app": harness.free_port(), "anchor": harness.free_port()}
    servers = [harness.start_serve(harness.server_env(url, instance, ports["app"], args.workers),
                                   args.workers, instance / "serve.log"),
               harness.start_anchor(ports["anchor"], args.workers, instance / "anchor.log")]
    try:
        harness.wait_until_up(ports["app"], servers[0])
        harness.wait_until_up(ports["anchor"], servers[1])
        cookie = login_over_http(ports["app"])
        targets = {"anchor": "/admin/kpi/", **targets}
        target_ports = {name: ports["anchor" if name == "anchor" else "app"] for name in targets}
        print(f"over HTTP, 1 client, {args.rounds} rounds x {args.seconds:.0f} s per target; {harness.machine_line()}")
        results = measure(target_ports, targets, cookie, args)
    finally:
        for server in servers:
            harness.stop(server)
    return report(results, cpu, args)


def report(results: dict[str, list[dict]], cpu: dict[str, tuple[int, float]], args) -> int:
    print(f"median (min–max) over rounds, ms; {harness.machine_line()}")
    worst, most_queries = 0.0, max(queries for queries, _ms in cpu.values())
    for name, rounds in results.items():
        medians = [r["p50"] for r in rounds]
        errors = sum(r["errors"] for r in rounds)
        if name.startswith("dashboard"):
            worst = max(worst, statistics.median(medians))
        extra = (f"  {harness.spread([r['rps'] for r in rounds])} req/s" if name == "anchor"
                 else f"  {cpu[name][0]} queries, CPU {cpu[name][1]:.0f} ms/render")
        print(f"{name:32s} p50 {harness.spread(medians)}  p95 {harness.spread([r['p95'] for r in rounds])}  "
              f"errors {errors}{extra}")
    met = worst <= GOAL_MS and most_queries <= GOAL_QUERIES
    print(f"goal: dashboard ≤ {GOAL_MS:.0f} ms and ≤ {GOAL_QUERIES} queries per render after roll-up → "
          f"{'met' if met else 'MISSED'} (slowest median {worst:.0f} ms, most queries {most_queries})")
    return 1 if args.strict and not met else 0


if __name__ == "__main__":
    sys.exit(main())
