"""Postback payloads: URL-encoded key/values such as ``a=topic&t=workshops&v=1``.

Non-ASCII text (a tag, a search word) is kept as-is instead of percent-encoded,
so 「ワークショップ」 costs 7 characters rather than 63 and payloads stay far
below LINE's 300-character limit (and usually below Discord's 100 for custom ids).
Parsing is defensive: anything malformed yields ``None``, never an exception.

Actions (``a``) understood by the engine:
  persona  p=<persona key>             set persona (defaults apply if no topics yet)
  personas                             show the persona choices
  topic    t=<topic key> v=1|0         set one topic on/off (explicit, so replay is harmless)
  reset                                persona's default topics
  settings                             show 受信設定
  done                                 close 受信設定 (back to the main menu)
  latest   [c=<category key>]          新着
  events   [k=<event kind key>]        upcoming events
  search   q=<query> [c=<cat>] [p=<n>] search / next page
  help     [s=search]                  help / how to search
  site                                 link to the site
  erase    [v=1|0]                     data deletion: ask / confirmed / cancelled
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote

MAX_DATA = 300
MAX_FIELDS = 8


@dataclass(frozen=True)
class Postback:
    action: str
    params: dict[str, str] = field(default_factory=dict)

    def get(self, key: str, default: str = "") -> str:
        return self.params.get(key, default)


_PLAIN_ASCII = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")


def _escape(value: str) -> str:
    if value.isascii() and _PLAIN_ASCII.issuperset(value):  # keys, actions, ids: nothing to escape
        return value
    return "".join(ch if ord(ch) > 127 and ch.isprintable() else quote(ch, safe="-_.~") for ch in value)


def encode(action: str, **params: object) -> str:
    """``encode("topic", t="workshops", v=1)`` → ``"a=topic&t=workshops&v=1"``; None values are left out."""
    pairs = [("a", action)] + [(k, str(v)) for k, v in params.items() if v is not None]
    data = "&".join(f"{_escape(k)}={_escape(v)}" for k, v in pairs)
    if len(data) > MAX_DATA:
        raise ValueError(f"postback data longer than {MAX_DATA} characters")
    return data


def encode_fitting(action: str, text_key: str, text: str, **params: object) -> str | None:
    """Like ``encode`` but shortens ``text`` (a search word) until the payload fits; None if it cannot."""
    while text:
        try:
            return encode(action, **params, **{text_key: text})
        except ValueError:
            text = text[: len(text) * 2 // 3]
    return None


def decode(data: str | None) -> Postback | None:
    if not isinstance(data, str) or not data or len(data) > MAX_DATA:
        return None
    try:
        pairs = parse_qsl(data, keep_blank_values=True, strict_parsing=True, max_num_fields=MAX_FIELDS)
    except ValueError:
        return None
    params: dict[str, str] = {}
    for key, value in pairs:
        if key in params or not key.isascii():
            return None  # duplicated or odd keys: not something we produced
        params[key] = value
    action = params.pop("a", "")
    return Postback(action, params) if action.isascii() and action.isalpha() else None
