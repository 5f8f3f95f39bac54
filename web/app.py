"""Application factory: ``create_app(config=None)`` built from small named steps."""
from __future__ import annotations

import importlib
import logging
from pathlib import Path

from flask import Flask

from core import config as env_config
from core.db import db
from core.extensions import csrf
from web.domains import DOMAINS

log = logging.getLogger(__name__)


def create_app(config: dict | None = None) -> Flask:
    settings = env_config.from_environment(config)
    app = Flask(__name__, instance_path=settings["INSTANCE_PATH"], instance_relative_config=False)
    app.config.update(settings)
    _prepare_instance_folder(app)
    _register_url_converters(app)
    _init_extensions(app)
    _init_domains(app)
    _register_site_shell(app)
    _register_error_pages(app)
    _register_template_helpers(app)
    _install_security_headers(app)
    _install_raw_endpoints(app)
    _register_console_nav(app)
    _register_console_jobs(app)
    return app


def _prepare_instance_folder(app: Flask) -> None:
    for sub in ("", "media", "index", "ogp"):
        Path(app.instance_path, sub).mkdir(parents=True, exist_ok=True)


def _register_url_converters(app: Flask) -> None:
    from web.routing import register_converters

    register_converters(app)


def _init_extensions(app: Flask) -> None:
    from web.sessions import SessionInterface

    app.session_interface = SessionInterface()
    db.init_app(app)
    csrf.init_app(app)


def _init_domains(app: Flask) -> None:
    """Every domain registers its blueprints and signal receivers; the worker reads the same list."""
    app.extensions["domains"] = DOMAINS
    for name in DOMAINS:
        importlib.import_module(name).init_app(app)


def _register_site_shell(app: Flask) -> None:
    from web.views import public

    app.register_blueprint(public.bp)  # top page, concept page, events list, /healthz


def _register_error_pages(app: Flask) -> None:
    from web.views import errors

    errors.register(app)


def _register_template_helpers(app: Flask) -> None:
    from web import templating

    templating.register(app)


def _install_security_headers(app: Flask) -> None:
    from web import security_headers

    security_headers.install(app)


def _install_raw_endpoints(app: Flask) -> None:
    """Hot webhook paths registered by domains are answered before Flask's request machinery."""
    from core.raw_endpoints import EXTENSION_KEY, RawEndpointDispatcher
    from web.security_headers import headers_for_app

    routes = app.extensions.setdefault(EXTENSION_KEY, {})
    app.wsgi_app = RawEndpointDispatcher(app.wsgi_app, routes, headers_for_app(app))


def log_channel_status(app: Flask) -> None:
    """One clear line per messaging channel, so operators see what is off."""
    if app.config.get("LINE_CHANNEL_SECRET") and app.config.get("LINE_CHANNEL_ACCESS_TOKEN"):
        log.info("LINE channel: on (API %s)", app.config["LINE_API_BASE_URL"])
        _warn_if_line_photos_dropped(app)
    else:
        log.warning("LINE channel: off (set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN to enable)")
    if app.config.get("DISCORD_BOT_TOKEN"):
        log.info("Discord channel: on (API %s)", app.config["DISCORD_API_BASE_URL"])
    else:
        log.warning("Discord channel: off (set DISCORD_BOT_TOKEN to enable)")


def _warn_if_line_photos_dropped(app: Flask) -> None:
    from bot.line.flex import photos_dropped_warning

    warning = photos_dropped_warning(app.config.get("BASE_URL") or "")
    if warning:
        log.warning(warning)


# The console menu, in the order staff read it. Each link shows only for roles its page admits.
CONSOLE_NAV: tuple[tuple[str, str], ...] = (
    ("記事", "content_admin.article_list"),
    ("トップページ", "content_admin.top_page"),
    ("確認待ち", "content_admin.review_queue"),
    ("配信", "notifications.broadcast_list"),
    ("配信の下書き", "notifications.draft_list"),
    ("公式X", "x_admin.index"),
    ("動画", "videos_admin.index"),
    ("イベント", "events_admin.event_list"),
    ("KPI", "kpi_admin.dashboard"),
    ("就職・見学", "careers_admin.index"),
    ("Discord", "discord_admin.index"),
    ("LINEのフォーム", "line_admin.index"),
    ("作業", "admin.jobs"),
    ("アカウント", "admin.account_list"),
    ("操作履歴", "admin.audit_log"),
)


def _register_console_nav(app: Flask) -> None:
    from staff.navigation import add_nav_item

    for order, (label, endpoint) in enumerate(CONSOLE_NAV):
        add_nav_item(app, label, endpoint, order)


def _register_console_jobs(app: Flask) -> None:
    from web import console_jobs

    console_jobs.register(app)
