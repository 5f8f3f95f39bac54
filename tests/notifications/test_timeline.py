"""/posts lists every public push on every channel, hides unpublished articles' posts, is linked."""
from __future__ import annotations

from broadcast_helpers import make_article

from core.db import utcnow
from notifications.models import Broadcast


def _went_out(session, title, channels, kind="broadcast", reason="", article=None, status="done"):
    row = Broadcast(kind=kind, reason=reason, title=title, text=title, channels=channels, status=status,
                    send_at=utcnow(), started_at=utcnow(), aggregation_unit="t", article=article,
                    web_post="web" in channels)
    session.add(row)
    session.commit()
    return row


def test_posts_lists_every_public_push_with_its_channel(bapp, session):
    _went_out(session, "LINEだけのお知らせ", ["line"])
    _went_out(session, "Discordとウェブ", ["discord", "web"])
    _went_out(session, "空席のお知らせ", ["line"], kind="push", reason="workshop_alert")
    _went_out(session, "あなたの順番が来ました", ["line"], kind="push", reason="event_offer")
    _went_out(session, "まだ送っていない", ["line"], status="queued")
    hidden = make_article(session, slug="taken-down", title="取り下げた記事")
    _went_out(session, "取り下げた記事のお知らせ", ["line", "web"], article=hidden)
    hidden.status = "draft"
    session.commit()

    html = bapp.test_client().get("/posts").get_data(as_text=True)
    for title in ("LINEだけのお知らせ", "Discordとウェブ", "空席のお知らせ"):
        assert title in html
    for title in ("あなたの順番が来ました", "まだ送っていない", "取り下げた記事のお知らせ"):
        assert title not in html  # personal, not sent yet, or about an unpublished article
    assert "LINEで配信" in html and "Discordで配信" in html


def test_posts_is_linked_from_header_footer_and_top(bapp):
    html = bapp.test_client().get("/").get_data(as_text=True)
    assert html.count('href="/posts"') >= 3
