"""Configuration read only from the environment, with safe local defaults.

The environment names are a fixed interface (README, Procfile and later
issues rely on them); do not rename them.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

DEFAULT_QUIET_HOURS = "21:00-08:00"


class ConfigError(RuntimeError):
    """Raised when production is started without a required setting."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def is_production() -> bool:
    return _env("APP_ENV", _env("FLASK_ENV", "development")) == "production"


def instance_path(override: str | None = None) -> Path:
    return Path(override or _env("INSTANCE_PATH", "./instance")).resolve()


def _secret_key(instance: Path, override: str | None = None) -> str:
    """Use SECRET_KEY; locally generate one once and keep it in the instance folder."""
    key = override or _env("SECRET_KEY")
    if key:
        return key
    if is_production():
        raise ConfigError("SECRET_KEY must be set in production (APP_ENV=production).")
    key_file = instance / "secret_key"
    if not key_file.exists():
        instance.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _database_url(instance: Path, override: str | None = None) -> str:
    url = override or _env("DATABASE_URL")
    if not url:
        if is_production():
            raise ConfigError("DATABASE_URL must be set in production (APP_ENV=production).")
        return f"sqlite:///{instance / 'monozukuri.sqlite3'}"
    # Heroku-style URLs name the old driver; SQLAlchemy 2 wants psycopg 3 explicitly.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def from_environment(overrides: dict | None = None) -> dict:
    """Build the Flask config mapping from environment variables.

    ``overrides`` (tests, tools) win over the environment and stop the
    defaults for those keys from being derived at all (no stray key files).
    """
    overrides = overrides or {}
    instance = instance_path(overrides.get("INSTANCE_PATH"))
    settings = {
        "INSTANCE_PATH": str(instance),
        "PRODUCTION": is_production(),
        "SECRET_KEY": _secret_key(instance, overrides.get("SECRET_KEY")),
        "DATABASE_URL": _database_url(instance, overrides.get("DATABASE_URL")),
        "BASE_URL": (_env("BASE_URL") or f"http://127.0.0.1:{_env('PORT', '8000')}").rstrip("/"),
        "LINE_CHANNEL_SECRET": _env("LINE_CHANNEL_SECRET"),
        "LINE_CHANNEL_ACCESS_TOKEN": _env("LINE_CHANNEL_ACCESS_TOKEN"),
        "LINE_API_BASE_URL": _env("LINE_API_BASE_URL", "https://api.line.me"),
        "LINE_FRIEND_URL": _env("LINE_FRIEND_URL"),
        "DISCORD_BOT_TOKEN": _env("DISCORD_BOT_TOKEN"),
        "DISCORD_API_BASE_URL": _env("DISCORD_API_BASE_URL", "https://discord.com"),
        "DISCORD_INVITE_URL": _env("DISCORD_INVITE_URL"),
        "QUIET_HOURS": os.environ.get("QUIET_HOURS", DEFAULT_QUIET_HOURS),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": is_production(),
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        # PAGE_CACHE=off renders every public page afresh (benchmarks of the uncached path, debugging).
        "PAGE_CACHE": _env("PAGE_CACHE", "on") != "off",
    }
    settings.update(overrides)
    return settings
