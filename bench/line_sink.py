"""A fast LINE Messaging API sink for the worker bench (a separate process, aiohttp).

    python bench/line_sink.py --port 9100 --latency 0.05

Answers what the bot worker calls (reply, push, profile, rich-menu link) after
``--latency`` seconds, like the real API seen from Japan. Reply tokens behave as
LINE's: usable once, refused after 60 s (the bench's tokens carry their issue
time, ``bench-<ms>-<random>``). Records for each answered event whether it went
by reply or push and how long after the webhook it arrived. GET /_stats returns
the tallies, POST /_reset clears them. This is a throughput double, not a spec
validator: tests/standins validate every request against the official specs.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter

from aiohttp import web

TOKEN_LIFETIME_SECONDS = 60


class Sink:
    def __init__(self, latency: float):
        self.latency = latency
        self.reset()

    def reset(self) -> None:
        self.used_tokens: set[str] = set()
        self.counts: Counter = Counter()
        self.reply_latencies: list[float] = []
        self.first = self.last = None

    def _answered(self, kind: str) -> None:
        now = time.time()
        self.first = self.first or now
        self.last = now
        self.counts[kind] += 1

    async def reply(self, request: web.Request) -> web.Response:
        body = await request.json()
        await asyncio.sleep(self.latency)
        token = body.get("replyToken", "")
        issued = _issued_at(token)
        if token in self.used_tokens or issued is None or time.time() - issued > TOKEN_LIFETIME_SECONDS:
            self.counts["reply_refused"] += 1
            if token in self.used_tokens:
                self.counts["reply_token_reused"] += 1
            return web.json_response({"message": "Invalid reply token"}, status=400)
        self.used_tokens.add(token)
        self.reply_latencies.append(time.time() - issued)
        self._answered("reply")
        return web.json_response({"sentMessages": [{"id": "1", "quoteToken": "q"}]})

    async def push(self, request: web.Request) -> web.Response:
        await request.read()
        await asyncio.sleep(self.latency)
        self._answered("push")
        return web.json_response({"sentMessages": [{"id": "1", "quoteToken": "q"}]})

    async def profile(self, request: web.Request) -> web.Response:
        await asyncio.sleep(self.latency)
        self.counts["profile"] += 1
        return web.json_response({"displayName": "ベンチ", "userId": request.match_info["user"], "language": "ja"})

    async def other(self, request: web.Request) -> web.Response:
        await request.read()
        await asyncio.sleep(self.latency)
        self.counts[f"other {request.method} {request.path[:40]}"] += 1
        return web.json_response({})

    async def stats(self, _request: web.Request) -> web.Response:
        latencies = sorted(self.reply_latencies)

        def pct(p: float):
            return latencies[min(len(latencies) - 1, int(len(latencies) * p))] if latencies else None

        return web.json_response({"counts": dict(self.counts), "first": self.first, "last": self.last,
                                  "reply_p50": pct(0.5), "reply_p95": pct(0.95), "reply_max": pct(1.0)})

    async def clear(self, _request: web.Request) -> web.Response:
        self.reset()
        return web.json_response({})


def _issued_at(token: str) -> float | None:
    parts = token.split("-")
    if len(parts) != 3 or parts[0] != "bench" or not parts[1].isdigit():
        return None
    return int(parts[1]) / 1000


def build(latency: float) -> web.Application:
    sink = Sink(latency)
    app = web.Application()
    app.add_routes([
        web.post("/v2/bot/message/reply", sink.reply),
        web.post("/v2/bot/message/push", sink.push),
        web.get("/v2/bot/profile/{user}", sink.profile),
        web.get("/_stats", sink.stats),
        web.post("/_reset", sink.clear),
        web.route("*", "/{tail:.*}", sink.other),
    ])
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    print(json.dumps({"listening": args.port}), flush=True)
    web.run_app(build(args.latency), host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
