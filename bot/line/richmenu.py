"""Rich menu definitions (richmenus.yaml) → Messaging API request bodies.

The definitions are data; this module validates them, resolves site paths to
tracked links and names each menu after a hash of its content, so a deploy
can tell an unchanged menu (reuse it) from a changed one (replace it).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.line import limits
from channels.links import tracked_url

DEFINITIONS = Path(__file__).with_name("richmenus.yaml")
NAME_PREFIX = "monozukuri"
ACTION_TYPES = ("postback", "message", "uri", "liff")


class RichMenuDefinitionError(ValueError):
    """richmenus.yaml does not describe valid menus."""


@dataclass(frozen=True)
class Area:
    label: str
    caption: str
    icon: str
    colour: str
    bounds: tuple[int, int, int, int]
    action: dict


@dataclass(frozen=True)
class MenuDefinition:
    key: str
    alias: str
    chat_bar_text: str
    areas: tuple[Area, ...]
    size: tuple[int, int]
    is_default: bool = False
    personas: tuple[str, ...] = ()


def _area(raw: dict, where: str) -> Area:
    try:
        bounds = tuple(int(v) for v in raw["bounds"])
        area = Area(str(raw["label"]), str(raw.get("caption", "")), str(raw.get("icon", "")),
                    str(raw.get("colour", "primary")), bounds, dict(raw["action"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise RichMenuDefinitionError(f"{where}: incomplete area ({exc})") from None
    if len(bounds) != 4 or area.action.get("type") not in ACTION_TYPES:
        raise RichMenuDefinitionError(f"{where}: bounds need 4 numbers and action a type in {ACTION_TYPES}")
    if area.action["type"] == "liff" and (not isinstance(area.action.get("fallback"), dict)
                                          or area.action["fallback"].get("type") not in ("postback", "message", "uri")):
        raise RichMenuDefinitionError(f"{where}: a liff action needs a form and a postback/message/uri fallback")
    if limits.utf16_len(area.label) > limits.ACTION_LABEL_MAX:
        raise RichMenuDefinitionError(f"{where}: label longer than {limits.ACTION_LABEL_MAX}")
    return area


def _menu(raw: dict, size: tuple[int, int]) -> MenuDefinition:
    key = str(raw.get("key", ""))
    areas = tuple(_area(a, f"menu {key} area {i}") for i, a in enumerate(raw.get("areas") or []))
    if not key or not areas or not raw.get("alias"):
        raise RichMenuDefinitionError(f"menu {key!r} needs a key, an alias and areas")
    return MenuDefinition(key, str(raw["alias"]), str(raw.get("chat_bar_text", "メニュー"))[:14], areas, size,
                          bool(raw.get("default")), tuple(raw.get("personas") or ()))


def load_definitions(path: Path = DEFINITIONS) -> list[MenuDefinition]:
    """The menus of ``path`` (parsed once per file version: every persona change asks for them)."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise RichMenuDefinitionError(f"{path.name}: {exc}") from None
    return list(_load_definitions(path, stat.st_mtime_ns, stat.st_size))


@lru_cache(maxsize=8)
def _load_definitions(path: Path, _mtime_ns: int, _size: int) -> tuple[MenuDefinition, ...]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        size = (int(document["size"]["width"]), int(document["size"]["height"]))
        menus = [_menu(raw, size) for raw in document["menus"]]
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, RichMenuDefinitionError):
            raise
        raise RichMenuDefinitionError(f"{path.name}: {exc}") from None
    if sum(m.is_default for m in menus) != 1:
        raise RichMenuDefinitionError(f"{path.name}: exactly one menu must be the default")
    return tuple(menus)


def menu_for_persona(menus: list[MenuDefinition], persona: str | None) -> MenuDefinition:
    for menu in menus:
        if persona and persona in menu.personas:
            return menu
    return next(m for m in menus if m.is_default)


def _api_action(action: dict, label: str, config: Mapping, form_urls: Mapping[str, str]) -> dict:
    kind = action["type"]
    if kind == "liff":  # a LIFF form once deployed (``line liff deploy``), else its chat fallback
        url = form_urls.get(action.get("form", ""))
        if url:
            return {"type": "uri", "label": label, "uri": url}
        return _api_action(dict(action["fallback"]), label, config, form_urls)
    if kind == "postback":
        return {"type": "postback", "label": label, "data": action["data"],
                "displayText": action.get("display_text", label)}
    if kind == "message":
        return {"type": "message", "label": label, "text": action["text"]}
    uri = tracked_url(config, action["path"], channel="line", campaign="richmenu")
    return {"type": "uri", "label": label, "uri": uri}


def request_body(menu: MenuDefinition, config: Mapping, form_urls: Mapping[str, str] | None = None) -> dict:
    """The createRichMenu body, without its name (the name carries the content hash).

    ``form_urls``: LIFF URLs of the deployed forms by key, for areas of type ``liff``."""
    width, height = menu.size
    areas = [
        {"bounds": dict(zip(("x", "y", "width", "height"), area.bounds)),
         "action": _api_action(area.action, area.label, config, form_urls or {})}
        for area in menu.areas
    ]
    return {"size": {"width": width, "height": height}, "selected": False,
            "chatBarText": menu.chat_bar_text, "areas": areas}


def content_hash(body: dict, image: bytes) -> str:
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode())
    digest.update(image)
    return digest.hexdigest()


def menu_name(menu: MenuDefinition, digest: str) -> str:
    return f"{NAME_PREFIX}:{menu.key}:{digest[:16]}"


def name_prefix(menu: MenuDefinition) -> str:
    return f"{NAME_PREFIX}:{menu.key}:"
