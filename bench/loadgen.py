"""Load generator for the web benchmarks: a separate process with asyncio + aiohttp.

Runs ``--concurrency`` keep-alive clients for ``--seconds``; each request takes
the next URL of ``--paths`` (one per line) so many distinct pages are hit.
Prints one JSON line: requests, errors, seconds, latency percentiles (ms) and
``reconnects`` (GETs sent again once because the server had just closed the
keep-alive connection they were sent on; their latency includes the retry).

    .venv/bin/python bench/loadgen.py --base http://127.0.0.1:8000 --paths urls.txt \\
        --concurrency 16 --seconds 5
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import time

import aiohttp

# A phone browser, as most visitors come from LINE: the server treats it as a real visit.
USER_AGENT = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
              "(KHTML, like Gecko) Mobile/15E148 Line/14.9.0")


async def _get(session, url: str, headers: dict, retries: list) -> bool:
    """GET ``url``; True on a 200. A keep-alive connection the server closed just as it was
    reused is tried again once on a new one, as browsers do for a GET (counted in ``retries``)."""
    for attempt in range(2):
        try:
            async with session.get(url, headers=headers, allow_redirects=False) as response:
                await response.read()
                return response.status == 200
        except aiohttp.ServerDisconnectedError:
            if attempt:
                return False
            retries.append(url)
        except (TimeoutError, aiohttp.ClientError):
            return False
    return False


async def _client(session, base: str, paths, until: float, latencies: list, errors: list, cookie: str,
                  retries: list) -> None:
    headers = {"User-Agent": USER_AGENT, "Accept": "text/html"}
    if cookie:
        headers["Cookie"] = cookie
    while time.monotonic() < until:
        path = next(paths)
        started = time.perf_counter()
        if await _get(session, base + path, headers, retries):
            latencies.append(time.perf_counter() - started)
        else:
            errors.append(path)


def percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] * 1000 if ordered else float("nan")


async def run(args) -> dict:
    with open(args.paths, encoding="utf-8") as handle:
        paths = itertools.cycle([line.strip() for line in handle if line.strip()])
    latencies: list[float] = []
    errors: list[str] = []
    retries: list[str] = []
    connector = aiohttp.TCPConnector(limit=args.concurrency, force_close=False)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()) as s:
        started = time.monotonic()
        until = started + args.seconds
        await asyncio.gather(*(_client(s, args.base, paths, until, latencies, errors, args.cookie, retries)
                               for _ in range(args.concurrency)))
        seconds = time.monotonic() - started
    ordered = sorted(latencies)
    return {"requests": len(ordered), "errors": len(errors), "error_sample": errors[:3], "seconds": seconds,
            "reconnects": len(retries),
            "rps": len(ordered) / seconds if seconds else 0.0,
            "p50": percentile(ordered, 0.50), "p95": percentile(ordered, 0.95), "p99": percentile(ordered, 0.99)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--paths", required=True, help="file with one path per line")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--cookie", default="", help="Cookie header (a logged-in staff session)")
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(run(args))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
