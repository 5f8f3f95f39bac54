"""The broadcast composers never send Discord what it refuses: every demo article as an
announcement and as a pushed reply, posted to the strict stand-in (schema, content and
embed limits, component rules). The ``standin`` fixture fails on any refused request."""
from __future__ import annotations

from sqlalchemy import select

from bot.discord.posts import discord_from_response, discord_payload
from bot.discord.rest import DiscordRest
from content.models import Article
from core.db import db
from messages.replies import BotResponse, Cards, Text
from notifications import compose
from tests.bot.discord.discord_helpers import NEWS_CHANNEL, TEXT_CHANNEL


def test_every_demo_article_as_an_announcement_is_accepted_by_discord(demo_app, standin):
    articles = db.session.scalars(select(Article).where(Article.status == "published")).all()
    assert len(articles) >= 5
    with DiscordRest(demo_app.config) as rest:
        for i, article in enumerate(articles):
            draft = compose.draft(demo_app.config, "新しい記事です。\n" + article.summary, article,
                                  channel="discord", broadcast_id=i + 1)
            rest.post(f"/channels/{NEWS_CHANNEL}/messages", discord_payload(draft))
        plain = compose.draft(demo_app.config, "お知らせ本文")  # no article: one embed, no buttons
        rest.post(f"/channels/{TEXT_CHANNEL}/messages", discord_payload(plain))
    posted = standin.messages_in(NEWS_CHANNEL)
    assert len(posted) == len(articles)
    assert all(m["components"][0]["components"][0]["style"] == 5 for m in posted)  # link buttons, no custom_id
    assert standin.validation_errors == []


def test_a_pushed_reply_with_many_cards_is_accepted_by_discord(demo_app, standin):

    articles = db.session.scalars(select(Article).where(Article.status == "published")).all()[:8]
    cards = tuple(compose.article_card(demo_app.config, a, "discord", 1) for a in articles)
    payload = discord_from_response(BotResponse([Text("リマインドです"), Cards(cards, "記事")]))
    with DiscordRest(demo_app.config) as rest:
        rest.post(f"/channels/{TEXT_CHANNEL}/messages", payload)
    [message] = standin.messages_in(TEXT_CHANNEL)
    assert len(message["embeds"]) == 5 and len(message["components"]) == 1
    assert standin.validation_errors == []
