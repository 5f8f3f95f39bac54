"""Discord's documented message limits, and a checker for finished payloads.

Sources: discord.com/developers/docs/resources/message (embed limits) and
.../interactions/message-components. The renderer keeps every message inside
them; ``violations`` is the independent check the tests (and a debug log) use.
"""
from __future__ import annotations

CONTENT = 2000
EMBEDS_PER_MESSAGE = 10
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR = 256
EMBEDS_TOTAL = 6000
ACTION_ROWS = 5
BUTTONS_PER_ROW = 5
BUTTON_LABEL = 80
CUSTOM_ID = 100
SELECT_OPTIONS = 25
OPTION_LABEL = 100
OPTION_VALUE = 100
OPTION_DESCRIPTION = 100
PLACEHOLDER = 150
URL = 512


def cut(text: str | None, limit: int) -> str:
    """``text`` within ``limit`` characters, ending in … when something was cut."""
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def embed_length(embed: dict) -> int:
    """Characters Discord counts towards the 6,000 total of a message."""
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    total += len((embed.get("footer") or {}).get("text") or "") + len((embed.get("author") or {}).get("name") or "")
    return total + sum(len(f.get("name") or "") + len(f.get("value") or "") for f in embed.get("fields") or [])


def _embed_violations(index: int, embed: dict) -> list[str]:
    where, out = f"embeds[{index}]", []
    for key, limit in (("title", EMBED_TITLE), ("description", EMBED_DESCRIPTION)):
        if len(embed.get(key) or "") > limit:
            out.append(f"{where}.{key} longer than {limit}")
    if len((embed.get("footer") or {}).get("text") or "") > FOOTER:
        out.append(f"{where}.footer longer than {FOOTER}")
    if len((embed.get("author") or {}).get("name") or "") > AUTHOR:
        out.append(f"{where}.author longer than {AUTHOR}")
    fields = embed.get("fields") or []
    if len(fields) > EMBED_FIELDS:
        out.append(f"{where} has more than {EMBED_FIELDS} fields")
    for field in fields:
        if len(field.get("name") or "") > FIELD_NAME or len(field.get("value") or "") > FIELD_VALUE:
            out.append(f"{where} field too long")
    return out


def _component_violations(rows: list[dict]) -> list[str]:
    out = [] if len(rows) <= ACTION_ROWS else [f"more than {ACTION_ROWS} action rows"]
    custom_ids = []
    for row in rows:
        items = row.get("components") or []
        selects = [c for c in items if c.get("type") != 2]
        if len(items) > BUTTONS_PER_ROW or (selects and len(items) > 1):
            out.append("a row holds more than 5 buttons or a select with something else")
        for item in items:
            out += _item_violations(item)
            if item.get("custom_id"):
                custom_ids.append(item["custom_id"])
    if len(custom_ids) != len(set(custom_ids)):
        out.append("custom ids are not unique")
    return out


def _item_violations(item: dict) -> list[str]:
    out = []
    if len(item.get("custom_id") or "") > CUSTOM_ID:
        out.append(f"custom_id longer than {CUSTOM_ID}")
    if item.get("type") == 2 and not 0 < len(item.get("label") or "") <= BUTTON_LABEL:
        out.append("button label empty or too long")
    if item.get("type") == 2 and (item.get("url") is None) == (item.get("custom_id") is None):
        out.append("a button needs exactly one of url and custom_id")
    options = item.get("options") or []
    if item.get("type") == 3 and not 0 < len(options) <= SELECT_OPTIONS:
        out.append("select with no or too many options")
    for option in options:
        if not 0 < len(option.get("label") or "") <= OPTION_LABEL or len(option.get("value") or "") > OPTION_VALUE:
            out.append("select option label/value too long")
        if len(option.get("description") or "") > OPTION_DESCRIPTION:
            out.append("select option description too long")
    if len({o.get("value") for o in options}) != len(options):
        out.append("select option values are not unique")
    return out


def violations(payload: dict) -> list[str]:
    """Everything in a create-message / interaction payload that Discord would refuse."""
    out = []
    if len(payload.get("content") or "") > CONTENT:
        out.append(f"content longer than {CONTENT}")
    embeds = payload.get("embeds") or []
    if len(embeds) > EMBEDS_PER_MESSAGE:
        out.append(f"more than {EMBEDS_PER_MESSAGE} embeds")
    for index, embed in enumerate(embeds):
        out += _embed_violations(index, embed)
    if sum(embed_length(e) for e in embeds) > EMBEDS_TOTAL:
        out.append(f"embeds longer than {EMBEDS_TOTAL} in total")
    out += _component_violations(payload.get("components") or [])
    if not (payload.get("content") or embeds or payload.get("components")):
        out.append("empty message")
    return out
