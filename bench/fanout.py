"""Fan-out benchmark: one LINE broadcast to 100,000 subscribers.

    .venv/bin/python bench/fanout.py [--subscribers 100000] [--backend sqlite|postgresql|both]
                                     [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

Per backend:
1. a scratch database (SQLite file / a fresh PostgreSQL database, dropped
   afterwards), migrated by the real Alembic migrations;
2. N active LINE subscribers with a topic, inserted in bulk (untimed setup);
3. one broadcast to everyone, queued through ``notifications.service``;
4. a separate worker process runs the real dispatcher against the LINE
   stand-in (tests/standins, zero latency, full OpenAPI validation) until the
   broadcast is done, so its peak RSS is the worker's alone.

Reported: multicast requests (must equal ceil(N/500)), wall time, recipients/s
of bookkeeping (snapshot + chunk inserts + claims + result writes, i.e. the
database work, without the HTTP time), end-to-end recipients/s, worker peak RSS.
Goals (issue 5): ≥ 5,000 recipients/s of bookkeeping, RSS < 300 MB.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_PG = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TOKEN = "bench-channel-access-token"
INSERT_BATCH = 10_000


# --- setup (parent process) -------------------------------------------------------------------


def _app(database_url: str, instance: Path, line_url: str = "http://127.0.0.1:9"):
    from web.app import create_app

    return create_app({
        "DATABASE_URL": database_url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "bench-secret",
        "BASE_URL": "https://monozukuri.example.jp", "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
        "LINE_API_BASE_URL": line_url, "DISCORD_BOT_TOKEN": None, "QUIET_HOURS": "",
    })


def seed(session, count: int) -> float:
    from sqlalchemy import insert, select

    from core.db import utcnow
    from notifications.models import Subscriber, Subscription

    started, now = time.perf_counter(), utcnow()
    for offset in range(0, count, INSERT_BATCH):
        ids = [f"U{i:032x}" for i in range(offset, min(offset + INSERT_BATCH, count))]
        session.execute(insert(Subscriber), [
            {"channel": "line", "external_id": ext, "display_name": "", "persona": "student", "status": "active",
             "created_at": now, "updated_at": now} for ext in ids])
        new_ids = session.scalars(select(Subscriber.id).where(Subscriber.external_id.in_(ids))).all()
        session.execute(insert(Subscription), [{"subscriber_id": i, "topic": "news", "created_at": now}
                                               for i in new_ids])
        session.commit()
    return time.perf_counter() - started


def prepare(database_url: str, instance: Path, count: int) -> tuple[int, float]:
    from sqlalchemy import text

    from core.db import db
    from core.migrate import upgrade
    from notifications.service import create_broadcast

    app = _app(database_url, instance)
    upgrade(app)
    with app.app_context():
        seconds = seed(db.session, count)
        if db.engine.dialect.name == "postgresql":
            # Fresh statistics, as autovacuum provides shortly after a bulk load in production;
            # without them the planner guesses "1 row" and sorts the whole table per page.
            db.session.execute(text("ANALYZE"))
        broadcast = create_broadcast(db.session, text="大田区の町工場から新しいお知らせです", channels=["line"],
                                     origin="cli")
        db.session.commit()
        broadcast_id = broadcast.id
        db.session.remove()
    db.engine.dispose()
    return broadcast_id, seconds


# --- the worker (child process) -----------------------------------------------------------------


class Timer:
    """Accumulates wall time spent inside wrapped functions (the database bookkeeping)."""

    def __init__(self) -> None:
        self.seconds: Counter = Counter()

    def wrap(self, module, name: str, label: str) -> None:
        original = getattr(module, name)

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - started

        setattr(module, name, timed)


def run_worker(database_url: str, instance: Path, line_url: str, broadcast_id: int) -> dict:
    from sqlalchemy import select

    from core.db import db
    from notifications import dispatcher as dispatcher_module
    from notifications import outbox
    from notifications.models import Broadcast

    timer = Timer()
    timer.wrap(dispatcher_module, "start_due", "snapshot + chunk rows")
    timer.wrap(outbox, "claim", "claims")
    timer.wrap(outbox, "record", "result writes")
    timer.wrap(outbox, "finish_broadcasts", "closing")
    app = _app(database_url, instance, line_url)
    baseline_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # imports: SDKs, models, app
    started = time.perf_counter()
    with app.app_context():
        session = db.new_session()
        with dispatcher_module.Dispatcher(app.config) as dispatcher:
            while True:
                dispatcher.run_once(session, budget_seconds=60)
                session.expire_all()
                status = session.scalar(select(Broadcast.status).where(Broadcast.id == broadcast_id))
                if status not in ("queued", "sending"):
                    break
        wall = time.perf_counter() - started
        session.close()
    return {"status": status, "wall": wall, "bookkeeping": dict(timer.seconds), "baseline_rss_mb": baseline_mb,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


# --- orchestration ---------------------------------------------------------------------------------


def bench_backend(name: str, database_url: str, count: int, workdir: Path) -> dict:
    from tests.standins.line_api import LineStandin

    broadcast_id, seed_seconds = prepare(database_url, workdir / f"instance-{name}", count)
    with LineStandin(TOKEN, quota_limit=None) as line_api:
        child = subprocess.run(
            [sys.executable, __file__, "--worker", "--database-url", database_url, "--line-url", line_api.base_url,
             "--instance", str(workdir / f"instance-{name}"), "--broadcast", str(broadcast_id)],
            capture_output=True, text=True, cwd=ROOT, check=False,
        )
        if child.returncode != 0:
            raise SystemExit(f"worker failed:\n{child.stderr[-4000:]}")
        result = json.loads(child.stdout.strip().splitlines()[-1])
        requests = line_api.calls_to("/v2/bot/message/multicast", "POST")
        per_recipient = Counter()
        for (_key, recipient), n in line_api.deliveries.items():
            per_recipient[recipient] += n
        result.update(
            backend=name, subscribers=count, seed_seconds=seed_seconds, requests=len(requests),
            accepted=sum(1 for c in requests if c.status == 200), rejected=len(line_api.validation_errors),
            delivered_once=sum(1 for n in per_recipient.values() if n == 1), duplicates=sum(
                1 for n in per_recipient.values() if n > 1),
        )
    return result


def report(result: dict) -> None:
    count, book = result["subscribers"], sum(result["bookkeeping"].values())
    expected = math.ceil(count / 500)
    print(f"\n== {result['backend']} ==")
    print(f"subscribers            {count:,}  (bulk seeding, untimed: {result['seed_seconds']:.1f} s)")
    print(f"multicast requests     {result['requests']} (expected {expected})"
          f"{'  OK' if result['requests'] == expected else '  MISMATCH'}")
    print(f"delivered exactly once {result['delivered_once']:,}  duplicates {result['duplicates']}  "
          f"spec violations {result['rejected']}  final status {result['status']}")
    print(f"wall time              {result['wall']:.2f} s  ({count / result['wall']:,.0f} recipients/s end to end)")
    print(f"bookkeeping            {book:.2f} s  ({count / book:,.0f} recipients/s)")
    for label, seconds in result["bookkeeping"].items():
        print(f"  {label:<22}{seconds:.2f} s")
    print(f"worker peak RSS        {result['peak_rss_mb']:.0f} MB  (already {result['baseline_rss_mb']:.0f} MB after "
          "start-up: SDKs, models, app; before any delivery work)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--json", action="store_true", help="print the raw results as JSON too")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--line-url", help=argparse.SUPPRESS)
    parser.add_argument("--instance", help=argparse.SUPPRESS)
    parser.add_argument("--broadcast", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(run_worker(args.database_url, Path(args.instance), args.line_url, args.broadcast)))
        return 0
    results = []
    with tempfile.TemporaryDirectory(prefix="fanout-") as tmp:
        workdir = Path(tmp)
        if args.backend in ("sqlite", "both"):
            results.append(bench_backend("SQLite", f"sqlite:///{workdir / 'fanout.sqlite3'}", args.subscribers,
                                         workdir))
        if args.backend in ("postgresql", "both"):
            from tests.testkit import scratch_postgres_database  # the same scratch database the tests use

            with scratch_postgres_database(args.pg_url) as url:
                results.append(bench_backend("PostgreSQL", url, args.subscribers, workdir))
    for result in results:
        report(result)
    if args.json:
        print(json.dumps(results, indent=2))
    expected = math.ceil(args.subscribers / 500)
    ok = all(r["requests"] == expected and r["duplicates"] == 0 and r["delivered_once"] == args.subscribers
             for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
