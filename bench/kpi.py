"""Bench: 1,000,000 raw KPI events → daily roll-up → dashboard render time.

Creates a fresh migrated database (SQLite in a temporary folder, or the
PostgreSQL URL given with --database-url), 200 articles and 5,000 LINE friends,
then bulk-inserts deterministic raw events over the last 90 days: page views
(paths, entry channels, referrers, UTM campaigns, per-day visitor hashes) and
tracked-link clicks (broadcasts, articles, hashed recipients). It times:

- the bulk insert (for scale only),
- the roll-up of all 90 days (what the worker does after downtime) and the
  re-roll of one day (what the hourly job does),
- the dashboard ``/admin/kpi`` (Flask test client, logged in as ward staff):
  the default 8 weeks and the full 90 days, median of several renders,
- one CSV export.

Goal: dashboard < 1 s after the roll-up. Exit status 0 unless ``--strict``
is given and the goal is missed.

    .venv/bin/python bench/kpi.py [--events 1000000] [--database-url postgresql+psycopg://...]
"""
from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

DAYS = 90
CLICK_SHARE = 0.15
BATCH = 20_000
GOAL_SECONDS = 1.0
PASSWORD = "bench horse battery staple"


def build_app(database_url: str | None, instance: Path):
    from core.migrate import upgrade
    from web.app import create_app

    url = database_url or f"sqlite:///{instance / 'bench.sqlite3'}"
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "bench-secret",
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


def insert_events(session, total: int, article_ids: list[int], users: list[str], rng: random.Random) -> float:
    from channels.links import hash_recipient
    from kpi.metrics import day_bounds, jst_day
    from kpi.models import Click, PageView

    today = jst_day()
    slugs = [f"/articles/bench-{n}" for n in range(200)]
    recipients = [hash_recipient("bench-secret", u) for u in users[:3000]] + [None] * 500
    started = time.perf_counter()
    views, clicks = [], []
    for n in range(total):
        day = today - timedelta(days=n % DAYS)
        created = day_bounds(day)[0] + timedelta(seconds=rng.randint(0, 86_399))
        if rng.random() < CLICK_SHARE:
            clicks.append(_click(rng, day, created, article_ids, recipients))
        else:
            views.append(_page_view(rng, day, created, slugs))
        for rows, table in ((views, PageView), (clicks, Click)):
            if len(rows) >= BATCH:
                session.execute(insert(table), rows)
                rows.clear()
    for rows, table in ((views, PageView), (clicks, Click)):
        if rows:
            session.execute(insert(table), rows)
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


def login(app):
    from core.db import db
    from staff.accounts import create_account

    create_account(db.session, "ward@bench.local", "ベンチ", "ward", PASSWORD, None)
    db.session.commit()
    client = app.test_client()
    response = client.post("/admin/login", data={"email": "ward@bench.local", "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def time_get(client, url: str, runs: int) -> list[float]:
    assert client.get(url).status_code == 200  # warm-up: templates compiled, caches filled
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="PostgreSQL URL of an EMPTY database (default: temporary SQLite)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="bench-kpi-"))
    try:
        return run(args, instance)
    finally:
        shutil.rmtree(instance, ignore_errors=True)


def run(args, instance: Path) -> int:
    from core.db import db
    from kpi.metrics import jst_day
    from kpi.models import DailyMetric

    rng = random.Random(20261128)
    app = build_app(args.database_url, instance)
    with app.app_context():
        session = db.session
        article_ids, users = seed_people_and_articles(session, rng)
        inserted = insert_events(session, args.events, article_ids, users, rng)
        print(f"inserted {args.events:,} raw events over {DAYS} days in {inserted:.1f} s "
              f"({app.config['DATABASE_URL'].split(':')[0]})")
        all_days, one_day = time_rollup(app, session)
        rows = session.scalar(select(func.count()).select_from(DailyMetric))
        print(f"roll-up of {DAYS} days: {all_days:.1f} s ({all_days / DAYS * 1000:.0f} ms/day, {rows:,} daily rows); "
              f"re-roll of one day: {one_day * 1000:.0f} ms")
        client = login(app)
        span = f"?from={jst_day() - timedelta(days=DAYS - 1)}&to={jst_day()}"
        results = {"dashboard (8 weeks)": time_get(client, "/admin/kpi/", args.runs),
                   f"dashboard ({DAYS} days)": time_get(client, "/admin/kpi/" + span, args.runs),
                   "dashboard (LINE only)": time_get(client, "/admin/kpi/?channel=line", args.runs),
                   "CSV export (funnel by article)": time_get(client, "/admin/kpi/export/funnel_article.csv" + span, args.runs)}
    worst = 0.0
    for name, timings in results.items():
        median = statistics.median(timings)
        worst = max(worst, median) if name.startswith("dashboard") else worst
        print(f"{name:32s} median {median * 1000:6.0f} ms  max {max(timings) * 1000:6.0f} ms")
    met = worst < GOAL_SECONDS
    print(f"goal: dashboard < {GOAL_SECONDS:.0f} s after roll-up → {'met' if met else 'MISSED'} "
          f"(slowest median {worst * 1000:.0f} ms)")
    return 1 if args.strict and not met else 0


if __name__ == "__main__":
    sys.exit(main())
