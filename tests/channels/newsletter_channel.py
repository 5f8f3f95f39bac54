"""A channel that exists only in the tests: an e-mail newsletter, sent in BCC batches of 2.

It proves that a new channel is one module (this file) + one registry entry (here the
``EXTRA_CHANNEL_PLUGINS`` setting) and goes through compose → preview → send →
report → KPI without any other production file knowing about it.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

from channels.base import Channel, ChannelPreview, Delivery
from channels.outcome import Outcome
from notifications.audience import count_audience

SENT: list[dict] = []  # what the "mail server" accepted, in order


class NewsletterSender:
    def __init__(self, config: Mapping) -> None:
        self.refuse_next = int(config.get("NEWSLETTER_REFUSE_NEXT", 0))

    def send(self, delivery: Delivery) -> Outcome:
        if self.refuse_next:
            self.refuse_next -= 1
            return Outcome.retry("メールサーバーが一時的に応答しません", 421)
        SENT.append({"bcc": list(delivery.recipients), "key": delivery.retry_key, **delivery.payload})
        return Outcome.sent(250, f"mail-{len(SENT)}")

    def close(self) -> None:
        pass


class NewsletterChannel(Channel):
    name = "newsletter"
    label = "メールマガジン"
    fanout = "subscribers"
    chunk_size = 2
    counts_people = True
    chat = True

    def configured(self, config: Mapping) -> bool:
        return bool(config.get("NEWSLETTER_FROM"))

    def setup_hint(self) -> str:
        return "NEWSLETTER_FROM を設定してください"

    def render(self, config: Mapping, draft) -> dict:
        link = draft.card.url if draft.card else None
        return {"subject": draft.title, "body": "\n\n".join(p for p in (draft.text, link) if p)}

    def render_response(self, config: Mapping, response) -> dict:
        text = "\n".join(getattr(m, "text", "") for m in response.messages)
        return {"subject": "お知らせ", "body": text}

    def show(self, session, draft, topics: Sequence[str]) -> Markup:
        return Markup('<div class="newsletter"><p>件名: {}</p><pre>{}</pre></div>').format(
            draft.title, escape(draft.text))

    def preview(self, session, config, draft, topics: Sequence[str], personas: Sequence[str]) -> ChannelPreview:
        count = self.reach(session, topics, personas)
        return ChannelPreview(self.name, self.label, self.show(session, draft, topics),
                              notes=(f"メール配信の見込み: {count}通",))

    def sender(self, config: Mapping, timeout: float) -> NewsletterSender | None:
        return NewsletterSender(config) if self.configured(config) else None

    def reach(self, session, topics: Sequence[str], personas: Sequence[str]) -> int:
        return count_audience(session, topics, personas, self.name)


CHANNEL_CLASS = NewsletterChannel
