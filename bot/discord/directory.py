"""What staff choose from in the console: the Discord servers the bot is in, and a server's
channels and roles, read from Discord's REST API (``GET /users/@me/guilds``,
``/guilds/{id}/channels``, ``/guilds/{id}/roles``).

Staff pick 「#お知らせ」 or 「@見学会」 by name; the numeric ids stay behind the scenes.
When the lists cannot be read (the bot is off, in no server, removed from the chosen
server, or Discord does not answer) ``Directory.problem`` says so in plain Japanese and
the pages keep what is saved.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.discord.rest import DiscordError, DiscordRest

log = logging.getLogger(__name__)
TEXT, CATEGORY, ANNOUNCEMENT = 0, 4, 5
POSTABLE = (TEXT, ANNOUNCEMENT)  # channels the bot can post announcements and welcomes in
MISSING_ACCESS, UNKNOWN_GUILD = 50001, 10004

NOT_CONFIGURED = ("Discordのボットが設定されていないため、サーバー・チャンネル・ロールの一覧を読み込めません"
                  "（システム担当者にご相談ください）。")
NO_SERVER = ("ボットがまだどのDiscordサーバーにも参加していません。サーバーの管理者に、ボットをサーバーへ"
             "招待してもらってください。招待すると、ここでチャンネルとロールを選べるようになります。")
NOT_IN_SERVER = ("ボットが、設定されているDiscordサーバーに参加していません（サーバーから外されたか、サーバーが"
                 "なくなった可能性があります）。ボットを招待し直すか、Discord設定で別のサーバーを選んでください。")
CHOOSE_SERVER = "ボットが参加しているサーバーが複数あります。先に「Discord設定」でサーバーを選んで保存してください。"
BAD_LOGIN = ("Discordがボットの接続を受け付けませんでした（ボットの設定が正しくない可能性があります）。"
             "システム担当者にご相談ください。")
UNREACHABLE = ("Discordに接続できなかったため、チャンネルとロールの一覧を読み込めませんでした。"
               "しばらくしてから、もう一度このページを開いてください（保存されている設定は変わりません）。")


@dataclass(frozen=True)
class Choice:
    id: str
    label: str  # 「#お知らせ」, 「@見学会」, or the server's name
    group: str = ""  # the channel's category in Discord
    note: str = ""  # e.g. that a role cannot be mentioned


@dataclass
class Directory:
    """The choices for one server; ``problem`` is a Japanese sentence when they could not be read."""

    guilds: list[Choice] = field(default_factory=list)
    guild_id: str | None = None  # the server whose channels and roles are listed
    channels: list[Choice] = field(default_factory=list)
    roles: list[Choice] = field(default_factory=list)
    problem: str = ""
    guilds_loaded: bool = False  # the server list itself was read (even when the channels were not)

    @property
    def available(self) -> bool:
        """The channels and roles were read: a choice can be checked against them."""
        return not self.problem and self.guild_id is not None

    @property
    def needs_server(self) -> bool:
        """The bot is in several servers and none is chosen yet."""
        return self.problem == CHOOSE_SERVER

    def channel_ids(self) -> set[str]:
        return {c.id for c in self.channels}

    def role_ids(self) -> set[str]:
        return {r.id for r in self.roles}

    def guild_ids(self) -> set[str]:
        return {g.id for g in self.guilds}

    def channel_label(self, channel_id: str | None) -> str:
        return _label(self.channels, channel_id, "見つからないチャンネル")

    def role_label(self, role_id: str | None) -> str:
        return _label(self.roles, role_id, "見つからないロール")

    def guild_label(self, guild_id: str | None) -> str:
        return _label(self.guilds, guild_id, "ボットが参加していないサーバー")

    def channel_groups(self) -> list[tuple[str, list[Choice]]]:
        """Channels under their Discord categories, in Discord's order (for <optgroup>)."""
        groups: dict[str, list[Choice]] = {}
        for choice in self.channels:
            groups.setdefault(choice.group, []).append(choice)
        return list(groups.items())


