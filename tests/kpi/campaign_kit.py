"""The pieces of the scripted campaign (test_campaign_hiring): LINE friends, chat taps, browsers, tables.

Everything goes through the real entry points: the signed LINE webhook and the
worker's queue for friends and chat, the broadcast console and the outbox
dispatcher for sending (to the strict LINE stand-in), ``/r/<token>`` for clicks,
the public forms for registrations and contacts, the console for outcomes.
"""
from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from flask import g

from bot.line.jobs import process_pending
from channels import links
from tests.bot.line.line_helpers import post_events
from tests.standins.line_webhook import follow_event, postback_event, text_event

FIELD_RE = re.compile(r'name="(csrf_token|submission_key)" value="([^"]+)"')
TOKEN_RE = re.compile(r"/r/([A-Za-z0-9_.\-]+)")


def user_id(n: int) -> str:
    """A LINE user id of the shape LINE issues (the stand-in refuses anything else)."""
    return f"U{n:032x}"


# -- LINE: friends and chat -------------------------------------------------------------

class LineFriend:
    """One person in the LINE app: follows, taps postbacks and types, through the signed webhook."""

    def __init__(self, app, line, uid: str) -> None:
        self.app, self.line, self.uid = app, line, uid
        self.client = app.test_client()

    def _send(self, event: dict) -> None:
        response = post_events(self.client, [event])
        assert response.status_code == 200, response.get_data(as_text=True)
        process_pending(self.app)  # the worker answers

    def follow(self) -> None:
        self._send(follow_event(self.uid, reply_token=self.line.issue_reply_token(self.uid)))

    def say(self, text: str) -> None:
        self._send(text_event(self.uid, text, reply_token=self.line.issue_reply_token(self.uid)))

    def tap(self, label: str) -> None:
        """Tap the button or quick reply called ``label`` in the last answer this person received."""
        actions = [a for a in _actions(self.last_answer()) if a.get("label") == label]
        assert actions, f"no {label!r} in {[a.get('label') for a in _actions(self.last_answer())]}"
        action = actions[0]
        assert action["type"] == "postback", action
        self._send(postback_event(self.uid, action["data"], reply_token=self.line.issue_reply_token(self.uid)))

    def last_answer(self) -> list[dict]:
        sent = [s for s in self.line.outbox if s.kind in ("reply", "push") and self.uid in s.recipients]
        assert sent, f"{self.uid} got no answer"
        return sent[-1].messages

    def last_text(self) -> str:
        return json.dumps(self.last_answer(), ensure_ascii=False)


ACTION_TYPES = ("postback", "uri", "message", "datetimepicker")


def _actions(node) -> list[dict]:
    """Every action object in messages: buttons, quick replies, confirm templates."""
    if isinstance(node, dict):
        if node.get("type") in ACTION_TYPES and "label" in node:
            return [node]
        return [a for value in node.values() for a in _actions(value)]
    if isinstance(node, list):
        return [a for value in node for a in _actions(value)]
    return []


def segment_links(config, multicasts) -> dict[str, dict]:
    """segment → {"to": recipients, "url": the tracked link of its variant} from what LINE received."""
    found: dict[str, dict] = {}
    for call in multicasts:
        tokens = TOKEN_RE.findall(json.dumps(call.json["messages"]))
        read = {links.read_token(config["SECRET_KEY"], token) for token in tokens}
        assert len(read) == 1, "every link of one variant names the same segment"
        link = read.pop()
        entry = found.setdefault(link.segment, {"to": [], "url": f"/r/{tokens[0]}", "link": link})
        entry["to"] += call.json["to"]
    return found


# -- browsers -------------------------------------------------------------------------------

class Browser:
    """A phone's browser: its own address and agent (one daily visitor), its own cookies."""

    def __init__(self, app, n: int) -> None:
        self.app, self.client = app, app.test_client()
        self.environ = {"REMOTE_ADDR": f"198.51.100.{n}"}
        self.headers = {"User-Agent": f"Mozilla/5.0 (iPhone; CPU iPhone OS 17_{n} like Mac OS X) Mobile/15E{n}"}

    def get(self, url: str):
        g.pop("csrf_token", None)  # the pushed test app context would otherwise reuse one token
        path = url.removeprefix(self.app.config["BASE_URL"])
        return self.client.get(path, headers=self.headers, environ_base=self.environ)

    def tap(self, tracked: str) -> str:
        """Open a tracked link and load the page it leads to; returns that page's path."""
        response = self.get(tracked)
        assert response.status_code == 302, response.status_code
        target = urlsplit(response.headers["Location"])
        assert self.get(f"{target.path}?{target.query}").status_code == 200
        return target.path

    def post_form(self, page_url: str, action: str, data: dict):
        fields = dict(FIELD_RE.findall(self.get(page_url).get_data(as_text=True)))
        return self.client.post(action, data={**fields, **data}, headers=self.headers, environ_base=self.environ)


def form_fields(html: str, *after: str) -> dict[str, str]:
    """csrf_token and submission_key of the first form after each marker in turn."""
    for marker in after:
        html = html[html.index(marker):]
    found: dict[str, str] = {}
    for name, value in FIELD_RE.findall(html):
        found.setdefault(name, value)
    return found


# -- reading the dashboard -------------------------------------------------------------------

def csv_rows(client, key: str, day) -> list[list[str]]:
    g.pop("csrf_token", None)
    response = client.get(f"/admin/kpi/export/{key}.csv?from={day}&to={day}")
    assert response.status_code == 200, key
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


class _Tables(HTMLParser):
    """Rows of every dashboard table (section id "t-<key>"), cell texts as shown."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._key: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and (attrs.get("id") or "").startswith("t-"):
            self._key = attrs["id"][2:]
            self.tables[self._key] = []
        elif tag == "tr" and self._key:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self._key:
            self.tables[self._key].append(self._row)
            self._row = None
        elif tag == "section":
            self._key = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def dashboard_tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def as_shown(cell: str) -> str:
    """A CSV cell as the page shows it (no value is "—" on the page, empty in the CSV)."""
    return cell or "—"


def percents(rows: list[list[str]]) -> list[float]:
    return [float(cell.rstrip("%")) for row in rows[1:] for cell in row if re.fullmatch(r"[+-]?[\d.]+%", cell)]
