"""LINE webhook benchmark: time to the 200 of POST /callback against a bare endpoint.

    .venv/bin/python bench/line_webhook.py [--clients 50] [--requests 40] [--workers 2]

1. Creates a temporary instance with a migrated SQLite database.
2. Starts the real server (gunicorn, gthread, same options as ``monozukuri
   serve``, the app built as ``web.wsgi`` does) on a free port with LINE_CHANNEL_SECRET set, and
   the bare Flask anchor (bench/anchor.py, a trivial page, started the same way) on another.
3. 50 concurrent clients (keep-alive connections) post signed webhook requests
   (mixed text and postback events, as LINE sends them: one event each), then
   the same number of requests go to the bare endpoint.
4. Repeats (alternating) for several rounds and reports the medians of
   throughput and p50/p99 time to the response for both, the ratio, and
   checks that every event was queued exactly once.

Goals (issue 4): webhook p99 < 100 ms and >= 50 % of the bare endpoint's throughput.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "bench"))  # after the project: bench/kpi.py must not shadow kpi/

import harness  # noqa: E402

SECRET = "bench-channel-secret"
GOAL_P99_MS = 100.0
GOAL_RATIO = 0.5
WORDS = ["新着", "イベント", "工場見学", "旋盤", "宇宙", "ワークショップ", "受信設定", "ヘルプ", "3Dプリンタ", "就職"]
POSTBACKS = ["a=latest", "a=events", "a=settings", "a=help&s=search", "a=topic&t=workshops&v=1", "a=persona&p=student"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database(instance: Path) -> str:
    from alembic import command

    from core.migrate import alembic_config

    url = f"sqlite:///{instance / 'bench.sqlite3'}"
    command.upgrade(alembic_config(url), "head")
    return url


def bench_app():
    """The app as ``web.wsgi`` builds it, optionally with another SQLite ``synchronous``
    level (``--synchronous normal``: a what-if for the foundation's connection pragmas)."""
    from sqlalchemy import event

    from core.db import db
    from web.app import create_app

    app = create_app()
    level = os.environ.get("BENCH_SQLITE_SYNCHRONOUS")
    if level:
        event.listen(db.engine, "connect", lambda conn, _record: conn.execute(f"PRAGMA synchronous={level}"))
    return app


def start_server(port: int, instance: Path, url: str, workers: int, synchronous: str | None) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "bench",
           "LINE_CHANNEL_SECRET": SECRET, "LINE_CHANNEL_ACCESS_TOKEN": "bench-token",
           "LINE_API_BASE_URL": "http://127.0.0.1:9",
           "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bench'}", "BENCH_SQLITE_SYNCHRONOUS": synchronous or ""}
    command = [sys.executable, "-m", "gunicorn", "line_webhook:bench_app()", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--threads", "4", "--worker-class", "gthread",
               "--access-logfile", "-", "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("server did not start within 30 s")


def event(rng: random.Random, user: str) -> dict:
    base = {"mode": "active", "timestamp": int(time.time() * 1000), "webhookEventId": uuid.uuid4().hex[:26].upper(),
            "deliveryContext": {"isRedelivery": False}, "source": {"type": "user", "userId": user},
            "replyToken": uuid.uuid4().hex}
    if rng.random() < 0.6:
        return {**base, "type": "message",
                "message": {"id": str(rng.randrange(10**17)), "type": "text", "text": rng.choice(WORDS),
                            "quoteToken": "q"}}
    return {**base, "type": "postback", "postback": {"data": rng.choice(POSTBACKS)}}


def signed_body(rng: random.Random, user: str) -> tuple[bytes, dict]:
    raw = json.dumps({"destination": "U" + "0" * 32, "events": [event(rng, user)]}, ensure_ascii=False).encode()
    signature = base64.b64encode(hmac.new(SECRET.encode(), raw, hashlib.sha256).digest()).decode()
    return raw, {"Content-Type": "application/json; charset=utf-8", "X-Line-Signature": signature}


def client_run(port: int, method: str, path: str, count: int, seed: int, out: list, errors: list) -> None:
    rng = random.Random(seed)
    user = "U" + hashlib.md5(str(seed).encode()).hexdigest()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    bodies = [signed_body(rng, user) if method == "POST" else (None, {}) for _ in range(count)]
    for body, headers in bodies:
        start = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        out.append(time.perf_counter() - start)
        if response.status != 200:
            errors.append(response.status)


def run(port: int, method: str, path: str, clients: int, per_client: int) -> dict:
    timings: list[float] = []
    errors: list[int] = []
    threads = [threading.Thread(target=client_run, args=(port, method, path, per_client, i, timings, errors))
               for i in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    ordered = sorted(timings)
    return {"requests": len(timings), "errors": len(errors), "rps": len(timings) / elapsed,
            "p50": statistics.median(ordered) * 1000, "p99": ordered[int(len(ordered) * 0.99) - 1] * 1000}


def median_figures(rounds: list[dict]) -> dict:
    return {key: (sum(r[key] for r in rounds) if key in ("requests", "errors")
                  else statistics.median(r[key] for r in rounds)) for key in rounds[0]}


def queued_events(database: Path) -> tuple[int, int]:
    with sqlite3.connect(database) as conn:
        total, distinct = conn.execute("SELECT count(*), count(DISTINCT dedup_key) FROM bot_jobs").fetchone()
    return total, distinct


def report(name: str, figures: dict) -> None:
    print(f"{name:<22} {figures['requests']:>6} req  {figures['rps']:>8.0f} req/s  "
          f"p50 {figures['p50']:>6.1f} ms  p99 {figures['p99']:>6.1f} ms  errors {figures['errors']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=40, help="requests per client")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds; medians are reported")
    parser.add_argument("--synchronous", choices=["normal", "full"], help="what-if: SQLite synchronous level")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-line-") as folder:
        instance = Path(folder)
        url = prepare_database(instance)
        port = free_port()
        server = start_server(port, instance, url, args.workers, args.synchronous)
        anchor_port = free_port()
        anchor = harness.start_anchor(anchor_port, args.workers, instance / "anchor.log")
        try:
            harness.wait_until_up(anchor_port, anchor)
            run(anchor_port, "GET", "/bare", 10, 10)  # warm up both paths and every worker
            run(port, "POST", "/callback", 10, 10)
            bare_rounds, webhook_rounds = [], []
            for _ in range(args.rounds):  # alternate, so load from elsewhere hits both alike
                bare_rounds.append(run(anchor_port, "GET", "/bare", args.clients, args.requests))
                webhook_rounds.append(run(port, "POST", "/callback", args.clients, args.requests))
            bare, webhook = median_figures(bare_rounds), median_figures(webhook_rounds)
        finally:
            harness.stop(anchor)
            server.terminate()
            server.wait(timeout=30)
        total, distinct = queued_events(instance / "bench.sqlite3")
    sent = webhook["requests"] + 100
    print(f"LINE webhook bench: {args.clients} clients x {args.requests} requests x {args.rounds} rounds, "
          f"gunicorn {args.workers} worker(s) x 4 threads, SQLite (synchronous={args.synchronous or 'default'}); "
          "medians of the rounds")
    report("bare endpoint", bare)
    report("POST /callback", webhook)
    ratio = webhook["rps"] / bare["rps"]
    print(f"throughput ratio webhook/bare: {ratio:.0%}  (goal >= {GOAL_RATIO:.0%}: "
          f"{'met' if ratio >= GOAL_RATIO else 'NOT met'})")
    print(f"webhook p99 {webhook['p99']:.1f} ms (goal < {GOAL_P99_MS:.0f} ms: "
          f"{'met' if webhook['p99'] < GOAL_P99_MS else 'NOT met'})")
    print(f"queued events: {total} rows, {distinct} distinct, {sent} sent")
    failed = webhook["errors"] or bare["errors"] or total != sent or distinct != sent
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
