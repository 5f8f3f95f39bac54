"""LINE webhook benchmark: acks of POST /callback against a bare Flask app, and hostile bodies.

    .venv/bin/python bench/line_webhook.py [--backend postgresql|sqlite|both] [--connections 50]
                                           [--requests 4000] [--rounds 3] [--hostile 10000]

Per backend (a scratch database, migrated):
1. the real ``monozukuri serve`` (gunicorn, its default workers x 4 threads) with the worker
   running, and the bare Flask anchor started the same way (bench/bare_app.py);
2. alternating rounds: ``--requests`` GETs to the bare app, then as many signed webhook
   posts (one event each, text/postback/follow from 2,000 users) to /callback, each from
   the load generator process (bench/line_load.py, asyncio, ``--connections`` keep-alive
   connections); medians and spread (min–max) of req/s and p99;
3. ``--hostile`` signed bodies (every 4th valid, the others spliced with deep nesting, NUL,
   lone surrogates, broken JSON) at the same time as the load: counts 5xx answers and checks
   every valid event answered 200 is stored.
Also checks every webhook event answered 200 was queued exactly once.

Goals (issue 12): webhook >= 50 % of bare Flask, p99 < 100 ms at 50 connections; 0 5xx for any body.
"""
from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from line_common import (  # noqa: E402 - after the path set-up
    app_env,
    load,
    median_spread,
    scratch_database,
    start_bare,
    start_serve,
    start_sink,
    start_worker,
    stop,
)

GOAL_RATIO, GOAL_P99_MS = 0.5, 100.0


def queued(url: str) -> tuple[int, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        total, distinct = conn.execute(text("SELECT count(*), count(DISTINCT dedup_key) FROM bot_jobs "
                                            "WHERE kind = 'line_event'")).one()
    engine.dispose()
    return total, distinct


def bench_backend(backend: str, args) -> dict:
    with scratch_database(backend) as (url, instance):
        sink, sink_url = start_sink(0.05)
        env = app_env(url, instance, sink_url)
        serve, port = start_serve(env, args.web_workers)
        bare, bare_port = start_bare(args.web_workers)
        worker = start_worker(env, instance / "worker.log")
        callback, bare_url = f"http://127.0.0.1:{port}/callback", f"http://127.0.0.1:{bare_port}/"
        try:
            load("get", bare_url, count=500, connections=args.connections)  # warm up both, every process
            warm = load("webhook", callback, count=500, connections=args.connections, seed=1000)
            bare_rounds, hook_rounds = [], []
            for i in range(args.rounds):  # alternate, so load from elsewhere on the machine hits both alike
                bare_rounds.append(load("get", bare_url, count=args.requests, connections=args.connections))
                hook_rounds.append(load("webhook", callback, count=args.requests, connections=args.connections,
                                        seed=i + 1))
            hostile = load("hostile", callback, count=args.hostile, connections=args.connections, seed=4242)
            total, distinct = queued(url)
        finally:
            for process in (worker, serve, bare, sink):
                stop(process)
    sent_ok = warm["statuses"].get("200", 0) + sum(r["statuses"].get("200", 0) for r in hook_rounds)
    return {"backend": backend, "bare": bare_rounds, "webhook": hook_rounds, "hostile": hostile,
            "queued": total, "distinct": distinct, "expected": sent_ok + hostile["valid_ok"]}


def report(result: dict, args) -> bool:
    bare, hook, hostile = result["bare"], result["webhook"], result["hostile"]
    ratios = [h["rps"] / b["rps"] for h, b in zip(hook, bare, strict=True)]
    p99 = [h["p99"] for h in hook]
    ratio, p99_median = statistics.median(ratios), statistics.median(p99)
    print(f"\n== {result['backend']} ({args.connections} connections, {args.requests} requests x {args.rounds} "
          f"rounds, gunicorn {args.web_workers} x 4 threads, worker running; median (min–max)) ==")
    print(f"bare Flask       {median_spread([b['rps'] for b in bare])} req/s  p99 "
          f"{median_spread([b['p99'] for b in bare])} ms")
    print(f"POST /callback   {median_spread([h['rps'] for h in hook])} req/s  p99 {median_spread(p99)} ms  "
          f"errors {sum(h['errors'] for h in hook)}")
    print(f"webhook/bare     {ratio:.0%} ({min(ratios):.0%}–{max(ratios):.0%})  (goal >= {GOAL_RATIO:.0%}: "
          f"{'met' if ratio >= GOAL_RATIO else 'NOT met'});  p99 goal < {GOAL_P99_MS:.0f} ms: "
          f"{'met' if p99_median < GOAL_P99_MS else 'NOT met'}")
    print(f"hostile bodies   {hostile['requests']} sent (3 of 4 hostile): 5xx {hostile['server_errors']}  "
          f"statuses {hostile['statuses']}  (goal 0 5xx: {'met' if hostile['server_errors'] == 0 else 'NOT met'})")
    exact = result["queued"] == result["distinct"] >= result["expected"]  # hostile bodies may still hold a valid event
    print(f"queued events    {result['queued']} rows, {result['distinct']} distinct, {result['expected']} valid "
          f"answered 200 (+ hostile bodies whose event stayed valid): {'exactly once' if exact else 'MISMATCH'}")
    return exact and hostile["server_errors"] == 0 and all(h["errors"] == 0 for h in hook)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["postgresql", "sqlite", "both"], default="both")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--requests", type=int, default=4000, help="requests per round and target")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--hostile", type=int, default=10_000)
    parser.add_argument("--web-workers", type=int, default=2)
    args = parser.parse_args()
    backends = ["postgresql", "sqlite"] if args.backend == "both" else [args.backend]
    results = [bench_backend(backend, args) for backend in backends]
    ok = True
    for result in results:
        ok &= report(result, args)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
