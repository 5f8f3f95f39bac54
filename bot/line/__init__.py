"""LINE adapter: webhook intake, persistent queue worker, rendering, rich menus, playground.

This package (and only this package under ``bot/``) may import ``linebot.v3``.
"""
from __future__ import annotations


def init_app(app) -> None:
    from bot.line import privacy, views

    app.register_blueprint(views.bp)  # LINE webhook /callback + bot playground
    privacy.connect()  # データ削除 also blanks the user's queued and finished bot jobs
