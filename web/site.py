"""The site shell's template names: identity, URLs, assets and the channels' join links."""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import current_app, url_for

from content.models import CATEGORIES, SERIES
from content.urls import NAV_CATEGORIES, article_path
from core.site import SITE_DESCRIPTION, SITE_NAME, SITE_SHORT_NAME, absolute_url

STATIC_DIR = Path(__file__).resolve().parent / "static"


@lru_cache(maxsize=64)
def _asset_version(filename: str) -> str:
    try:
        return hashlib.sha256((STATIC_DIR / filename).read_bytes()).hexdigest()[:10]
    except OSError:
        return "0"


def asset_url(filename: str) -> str:
    """Static URL with a content-hash query, so a changed file is fetched again."""
    return url_for("static", filename=filename, v=_asset_version(filename))


def line_friend_url() -> str:
    return current_app.config.get("LINE_FRIEND_URL") or "/playground"


def discord_invite_url() -> str | None:
    return current_app.config.get("DISCORD_INVITE_URL") or None


def ward_contact() -> dict:
    """問い合わせ先 shown on every page (configurable: WARD_CONTACT_*)."""
    config = current_app.config
    return {key: config.get(f"WARD_CONTACT_{key.upper()}") for key in ("name", "phone", "email", "hours")}


def ward_accounts() -> list[tuple[str, str]]:
    """(label, URL) of the ward's official accounts that are configured (WARD_X_URL …)."""
    config = current_app.config
    # The X and YouTube channels name the same accounts (X_ACCOUNT_URL, YOUTUBE_CHANNEL_URL): one link each.
    accounts = (("大田区公式X（旧Twitter）", config.get("WARD_X_URL") or config.get("X_ACCOUNT_URL")),
                ("大田区公式YouTube", config.get("WARD_YOUTUBE_URL") or config.get("YOUTUBE_CHANNEL_URL")),
                ("大田区公式LINE", config.get("WARD_LINE_URL")))
    return [(label, url) for label, url in accounts if url]


def default_og_image() -> str:
    from content.views.media import site_ogp_url

    return site_ogp_url()


def template_context() -> dict:
    """Names every public template can use (installed as Jinja globals)."""
    return {
        "default_og_image": default_og_image,
        "site_name": SITE_NAME,
        "site_short_name": SITE_SHORT_NAME,
        "site_description": SITE_DESCRIPTION,
        "categories": CATEGORIES,
        "series_labels": SERIES,
        "nav_categories": NAV_CATEGORIES,
        "absolute_url": absolute_url,
        "article_path": article_path,
        "asset_url": asset_url,
        "line_friend_url": line_friend_url,
        "discord_invite_url": discord_invite_url,
        "ward_contact": ward_contact,
        "ward_accounts": ward_accounts,
    }
