"""Limits LINE documents but messaging-api.yml does not encode.

The schema already encodes (and these checks therefore do NOT repeat):
messages per request <= 5, multicast ``to`` <= 500, quick reply items <= 13,
postback/datetimepicker ``data`` <= 300, sender name <= 20, chatBarText <= 14,
rich menu name <= 300.

Everything below comes from the Messaging API reference
(developers.line.biz/en/reference/messaging-api/) and is enforced by the real
API, but appears nowhere in the OpenAPI file. Violations use the keyword
``line-doc:<rule>`` so tests can tell them from schema violations.
"""
from __future__ import annotations

import json
import re
import struct
from collections.abc import Iterator
from typing import Any

from .line_rules import utf16_len
from .openapi_validation import Violation

TEXT_MAX = 5000  # text / textV2 message text
ALT_TEXT_MAX = 1500  # template, flex and imagemap altText
FLEX_CAROUSEL_BUBBLES_MAX = 12
FLEX_BUBBLE_BYTES_MAX = 30 * 1024  # size of one bubble as JSON
FLEX_CAROUSEL_BYTES_MAX = 50 * 1024
TEMPLATE_CAROUSEL_COLUMNS_MAX = 10  # carousel and image_carousel templates
BUTTONS_ACTIONS_MAX = 4
CONFIRM_ACTIONS = 2
CAROUSEL_COLUMN_ACTIONS_MAX = 3
BUTTONS_TITLE_MAX = 40
BUTTONS_TEXT_MAX = 160
CONFIRM_TEXT_MAX = 240
CAROUSEL_COLUMN_TEXT_MAX = 120
ACTION_LABEL_MAX = 20  # quick reply buttons, templates, rich menus
FLEX_ACTION_LABEL_MAX = 40  # labels on flex buttons may be longer
ACTION_TEXT_MAX = 300  # message action text, postback displayText
RICH_MENU_AREAS_MAX = 20
RICH_MENU_IMAGE_BYTES_MAX = 1024 * 1024
RECIPIENT_ID = re.compile(r"^[UCR][0-9a-f]{32}$")  # user, group, room IDs
USER_ID = re.compile(r"^U[0-9a-f]{32}$")


def _too_long(path: tuple, value: Any, limit: int, rule: str) -> Iterator[Violation]:
    """LINE counts lengths in UTF-16 code units: an emoji outside the BMP counts 2."""
    if isinstance(value, str) and utf16_len(value) > limit:
        yield Violation("body", path, f"length must be at most {limit} (got {utf16_len(value)})",
                        f"line-doc:{rule}", limit)


def _too_many(path: tuple, value: Any, limit: int, rule: str) -> Iterator[Violation]:
    if isinstance(value, list) and len(value) > limit:
        yield Violation("body", path, f"size must be at most {limit} (got {len(value)})",
                        f"line-doc:{rule}", limit)


def check_action(action: Any, path: tuple, label_max: int = ACTION_LABEL_MAX) -> Iterator[Violation]:
    if not isinstance(action, dict):
        return
    yield from _too_long(path + ("label",), action.get("label"), label_max, "action-label")
    if action.get("type") == "message":
        yield from _too_long(path + ("text",), action.get("text"), ACTION_TEXT_MAX, "action-text")
    yield from _too_long(path + ("displayText",), action.get("displayText"), ACTION_TEXT_MAX,
                         "action-display-text")


def check_messages(messages: Any, prefix: tuple = ("messages",)) -> list[Violation]:
    """Documented limits for every message object of a send request."""
    if not isinstance(messages, list):
        return []
    out: list[Violation] = []
    for i, message in enumerate(messages):
        if isinstance(message, dict):
            out.extend(_check_message(message, prefix + (i,)))
    return out


def _check_message(message: dict, path: tuple) -> Iterator[Violation]:
    kind = message.get("type")
    if kind in ("text", "textV2"):
        yield from _too_long(path + ("text",), message.get("text"), TEXT_MAX, "text-length")
    if kind in ("template", "flex", "imagemap"):
        yield from _too_long(path + ("altText",), message.get("altText"), ALT_TEXT_MAX, "alt-text")
    if kind == "template":
        yield from _check_template(message.get("template"), path + ("template",))
    if kind == "flex":
        yield from _check_flex(message.get("contents"), path + ("contents",))
    items = (message.get("quickReply") or {}).get("items") if isinstance(message.get("quickReply"), dict) else None
    for i, item in enumerate(items or []):
        if isinstance(item, dict):
            yield from check_action(item.get("action"), path + ("quickReply", "items", i, "action"))


