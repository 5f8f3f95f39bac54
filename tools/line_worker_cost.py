"""What one queued LINE event costs the worker, read in the process that runs it (a profiling aid).

    .venv/bin/python tools/line_worker_cost.py [--backend postgresql|sqlite] [--events 600] [--users 300]
                                               [--rounds 2] [--profile]

A scratch database with the demo content (articles, events, search index), the bench's
event mix (bench/line_load.py: 55 % texts, 35 % postbacks, 10 % follows, from ``--users``
users) queued with reply tokens issued by the LINE stand-in of the tests, then drained by
the real worker loop (``QueueRunner.run_forever``, the default thread count) against that
stand-in. The stand-in runs in a child process, so ``time.process_time`` of this process is
the worker's own CPU: the figure holds on a loaded machine, where wall-clock rates do not.
The PostgreSQL backends' CPU is read from /proc beside it. The HTTP bench
(bench/line_worker.py) remains the measurement of events per second.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


ACCESS_TOKEN = "cost-channel-access-token"


def _backend_cpu(session) -> dict[int, float] | None:
    """CPU seconds of each PostgreSQL backend serving this database (None: not PostgreSQL or unreadable)."""
    from sqlalchemy import text

    if session.get_bind().dialect.name != "postgresql":
        return None
    pids = session.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")).all()
    session.rollback()
    seconds = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    return seconds


def _standin(conn) -> None:
    """Child process: the LINE stand-in, driven by (command, argument) messages over a pipe."""
    from tests.standins.line_api import LineStandin

    with LineStandin(access_token=ACCESS_TOKEN, quota_limit=None) as line:
        conn.send(line.base_url)
        while True:
            command, argument = conn.recv()
            if command == "tokens":
                conn.send([line.issue_reply_token(user) for user in argument])
            elif command == "stats":
                conn.send({"sent": dict(Counter(s.kind for s in line.outbox)),
                           "statuses": dict(Counter(c.status for c in line.calls)),
                           "validation_errors": [str(e) for e in line.validation_errors[:3]],
                           "response_errors": line.response_errors[:3]})
            elif command == "reset":
                line.outbox.clear()
                line.calls.clear()
                conn.send(None)
            else:
                conn.send(None)
                return


def _events(rng: random.Random, users: list[str], count: int, tokens) -> list[dict]:
    from line_load import line_event

    events = [line_event(rng, rng.choice(users)) for _ in range(count)]
    for event, token in zip(events, tokens([e["source"]["userId"] for e in events]), strict=True):
        event["replyToken"] = token
    return events


def _outstanding(session) -> int:
    from sqlalchemy import func, select

    from bot.line.models import BotJob

    count = session.scalar(select(func.count()).where(BotJob.status.in_(("pending", "processing"))))
    session.rollback()
    return count


def _profile_threads(runner) -> list:
    """cProfile what each thread of the runner does (thread CPU time as the clock)."""
    import cProfile

    profilers, local = [], threading.local()

    def profiled(method):
        def run(*args):
            profiler = getattr(local, "profiler", None)
            if profiler is None:
                profiler = local.profiler = cProfile.Profile(time.thread_time)
                profilers.append(profiler)
            profiler.enable()
            try:
                return method(*args)
            finally:
                profiler.disable()
        return run

    for name in ("claim_and_dispatch", "_answer"):  # the loop and batch threads
        setattr(runner, name, profiled(getattr(runner, name)))
    from bot.line import runner as runner_module  # the sender threads drain lanes

    runner_module._LaneSender._drain = profiled(runner_module._LaneSender._drain)
    return profilers


def _time_gc():
    """Start adding up the time spent in the cyclic garbage collector; call the result to stop and read it."""
    import gc

    spent = {"seconds": 0.0, "runs": 0, "started": 0.0, "by_generation": Counter()}

    def callback(phase, info):
        if phase == "start":
            spent["started"] = time.perf_counter()
        else:
            seconds = time.perf_counter() - spent["started"]
            spent["seconds"] += seconds
            spent["runs"] += 1
            spent["by_generation"][info["generation"]] += seconds

    gc.callbacks.append(callback)

    def stop():
        gc.callbacks.remove(callback)
        return spent

    return stop


def _count_statements(engine):
    """SQL statements the worker's threads send (first line of each), counted while the drain runs."""
    from sqlalchemy import event

    counted: Counter = Counter()

    def count(_conn, _cursor, statement, *_args):
        if threading.current_thread().name != "MainThread":
            counted[" ".join(statement.split())[:120]] += 1

    event.listen(engine, "before_cursor_execute", count)
    return counted, lambda: event.remove(engine, "before_cursor_execute", count)


