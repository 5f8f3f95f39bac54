"""LINE bot worker benchmark: queued events answered per second, 2-worker scaling, a 100 events/s burst.

    .venv/bin/python bench/line_worker.py [--backend postgresql|sqlite] [--backlog 3000] [--rounds 2]
                                          [--rate 100 --seconds 60] [--latency 0.05] [--skip-burst]

Setup (untimed): a scratch database with the demo content and search index, the real
``monozukuri serve`` (gunicorn) taking the webhooks, a LINE API sink answering after
``--latency`` s (bench/line_sink.py), the bare Flask anchor (bench/bare_app.py).
Load always comes from a separate process (bench/line_load.py).

1. Backlog drain, alternating 1 and 2 ``monozukuri worker`` processes per round: post
   ``--backlog`` signed events with no worker running, start the workers, and time the
   answers at the sink (first to last). Checks every job ran exactly once (attempts 1,
   each answered once, no reply token used twice). A bare-Flask round precedes each
   round so the machine's state shows beside the figure.
2. Burst: one worker running; ``--rate`` events/s for ``--seconds`` s; p50/p95 from
   webhook send to the reply arriving at LINE, share answered by reply (not push).

Goals (issue 12): >= 200 events/s per worker; 2 workers >= 1.7x; burst p95 <= 2 s and >= 99 % by reply.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from line_common import (  # noqa: E402 - after the path set-up
    ROOT,
    app_env,
    cpu_seconds,
    load,
    median_spread,
    scratch_database,
    sink_call,
    start_bare,
    start_serve,
    start_sink,
    start_worker,
    stop,
)

GOAL_RATE, GOAL_SCALING, GOAL_P95, GOAL_REPLY_SHARE = 200.0, 1.7, 2.0, 0.99


def job_check(url: str) -> dict:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT status, count(*), max(attempts) FROM bot_jobs WHERE kind = 'line_event' "
                                 "GROUP BY status")).all()
        conn.execute(text("DELETE FROM bot_jobs"))
        conn.commit()
    engine.dispose()
    return {status: {"jobs": count, "max_attempts": attempts} for status, count, attempts in rows}


def wait_answered(sink_url: str, expected: int, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        stats = sink_call(sink_url, "/_stats")
        answered = stats["counts"].get("reply", 0) + stats["counts"].get("push", 0)
        if answered >= expected or time.monotonic() > deadline:
            stats["answered"] = answered
            return stats
        time.sleep(0.2)


def drain_round(env: dict, url: str, serve_port: int, sink_url: str, workers: int, backlog: int, log: Path) -> dict:
    posted = load("webhook", f"http://127.0.0.1:{serve_port}/callback", count=backlog, connections=50)
    sink_call(sink_url, "/_reset", "POST")
    processes = [start_worker(env, log) for _ in range(workers)]
    try:
        stats = wait_answered(sink_url, backlog, timeout=300)
        cpu = sum(cpu_seconds(process.pid) for process in processes)
    finally:
        for process in processes:
            stop(process)
    time.sleep(0.5)
    final = sink_call(sink_url, "/_stats")
    span = (stats["last"] or 0) - (stats["first"] or 0)
    return {"workers": workers, "posted_errors": posted["errors"], "answered": stats["answered"],
            "rate": (stats["answered"] - 1) / span if span > 0 else 0.0, "counts": final["counts"],
            "per_cpu_second": stats["answered"] / cpu,
            "jobs": job_check(url)}


def burst(env: dict, url: str, serve_port: int, sink_url: str, rate: float, seconds: float, log: Path) -> dict:
    worker = start_worker(env, log)
    try:
        deadline = time.monotonic() + 60
        while b"LINE queue loop started" not in log.read_bytes() and time.monotonic() < deadline:
            time.sleep(0.2)
        sink_call(sink_url, "/_reset", "POST")
        sent = load("webhook", f"http://127.0.0.1:{serve_port}/callback", rate=rate, seconds=seconds,
                    connections=50, seed=99)
        stats = wait_answered(sink_url, sent["requests"], timeout=120)
    finally:
        stop(worker)
    return {"sent": sent, "stats": stats, "jobs": job_check(url)}


def report_drain(rounds: list[dict], anchors: list[float]) -> bool:
    print(f"bare Flask anchor (GET, 50 connections), each round: {median_spread(anchors)} req/s")
    ok = True
    by_workers = {n: [r["rate"] for r in rounds if r["workers"] == n] for n in (1, 2)}
    for r in rounds:
        exact = all(v["max_attempts"] == 1 for v in r["jobs"].values()) and r["counts"].get("reply_token_reused", 0) == 0
        ok &= exact and r["answered"] >= 1
        print(f"  {r['workers']} worker(s): {r['rate']:7.0f} events/s  ({r['per_cpu_second']:.0f} per CPU-second of the "
              f"worker process(es), start-up included)  answered {r['answered']}  "
              f"{dict(r['counts'])}  jobs {r['jobs']}  exactly once: {'yes' if exact else 'NO'}")
    one, two = statistics.median(by_workers[1]), statistics.median(by_workers[2]) if by_workers[2] else 0.0
    print(f"queued events answered, 1 worker: {median_spread(by_workers[1])} events/s "
          f"(goal >= {GOAL_RATE:.0f}: {'met' if one >= GOAL_RATE else 'NOT met'})")
    if by_workers[2]:
        print(f"2 workers: {median_spread(by_workers[2])} events/s, scaling {two / one:.2f}x "
              f"(goal >= {GOAL_SCALING}x: {'met' if two / one >= GOAL_SCALING else 'NOT met'})")
    return ok


def report_burst(result: dict, rate: float, seconds: float) -> bool:
    stats, counts = result["stats"], result["stats"]["counts"]
    replies, pushes = counts.get("reply", 0), counts.get("push", 0)
    share = replies / max(1, result["sent"]["requests"])
    p95 = stats["reply_p95"] or float("inf")
    print(f"burst {rate:.0f} events/s for {seconds:.0f} s, 1 worker: sent {result['sent']['requests']} "
          f"(webhook errors {result['sent']['errors']}, ack p99 {result['sent']['p99']:.0f} ms), "
          f"replies {replies}, pushes {pushes}")
    print(f"  webhook -> reply p50 {stats['reply_p50'] or 0:.2f} s, p95 {p95:.2f} s, max {stats['reply_max'] or 0:.2f} s "
          f"(goal p95 <= {GOAL_P95:.0f} s: {'met' if p95 <= GOAL_P95 else 'NOT met'})")
    print(f"  answered by reply: {share:.1%} (goal >= {GOAL_REPLY_SHARE:.0%}: "
          f"{'met' if share >= GOAL_REPLY_SHARE else 'NOT met'})  jobs {result['jobs']}")
    return result["sent"]["errors"] == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--backlog", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=2, help="rounds per worker count, alternating 1 and 2")
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--latency", type=float, default=0.05, help="LINE API answer time (s)")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--skip-burst", action="store_true")
    parser.add_argument("--skip-scaling", action="store_true", help="1 worker only")
    parser.add_argument("--threads", type=int, default=0, help="LINE_WORKER_THREADS (default: the setting)")
    args = parser.parse_args()
    counts = [1] if args.skip_scaling else [1, 2]
    with scratch_database(args.backend) as (url, instance):
        sink, sink_url = start_sink(args.latency)
        env = app_env(url, instance, sink_url, **({"LINE_WORKER_THREADS": args.threads} if args.threads else {}))
        subprocess.run([sys.executable, "-m", "web.cli", "setup-demo"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        serve, port = start_serve(env, args.web_workers)
        bare, bare_port = start_bare(args.web_workers)
        log = instance / "worker.log"
        try:
            load("webhook", f"http://127.0.0.1:{port}/callback", count=200, connections=20)  # warm up
            job_check(url)
            rounds, anchors = [], []
            for _ in range(args.rounds):
                for workers in counts:
                    anchors.append(load("get", f"http://127.0.0.1:{bare_port}/", count=2000)["rps"])
                    rounds.append(drain_round(env, url, port, sink_url, workers, args.backlog, log))
            burst_result = None if args.skip_burst else burst(env, url, port, sink_url, args.rate, args.seconds, log)
        finally:
            for process in (serve, bare, sink):
                stop(process)
    print(f"LINE worker bench ({args.backend}; backlog {args.backlog}; LINE API latency {args.latency * 1000:.0f} ms; "
          f"gunicorn {args.web_workers} x 4 threads; median (min–max) of {args.rounds} round(s))")
    ok = report_drain(rounds, anchors)
    if burst_result:
        ok &= report_burst(burst_result, args.rate, args.seconds)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
