"""One conversation turn: the session, the incoming message and the app config."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from channels import links, registry
from messages.replies import IncomingMessage


@dataclass
class Turn:
    session: Session
    message: IncomingMessage
    config: Mapping

    @property
    def channel(self) -> str:
        return self.message.channel

    @property
    def user_id(self) -> str:
        return self.message.user_id

    @property
    def base_url(self) -> str:
        return str(self.config["BASE_URL"]).rstrip("/")

    @property
    def tracking_channel(self) -> str:
        # Channels tracked links know; the web playground and test fakes count as "web".
        return self.channel if self.channel in registry.names(self.config) else "web"

    def tracked(self, path: str, article_id: int | None = None, campaign: str | None = None) -> str:
        """A ``/r/<token>`` link to a page of the site, attributed to this channel and user."""
        return links.tracked_url(
            self.config, path, channel=self.tracking_channel, article_id=article_id,
            recipient=self.user_id or None, campaign=campaign,
        )

    def form_url(self, form: str, **params: object) -> str | None:
        """The channel's in-app form link (LINE: a LIFF URL), or None (then chat or web pages serve)."""
        try:
            channel = registry.get(self.channel, self.config)
        except registry.UnknownChannel:
            return None
        return channel.form_url(self.session, self.config, form, params)
