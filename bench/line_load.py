"""Load generator for the LINE benches: a separate process, asyncio + aiohttp, keep-alive connections.

    python bench/line_load.py webhook --url http://127.0.0.1:8000/callback --secret S --count 2000 --connections 50
    python bench/line_load.py webhook ... --rate 100 --seconds 60        # a steady burst instead of "as fast as possible"
    python bench/line_load.py get --url http://127.0.0.1:8001/ --count 2000 --connections 50
    python bench/line_load.py hostile --url ... --secret S --count 10000   # signed hostile bodies, every 4th valid

Webhook requests carry one LINE event each (text / postback / follow, as LINE sends them),
signed with the channel secret, from ``--users`` distinct users. The reply token encodes
when it was issued (``bench-<ms>-<random>``) so the LINE sink can refuse stale tokens and
measure webhook → reply latency. Prints one JSON line: requests, errors, statuses, req/s, p50/p99.
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import random
import statistics
import time
import uuid
from collections import Counter

WORDS = ["新着", "イベント", "工場見学", "旋盤", "宇宙", "ワークショップ", "受信設定", "ヘルプ", "3Dプリンタ", "就職"]
POSTBACKS = ["a=latest", "a=events", "a=settings", "a=help&s=search", "a=topic&t=workshops&v=1", "a=persona&p=student"]


def reply_token() -> str:
    return f"bench-{int(time.time() * 1000)}-{uuid.uuid4().hex[:12]}"


def line_event(rng: random.Random, user: str) -> dict:
    now = int(time.time() * 1000)
    base = {"mode": "active", "timestamp": now, "webhookEventId": uuid.uuid4().hex[:26].upper(),
            "deliveryContext": {"isRedelivery": False}, "source": {"type": "user", "userId": user},
            "replyToken": reply_token()}
    roll = rng.random()
    if roll < 0.55:
        return {**base, "type": "message", "message": {"id": str(rng.randrange(10**17)), "type": "text",
                                                       "text": rng.choice(WORDS), "quoteToken": "q"}}
    if roll < 0.9:
        return {**base, "type": "postback", "postback": {"data": rng.choice(POSTBACKS)}}
    return {**base, "type": "follow", "follow": {"isUnblocked": False}}


HOSTILE_FRAGMENTS = ["\\u0000", "\\ud800", "[" * 3000, "{", "}", '"', "\\", "1e999", "[" * 20, '"\\udfff"']


def hostile_raw(rng: random.Random, user: str) -> bytes:
    """A valid event body with a hostile fragment spliced in (deep nesting, NUL, lone surrogates, …)."""
    valid = json.dumps({"destination": "U" + "0" * 32, "events": [line_event(rng, user)]}, ensure_ascii=False)
    if rng.random() < 0.3:  # aim at the id itself: NUL or a lone surrogate inside webhookEventId
        return valid.replace('"webhookEventId": "', '"webhookEventId": "' + rng.choice(["\\u0000", "\\ud800"]),
                             1).encode()
    position = rng.randrange(len(valid))
    return (valid[:position] + rng.choice(HOSTILE_FRAGMENTS) + valid[position:]).encode()


def sign_raw(secret: str, raw: bytes) -> tuple[bytes, dict]:
    signature = base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()
    return raw, {"Content-Type": "application/json; charset=utf-8", "X-Line-Signature": signature}


def signed(secret: str, event: dict) -> tuple[bytes, dict]:
    return sign_raw(secret, json.dumps({"destination": "U" + "0" * 32, "events": [event]}, ensure_ascii=False).encode())


class Load:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.users = [f"U{hashlib.md5(f'{args.seed}-{i}'.encode()).hexdigest()}" for i in range(args.users)]
        self.timings: list[float] = []
        self.statuses: Counter = Counter()
        self.valid_ok = 0  # valid events answered 200 (hostile mode: all must be stored)
        self.sent = 0

    def request(self) -> tuple[str, bytes | None, dict, bool]:
        self.sent += 1
        if self.args.mode == "get":
            return "GET", None, {}, False
        user = self.rng.choice(self.users)
        if self.args.mode == "hostile" and self.sent % 4:
            return ("POST", *sign_raw(self.args.secret, hostile_raw(self.rng, user)), False)
        return ("POST", *signed(self.args.secret, line_event(self.rng, user)), True)

    async def one(self, session) -> None:
        method, body, headers, valid = self.request()
        started = time.perf_counter()
        try:
            async with session.request(method, self.args.url, data=body, headers=headers) as response:
                await response.read()
                self.statuses[response.status] += 1
                self.valid_ok += valid and response.status == 200
        except Exception as exc:  # counted, the run goes on
            self.statuses[type(exc).__name__] += 1
        self.timings.append(time.perf_counter() - started)

    async def closed_loop(self, session) -> None:
        """``connections`` clients, each sending its share back to back."""
        remaining = [self.args.count]

        async def client():
            while remaining[0] > 0:
                remaining[0] -= 1
                await self.one(session)

        await asyncio.gather(*(client() for _ in range(self.args.connections)))

    async def open_loop(self, session) -> None:
        """A steady ``rate`` per second for ``seconds``, whatever the answers' speed (like LINE)."""
        total, interval = int(self.args.rate * self.args.seconds), 1.0 / self.args.rate
        start, tasks = time.perf_counter(), []
        for i in range(total):
            delay = start + i * interval - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(self.one(session)))
        await asyncio.gather(*tasks)

    async def run(self) -> dict:
        import aiohttp

        connector = aiohttp.TCPConnector(limit=self.args.connections)
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            started = time.perf_counter()
            await (self.open_loop(session) if self.args.rate else self.closed_loop(session))
            elapsed = time.perf_counter() - started
        ordered = sorted(self.timings)
        errors = sum(n for status, n in self.statuses.items() if status != 200)
        return {"requests": len(ordered), "errors": errors, "valid_ok": self.valid_ok,
                "server_errors": sum(n for status, n in self.statuses.items() if isinstance(status, int) and status >= 500), "statuses": {str(k): v for k, v in self.statuses.items()},
                "seconds": elapsed, "rps": len(ordered) / elapsed, "p50": statistics.median(ordered) * 1000,
                "p99": ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["webhook", "get", "hostile"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--secret", default="")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--rate", type=float, default=0.0, help="events per second (open loop)")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(Load(args).run())))


if __name__ == "__main__":
    main()
