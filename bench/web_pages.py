"""Bench: the top page and an article page vs a bare Flask endpoint, on the real server.

Starts ``monozukuri serve`` (gunicorn, gthread) on a free local port with a
fresh instance folder (migrated SQLite + the demo content) and the bench-only
endpoint ``/_bench/bare`` (a trivial template, enabled by BENCH_BARE_ENDPOINT=1).
Then N keep-alive clients (threads, http.client) hit each endpoint in turn, in
several short interleaved rounds so background noise hits all of them alike.

Two phases: throughput with many clients (requests/s, p50/p95, each page's
share of the bare endpoint's requests/s), then latency with a few clients
(p50/p95 when the server is busy but not saturated: with 16 clients on two
cores, queueing alone puts any endpoint's p95 far above 20 ms). Goal: pages
>= 50 % of bare requests/s and p95 < 20 ms. Exit status is 0 unless
``--strict`` is given and a goal is missed (or a request failed).

    .venv/bin/python bench/web_pages.py [--seconds 12] [--clients 16] [--workers 2]

Only loopback traffic; every loop is bounded in time.
"""
from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENDPOINTS = {"bare": "/_bench/bare", "top": "/", "article": "/articles/space-industry-ota"}
# A phone browser, as most visitors come from LINE: the server treats it as a real visit.
USER_AGENT = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
              "(KHTML, like Gecko) Mobile/15E148 Line/14.9.0")
GOAL_RATIO, GOAL_P95_MS = 0.5, 20.0


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    def add(self, other: Result) -> None:
        self.latencies += other.latencies
        self.errors += other.errors
        self.seconds += other.seconds

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] * 1000 if ordered else float("nan")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cli(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "web.cli", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def prepare_instance(env: dict) -> None:
    cli(env, "db", "upgrade")
    cli(env, "content", "import", str(ROOT / "content" / "demo"))


def start_server(env: dict, workers: int, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "wb")
    return subprocess.Popen([sys.executable, "-m", "web.cli", "serve", "--workers", str(workers)],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_until_up(port: int, server: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server exited during start-up (see its log)")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not answer /healthz in time")


def _client(port: int, path: str, until: float, result: Result, lock: threading.Lock) -> None:
    local = Result()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"User-Agent": USER_AGENT, "Accept": "text/html"}
    while time.monotonic() < until:
        started = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        if ok:
            local.latencies.append(time.perf_counter() - started)
        else:
            local.errors += 1
    conn.close()
    with lock:
        result.latencies += local.latencies
        result.errors += local.errors


def load(port: int, path: str, clients: int, seconds: float) -> Result:
    result, lock = Result(), threading.Lock()
    started = time.monotonic()
    until = started + seconds
    threads = [threading.Thread(target=_client, args=(port, path, until, result, lock)) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    result.seconds = time.monotonic() - started
    return result


def run_rounds(port: int, clients: int, seconds: float, rounds: int) -> dict[str, Result]:
    totals = {name: Result() for name in ENDPOINTS}
    for _ in range(rounds):
        for name, path in ENDPOINTS.items():
            totals[name].add(load(port, path, clients, seconds / rounds))
    return totals


def warm_up(port: int, clients: int) -> None:
    for path in ENDPOINTS.values():  # caches, connections, lazy imports
        load(port, path, clients, 1.0)


def report(throughput: dict[str, Result], latency: dict[str, Result], args) -> bool:
    bare = throughput["bare"].rps
    print(f"\nweb pages vs bare endpoint — gunicorn gthread, {args.workers} workers x 4 threads, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"throughput: {args.clients} keep-alive clients; latency: {args.latency_clients} clients")
    print(f"{'endpoint':<8} {'path':<29} {'req/s':>7} {'vs bare':>8} {'p50':>7} {'p95':>7} "
          f"{'p50@' + str(args.latency_clients):>7} {'p95@' + str(args.latency_clients):>7} {'errors':>6}")
    ok = True
    for name, result in throughput.items():
        quiet = latency[name]
        ratio = result.rps / bare if bare else 0.0
        errors = result.errors + quiet.errors
        print(f"{name:<8} {ENDPOINTS[name]:<29} {result.rps:7.0f} {ratio:8.0%} {result.percentile(0.5):7.2f} "
              f"{result.percentile(0.95):7.2f} {quiet.percentile(0.5):7.2f} {quiet.percentile(0.95):7.2f} {errors:6d}")
        if name != "bare":
            ok &= ratio >= GOAL_RATIO and quiet.percentile(0.95) < GOAL_P95_MS
        ok &= errors == 0
    print("(latencies in ms)")
    verdict = "met" if ok else "NOT met"
    print(f"goal (pages >= {GOAL_RATIO:.0%} of bare req/s, p95 < {GOAL_P95_MS:.0f} ms at "
          f"{args.latency_clients} clients, no errors): {verdict}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=12.0, help="measured seconds per endpoint")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--clients", type=int, default=16, help="clients of the throughput phase")
    parser.add_argument("--latency-clients", type=int, default=4, help="clients of the latency phase")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)

    instance = Path(tempfile.mkdtemp(prefix="bench-web-"))
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "APP_ENV", "FLASK_ENV")}
    env.update(INSTANCE_PATH=str(instance), SECRET_KEY="bench", BENCH_BARE_ENDPOINT="1", HOST="127.0.0.1",
               PORT=str(port), BASE_URL=f"http://127.0.0.1:{port}", WEB_CONCURRENCY=str(args.workers))
    server = None
    try:
        prepare_instance(env)
        server = start_server(env, args.workers, instance / "server.log")
        wait_until_up(port, server)
        warm_up(port, args.clients)
        throughput = run_rounds(port, args.clients, args.seconds, args.rounds)
        latency = run_rounds(port, args.latency_clients, args.seconds / 2, args.rounds)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(instance, ignore_errors=True)
    ok = report(throughput, latency, args)
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
