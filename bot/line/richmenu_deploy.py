"""``monozukuri line richmenu deploy``: make LINE's rich menus match richmenus.yaml.

Safe to re-run. Each menu's name carries a hash of its body and image, so an
unchanged menu found on LINE is reused, a changed one is created anew and the
old version deleted once the default menu and aliases point at the new one.
Users with a persona menu are re-linked through the queue when its id changed.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from linebot.v3.messaging import (
    CreateRichMenuAliasRequest,
    MessagingApi,
    MessagingApiBlob,
    RichMenuRequest,
    UpdateRichMenuAliasRequest,
)
from linebot.v3.messaging.exceptions import ApiException
from sqlalchemy.orm import Session

from bot.line import richmenu
from bot.line.client import REQUEST_TIMEOUT, blob_api, error_message, messaging_api
from bot.line.liff_apps import deployed_ids, liff_url
from bot.line.liff_identity import liff_enabled
from bot.line.models import LineRichMenu
from bot.line.richmenu_image import menu_image
from bot.line.richmenu_links import queue_relink_for
from core.db import utcnow

log = logging.getLogger(__name__)


@dataclass
class DeployReport:
    created: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    default_menu_id: str = ""
    relinks_queued: int = 0


@dataclass(frozen=True)
class Prepared:
    menu: richmenu.MenuDefinition
    body: dict
    image: bytes
    content_type: str
    name: str
    digest: str


def prepare(menu: richmenu.MenuDefinition, config: Mapping, form_urls: Mapping[str, str] | None = None) -> Prepared:
    body = richmenu.request_body(menu, config, form_urls)
    image, content_type = menu_image(menu)
    digest = richmenu.content_hash(body, image)
    return Prepared(menu, body, image, content_type, richmenu.menu_name(menu, digest), digest)


def _upload_image(blob: MessagingApiBlob, menu_id: str, item: Prepared) -> None:
    try:
        blob.set_rich_menu_image(menu_id, item.image, _headers={"Content-Type": item.content_type},
                                 _request_timeout=(5, 60))
    except ApiException as exc:
        if exc.status == 400 and "already" in error_message(exc):
            return  # uploaded by an earlier, interrupted deploy
        raise


def _create(api: MessagingApi, blob: MessagingApiBlob, item: Prepared) -> str:
    request = RichMenuRequest.from_dict({**item.body, "name": item.name})
    menu_id = api.create_rich_menu(request, _request_timeout=REQUEST_TIMEOUT).rich_menu_id
    _upload_image(blob, menu_id, item)
    return menu_id


def _ensure_menu(session: Session, api, blob, item: Prepared, on_line: dict[str, str], report) -> str:
    menu_id = on_line.get(item.name)
    if menu_id is None:
        menu_id = _create(api, blob, item)
        report.created.append(item.menu.key)
        return menu_id
    stored = session.get(LineRichMenu, item.menu.key)
    if stored is None or stored.rich_menu_id != menu_id:
        _upload_image(blob, menu_id, item)  # found on LINE but not recorded here: make sure it is complete
    report.reused.append(item.menu.key)
    return menu_id


def _point_aliases(api: MessagingApi, ids: dict[str, str], menus: list[richmenu.MenuDefinition]) -> None:
    aliases = {a.rich_menu_alias_id: a.rich_menu_id for a in api.get_rich_menu_alias_list().aliases or []}
    for menu in menus:
        target = ids[menu.key]
        if menu.alias not in aliases:
            api.create_rich_menu_alias(CreateRichMenuAliasRequest(rich_menu_alias_id=menu.alias, rich_menu_id=target))
        elif aliases[menu.alias] != target:
            api.update_rich_menu_alias(menu.alias, UpdateRichMenuAliasRequest(rich_menu_id=target))


def _delete_stale(api: MessagingApi, on_line: dict[str, str], keep: set[str], report: DeployReport) -> None:
    for name, menu_id in on_line.items():
        if name.startswith(richmenu.NAME_PREFIX + ":") and menu_id not in keep:
            api.delete_rich_menu(menu_id)
            report.deleted.append(name)


def _record(session: Session, item: Prepared, menu_id: str, report: DeployReport) -> None:
    row = session.get(LineRichMenu, item.menu.key)
    changed = row is None or row.rich_menu_id != menu_id
    if row is None:
        row = LineRichMenu(key=item.menu.key, rich_menu_id=menu_id, content_hash=item.digest)
        session.add(row)
    row.rich_menu_id, row.content_hash, row.alias_id, row.deployed_at = menu_id, item.digest, item.menu.alias, utcnow()
    session.flush()
    if changed and not item.menu.is_default:
        report.relinks_queued += queue_relink_for(session, item.menu.personas, menu_id)


def liff_form_urls(session: Session, config: Mapping) -> dict[str, str]:
    """LIFF URLs of the deployed forms (deploy LIFF first, then the menus, to use them)."""
    if not liff_enabled(config):
        return {}
    return {key: liff_url(session, key) for key in deployed_ids(session)}


def deploy(session: Session, config: Mapping, progress: Callable[[int, int], None] | None = None) -> DeployReport:
    """``progress(done, total)`` counts the menus made ready on LINE, then the final linking step."""
    menus = richmenu.load_definitions()
    form_urls = liff_form_urls(session, config)
    prepared = [prepare(menu, config, form_urls) for menu in menus]
    report = DeployReport()
    steps = len(prepared) + 1
    progress = progress or (lambda done, total: None)
    progress(0, steps)
    with messaging_api(config) as api, blob_api(config) as blob:
        on_line = {m.name: m.rich_menu_id for m in api.get_rich_menu_list().richmenus or []}
        ids = {}
        for done, item in enumerate(prepared, start=1):
            ids[item.menu.key] = _ensure_menu(session, api, blob, item, on_line, report)
            progress(done, steps)
        default_key = next(m.key for m in menus if m.is_default)
        api.set_default_rich_menu(ids[default_key])
        report.default_menu_id = ids[default_key]
        _point_aliases(api, ids, menus)
        _delete_stale(api, on_line, set(ids.values()), report)
    for item in prepared:
        _record(session, item, ids[item.menu.key], report)
    session.commit()
    progress(steps, steps)
    return report
