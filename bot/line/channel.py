"""LINE as an outbound channel: Flex bubbles multicast to subscribers, 500 per request."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from flask import render_template
from markupsafe import Markup

from bot.line.delivery import LineSender, line_configured
from bot.line.render import render
from channels.base import Channel, ChannelPreview, Quota
from messages.limits import link
from messages.replies import BotResponse, Cards
from notifications import compose
from notifications.audience import count_audience, segment_sizes
from notifications.settings import LINE_CHUNK_SIZE


def with_settings_button(response: BotResponse, settings_url: str | None) -> BotResponse:
    """Broadcast cards get a 「受信設定」 button that opens the LIFF settings form."""
    if settings_url is None:
        return response
    button = link("受信設定を変える", settings_url)
    response.messages = [
        Cards(tuple(replace(card, extra_buttons=card.extra_buttons + (button,)) for card in m.cards), m.alt_text)
        if isinstance(m, Cards) else m
        for m in response.messages
    ]
    return response


class LineChannel(Channel):
    name = "line"
    label = "LINE"
    chat = True
    fanout = "subscribers"
    chunk_size = LINE_CHUNK_SIZE
    counts_people = True
    quota_limited = True
    paced = True

    def configured(self, config: Mapping) -> bool:
        return line_configured(config)

    def setup_hint(self) -> str:
        return "LINE_CHANNEL_ACCESS_TOKEN を設定してください"

    def render(self, config: Mapping, draft) -> list[dict]:
        from core.db import db

        settings_url = self.form_url(db.session, config, "settings")
        return render(with_settings_button(compose.bot_response(draft), settings_url))

    def render_response(self, config: Mapping, response) -> list[dict]:
        return render(response)

    def show(self, session, draft, topics: Sequence[str]) -> Markup:
        return Markup(render_template("channels/line_preview.html", draft=draft))

    def preview(self, session, config, draft, topics: Sequence[str], personas: Sequence[str]) -> ChannelPreview:
        from notifications.reports import QuotaCheck  # the composer's wording of the quota

        check = QuotaCheck(self.reach(session, topics, personas), self.quota(config), self.label)
        sizes = segment_sizes(session, topics, personas, self.name)
        requests = sum(-(-size // self.chunk_size) for size in sizes.values())
        cost = (f"送信リクエスト: {requests:,}件（対象の区分ごとに{self.chunk_size}人ずつ。"
                f"区分ごとにリンクを分けて、どの区分が開いたかを数えます）")
        quota = ((), (check.message,)) if check.exceeds else ((check.message,), ())
        return ChannelPreview(self.name, self.label, self.show(session, draft, topics),
                              notes=(*quota[0], cost), warnings=quota[1])

    def sender(self, config: Mapping, timeout: float) -> LineSender | None:
        return LineSender(config, timeout) if self.configured(config) else None

    def quota(self, config: Mapping) -> Quota | None:
        if not self.configured(config):
            return None
        with LineSender(config, timeout=5.0) as sender:
            return sender.quota()

    def form_url(self, session, config: Mapping, form: str, params: Mapping[str, object] | None = None) -> str | None:
        """The LIFF URL of a deployed form, when LIFF is configured (LINE_LOGIN_CHANNEL_ID)."""
        from bot.line.liff_apps import liff_url
        from bot.line.liff_identity import liff_enabled

        return liff_url(session, form, params) if liff_enabled(config) else None

    def fetch_statistics(self, session, config: Mapping, today) -> int | None:
        if not self.configured(config):
            return None
        from bot.line import insight

        return insight.fetch_all(session, config, today)

    def reach(self, session, topics: Sequence[str], personas: Sequence[str]) -> int:
        # LINE counts a multicast per recipient, however many message objects it carries.
        return count_audience(session, topics, personas, self.name)


CHANNEL_CLASS = LineChannel
