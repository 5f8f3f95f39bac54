"""What every console page shares, whichever domain serves it (any path under /admin)."""
from __future__ import annotations

from flask import current_app, render_template, request
from flask_wtf.csrf import CSRFError

from staff import auth
from staff.models import ROLES

CONSOLE_PREFIX = "/admin"


def is_console_request() -> bool:
    return request.path == CONSOLE_PREFIX or request.path.startswith(CONSOLE_PREFIX + "/")


def no_store(response):
    # Console pages show unpublished work and personal data: never cache them anywhere.
    if is_console_request():
        response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("X-Robots-Tag", "noindex, nofollow")
        response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def _console_error(message: str, status: int):
    return render_template("admin/error.html", message=message), status


def csrf_failed(error):
    if not is_console_request():
        return error
    return _console_error(
        "フォームの有効期限が切れたか、不正な送信です。ページを再読み込みしてからもう一度お試しください。", 400
    )


def too_large(error):
    if not is_console_request():
        return error
    limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // 1024 // 1024
    return _console_error(f"送信したデータが大きすぎます（{limit}MBまで）。画像を小さくしてからもう一度お試しください。", 413)


def forbidden(error):
    if not is_console_request():
        return error
    return render_template("admin/forbidden.html"), 403


def console_template_context() -> dict:
    return {"current_staff": auth.current_staff, "staff_roles": ROLES}


def install(app) -> None:
    """App-wide, so every domain's console blueprint gets the same headers and error pages."""
    app.after_request(no_store)
    app.register_error_handler(CSRFError, csrf_failed)
    app.register_error_handler(413, too_large)
    app.register_error_handler(403, forbidden)
    app.context_processor(console_template_context)
