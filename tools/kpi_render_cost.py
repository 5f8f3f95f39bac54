"""What one KPI dashboard render costs, read in the process that renders it (used by bench/kpi.py).

The HTTP figures of bench/kpi.py (from outside, against ``monozukuri serve``) are the
measurement; these add what holds on a loaded machine: SQL queries per render, the
app's CPU time and the PostgreSQL backends' CPU per render, and a cProfile on demand.
A profiling aid, not a bench: the bench's figures are the HTTP ones.
"""
from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

from sqlalchemy import text

PASSWORD = "bench horse battery staple"  # the staff account bench/kpi.py creates


def database_cpu_seconds(app) -> float | None:
    """CPU seconds used so far by the PostgreSQL backends serving this database (None: not readable).

    Read from /proc (a local server): with the app's own CPU time it gives the whole cost of
    a render, which holds on a loaded machine where wall-clock times do not.
    """
    from core.db import db

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return None
        pids = db.session.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")).all()
        db.session.remove()
    total = 0.0
    try:
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    except (OSError, ValueError, IndexError):
        return None
    return total


def in_process(app, targets: dict[str, str], args) -> dict[str, tuple[int, float]]:
    """SQL queries and CPU milliseconds per render, in-process: the app's process time (median) and
    the database backends' CPU (mean over the renders; /proc ticks are 10 ms)."""
    from sqlalchemy import event

    from core.db import db

    client = app.test_client()
    response = client.post("/admin/login", data={"email": "ward@bench.local", "password": PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"in-process login failed: HTTP {response.status_code}")
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    figures = {}
    with app.app_context():
        engine = db.engine
    for name, path in targets.items():
        if client.get(path).status_code != 200:  # warm-up: templates compiled, connection open
            raise SystemExit(f"{path}: not 200")
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            client.get(path)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        queries = len(statements)
        cpu = []
        database_before = database_cpu_seconds(app)
        for _ in range(args.cpu_renders):
            started = time.process_time()
            client.get(path)
            cpu.append((time.process_time() - started) * 1000)
        database_after = database_cpu_seconds(app)
        database = (f", database {(database_after - database_before) * 1000 / args.cpu_renders:.0f} ms"
                    if database_before is not None and database_after is not None else "")
        figures[name] = (queries, statistics.median(cpu))
        print(f"  in-process {name:<32} {queries:3d} SQL queries per render, CPU per render: app "
              f"{statistics.median(cpu):5.1f} ms (median of {len(cpu)}; {min(cpu):.1f}–{max(cpu):.1f}){database}",
              flush=True)
    return figures


def profile(app, path: str) -> None:
    """Three renders under cProfile with process time as the clock (figures hold on a loaded machine)."""
    import cProfile
    import pstats

    client = app.test_client()
    client.post("/admin/login", data={"email": "ward@bench.local", "password": PASSWORD})
    for _ in range(2):  # warm-up: templates compiled, statements cached, connection open
        client.get(path)
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(3):
        client.get(path)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(30)

