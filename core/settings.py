"""Every setting the service reads, declared once: name, type, default and meaning.

``core.config.from_environment`` reads exactly these from the environment, converts
and validates them at start (a bad value stops the process with a clear message), and
insists on the production-only ones under ``APP_ENV=production``. Code reads the typed
values from ``app.config``; nothing else reads ``os.environ`` for a setting.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class SettingError(ValueError):
    """A setting's value cannot be used; the message names the setting and what it expects."""


def _text(name: str, raw: str) -> str:
    return raw


def _whole(name: str, raw: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise SettingError(f"{name} must be a whole number, got {raw!r}") from None


def _number(name: str, raw: str) -> float:
    try:
        return float(raw.strip())
    except ValueError:
        raise SettingError(f"{name} must be a number, got {raw!r}") from None


def _flag(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise SettingError(f"{name} must be 1/0 (true/false), got {raw!r}")


def _http_url(name: str, raw: str) -> str:
    if not re.match(r"^https?://[^\s/]+", raw.strip()):
        raise SettingError(f"{name} must be an http(s) URL, got {raw!r}")
    return raw.strip().rstrip("/")


def _ws_url(name: str, raw: str) -> str:
    if not re.match(r"^wss?://[^\s/]+", raw.strip()):
        raise SettingError(f"{name} must be a ws(s):// URL, got {raw!r}")
    return raw.strip()


def _quiet_hours(name: str, raw: str) -> str:
    if raw.strip() and not re.match(r"^\d{1,2}:\d{2}-\d{1,2}:\d{2}$", raw.strip()):
        raise SettingError(f"{name} must look like 21:00-08:00 (or be empty to disable), got {raw!r}")
    return raw.strip()


@dataclass(frozen=True)
class Setting:
    name: str
    parse: Callable[[str, str], Any]
    default: Any
    meaning: str
    production_required: bool = False
    empty_means_default: bool = True  # "" in the environment counts as unset
    minimum: float | None = None


SETTINGS: tuple[Setting, ...] = (
    # -- the service ------------------------------------------------------------------------------
    Setting("APP_ENV", _text, "development", "production enables secure cookies and requires secrets"),
    Setting("BASE_URL", _http_url, None, "absolute links in feeds, OGP and bot messages (default http://127.0.0.1:$PORT)"),
    Setting("HOST", _text, "127.0.0.1", "monozukuri serve bind address"),
    Setting("PORT", _whole, 8000, "monozukuri serve port"),
    Setting("WEB_CONCURRENCY", _whole, 2, "gunicorn workers for monozukuri serve"),
    Setting("IMAGE_PROCESSING_SLOTS", _whole, 1, "image uploads decoded at once per web process (below gunicorn's 4 threads)",
            minimum=1),
    # -- channels ---------------------------------------------------------------------------------
    Setting("LINE_CHANNEL_SECRET", _text, None, "LINE channel secret (LINE off when missing)"),
    Setting("LINE_CHANNEL_ACCESS_TOKEN", _text, None, "LINE channel access token (LINE off when missing)"),
    Setting("LINE_API_BASE_URL", _http_url, "https://api.line.me", "LINE API base (tests: a local stand-in)"),
    Setting("LINE_FRIEND_URL", _text, None, "the add-friend link shown on the site"),
    Setting("LINE_REQUESTS_PER_SECOND", _number, 200.0, "LINE multicast requests per second (at most 200)"),
    Setting("LINE_LOGIN_CHANNEL_ID", _text, None, "LINE Login channel of the LIFF apps: ID tokens must be issued to it (LIFF forms off when missing)"),
    Setting("LIFF_SDK_URL", _http_url, "https://static.line-scdn.net/liff/edge/2/sdk.js", "LIFF SDK script loaded by the LIFF pages"),
    Setting("LINE_WORKER_THREADS", _whole, 16, "LINE events answered at once per worker process", minimum=1),
    Setting("WORKER_NICENESS", _whole, 5,
            "how far below the web processes the worker's CPU priority is (0 = the same)", minimum=0),
    Setting("WORKER_LEADER_RETRY_SECONDS", _number, 5.0,
            "how often a worker that does not run the scheduled jobs tries to take them over", minimum=0.1),
    Setting("DISCORD_BOT_TOKEN", _text, None, "Discord bot token (Discord off when missing)"),
    Setting("DISCORD_API_BASE_URL", _http_url, "https://discord.com", "Discord REST base (tests: a local stand-in)"),
    Setting("DISCORD_GATEWAY_URL", _ws_url, None, "Discord gateway websocket (default: Discord's; tests: a local stand-in)"),
    Setting("DISCORD_INVITE_URL", _text, None, "the join link shown on the site"),
    # -- the ward (問い合わせ先 and official accounts, shown on every page) ----------------------------
    Setting("WARD_CONTACT_NAME", _text, "大田区 産業経済部 ものづくり担当（デモ）", "問い合わせ先: the ward office section"),
    Setting("WARD_CONTACT_PHONE", _text, None, "問い合わせ先: telephone number"),
    Setting("WARD_CONTACT_EMAIL", _text, None, "問い合わせ先: e-mail address"),
    Setting("WARD_CONTACT_HOURS", _text, "平日 8時30分〜17時15分", "問い合わせ先: opening hours"),
    Setting("WARD_X_URL", _text, None, "the ward's official X account (footer link)"),
    Setting("WARD_YOUTUBE_URL", _text, None, "the ward's official YouTube channel (footer link)"),
    Setting("WARD_LINE_URL", _text, None, "the ward's official LINE account (footer link)"),
    Setting("X_USER_ACCESS_TOKEN", _text, None, "OAuth 2.0 user token of the ward's X account (tweet.write, media.write); missing = 「手動で投稿」"),
    Setting("X_API_BASE_URL", _http_url, "https://api.x.com", "X API v2 base (tests: a local stand-in)"),
    Setting("X_ACCOUNT_URL", _text, None, "the ward's official X account, linked in the footer and from posts"),
    Setting("YOUTUBE_FEED_BASE_URL", _http_url, "https://www.youtube.com", "YouTube's public Atom feeds (tests: a local stand-in)"),
    Setting("YOUTUBE_CHANNEL_URL", _text, None, "the ward's official YouTube channel, linked in the footer"),
    Setting("YOUTUBE_POLL_MINUTES", _number, 30.0, "how often the worker reads the YouTube feeds", minimum=1),
    # -- delivery ---------------------------------------------------------------------------------
    Setting("QUIET_HOURS", _quiet_hours, "21:00-08:00", "pushes wait outside this JST window; empty disables",
            empty_means_default=False),
    Setting("BROADCAST_POLL_SECONDS", _number, 5.0, "how often the worker looks for due deliveries"),
    Setting("BROADCAST_BATCH_SIZE", _whole, 20, "outbox rows claimed at once"),
    Setting("BROADCAST_LEASE_SECONDS", _number, 120.0, "a claimed row is retaken after this (crash recovery)"),
    Setting("BROADCAST_CONCURRENCY", _whole, 4, "parallel HTTP requests per worker"),
    Setting("BROADCAST_RETRY_BASE_SECONDS", _number, 2.0, "first retry backoff (doubles, with jitter)"),
    Setting("BROADCAST_RETRY_MAX_SECONDS", _number, 900.0, "longest retry backoff"),
    Setting("BROADCAST_MAX_ATTEMPTS", _whole, 10, "attempts before a delivery is given up"),
    Setting("BROADCAST_REQUEST_TIMEOUT", _number, 30.0, "seconds per platform request"),
    Setting("BROADCAST_RUN_BUDGET_SECONDS", _number, None, "one worker run drains this long (default 0.9 × poll)"),
    # -- public event registration limits (events.abuse): generous enough for a school registering a
    # class from one address; staff entries in the console are never limited.
    Setting("EVENT_LIMIT_PER_IP_HOUR", _whole, 40, "public registrations per address and hour", minimum=1),
    Setting("EVENT_LIMIT_PER_CONTACT_DAY", _whole, 5, "registrations per contact (e-mail/phone) and day", minimum=1),
    Setting("EVENT_BURST_COUNT", _whole, 5, "this many registrations from one address …", minimum=1),
    Setting("EVENT_BURST_SECONDS", _whole, 10, "… within this many seconds are held for staff review", minimum=1),
    Setting("EVENT_MIN_FILL_SECONDS", _number, 3.0, "a form sent faster than this after opening is held for review",
            minimum=0),
    # -- mail ---------------------------------------------------------------------------------------
    Setting("SMTP_HOST", _text, None, "mail server for web registrants (no mail when missing)"),
    Setting("SMTP_PORT", _whole, 587, "mail server port"),
    Setting("SMTP_USER", _text, None, "mail server user"),
    Setting("SMTP_PASSWORD", _text, None, "mail server password"),
    Setting("SMTP_STARTTLS", _flag, True, "0 to send without STARTTLS (it is used when the server offers it)"),
    Setting("MAIL_FROM", _text, "no-reply@monozukuri.example.jp", "sender address of mails"),
    # -- retention ----------------------------------------------------------------------------------
    Setting("REGISTRATION_RETENTION_DAYS", _whole, 30, "names and contacts of registrations are erased this many days after the event",
            minimum=0),
    Setting("KPI_RAW_RETENTION_DAYS", _whole, 90, "raw page views and clicks are rolled up and dropped after this many days",
            minimum=1),
    Setting("PAGE_CACHE", _flag, True, "off renders every public page afresh (benchmarks of the uncached path, debugging)"),
    # -- files --------------------------------------------------------------------------------------
    Setting("JP_FONT_PATH", _text, None, "Japanese font for OGP and rich-menu images (default: system Noto CJK …)"),
)

BY_NAME = {setting.name: setting for setting in SETTINGS}


def read(environ, setting: Setting) -> Any:
    """The typed value of one setting from the environment (its default when unset)."""
    raw = environ.get(setting.name)
    if raw is None or (raw == "" and setting.empty_means_default):
        return setting.default
    value = setting.parse(setting.name, raw)
    if setting.minimum is not None and value < setting.minimum:
        raise SettingError(f"{setting.name} must be at least {setting.minimum:g}, got {raw!r}")
    return value
