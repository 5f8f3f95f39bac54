"""Japanese error pages."""
from __future__ import annotations

from flask import jsonify, render_template, request


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
        return render_template("errors/500.html"), 500
