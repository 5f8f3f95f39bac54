"""Shared harness of the LINE benches: scratch databases, real processes, the load client.

Everything measured runs as its own process: ``monozukuri serve`` (gunicorn), ``monozukuri
worker`` (one or more), the bare Flask anchor (bench/bare_app.py, same gunicorn settings),
the LINE API sink (bench/line_sink.py) and the load generator (bench/line_load.py).
"""
from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))

SECRET = "bench-channel-secret"
TOKEN = "bench-channel-access-token"
DEFAULT_PG = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def scratch_database(backend: str, pg_url: str = DEFAULT_PG) -> Iterator[tuple[str, Path]]:
    """(database URL, instance folder): a fresh SQLite file or PostgreSQL database, migrated."""
    with tempfile.TemporaryDirectory(prefix="bench-line-") as folder:
        instance = Path(folder)
        if backend == "sqlite":
            url = f"sqlite:///{instance / 'bench.sqlite3'}"
            _migrate(url, instance)
            yield url, instance
            return
        from tests.testkit import scratch_postgres_database  # the same scratch databases the tests use

        with scratch_postgres_database(pg_url) as url:
            _migrate(url, instance)
            yield url, instance


def _migrate(url: str, instance: Path) -> None:
    subprocess.run([sys.executable, "-m", "web.cli", "db", "upgrade"], cwd=ROOT, env=app_env(url, instance),
                   check=True, stdout=subprocess.DEVNULL)


def app_env(url: str, instance: Path, line_url: str = "http://127.0.0.1:9", **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINE_", "DISCORD_"))}
    env.update({"DATABASE_URL": url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "bench",
                "BASE_URL": "https://monozukuri.example.jp", "LINE_CHANNEL_SECRET": SECRET,
                "LINE_CHANNEL_ACCESS_TOKEN": TOKEN, "LINE_API_BASE_URL": line_url, "QUIET_HOURS": "",
                "PYTHONPATH": str(ROOT), **{k: str(v) for k, v in extra.items()}})
    return env


def wait_http(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{process.args} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"{url} did not answer within {seconds} s")


def start_serve(env: dict, workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "web.cli", "serve", "--workers", str(workers)], cwd=ROOT,
                               env={**env, "HOST": "127.0.0.1", "PORT": str(port)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_http(f"http://127.0.0.1:{port}/healthz", process)
    return process, port


def start_bare(workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen([sys.executable, str(BENCH / "bare_app.py"), "--port", str(port), "--workers",
                                str(workers)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_http(f"http://127.0.0.1:{port}/", process)
    return process, port


def start_sink(latency: float) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, str(BENCH / "line_sink.py"), "--port", str(port), "--latency",
                                str(latency)], cwd=ROOT, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/_stats", process)
    return process, url


def start_worker(env: dict, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "ab")  # noqa: SIM115 - kept open for the child's lifetime
    return subprocess.Popen([sys.executable, "-m", "web.cli", "worker"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def load(mode: str, url: str, **options) -> dict:
    """Run bench/line_load.py as its own process; its JSON summary."""
    command = [sys.executable, str(BENCH / "line_load.py"), mode, "--url", url, "--secret", SECRET]
    for key, value in options.items():
        command += [f"--{key.replace('_', '-')}", str(value)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def sink_call(sink_url: str, path: str, method: str = "GET") -> dict:
    request = urllib.request.Request(sink_url + path, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def median_spread(values: list[float]) -> str:
    """'median (min–max)' of the rounds."""
    return f"{statistics.median(values):,.0f} ({min(values):,.0f}–{max(values):,.0f})"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process (Linux /proc): the work it did, however busy the machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
