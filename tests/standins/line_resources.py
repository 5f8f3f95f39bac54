"""Stateful LINE endpoints besides sending: rich menus, aliases, and the
per-unit insight statistics.

Handlers are plain functions ``(standin, ctx) -> Reply`` registered in
:data:`HANDLERS` by operationId; they run under the stand-in's lock.
Error bodies follow what LINE answers (``{"message": ...}``).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from . import line_limits
from .http_standin import Reply

NOT_FOUND = {"message": "Not found"}
HANDLERS: dict = {}


def handler(op_id: str):
    def register(fn):
        HANDLERS[op_id] = fn
        return fn
    return register


@dataclass
class RichMenuStore:
    menus: dict[str, dict] = field(default_factory=dict)  # id -> menu (with richMenuId)
    images: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # id -> (content type, data)
    default: str | None = None
    per_user: dict[str, str] = field(default_factory=dict)  # user id -> menu id
    aliases: dict[str, str] = field(default_factory=dict)  # alias id -> menu id


# -- rich menus --------------------------------------------------------------------
@handler("createRichMenu")
def create_rich_menu(standin, ctx) -> Reply:
    menu_id = f"richmenu-{secrets.token_hex(16)}"
    standin.rich_menus.menus[menu_id] = {"richMenuId": menu_id, **ctx.body}
    return Reply(200, {"richMenuId": menu_id})


@handler("validateRichMenuObject")
def validate_rich_menu(standin, ctx) -> Reply:
    return Reply(200, {})


@handler("getRichMenu")
def get_rich_menu(standin, ctx) -> Reply:
    menu = standin.rich_menus.menus.get(ctx.params["richMenuId"])
    return Reply(200, menu) if menu else Reply(404, NOT_FOUND)


@handler("getRichMenuList")
def list_rich_menus(standin, ctx) -> Reply:
    return Reply(200, {"richmenus": list(standin.rich_menus.menus.values())})


@handler("deleteRichMenu")
def delete_rich_menu(standin, ctx) -> Reply:
    store, menu_id = standin.rich_menus, ctx.params["richMenuId"]
    if store.menus.pop(menu_id, None) is None:
        return Reply(404, NOT_FOUND)
    store.images.pop(menu_id, None)
    if store.default == menu_id:
        store.default = None
    store.per_user = {u: m for u, m in store.per_user.items() if m != menu_id}
    return Reply(200, {})


@handler("setRichMenuImage")
def set_rich_menu_image(standin, ctx) -> Reply:
    store, menu_id = standin.rich_menus, ctx.params["richMenuId"]
    if menu_id not in store.menus:
        return Reply(404, NOT_FOUND)
    if menu_id in store.images:
        # LINE: an image can be uploaded only once per rich menu.
        return Reply(400, {"message": "An image has already been uploaded to the richmenu"})
    problems = line_limits.check_rich_menu_image(ctx.content_type, ctx.call.body_bytes, store.menus[menu_id])
    if problems:
        return standin.reject(ctx, problems)
    store.images[menu_id] = (ctx.content_type.split(";")[0].strip(), ctx.call.body_bytes)
    return Reply(200, {})


@handler("getRichMenuImage")
def get_rich_menu_image(standin, ctx) -> Reply:
    found = standin.rich_menus.images.get(ctx.params["richMenuId"])
    return Reply(200, found[1], content_type=found[0]) if found else Reply(404, NOT_FOUND)


def _usable(store: RichMenuStore, menu_id: str) -> Reply | None:
    """LINE refuses to apply a menu that does not exist or has no image."""
    if menu_id not in store.menus:
        return Reply(404, NOT_FOUND)
    if menu_id not in store.images:
        return Reply(400, {"message": "must upload richmenu image before applying it to user"})
    return None


@handler("setDefaultRichMenu")
def set_default(standin, ctx) -> Reply:
    store, menu_id = standin.rich_menus, ctx.params["richMenuId"]
    refusal = _usable(store, menu_id)
    if refusal:
        return refusal
    store.default = menu_id
    return Reply(200, {})


@handler("getDefaultRichMenuId")
def get_default(standin, ctx) -> Reply:
    menu_id = standin.rich_menus.default
    return Reply(200, {"richMenuId": menu_id}) if menu_id else Reply(404, NOT_FOUND)


@handler("cancelDefaultRichMenu")
def cancel_default(standin, ctx) -> Reply:
    standin.rich_menus.default = None
    return Reply(200, {})


@handler("linkRichMenuIdToUser")
def link_user(standin, ctx) -> Reply:
    store, menu_id = standin.rich_menus, ctx.params["richMenuId"]
    refusal = _usable(store, menu_id)
    if refusal:
        return refusal
    store.per_user[ctx.params["userId"]] = menu_id
    return Reply(200, {})


@handler("linkRichMenuIdToUsers")
def link_users(standin, ctx) -> Reply:
    store, menu_id = standin.rich_menus, ctx.body["richMenuId"]
    refusal = _usable(store, menu_id)
    if refusal:
        return refusal
    for user_id in ctx.body["userIds"]:
        store.per_user[user_id] = menu_id
    return Reply(202, {})


@handler("getRichMenuIdOfUser")
def get_user_menu(standin, ctx) -> Reply:
    menu_id = standin.rich_menus.per_user.get(ctx.params["userId"])
    return Reply(200, {"richMenuId": menu_id}) if menu_id else Reply(404, NOT_FOUND)


@handler("unlinkRichMenuIdFromUser")
def unlink_user(standin, ctx) -> Reply:
    standin.rich_menus.per_user.pop(ctx.params["userId"], None)
    return Reply(200, {})


@handler("unlinkRichMenuIdFromUsers")
def unlink_users(standin, ctx) -> Reply:
    for user_id in ctx.body["userIds"]:
        standin.rich_menus.per_user.pop(user_id, None)
    return Reply(202, {})


# -- aliases ------------------------------------------------------------------------
@handler("createRichMenuAlias")
def create_alias(standin, ctx) -> Reply:
    store, alias = standin.rich_menus, ctx.body["richMenuAliasId"]
    if alias in store.aliases:
        return Reply(400, {"message": "conflict richmenu alias id"})
    refusal = _usable(store, ctx.body["richMenuId"])
    if refusal:
        return refusal
    store.aliases[alias] = ctx.body["richMenuId"]
    return Reply(200, {})


@handler("getRichMenuAlias")
def get_alias(standin, ctx) -> Reply:
    alias = ctx.params["richMenuAliasId"]
    menu_id = standin.rich_menus.aliases.get(alias)
    return Reply(200, {"richMenuAliasId": alias, "richMenuId": menu_id}) if menu_id else Reply(404, NOT_FOUND)


@handler("updateRichMenuAlias")
def update_alias(standin, ctx) -> Reply:
    store, alias = standin.rich_menus, ctx.params["richMenuAliasId"]
    if alias not in store.aliases:
        return Reply(404, NOT_FOUND)
    refusal = _usable(store, ctx.body["richMenuId"])
    if refusal:
        return refusal
    store.aliases[alias] = ctx.body["richMenuId"]
    return Reply(200, {})


@handler("deleteRichMenuAlias")
def delete_alias(standin, ctx) -> Reply:
    if standin.rich_menus.aliases.pop(ctx.params["richMenuAliasId"], None) is None:
        return Reply(404, NOT_FOUND)
    return Reply(200, {})


@handler("getRichMenuAliasList")
def list_aliases(standin, ctx) -> Reply:
    aliases = [{"richMenuAliasId": a, "richMenuId": m} for a, m in standin.rich_menus.aliases.items()]
    return Reply(200, {"aliases": aliases})


# -- aggregation units and their statistics -----------------------------------------
@handler("getAggregationUnitUsage")
def unit_usage(standin, ctx) -> Reply:
    return Reply(200, {"numOfCustomAggregationUnits": len(standin.aggregation_units)})


@handler("getAggregationUnitNameList")
def unit_names(standin, ctx) -> Reply:
    limit = int(ctx.call.query.get("limit", ["100"])[0])
    start = int(ctx.call.query.get("start", ["0"])[0] or 0)
    names = standin.aggregation_units
    body = {"customAggregationUnits": names[start:start + limit]}
    if start + limit < len(names):
        body["next"] = str(start + limit)
    return Reply(200, body)


@handler("getStatisticsPerUnit")
def statistics_per_unit(standin, ctx) -> Reply:
    """Plausible numbers derived from what was actually sent with the unit:
    every recipient counts as one impression, nobody clicked."""
    unit = ctx.call.query["customAggregationUnit"][0]
    sent = [s for s in standin.outbox if unit in s.aggregation_units]
    reached = sum(len(s.recipients) for s in sent)
    bubbles = max((len(s.messages) for s in sent), default=0)
    return Reply(200, {
        "overview": {"uniqueImpression": reached, "uniqueClick": 0, "uniqueMediaPlayed": None,
                     "uniqueMediaPlayed100Percent": None},
        "messages": [{"seq": i + 1, "impression": reached, "uniqueImpression": reached}
                     for i in range(bubbles)],
        "clicks": [],
    })

