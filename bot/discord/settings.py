"""Server settings (staff console → Discord) and the topic → role mapping the bot applies.

The role a topic pings is part of the broadcast settings (配信設定:
``notifications.routing``), so ``/subscribe`` gives exactly the role the
announcements mention. Without the broadcasting module, no roles are mapped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.discord.models import SETTINGS_ID, DiscordSettings

SNOWFLAKE = re.compile(r"^\d{15,22}$")


class SettingsError(ValueError):
    """Invalid console input; the message is Japanese, for staff."""


@dataclass(frozen=True)
class SettingsForm:
    guild_id: str = ""
    welcome_channel_id: str = ""
    crosspost: bool = True
    feature_threads: bool = True
    scheduled_events: bool = True


def load(session: Session) -> DiscordSettings:
    """The settings row (defaults when staff have not saved any yet; not added to the session)."""
    row = session.get(DiscordSettings, SETTINGS_ID)
    if row is None:
        row = DiscordSettings(id=SETTINGS_ID, crosspost=True, feature_threads=True, scheduled_events=True)
    return row


def stored(session: Session) -> DiscordSettings:
    """The settings row, created on first use (for the bot's own bookkeeping)."""
    row = session.get(DiscordSettings, SETTINGS_ID)
    if row is None:
        row = load(session)
        session.add(row)
        session.flush()
    return row


def snowflake(value: str, what: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if not SNOWFLAKE.match(value):
        raise SettingsError(f"{what}は一覧から選んでください")
    return value


def save(session: Session, form: SettingsForm, choices=None) -> tuple[DiscordSettings, str]:
    """Save the server settings; returns the row and a note for staff ("" when none).

    ``choices`` (``bot.discord.directory.Directory`` of the submitted server): what staff
    could pick from. A value must be one of them, or what is saved already (kept when
    Discord could not be asked).
    """
    current = load(session)
    guild = snowflake(form.guild_id, "サーバー")
    welcome = snowflake(form.welcome_channel_id, "歓迎メッセージのチャンネル")
    note = ""
    if choices is not None and guild is not None and guild != current.guild_id:
        if not choices.guilds_loaded:
            raise SettingsError("Discordからサーバーの一覧を読み込めないため、サーバーを変えられません。"
                                "しばらくしてから、もう一度お試しください")
        if guild not in choices.guild_ids():
            raise SettingsError("サーバーは、ボットが参加しているサーバーの一覧から選んでください")
    if choices is not None and welcome is not None and not (choices.available and welcome in choices.channel_ids()):
        if guild != current.guild_id and welcome == current.welcome_channel_id:
            welcome, note = None, "サーバーを変えたので、歓迎メッセージのチャンネルを選び直してください。"
        elif welcome != current.welcome_channel_id or guild != current.guild_id:
            raise SettingsError("歓迎メッセージのチャンネルは、選んだサーバーのチャンネルの一覧から選んでください")
    if form.scheduled_events and guild is None:
        raise SettingsError("Discordのイベントを作るには、サーバーを選んでください")
    row = stored(session)
    row.guild_id, row.welcome_channel_id = guild, welcome
    row.crosspost, row.feature_threads = form.crosspost, form.feature_threads
    row.scheduled_events = form.scheduled_events
    return row, note


def _routing():
    try:
        from notifications import routing
    except ImportError:  # broadcasting not installed: nothing is announced, so no roles either
        return None
    return routing


def topic_roles(session: Session) -> dict[str, str]:
    """topic key → Discord role id, for the topics whose announcements ping a role."""
    routing = _routing()
    if routing is None:
        return {}
    return {topic: route.role_id for topic, route in routing.routes(session).items()
            if route.role_id and topic != routing.DEFAULT_ROUTE}


def topic_channels(session: Session) -> dict[str, str]:
    """topic key → announcement channel id ("*" = the default channel)."""
    routing = _routing()
    if routing is None:
        return {}
    return {topic: route.channel_id for topic, route in routing.routes(session).items()}
