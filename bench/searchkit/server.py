"""The real processes for the search bench: CLI commands, ``monozukuri serve``, the load client, /proc.

Everything here runs in child processes of the bench; memory is read from
``/proc/<pid>/status`` (VmRSS, what the issue's goal is about) and
``/proc/<pid>/smaps_rollup`` (Pss: shared pages such as the memory-mapped
dictionary divided among the processes that map them).
"""
from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cli(env: dict, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "web.cli", *args], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True)
    return done.stdout


def timed_cli(env: dict, *args: str) -> tuple[float, float, float, str]:
    """(wall seconds, CPU seconds, peak RSS MB, stdout) of one CLI command and the processes it starts.

    CPU seconds (``wait4``: the command and every child it waited for, e.g. the
    reindex workers) tell the cost apart from waiting when other work shares the
    machine. Peak RSS is the largest *sum* over the command's process tree,
    sampled every 50 ms (``wait4`` alone reports only the largest single process).
    """
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "web.cli", *args], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = {"mb": 0.0}
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            peak["mb"] = max(peak["mb"], tree_rss_mb(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out_chunks: list[str] = []
    err_chunks: list[str] = []
    readers = [threading.Thread(target=lambda: out_chunks.append(process.stdout.read()), daemon=True),
               threading.Thread(target=lambda: err_chunks.append(process.stderr.read()), daemon=True)]
    for reader in readers:
        reader.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    for reader in readers:
        reader.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{''.join(err_chunks)[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, max(peak["mb"], usage.ru_maxrss / 1024), "".join(out_chunks)


def tree_rss_mb(pid: int) -> float:
    """VmRSS of a process and all its descendants, in MB (what they hold together).

    Only ``/proc/<pid>/statm``: this is sampled every 50 ms while a reindex runs, and
    reading ``smaps_rollup`` (Pss) walks the process's page tables under its memory
    lock — ~15 % of a CPU taken from the measured command on a 2-CPU machine.
    """
    total, pending, seen = 0.0, [pid], set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        total += _rss_mb(current)
        pending += _children(current)
    return total


class Server:
    """``monozukuri serve --with-worker`` on a free port (gunicorn gthread, 4 threads per worker)."""

    def __init__(self, env: dict, workers: int, log_path: Path) -> None:
        self.port = free_port()
        self.env = {**env, "PORT": str(self.port), "HOST": "127.0.0.1", "WEB_CONCURRENCY": str(workers),
                    "BASE_URL": f"http://127.0.0.1:{self.port}"}
        self.workers = workers
        self._log = open(log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "web.cli", "serve", "--with-worker", "--workers", str(workers)],
            cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT)

    def __enter__(self) -> Server:
        self.wait_until_up()
        return self

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()

    def wait_until_up(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("the server exited during start-up (see its log)")
            try:
                if self.get("/healthz")[0] == 200 and len(self.web_workers()) == self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit("the server did not answer /healthz in time")

    def get(self, path: str) -> tuple[int, float]:
        """(status, ms) of one request on a new connection."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        started = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        conn.close()
        return response.status, (time.perf_counter() - started) * 1000

    def web_workers(self) -> list[int]:
        """Gunicorn workers: children of the master running the master's own command line."""
        master = self.process.pid
        own = _cmdline(master)
        return [pid for pid in _children(master) if _cmdline(pid) == own]


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _rss_mb(pid: int) -> float:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE_SIZE / 2**20
    except (OSError, IndexError, ValueError):
        return 0.0


_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS and Pss of a process in MB (0 when it is gone)."""
    values = {"rss": 0.0, "pss": 0.0}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                values["rss"] = int(line.split()[1]) / 1024
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                values["pss"] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return values


def load(port: int, paths: list[str], folder: Path, *, concurrency: int, requests: int = 0) -> dict:
    """Run the load client in its own process; returns its JSON result."""
    paths_file = folder / f"paths-{time.monotonic_ns()}.txt"
    paths_file.write_text("\n".join(paths), encoding="utf-8")
    done = subprocess.run([sys.executable, str(Path(__file__).with_name("load.py")), "--port", str(port),
                           "--paths", str(paths_file), "--concurrency", str(concurrency),
                           "--requests", str(requests)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)