def _label(choices: list[Choice], wanted: str | None, missing: str) -> str:
    if not wanted:
        return ""
    return next((c.label for c in choices if c.id == wanted), missing)


def _channels(raw: list[dict]) -> list[Choice]:
    categories = {str(c["id"]): c for c in raw if c.get("type") == CATEGORY}

    def place(channel: dict) -> tuple:
        parent = categories.get(str(channel.get("parent_id") or ""))
        return (parent.get("position", 0) if parent else -1, str(parent["id"]) if parent else "",
                channel.get("position", 0), int(channel["id"]))

    postable = sorted((c for c in raw if c.get("type") in POSTABLE), key=place)
    out = []
    for channel in postable:
        parent = categories.get(str(channel.get("parent_id") or ""))
        note = "アナウンスチャンネル" if channel.get("type") == ANNOUNCEMENT else ""
        out.append(Choice(str(channel["id"]), f"#{channel.get('name', '')}", parent.get("name", "") if parent else "",
                          note))
    return out


def _roles(raw: list[dict], guild_id: str) -> list[Choice]:
    """Roles members can be given: not @everyone, not a bot's or an integration's own role."""
    usable = [r for r in raw if str(r["id"]) != guild_id and not r.get("managed")]
    usable.sort(key=lambda r: (-int(r.get("position", 0)), int(r["id"])))
    return [Choice(str(r["id"]), f"@{r.get('name', '')}", note="" if r.get("mentionable") else "メンションできない設定")
            for r in usable]


def load(config: Mapping, guild_id: str | None = None) -> Directory:
    """The servers the bot is in and, for ``guild_id`` (or the only server), its channels and roles."""
    if not config.get("DISCORD_BOT_TOKEN"):
        return Directory(problem=NOT_CONFIGURED)
    found = Directory()
    try:
        with DiscordRest(config, max_retries=1, backoff=0.3, max_wait=5.0, timeout=5.0) as rest:
            raw_guilds = rest.get("/users/@me/guilds?limit=200") or []
            found.guilds = sorted((Choice(str(g["id"]), g.get("name", "")) for g in raw_guilds),
                                  key=lambda c: c.label)
            found.guilds_loaded = True
            if not found.guilds:
                found.problem = NO_SERVER
                return found
            if guild_id is None and len(found.guilds) == 1:
                guild_id = found.guilds[0].id
            if guild_id is None:
                found.problem = CHOOSE_SERVER
                return found
            if guild_id not in found.guild_ids():
                found.problem = NOT_IN_SERVER
                return found
            found.channels = _channels(rest.get(f"/guilds/{guild_id}/channels") or [])
            found.roles = _roles(rest.get(f"/guilds/{guild_id}/roles") or [], guild_id)
            found.guild_id = guild_id
    except DiscordError as exc:
        log.warning("Discord lists for the console could not be read: %s", exc)
        found.channels, found.roles, found.guild_id = [], [], None
        if exc.status == 401:
            found.problem = BAD_LOGIN
        elif exc.code in (MISSING_ACCESS, UNKNOWN_GUILD):
            found.problem = NOT_IN_SERVER
        else:
            found.problem = UNREACHABLE
    except (OSError, ValueError, KeyError, TypeError) as exc:  # an answer we cannot read is a failure too
        log.warning("Discord lists for the console could not be read: %s", exc)
        found.channels, found.roles, found.guild_id, found.problem = [], [], None, UNREACHABLE
    return found


def for_saved_server(session, config) -> Directory:
    """The choices for the server saved in Discord設定 (or the bot's only server)."""
    from bot.discord import settings

    return load(config, settings.load(session).guild_id)


def answer_choices_request(app, session=None, **_data) -> Directory:
    """Receiver of ``core.signals.discord_choices_requested`` (the broadcast settings page)."""
    return for_saved_server(session, app.config)
