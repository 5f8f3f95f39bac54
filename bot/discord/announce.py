"""Announcement follow-ups on Discord: publish in announcement channels, a thread per feature.

The broadcast pipeline posts an announcement (embed + role ping, see
``notifications.discord_delivery``); then ``follow_up`` does the Discord-only
extras, as the server settings (console → Discord) allow:
- crosspost (publish) the message when the channel is an announcement channel,
  so servers following it get the post too;
- open a discussion thread on the message when it is a feature article.
Both are idempotent (a second crosspost/thread is recognised and ignored), so
the bot's own message listener and the pipeline may both call it safely.
Missing permissions become a problem for staff (console), never an exception.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from bot.discord import problems, settings
from bot.discord.rest import DiscordError, DiscordRest
from channels.links import read_token
from content.models import Article

log = logging.getLogger(__name__)
ANNOUNCEMENT_CHANNEL = 5
ALREADY_CROSSPOSTED, ALREADY_THREADED = 40033, 160004
THREAD_NAME_MAX = 100
THREAD_ARCHIVE_MINUTES = 10080  # a week: long enough for a discussion to find its readers
FEATURE = "feature"


@dataclass
class FollowUp:
    crossposted: bool = False
    thread_id: str | None = None


def _problem(action: str, target: str, exc: DiscordError) -> None:
    if exc.forbidden or exc.missing:
        problems.record(action, target, status=exc.status, code=exc.code, detail=problems.advice(exc.code))
    else:
        log.error("Discord %s on %s failed: %s", action, target, exc)


def channel_type(rest: DiscordRest, channel_id: str) -> int | None:
    try:
        return int(rest.get(f"/channels/{channel_id}")["type"])
    except DiscordError as exc:
        _problem("crosspost", channel_id, exc)
        return None


def crosspost(rest: DiscordRest, channel_id: str, message_id: str) -> bool:
    try:
        rest.post(f"/channels/{channel_id}/messages/{message_id}/crosspost")
    except DiscordError as exc:
        if exc.code == ALREADY_CROSSPOSTED:
            return True
        _problem("crosspost", channel_id, exc)
        return False
    return True


def open_thread(rest: DiscordRest, channel_id: str, message_id: str, name: str) -> str | None:
    body = {"name": (name.strip() or "ディスカッション")[:THREAD_NAME_MAX], "auto_archive_duration": THREAD_ARCHIVE_MINUTES}
    try:
        thread = rest.post(f"/channels/{channel_id}/messages/{message_id}/threads", body)
    except DiscordError as exc:
        if exc.code == ALREADY_THREADED:
            return message_id  # a thread's id is its starter message's id
        _problem("thread", channel_id, exc)
        return None
    return str(thread["id"])


def follow_up(session: Session, config: Mapping, rest: DiscordRest, channel_id: str, message_id: str, *,
              article: Article | None = None, kind: int | None = None) -> FollowUp:
    """After an announcement was posted: crosspost and/or open a thread, as configured."""
    current, done = settings.load(session), FollowUp()
    if current.crosspost:
        kind = kind if kind is not None else channel_type(rest, channel_id)
        if kind == ANNOUNCEMENT_CHANNEL:
            done.crossposted = crosspost(rest, channel_id, message_id)
    if current.feature_threads and article is not None and article.category == FEATURE:
        done.thread_id = open_thread(rest, channel_id, message_id, article.title)
    return done


def article_in(session: Session, config: Mapping, urls: Iterable[str | None]) -> Article | None:
    """The article an announcement links to, read from its tracked link (``/r/<token>``)."""
    base = str(config["BASE_URL"]).rstrip("/")
    for url in urls:
        if not url or not url.startswith(f"{base}/r/"):
            continue
        link = read_token(config["SECRET_KEY"], urlsplit(url).path.rsplit("/", 1)[-1])
        if link is not None and link.article_id:
            return session.get(Article, link.article_id)
    return None


def follow_up_posted(session: Session, config: Mapping, channel_id: str, message_id: str,
                     urls: list[str | None], kind: int | None) -> FollowUp | None:
    """The bot saw its own post: follow up when it is an announcement in a configured channel."""
    if channel_id not in set(settings.topic_channels(session).values()):
        return None
    article = article_in(session, config, urls)
    with DiscordRest(config) as rest:
        return follow_up(session, config, rest, channel_id, message_id, article=article, kind=kind)


def after_post(config: Mapping, channel_id: str, message_id: str, payload: dict) -> FollowUp | None:
    """For the broadcast sender (any thread): follow up a channel post it just made.

    ``payload`` is the create-message body it sent; the article is read from its
    embed links. The bot process does the same for every announcement it sees,
    so calling this is only needed when ``monozukuri discord`` is not running.
    """
    from core.db import db

    urls = [embed.get("url") for embed in payload.get("embeds") or [] if isinstance(embed, dict)]
    session = db.new_session()
    try:
        return follow_up_posted(session, config, str(channel_id), str(message_id), urls, None)
    except Exception:  # a follow-up is an extra: the announcement itself was delivered
        log.exception("Discord follow-up of message %s failed", message_id)
        return None
    finally:
        session.close()
