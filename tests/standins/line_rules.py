"""More documented LINE limits the OpenAPI file cannot express: URLs, colours,
aspect ratios, empty Flex texts, template altText, rich menu area bounds.

Sources (Messaging API reference, developers.line.biz/en/reference/messaging-api/):

* image URLs (image messages, Flex image/icon/video, template thumbnails):
  HTTPS only, at most 2,000 characters;
* colours: ``#RRGGBB`` or ``#RRGGBBAA`` hexadecimal;
* ``aspectRatio``: ``{width}:{height}``, both 1..100000, height <= 3 x width
  (quoted in messaging-api.yml's own description of FlexImage);
* URI action ``uri`` (and ``altUri.desktop``): at most 1,000 characters, scheme
  http, https, line or tel;
* template message ``altText``: at most 400 characters (Flex/imagemap: 1,500);
* a Flex text component needs a non-empty ``text`` unless it has spans;
* rich menu areas lie inside the rich menu image.

Lengths are UTF-16 code units, as LINE counts them. Violations use the
keyword ``line-doc:<rule>`` like the limits in line_limits.py.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .openapi_validation import Violation

IMAGE_URL_MAX = 2000
URI_MAX = 1000
TEMPLATE_ALT_TEXT_MAX = 400
URI_SCHEMES = ("http", "https", "line", "tel")
ASPECT_SIDE_MAX = 100_000
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$")
ASPECT_RATIO = re.compile(r"^([0-9]+):([0-9]+)$")
# Flex properties holding a colour (text/box/button/separator/bubble styles).
COLOUR_KEYS = {"color", "backgroundColor", "borderColor", "separatorColor",
               "startColor", "endColor", "centerColor"}
IMAGE_URL_KEYS = {"originalContentUrl", "previewImageUrl", "thumbnailImageUrl", "imageUrl", "baseUrl"}
FLEX_IMAGE_TYPES = {"image", "icon"}


def utf16_len(text: str) -> int:
    """LINE counts characters in UTF-16 code units (an emoji outside the BMP is 2)."""
    return len(text.encode("utf-16-le")) // 2


def _violation(path: tuple, message: str, rule: str, limit: Any = None) -> Violation:
    return Violation("body", path, message, f"line-doc:{rule}", limit)


def check_image_url(url: Any, path: tuple) -> Iterator[Violation]:
    if not isinstance(url, str):
        return
    if not url.startswith("https://"):
        yield _violation(path, "image URL must use HTTPS", "image-url-https")
    if utf16_len(url) > IMAGE_URL_MAX:
        yield _violation(path, f"length must be at most {IMAGE_URL_MAX} (got {utf16_len(url)})",
                         "image-url-length", IMAGE_URL_MAX)


def check_uri(uri: Any, path: tuple) -> Iterator[Violation]:
    if not isinstance(uri, str):
        return
    if utf16_len(uri) > URI_MAX:
        yield _violation(path, f"length must be at most {URI_MAX} (got {utf16_len(uri)})", "uri-length", URI_MAX)
    scheme = uri.split(":", 1)[0].lower()
    if ":" in uri and scheme not in URI_SCHEMES:  # no scheme at all: the schema's `format: uri` says so
        yield _violation(path, f"scheme must be one of {', '.join(URI_SCHEMES)} (got {scheme!r})", "uri-scheme")


def check_colour(value: Any, path: tuple) -> Iterator[Violation]:
    if isinstance(value, str) and not COLOUR.match(value):
        yield _violation(path, f"{value!r} is not a #RRGGBB or #RRGGBBAA colour", "colour")


def check_aspect_ratio(value: Any, path: tuple) -> Iterator[Violation]:
    if not isinstance(value, str):
        return
    found = ASPECT_RATIO.match(value)
    if found is None:
        yield _violation(path, f"{value!r} is not in {{width}}:{{height}} format", "aspect-ratio")
        return
    width, height = int(found.group(1)), int(found.group(2))
    if not (1 <= width <= ASPECT_SIDE_MAX and 1 <= height <= ASPECT_SIDE_MAX):
        yield _violation(path, f"width and height must be 1 to {ASPECT_SIDE_MAX}", "aspect-ratio")
    elif height > 3 * width:
        yield _violation(path, "height must be at most three times the width", "aspect-ratio")


def check_action_uri(action: Any, path: tuple) -> Iterator[Violation]:
    if not isinstance(action, dict) or action.get("type") != "uri":
        return
    yield from check_uri(action.get("uri"), path + ("uri",))
    alt = action.get("altUri")
    if isinstance(alt, dict):
        yield from check_uri(alt.get("desktop"), path + ("altUri", "desktop"))


def check_tree(node: Any, path: tuple) -> Iterator[Violation]:
    """Walk one message object: every action, colour, aspect ratio, image URL and Flex text."""
    if isinstance(node, list):
        for i, value in enumerate(node):
            yield from check_tree(value, path + (i,))
        return
    if not isinstance(node, dict):
        return
    if node.get("type") in FLEX_IMAGE_TYPES and "url" in node:
        yield from check_image_url(node.get("url"), path + ("url",))
    if node.get("type") == "video" and "previewUrl" in node:
        yield from check_image_url(node.get("previewUrl"), path + ("previewUrl",))
    if node.get("type") == "uri":  # a URI action, wherever it sits (action, actions[], defaultAction)
        yield from check_action_uri(node, path)
    if node.get("type") == "text" and node.get("text") == "" and not node.get("contents"):
        yield _violation(path + ("text",), "must not be empty", "flex-text-empty")
    for key, value in node.items():
        where = path + (key,)
        if key in COLOUR_KEYS:
            yield from check_colour(value, where)
        elif key == "aspectRatio":
            yield from check_aspect_ratio(value, where)
        elif key in IMAGE_URL_KEYS:
            yield from check_image_url(value, where)
        if isinstance(value, (dict, list)):
            yield from check_tree(value, where)


def check_messages(messages: Any, prefix: tuple = ("messages",)) -> list[Violation]:
    if not isinstance(messages, list):
        return []
    out: list[Violation] = []
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            continue
        path = prefix + (i,)
        out += check_tree(message, path)
        alt = message.get("altText")
        if message.get("type") == "template" and isinstance(alt, str) and utf16_len(alt) > TEMPLATE_ALT_TEXT_MAX:
            out.append(_violation(path + ("altText",), f"length must be at most {TEMPLATE_ALT_TEXT_MAX} "
                                  f"(got {utf16_len(alt)})", "template-alt-text", TEMPLATE_ALT_TEXT_MAX))
    return out


def check_rich_menu_areas(menu: Any) -> list[Violation]:
    """Every tappable area must lie inside the menu image (and its actions keep the URI rules)."""
    if not isinstance(menu, dict):
        return []
    size = menu.get("size") if isinstance(menu.get("size"), dict) else {}
    width, height = size.get("width"), size.get("height")
    out: list[Violation] = []
    for i, area in enumerate(menu.get("areas") or []):
        if not isinstance(area, dict):
            continue
        out += check_action_uri(area.get("action"), ("areas", i, "action"))
        bounds = area.get("bounds")
        if not isinstance(bounds, dict) or not isinstance(width, int) or not isinstance(height, int):
            continue
        x, y, w, h = (bounds.get(k, 0) for k in ("x", "y", "width", "height"))
        if not all(isinstance(v, int) for v in (x, y, w, h)):
            continue
        if x < 0 or y < 0 or w < 1 or h < 1 or x + w > width or y + h > height:
            out.append(_violation(("areas", i, "bounds"), f"area {x},{y} {w}x{h} is outside the "
                                  f"{width}x{height} rich menu image", "richmenu-area-bounds"))
    return out
