"""Japanese error pages."""
from __future__ import annotations

import logging

from flask import jsonify, render_template, request

log = logging.getLogger(__name__)

# Used when even the styled 500 page cannot be rendered (e.g. a broken template).
PLAIN_500 = (
    '<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>エラーが発生しました</title></head>'
    "<body><h1>エラーが発生しました</h1><p>しばらく時間をおいてから、もう一度お試しください。</p>"
    '<p><a href="/">トップページへ</a></p></body></html>'
)


def _render_500():
    try:
        return render_template("errors/500.html")
    except Exception:  # the error page must not fail in turn
        log.exception("the 500 page itself failed to render")
        return PLAIN_500


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def register(app) -> None:
    @app.errorhandler(404)
    def not_found(_error):
        if _wants_json():
            return jsonify(error="not_found", message="見つかりませんでした"), 404
        return render_template("errors/404.html"), 404

    @app.errorhandler(500)
    def server_error(_error):
        if _wants_json():
            return jsonify(error="server_error", message="サーバーでエラーが発生しました"), 500
        return _render_500(), 500
