"""Client addresses for logs: a keyed, daily-changing tag instead of the address in clear.

The tag lets an operator see that several lines came from one client on one
day, and nothing more: it is keyed with the app's secret (the IPv4 space is
small enough to brute-force a plain hash) and the key includes the JST day,
so tags of different days cannot be linked.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime

from core.timefmt import JST


def jst_today() -> date:
    return datetime.now(JST).date()


def client_tag(address: str | None, secret: str, day: date | None = None) -> str:
    if not address or address == "-":
        return "-"
    message = f"client-tag|{(day or jst_today()).isoformat()}|{address}".encode()
    return "c-" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:12]
