"""Untrusted values in log lines: a short excerpt with control characters escaped.

Payloads from platforms and users can be megabytes long and can carry
newlines or terminal escapes that forge extra log lines; a log line gets at
most ``limit`` characters of them, each control character written as an
escape (``\\n``, ``\\x1b``), and a note of how much was left out.
"""
from __future__ import annotations

import re

DEFAULT_LIMIT = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _escape(match: re.Match) -> str:
    return match.group(0).encode("unicode_escape", "backslashreplace").decode("ascii")


def excerpt(value, limit: int = DEFAULT_LIMIT) -> str:
    text = value if isinstance(value, str) else str(value)
    shown = _CONTROL.sub(_escape, text[:limit])
    if len(text) > limit:
        shown += f"…(+{len(text) - limit} chars)"
    return shown
