"""The bot never sends LINE what LINE refuses: conversations over the demo content and
every demo article as a broadcast, rendered and checked by the strict stand-in
(schema + documented limits: https images, colours, aspect ratios, URI schemes,
UTF-16 lengths, template altText...)."""
from __future__ import annotations

from sqlalchemy import select

from bot.core.testing import FakeAdapter
from bot.line import limits
from bot.line.channel import LineChannel
from bot.line.render import render
from content.models import Article
from core.db import db
from messages.replies import BotResponse, Choice, Confirm
from notifications import compose
from tests.bot.line.line_helpers import USER
from tests.bot.line.test_line_render import accepted_by_line

OPENERS = ["新着", "イベント", "ワークショップ", "見学", "旋盤", "ねじ", "ヘルプ", "設定", "🏭工場見学したい",
           "あ" * 300, "通知", "データを削除"]
EXCHANGES_MAX = 80


def explore(adapter: FakeAdapter) -> list[BotResponse]:
    """Follow, the openers, then every choice the bot offered (once each), breadth first."""
    adapter.follow(USER, display_name="山田 太郎")
    for text in OPENERS:
        adapter.send_text(USER, text)
    seen: set[tuple] = set()
    queue = [c for response in adapter.responses for c in choices_of(response)]
    while queue and len(adapter.exchanges) < EXCHANGES_MAX:
        choice = queue.pop(0)
        key = (choice.data, choice.text)
        if key in seen or choice.url is not None:
            continue
        seen.add(key)
        queue += choices_of(adapter.tap(USER, choice))
    return adapter.responses


def choices_of(response: BotResponse) -> list[Choice]:
    confirms = [c for m in response.messages if isinstance(m, Confirm) for c in (m.yes, m.no)]
    buttons = [b for m in response.messages for card in getattr(m, "cards", ()) for b in card.extra_buttons]
    return list(response.quick_replies) + confirms + buttons


def test_every_reply_of_a_wide_conversation_is_accepted_by_line(line_demo_app, line):
    responses = explore(FakeAdapter(db.session, line_demo_app.config))
    rendered = [render(response) for response in responses]

    assert len(rendered) >= 40  # the exploration really went wide
    kinds = {m["type"] for messages in rendered for m in messages}
    assert {"text", "flex", "template"} <= kinds
    assert any("hero" in b for messages in rendered for m in messages if m["type"] == "flex"
               for b in m["contents"]["contents"])  # the photos were part of what LINE checked
    for messages in rendered:
        if messages:
            accepted_by_line(line, messages)
    assert len(line.calls_to("/v2/bot/message/validate/reply")) == sum(1 for m in rendered if m)


def test_every_demo_article_as_a_broadcast_is_accepted_by_line(line_demo_app, line):
    articles = db.session.scalars(select(Article).where(Article.status == "published")).all()
    assert len(articles) >= 5
    for i, article in enumerate(articles):
        draft = compose.draft(line_demo_app.config, "新しい記事を公開しました。\n" + article.summary[:200], article,
                              channel="line", broadcast_id=i + 1)
        accepted_by_line(line, LineChannel().render(line_demo_app.config, draft))


def test_a_long_confirm_question_keeps_the_template_alt_text_within_400(line):
    """Regression: template altText was cut at 1,500 (the Flex limit); LINE allows 400
    (tests/standins/test_line_rules.py shows the stand-in refusing 401)."""
    question = "本当にこの申し込みを取り消しますか？" * 30
    [message] = render(BotResponse([Confirm(question, Choice("はい", data="a=cancel&v=1"),
                                            Choice("いいえ", data="a=cancel&v=0"))]))
    assert limits.utf16_len(message["altText"]) == 400 and message["altText"].endswith("…")
    accepted_by_line(line, [message])


def test_with_an_http_base_url_cards_go_without_photos_and_line_accepts_them(open_demo_app, line):
    from tests.bot.line.line_helpers import line_config

    with open_demo_app(**{**line_config(line), "BASE_URL": "http://192.0.2.10:8000"}) as app:
        adapter = FakeAdapter(db.session, app.config)
        messages = [m for text in ("新着", "イベント") for m in render(adapter.send_text(USER, text))]
    bubbles = [b for m in messages if m["type"] == "flex" for b in m["contents"]["contents"]]
    assert bubbles and not any("hero" in b for b in bubbles)
    assert all(b["footer"]["contents"][0]["action"]["uri"].startswith("http://192.0.2.10:8000/") for b in bubbles)
    accepted_by_line(line, messages[:5])
