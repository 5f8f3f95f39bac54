"""Load generator for the search bench: a small asyncio HTTP/1.1 client, run as its own process.

    .venv/bin/python bench/searchkit/load.py --port 8000 --paths paths.txt --concurrency 8 [--requests N]

Reads one request path per line, sends them over keep-alive connections
(``--concurrency`` at a time, paths taken in turn, wrapping around until
``--requests`` were sent) and prints one JSON object: per-request latencies in
ms, status counts and the wall time. Standard library only, loopback only.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def _client(port: int, paths: list[str], cursor: list[int], total: int, latencies: list[float],
                  statuses: Counter) -> None:
    reader = writer = None
    while cursor[0] < total:
        index = cursor[0]
        cursor[0] += 1
        path = paths[index % len(paths)]
        if writer is None:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: search-bench\r\n\r\n"
        started = time.perf_counter()
        try:
            writer.write(request.encode("ascii"))
            await writer.drain()
            status = await _read_response(reader)
        except (ConnectionError, asyncio.IncompleteReadError):  # server closed a keep-alive connection: retry once
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            started = time.perf_counter()
            writer.write(request.encode("ascii"))
            await writer.drain()
            status = await _read_response(reader)
        latencies.append((time.perf_counter() - started) * 1000)
        statuses[status] += 1
    if writer is not None:
        writer.close()


async def run(port: int, paths: list[str], concurrency: int, total: int) -> dict:
    latencies: list[float] = []
    statuses: Counter = Counter()
    cursor = [0]
    started = time.perf_counter()
    await asyncio.gather(*(_client(port, paths, cursor, total, latencies, statuses) for _ in range(concurrency)))
    return {"latencies": latencies, "statuses": dict(statuses), "seconds": time.perf_counter() - started}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--paths", required=True)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--requests", type=int, default=0, help="default: each path once")
    args = parser.parse_args(argv)
    with open(args.paths, encoding="utf-8") as handle:
        paths = [line.strip() for line in handle if line.strip()]
    result = asyncio.run(run(args.port, paths, args.concurrency, args.requests or len(paths)))
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
