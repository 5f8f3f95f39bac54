"""The ward's official X account as an outbound channel (every post needs a ward approval)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask import render_template
from markupsafe import Markup

from bot.x import problems
from bot.x.counter import MAX_WEIGHTED_LENGTH, weighted_length
from bot.x.sender import ManualSender, XSender, x_token
from bot.x.thread import post_text, post_weight, split_thread
from channels.base import Channel, ChannelPreview, Destination


def too_long(weight: int) -> str:
    return (f"Xの投稿は{MAX_WEIGHTED_LENGTH}（半角換算、全角は2・URLは23と数えます）までです。"
            f"現在{weight}です。本文を短くするか、「スレッドに分けて投稿」を選んでください")


def posts_for(draft) -> list[str]:
    link = draft.card.url if draft.card else None
    return split_thread(draft.text, link) if draft.thread else [post_text(draft.text, link)]


class XChannel(Channel):
    name = "x"
    label = "公式X"
    fanout = "destinations"
    public = True  # what went out on X is also shown on /posts, linking to the post
    needs_approval = True
    reach_reported = True  # reach = the impressions X reports (bot.x.insight); none fetched = 不明

    def setup_hint(self) -> str:
        return "X_USER_ACCESS_TOKEN を設定すると自動で投稿します（未設定の間は「手動で投稿」）"

    def unavailable_reason(self, session, config: Mapping, topics: Sequence[str]) -> str | None:
        problem = problems.open_problem(session) if x_token(config) else None
        if problem is not None:
            return ("公式Xは停止中です（Xがアクセストークンを受け付けませんでした）。"
                    "トークンを確認してから、Xの管理画面で「再開」を押してください")
        return None

    def check_draft(self, config: Mapping, draft) -> str | None:
        if draft.thread:
            return None
        weight = post_weight(draft.text, draft.card.url if draft.card else None)
        return too_long(weight) if weight > MAX_WEIGHTED_LENGTH else None

    def render(self, config: Mapping, draft) -> dict:
        image = draft.card.image_url if draft.card else None
        prefix = f"{config['BASE_URL']}/media/"
        return {"posts": posts_for(draft),
                "image": image[len(prefix):] if image and image.startswith(prefix) else None}

    def destinations(self, session, topics: Sequence[str]):
        return [Destination("timeline", (), "公式Xのタイムライン")]

    def show(self, session, draft, topics: Sequence[str]) -> Markup:
        posts = [(text, weighted_length(text)) for text in posts_for(draft)]
        return Markup(render_template("channels/x_preview.html", posts=posts, limit=MAX_WEIGHTED_LENGTH,
                                      image=draft.card.image_url if draft.card else None))

    def preview(self, session, config, draft, topics: Sequence[str], personas: Sequence[str]) -> ChannelPreview:
        notes = ["公式Xへの投稿は、区の承認後に送信されます"]
        if not x_token(config):
            notes.append("Xのアクセストークンが未設定のため、承認後に「手動で投稿」で投稿します")
        return ChannelPreview(self.name, self.label, self.show(session, draft, topics), notes=tuple(notes))

    def sender(self, config: Mapping, timeout: float):
        return XSender(config, timeout) if x_token(config) else ManualSender()

    def fetch_statistics(self, session, config: Mapping, today) -> int | None:
        from bot.x import insight

        return insight.fetch_impressions(session, config, today)

    def post_url(self, config: Mapping, external_ref: str | None) -> str | None:
        if not external_ref:
            return None
        if external_ref.startswith("https://"):
            return external_ref  # pasted by staff after a manual post
        account = (config.get("X_ACCOUNT_URL") or "https://x.com/i/web").rstrip("/")
        return f"{account}/status/{external_ref}"


CHANNEL_CLASS = XChannel
