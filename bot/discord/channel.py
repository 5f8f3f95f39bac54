"""Discord as an outbound channel: one embed per routed server channel, with role pings."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask import render_template
from markupsafe import Markup

from bot.discord.delivery import DiscordSender, discord_configured
from bot.discord.posts import discord_from_response, discord_payload
from channels.base import Channel, Destination
from notifications import routing


class DiscordChannel(Channel):
    name = "discord"
    label = "Discord"
    chat = True
    fanout = "destinations"

    def configured(self, config: Mapping) -> bool:
        return discord_configured(config)

    def setup_hint(self) -> str:
        return "DISCORD_BOT_TOKEN を設定してください"

    def unavailable_reason(self, session, config: Mapping, topics: Sequence[str]) -> str | None:
        reason = super().unavailable_reason(session, config, topics)
        if reason is None and not self.destinations(session, topics):
            return "このトピックのDiscord投稿先チャンネルが設定されていません（配信設定で設定してください）"
        return reason

    def render(self, config: Mapping, draft) -> dict:
        return discord_payload(draft)

    def render_response(self, config: Mapping, response) -> dict:
        return discord_from_response(response)

    def destinations(self, session, topics: Sequence[str]) -> list[Destination]:
        return [Destination(target.channel_id, tuple(target.role_ids), f"チャンネル {target.channel_id}")
                for target in routing.discord_targets(session, topics)]

    def show(self, session, draft, topics: Sequence[str]) -> Markup:
        html = render_template("channels/discord_preview.html", draft=draft,
                               destinations=self.destinations(session, topics) or [Destination("")])
        return Markup(html)

    def sender(self, config: Mapping, timeout: float) -> DiscordSender | None:
        return DiscordSender(config, timeout) if self.configured(config) else None


CHANNEL_CLASS = DiscordChannel
