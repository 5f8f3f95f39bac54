"""Message component rules Discord documents (and enforces) that openapi.json
does not express. Source: discord.com/developers/docs/components/reference.

* at most 5 action rows per message (without the IS_COMPONENTS_V2 flag);
* ``custom_id`` unique within one message (or modal);
* link buttons (style 5) have a ``url`` and no ``custom_id``; premium buttons
  (style 6) a ``sku_id``; every other button needs a ``custom_id``;
* a select menu fills its action row alone.

Violations use the keyword ``discord-doc:<rule>`` (answered as 50035 Invalid
Form Body with the component's path, like the real API).
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .openapi_validation import Violation

ACTION_ROW, BUTTON = 1, 2
SELECT_TYPES = {3, 5, 6, 7, 8}  # string, user, role, mentionable, channel selects
LINK, PREMIUM = 5, 6  # button styles
ACTION_ROWS_MAX = 5
IS_COMPONENTS_V2 = 1 << 15


def _violation(path: tuple, message: str, rule: str, limit: Any = None) -> Violation:
    return Violation("body", path, message, f"discord-doc:{rule}", limit)


def check_message_components(payload: Any, prefix: tuple = ()) -> list[Violation]:
    """Rules for the ``components`` of one message payload (or modal)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("components"), list):
        return []
    components = payload["components"]
    path = prefix + ("components",)
    out: list[Violation] = []
    v2 = bool((payload.get("flags") or 0) & IS_COMPONENTS_V2)
    rows = [c for c in components if isinstance(c, dict) and c.get("type") == ACTION_ROW]
    if not v2 and len(rows) > ACTION_ROWS_MAX:
        out.append(_violation(path, f"must be {ACTION_ROWS_MAX} or fewer in length (got {len(rows)} action rows)",
                              "action-rows", ACTION_ROWS_MAX))
    out += _rows(components, path)
    out += _duplicate_custom_ids(components, path)
    return out


def _rows(components: list, path: tuple) -> Iterator[Violation]:
    for i, component in enumerate(components):
        if not isinstance(component, dict):
            continue
        children = component.get("components")
        if component.get("type") == ACTION_ROW and isinstance(children, list):
            selects = [c for c in children if isinstance(c, dict) and c.get("type") in SELECT_TYPES]
            if selects and len(children) > 1:
                yield _violation(path + (i, "components"), "a select menu must be alone in its action row",
                                 "select-alone")
        if component.get("type") == BUTTON:
            yield from _button(component, path + (i,))
        for key in ("components", "accessory"):  # nested layouts (sections, containers)
            nested = component.get(key)
            if isinstance(nested, list):
                yield from _rows(nested, path + (i, key))
            elif isinstance(nested, dict):
                yield from _rows([nested], path + (i, key))


def _button(button: dict, path: tuple) -> Iterator[Violation]:
    style, has_id = button.get("style"), "custom_id" in button and button["custom_id"] is not None
    if style == LINK:
        if has_id:
            yield _violation(path + ("custom_id",), "a link button cannot have a custom_id", "link-custom-id")
        if not button.get("url"):
            yield _violation(path + ("url",), "a link button needs a url", "link-url")
    elif style == PREMIUM:
        if has_id or not button.get("sku_id"):
            yield _violation(path, "a premium button has a sku_id and no custom_id", "premium-button")
    else:
        if not has_id:
            yield _violation(path + ("custom_id",), "this button needs a custom_id", "button-custom-id")
        if button.get("url"):
            yield _violation(path + ("url",), "only link buttons have a url", "button-url")


def _custom_ids(components: list, path: tuple) -> Iterator[tuple[str, tuple]]:
    for i, component in enumerate(components):
        if not isinstance(component, dict):
            continue
        if isinstance(component.get("custom_id"), str):
            yield component["custom_id"], path + (i, "custom_id")
        for key in ("components", "accessory", "component"):
            nested = component.get(key)
            if isinstance(nested, dict):
                nested = [nested]
            if isinstance(nested, list):
                yield from _custom_ids(nested, path + (i, key))


def _duplicate_custom_ids(components: list, path: tuple) -> Iterator[Violation]:
    seen: set[str] = set()
    for custom_id, where in _custom_ids(components, path):
        if custom_id in seen:
            yield _violation(where, f"custom_id {custom_id!r} is used twice in this message", "duplicate-custom-id")
        seen.add(custom_id)


def check_payload(operation_id: str, body: Any) -> list[Violation]:
    """Component rules for any request body that carries a message or a modal."""
    if not isinstance(body, dict):
        return []
    if operation_id == "create_interaction_response":
        data = body.get("data")
        return check_message_components(data, ("data",)) if isinstance(data, dict) else []
    if operation_id in ("create_thread", "create_thread_in_forum") and isinstance(body.get("message"), dict):
        return check_message_components(body["message"], ("message",))
    return check_message_components(body)
