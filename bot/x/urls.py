"""Where X sees links in a post: every URL X would shorten counts 23, whatever its length.

A simplified form of X's open-source URL extractor (twitter-text): a URL with a protocol
needs a valid host (labels of at most 63 characters once punycode-encoded, an alphabetic
top-level domain); one without a protocol needs an ASCII host whose top-level domain is
a country code or a well-known generic one. Paths stop at characters X does not take
into a link (CJK text, spaces, trailing punctuation).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# Generic TLDs X links without "https://" (country codes: any two letters).
KNOWN_GENERIC_TLDS = frozenset("""
com net org edu gov mil int info biz name pro mobi asia jobs tel travel aero coop museum cat post xxx
app dev page blog shop store online site website tech xyz top club news link live life world today
tokyo osaka nagoya kyoto yokohama okinawa nagoya ryukyu jpn moe
""".split())

_NOT_BEFORE = "A-Za-z0-9@＠$#＃"  # a URL glued to these is part of a word, a mention or a tag
_PATH_CHAR = r"A-Za-z0-9!*';:=+,.$/%#\[\]\-\u2013_~&|@\u00C0-\u024F\u0400-\u04FF"
_PATH_END = r"A-Za-z0-9=_#/+\-\u00C0-\u024F\u0400-\u04FF"
_QUERY_CHAR = r"A-Za-z0-9!?*'();:&=+$/%#\[\]\-_.,~|@"
_QUERY_END = r"A-Za-z0-9\-_&=#/"
_TAIL = (rf"(?::\d{{1,5}})?(?:/(?:[{_PATH_CHAR}]*[{_PATH_END}])?)?"
         rf"(?:\?[{_QUERY_CHAR}]*[{_QUERY_END}])?")
# A host: labels of anything but spaces, punctuation and invisible marks.
_HOST_CHAR = r"[^\s!-/:-@\[-`{-~\u00A0-\u00BF\u2000-\u206F\u3000-\u303F\uFF01-\uFF0F\uFFFE\uFEFF\uFFFF]"
_WITH_PROTOCOL = re.compile(rf"(?<![{_NOT_BEFORE}])https?://(?P<host>{_HOST_CHAR}+(?:\.{_HOST_CHAR}+)+){_TAIL}",
                            re.IGNORECASE)
_WITHOUT_PROTOCOL = re.compile(
    rf"(?<![{_NOT_BEFORE}\-_./])(?P<host>[A-Za-z0-9](?:[A-Za-z0-9_\-]*[A-Za-z0-9])?"
    rf"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)+)(?![A-Za-z0-9@])({_TAIL})")


@dataclass(frozen=True)
class UrlSpan:
    start: int  # code-point index in the (normalised) text
    end: int


def _label_ok(label: str) -> bool:
    if not label or label.startswith("-") or label.endswith("-"):
        return False
    if label.isascii():
        return len(label) <= 63
    try:
        return len("xn--" + label.encode("punycode").decode("ascii")) <= 63
    except UnicodeError:
        return False


def _host_ok(host: str, with_protocol: bool) -> bool:
    labels = host.split(".")
    if len(labels) < 2 or not all(_label_ok(label) for label in labels):
        return False
    tld = labels[-1].lower()
    if with_protocol:
        return tld.isalpha() and (len(tld) >= 2 or not tld.isascii())
    return tld.isalpha() and (len(tld) == 2 or tld in KNOWN_GENERIC_TLDS)


def find_urls(text: str) -> list[UrlSpan]:
    """URL spans in ``text``, leftmost first, never overlapping."""
    spans = [UrlSpan(m.start(), m.end()) for m in _WITH_PROTOCOL.finditer(text) if _host_ok(m["host"], True)]
    taken = [(s.start, s.end) for s in spans]
    for match in _WITHOUT_PROTOCOL.finditer(text):
        inside = any(a <= match.start() < b or a < match.end() <= b for a, b in taken)
        if not inside and _host_ok(match["host"], False) and not _protocol_before(text, match.start()):
            spans.append(UrlSpan(match.start(), match.end()))
    return sorted(spans, key=lambda s: s.start)


def _protocol_before(text: str, start: int) -> bool:
    """"http://bad-host.com": a failed protocol URL is not linked without its protocol either."""
    return bool(re.search(r"https?://\S*$", text[:start], re.IGNORECASE))