def _time_parts(names: list[str]):
    """Wrap each ``module.function`` (or ``module.Class.method``) to add up the CPU time of the threads calling it.

    Patched where it is defined: a module that imported the function by name keeps the original.
    """
    import functools
    import importlib

    spent: Counter = Counter()
    undo = []
    for name in names:
        parts = name.split(".")
        for cut in range(len(parts) - 1, 0, -1):  # the longest importable prefix, then attributes (Class.method)
            try:
                module = importlib.import_module(".".join(parts[:cut]))
            except ModuleNotFoundError:
                continue
            break
        for attribute_name in parts[cut:-1]:
            module = getattr(module, attribute_name)
        attribute = parts[-1]
        original = getattr(module, attribute)

        def timed(*args, _original=original, _name=name, **kwargs):
            started = time.thread_time()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_name] += time.thread_time() - started

        setattr(module, attribute, functools.wraps(original)(timed))
        undo.append((module, attribute, original))

    def restore():
        for module, attribute, original in undo:
            setattr(module, attribute, original)

    return spent, restore


def drain(app, session, events: list[dict], profile: bool = False, statements: bool = False,
          parts: list[str] | None = None) -> dict:
    """Queue ``events``, run the worker loop until they are all finished; CPU figures."""
    from sqlalchemy import delete, func, select

    from bot.line import queue, webhook
    from bot.line.jobs import worker_threads
    from bot.line.models import BotJob
    from bot.line.runner import QueueRunner

    session.execute(delete(BotJob))
    session.commit()
    queue.enqueue(session, "line", webhook.jobs_for(events))
    runner = QueueRunner(app, threads=worker_threads(app.config))
    stop = threading.Event()
    profilers = _profile_threads(runner) if profile else None
    counted, stop_counting = _count_statements(session.get_bind()) if statements else (None, None)
    spent, stop_timing = _time_parts(parts) if parts else (None, None)
    gc_spent = _time_gc()
    database_before = _backend_cpu(session)
    started_cpu, started_wall = time.process_time(), time.monotonic()
    loop = threading.Thread(target=runner.run_forever, args=(stop,), name="line-queue", daemon=True)
    loop.start()
    try:
        while _outstanding(session):
            time.sleep(0.5)
    finally:
        stop.set()
        loop.join()
        runner.close()
    if stop_counting:
        stop_counting()
    if stop_timing:
        stop_timing()
    cpu, wall = time.process_time() - started_cpu, time.monotonic() - started_wall
    gc_spent = gc_spent()
    database_after = _backend_cpu(session)
    statuses = dict(session.execute(select(BotJob.status, func.count()).group_by(BotJob.status)).all())
    attempts = session.scalar(select(func.max(BotJob.attempts)))
    session.rollback()
    database = (sum(cpu - database_before.get(pid, 0.0) for pid, cpu in database_after.items())
                if database_before is not None and database_after is not None else None)
    return {"events": len(events), "cpu": cpu, "wall": wall, "database": database, "statuses": statuses,
            "max_attempts": attempts, "profilers": profilers,
            "statements": counted, "parts": spent,
            "gc": gc_spent}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--events", type=int, default=600)
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2, help="measured rounds after one warm-up round")
    parser.add_argument("--profile", action="store_true", help="cProfile the last round (main-thread view)")
    parser.add_argument("--dump", default="", help="with --profile: also write the pstats file here")
    parser.add_argument("--statements", action="store_true", help="count SQL statements per event (last round)")
    parser.add_argument("--parts", default="", help="module.function,… : CPU per event spent in each (last round)")
    parser.add_argument("--threads", type=int, default=0, help="LINE_WORKER_THREADS (default: the setting)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    from line_common import scratch_database

    parent, child = multiprocessing.Pipe()
    standin = multiprocessing.get_context("spawn").Process(target=_standin, args=(child,), daemon=True)
    standin.start()
    child.close()  # the child's end: if the stand-in dies, recv() fails instead of waiting forever
    if not parent.poll(120):
        raise SystemExit("the LINE stand-in did not start")
    base_url = parent.recv()

    def call(command: str, argument=None):
        parent.send((command, argument))
        return parent.recv()

    try:
        with scratch_database(args.backend) as (url, instance), tempfile.TemporaryDirectory() as folder:
            from content.demo import import_demo_content
            from core.db import db
            from core.worker import settle
            from search.index import get_index
            from tests.testkit import make_test_app

            app = make_test_app(url, Path(folder) / "instance", LINE_CHANNEL_SECRET="cost-secret",
                                LINE_CHANNEL_ACCESS_TOKEN=ACCESS_TOKEN, LINE_API_BASE_URL=base_url,
                                BASE_URL="https://monozukuri.example.jp", TESTING=False,
                                **({"LINE_WORKER_THREADS": args.threads} if args.threads else {}))
            with app.app_context():
                import_demo_content(app)
                get_index(app).updater.wait_idle()
                session = db.session
                rng = random.Random(args.seed)
                users = [f"U{rng.getrandbits(128):032x}" for _ in range(args.users)]
                figures = []
                settle(app)  # as the worker process does before its first job
                for number in range(args.rounds + 1):
                    call("reset")
                    events = _events(rng, users, args.events, lambda u: call("tokens", u))
                    last = number == args.rounds
                    result = drain(app, session, events, profile=args.profile and last,
                                   statements=args.statements and last,
                                   parts=[p for p in args.parts.split(",") if p] if last else None)
                    stats = call("stats")
                    per_event = result["cpu"] * 1000 / result["events"]
                    database = (f", PostgreSQL backends {result['database'] * 1000 / result['events']:.2f} ms"
                                if result["database"] is not None else "")
                    label = "warm-up" if number == 0 else f"round {number}"
                    collector = (f"; garbage collector {result['gc']['seconds'] * 1000 / result['events']:.2f} ms "
                                 f"({result['gc']['runs']} runs; by generation "
                                 f"{ {g: round(t * 1000, 1) for g, t in sorted(result['gc']['by_generation'].items())} } ms)")
                    print(f"{label}: {result['events']} events in {result['wall']:.1f} s wall; worker CPU "
                          f"{per_event:.2f} ms per event{database}; jobs {result['statuses']} "
                          f"(max attempts {result['max_attempts']}); LINE {stats['sent']} {stats['statuses']}{collector}",
                          flush=True)
                    if stats["validation_errors"] or stats["response_errors"]:
                        print("  stand-in refused:", stats["validation_errors"], stats["response_errors"])
                    if number:
                        figures.append(per_event)

                    if result["statements"]:
                        total = sum(result["statements"].values())
                        print(f"  {total / result['events']:.2f} SQL statements per event:")
                        for statement, count in result["statements"].most_common(40):
                            print(f"  {count / result['events']:6.2f}  {statement}")
                    for name, seconds in (result["parts"] or Counter()).most_common():
                        print(f"  {seconds * 1000 / result['events']:6.2f} ms per event in {name}")
                    if result["profilers"]:
                        import pstats

                        stats_view = pstats.Stats(*result["profilers"])
                        if args.dump:
                            stats_view.dump_stats(args.dump)
                        stats_view.sort_stats("cumulative").print_stats(120)
                        stats_view.sort_stats("tottime").print_stats(40)
                db.session.remove()
                db.engine.dispose()
        print(f"worker CPU per event ({args.backend}): {' / '.join(f'{f:.2f}' for f in figures)} ms")
    finally:
        call("stop")
        standin.join(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
