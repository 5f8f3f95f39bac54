"""LINE adapter: webhook intake, persistent queue worker, rendering, rich menus, playground.

This package (and only this package under ``bot/``) may import ``linebot.v3``.
"""
from __future__ import annotations


def init_app(app) -> None:
    from bot.line import admin, liff_views, privacy, views
    from core.raw_endpoints import add_raw_endpoint

    add_raw_endpoint(app, "POST", "/callback", views.callback(app))  # the LINE webhook, outside Flask
    app.register_blueprint(views.bp)  # bot playground
    app.register_blueprint(liff_views.bp)  # LIFF forms /liff/…
    admin.register(app)  # /admin/line: deploy the LIFF forms
    privacy.connect()  # データ削除 also blanks the user's queued and finished bot jobs