def _check_template(template: Any, path: tuple) -> Iterator[Violation]:
    if not isinstance(template, dict):
        return
    kind, actions = template.get("type"), template.get("actions")
    if kind == "buttons":
        yield from _too_long(path + ("title",), template.get("title"), BUTTONS_TITLE_MAX, "buttons-title")
        yield from _too_long(path + ("text",), template.get("text"), BUTTONS_TEXT_MAX, "buttons-text")
        yield from _too_many(path + ("actions",), actions, BUTTONS_ACTIONS_MAX, "buttons-actions")
    if kind == "confirm":
        yield from _too_long(path + ("text",), template.get("text"), CONFIRM_TEXT_MAX, "confirm-text")
        if isinstance(actions, list) and len(actions) != CONFIRM_ACTIONS:
            yield Violation("body", path + ("actions",), f"size must be exactly {CONFIRM_ACTIONS}",
                            "line-doc:confirm-actions", CONFIRM_ACTIONS)
    for i, action in enumerate(actions if isinstance(actions, list) else []):
        yield from check_action(action, path + ("actions", i))
    columns = template.get("columns")
    yield from _too_many(path + ("columns",), columns, TEMPLATE_CAROUSEL_COLUMNS_MAX, "carousel-columns")
    for i, column in enumerate(columns if isinstance(columns, list) else []):
        if not isinstance(column, dict):
            continue
        column_path = path + ("columns", i)
        yield from _too_long(column_path + ("text",), column.get("text"), CAROUSEL_COLUMN_TEXT_MAX, "column-text")
        yield from _too_many(column_path + ("actions",), column.get("actions"), CAROUSEL_COLUMN_ACTIONS_MAX,
                             "column-actions")
        for j, action in enumerate(column.get("actions") or []):
            yield from check_action(action, column_path + ("actions", j))
        yield from check_action(column.get("action"), column_path + ("action",))


def _check_flex(container: Any, path: tuple) -> Iterator[Violation]:
    if not isinstance(container, dict):
        return
    size = len(json.dumps(container, ensure_ascii=False).encode())
    if container.get("type") == "carousel":
        bubbles = container.get("contents")
        yield from _too_many(path + ("contents",), bubbles, FLEX_CAROUSEL_BUBBLES_MAX, "flex-carousel-size")
        if size > FLEX_CAROUSEL_BYTES_MAX:
            yield Violation("body", path, f"carousel JSON is {size} bytes (max {FLEX_CAROUSEL_BYTES_MAX})",
                            "line-doc:flex-carousel-bytes", FLEX_CAROUSEL_BYTES_MAX)
        for i, bubble in enumerate(bubbles if isinstance(bubbles, list) else []):
            yield from _check_bubble(bubble, path + ("contents", i))
    else:
        yield from _check_bubble(container, path)


def _check_bubble(bubble: Any, path: tuple) -> Iterator[Violation]:
    size = len(json.dumps(bubble, ensure_ascii=False).encode())
    if size > FLEX_BUBBLE_BYTES_MAX:
        yield Violation("body", path, f"bubble JSON is {size} bytes (max {FLEX_BUBBLE_BYTES_MAX})",
                        "line-doc:flex-bubble-bytes", FLEX_BUBBLE_BYTES_MAX)
    yield from _flex_actions(bubble, path)


def _flex_actions(node: Any, path: tuple) -> Iterator[Violation]:
    """Every ``action`` anywhere inside a bubble (buttons, boxes, images)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "action":
                yield from check_action(value, path + (key,), FLEX_ACTION_LABEL_MAX)
            else:
                yield from _flex_actions(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _flex_actions(value, path + (i,))


def check_recipients(ids: Any, prop: str, pattern: re.Pattern = RECIPIENT_ID) -> list[Violation]:
    """LINE rejects malformed user/group/room IDs with a 400."""
    values = ids if isinstance(ids, list) else [ids]
    out = []
    for i, value in enumerate(values):
        if isinstance(value, str) and not pattern.match(value):
            path = (prop, i) if isinstance(ids, list) else (prop,)
            out.append(Violation("body", path, f"invalid ID {value!r}", "line-doc:recipient-id"))
    return out


def check_rich_menu(menu: Any) -> list[Violation]:
    if not isinstance(menu, dict):
        return []
    out = list(_too_many(("areas",), menu.get("areas"), RICH_MENU_AREAS_MAX, "richmenu-areas"))
    size = menu.get("size") or {}
    width, height = size.get("width"), size.get("height")
    if isinstance(width, int) and isinstance(height, int):
        if not (800 <= width <= 2500 and height >= 250 and width / height >= 1.45):
            out.append(Violation("body", ("size",), "width must be 800-2500, height >= 250, "
                                 "width/height >= 1.45", "line-doc:richmenu-size"))
    for i, area in enumerate(menu.get("areas") or []):
        if isinstance(area, dict):
            out.extend(check_action(area.get("action"), ("areas", i, "action")))
    return out


def image_size(data: bytes) -> tuple[str, int, int] | None:
    """(kind, width, height) of a PNG or JPEG, None if it is neither."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return "image/png", width, height
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                return None
            marker, length = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):  # start of frame: dimensions
                height, width = struct.unpack(">HH", data[i + 5:i + 9])
                return "image/jpeg", width, height
            i += 2 + length
    return None


def check_rich_menu_image(content_type: str, data: bytes, menu: dict) -> list[Violation]:
    """Image upload rules: JPEG/PNG, <= 1 MB, same size as the menu."""
    declared = (content_type or "").split(";")[0].strip().lower()
    info = image_size(data)
    if declared not in ("image/png", "image/jpeg") or info is None or info[0] != declared:
        return [Violation("content-type", ("Content-Type",), "body must be a PNG or JPEG matching "
                          f"Content-Type (got {declared or 'none'})", "line-doc:richmenu-image-type")]
    if len(data) > RICH_MENU_IMAGE_BYTES_MAX:
        return [Violation("body", (), f"image is {len(data)} bytes (max 1 MB)", "line-doc:richmenu-image-bytes")]
    size = menu.get("size") or {}
    if (info[1], info[2]) != (size.get("width"), size.get("height")):
        return [Violation("body", (), f"image is {info[1]}x{info[2]}, rich menu is "
                          f"{size.get('width')}x{size.get('height')}", "line-doc:richmenu-image-size")]
    return []
