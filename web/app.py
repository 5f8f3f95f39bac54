"""Application factory: ``create_app(config=None)`` built from small named steps."""
from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask

from web import config as env_config
from web.db import db
from web.extensions import csrf

log = logging.getLogger(__name__)


def create_app(config: dict | None = None) -> Flask:
    settings = env_config.from_environment(config)
    app = Flask(__name__, instance_path=settings["INSTANCE_PATH"], instance_relative_config=False)
    app.config.update(settings)
    _prepare_instance_folder(app)
    _register_url_converters(app)
    _init_extensions(app)
    _register_blueprints(app)
    _register_error_pages(app)
    _register_template_helpers(app)
    return app


def _prepare_instance_folder(app: Flask) -> None:
    for sub in ("", "media", "index", "ogp"):
        Path(app.instance_path, sub).mkdir(parents=True, exist_ok=True)


def _register_url_converters(app: Flask) -> None:
    from web.routing import register_converters

    register_converters(app)


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    csrf.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from bot.discord import views as discord_views
    from bot.line import views as line_views
    from events import web as events_web
    from kpi import views as kpi_views
    from notifications import views as notifications_views
    from search import views as search_views
    from web import admin as admin_console
    from web.views import public

    events_web.register_blueprints(app)  # /events/<id> + registration, /registrations/<token>, /admin/events
    public.register_blueprints(app)  # public site: top, archives, articles, feeds, media
    kpi_views.init_app(app)  # tracked links, /friend, /admin/kpi, page views
    app.register_blueprint(search_views.bp)  # /search page and /api/search
    app.register_blueprint(line_views.bp)  # LINE webhook /callback + bot playground
    app.register_blueprint(admin_console.bp)
    app.register_blueprint(notifications_views.bp)  # /admin/broadcasts console + public /posts
    discord_views.register(app)  # /admin/discord: server settings and problems for staff


def _register_error_pages(app: Flask) -> None:
    from web.views import errors

    errors.register(app)


def _register_template_helpers(app: Flask) -> None:
    from web import templating

    templating.register(app)


def log_channel_status(app: Flask) -> None:
    """One clear line per messaging channel, so operators see what is off."""
    if app.config.get("LINE_CHANNEL_SECRET") and app.config.get("LINE_CHANNEL_ACCESS_TOKEN"):
        log.info("LINE channel: on (API %s)", app.config["LINE_API_BASE_URL"])
    else:
        log.warning("LINE channel: off (set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN to enable)")
    if app.config.get("DISCORD_BOT_TOKEN"):
        log.info("Discord channel: on (API %s)", app.config["DISCORD_API_BASE_URL"])
    else:
        log.warning("Discord channel: off (set DISCORD_BOT_TOKEN to enable)")
