"""The web timeline (/posts) as a channel: a post is public the moment its broadcast starts."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask import render_template
from markupsafe import Markup

from channels.base import Channel, ChannelPreview


class WebChannel(Channel):
    name = "web"
    label = "Webサイト"
    fanout = "timeline"
    public = True

    def show(self, session, draft, topics: Sequence[str]) -> Markup:
        return Markup(render_template("channels/web_preview.html", draft=draft))

    def preview(self, session, config, draft, topics: Sequence[str], personas: Sequence[str]) -> ChannelPreview:
        return ChannelPreview(self.name, "Web（お知らせ一覧）", self.show(session, draft, topics))

    def render(self, config: Mapping, draft) -> None:
        return None  # the timeline shows the broadcast itself (notifications.preview.post_view)


CHANNEL_CLASS = WebChannel
