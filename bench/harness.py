"""Shared pieces of the HTTP benchmarks: servers, the bare anchor, the load generator, summaries.

Every web benchmark measures from outside: ``monozukuri serve --with-worker``
(gunicorn) on a scratch PostgreSQL database, the bare Flask anchor
(bench/anchor.py) started the same way on another port, load from a separate
process (bench/loadgen.py), alternating rounds, medians and spread.
"""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DEFAULT_PG = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url: str, instance: Path, port: int, workers: int, **extra: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("APP_ENV", "FLASK_ENV")}
    env.update(DATABASE_URL=database_url, INSTANCE_PATH=str(instance), SECRET_KEY="bench", HOST="127.0.0.1",
               PORT=str(port), BASE_URL=f"http://127.0.0.1:{port}", WEB_CONCURRENCY=str(workers),
               LINE_CHANNEL_SECRET="", LINE_CHANNEL_ACCESS_TOKEN="", DISCORD_BOT_TOKEN="", **extra)
    return env


def _spawn(command: list[str], env: dict, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "wb")  # noqa: SIM115 — closed with the process
    # Own process group: stopping it also stops gunicorn's workers and the scheduler worker.
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def start_serve(env: dict, workers: int, log_path: Path) -> subprocess.Popen:
    """``monozukuri serve --with-worker`` as ``make run`` starts it."""
    command = [sys.executable, "-m", "web.cli", "serve", "--with-worker", "--workers", str(workers)]
    return _spawn(command, env, log_path)


def start_anchor(port: int, workers: int, log_path: Path) -> subprocess.Popen:
    command = [sys.executable, str(BENCH / "anchor.py"), "--port", str(port), "--workers", str(workers)]
    return _spawn(command, dict(os.environ), log_path)


def wait_until_up(port: int, process: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"a server exited during start-up (port {port}; see its log)")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"the server on port {port} did not answer /healthz in time")


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def load(port: int, paths: list[str], concurrency: int, seconds: float, cookie: str = "") -> dict:
    """One load run from a separate process (bench/loadgen.py); its JSON summary."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as handle:
        handle.write("\n".join(paths))
    try:
        command = [sys.executable, str(BENCH / "loadgen.py"), "--base", f"http://127.0.0.1:{port}",
                   "--paths", handle.name, "--concurrency", str(concurrency), "--seconds", str(seconds)]
        if cookie:
            command += ["--cookie", cookie]
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        os.unlink(handle.name)


def spread(values: list[float]) -> str:
    """Median with the range over rounds, e.g. ``812 (790–840)``."""
    if not values:
        return "—"
    return f"{statistics.median(values):.1f} ({min(values):.1f}–{max(values):.1f})"


def machine_line() -> str:
    return f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (other work on this machine skews figures)"
