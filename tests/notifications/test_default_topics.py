"""Friends who never open 受信設定 still get the account's posts (the default topic set)."""
from __future__ import annotations

from alembic import command
from broadcast_helpers import add_subscribers, drain, make_article
from sqlalchemy import create_engine, insert, select

from bot.core.testing import FakeAdapter
from core.db import utcnow
from core.migrate import alembic_config
from notifications import subscriptions as subs
from notifications.models import Broadcast, Subscriber, Subscription
from notifications.topics import DEFAULT_TOPICS, PERSONA_DEFAULT_TOPICS
from web.cli import main


def FakeBot(session):
    return FakeAdapter(session, {})


def test_a_new_friend_gets_the_default_set_and_the_welcome_says_so(session):
    bot = FakeBot(session)
    bot.follow("U1", display_name="花子")
    subscriber = subs.find_subscriber(session, "line", "U1")
    assert subscriber.topics == set(DEFAULT_TOPICS) and {"news", "features", "local"} <= subscriber.topics
    assert "・お知らせ" in bot.last_text() and "・地域のイベント" in bot.last_text()
    assert "受信設定を変える" in bot.last_labels() and "保護者" in bot.last_labels()


def test_one_tap_opens_settings_from_the_welcome(session):
    bot = FakeBot(session)
    bot.follow("U1")
    bot.tap("U1", bot.choice("受信設定を変える"))
    assert "✅ お知らせ" in bot.last_text() and "⬜ 企業見学会" in bot.last_text()


def test_choosing_a_persona_refines_the_default_set(session):
    bot = FakeBot(session)
    bot.follow("U1")
    bot.tap("U1", bot.choice("保護者"))
    assert subs.find_subscriber(session, "line", "U1").topics == set(PERSONA_DEFAULT_TOPICS["parent"])


def test_a_changed_default_set_is_kept_when_a_persona_is_chosen(session):
    bot = FakeBot(session)
    bot.follow("U1")
    bot.postback("U1", "a=topic&t=tours&v=1")
    bot.postback("U1", "a=persona&p=parent")
    assert subs.find_subscriber(session, "line", "U1").topics == set(DEFAULT_TOPICS) | {"tours"}


def _cli_env(monkeypatch, app):
    for key in ("DATABASE_URL", "INSTANCE_PATH", "SECRET_KEY", "BASE_URL", "LINE_CHANNEL_ACCESS_TOKEN",
                "LINE_CHANNEL_SECRET", "LINE_API_BASE_URL", "DISCORD_BOT_TOKEN", "DISCORD_API_BASE_URL",
                "QUIET_HOURS"):
        monkeypatch.setenv(key, str(app.config[key] if app.config[key] is not None else ""))


def test_cli_broadcast_without_topic_reaches_default_set_friends(bapp, session, line_api, monkeypatch, capsys):
    bot = FakeBot(session)
    for user in ("U" + "a" * 32, "U" + "b" * 32):
        bot.follow(user)  # never open 受信設定
    session.commit()
    parents = add_subscribers(session, 3, topics=PERSONA_DEFAULT_TOPICS["parent"], persona="parent", seed=1)
    students = add_subscribers(session, 2, topics=PERSONA_DEFAULT_TOPICS["student"], seed=2)
    article = make_article(session, category="news")
    _cli_env(monkeypatch, bapp)
    assert main(["broadcast", "--article", article.slug, "--channel", "line"]) == 0
    capsys.readouterr()
    drain(bapp, session)
    assert all(line_api.delivered_to(u) == 1 for u in ["U" + "a" * 32, "U" + "b" * 32, *parents])
    assert not any(line_api.delivered_to(u) for u in students)  # students did not choose news
    broadcast = session.scalar(select(Broadcast))
    assert broadcast.recipient_count == 5


def test_the_migration_gives_silent_friends_the_default_set(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    config = alembic_config(url)
    command.upgrade(config, "0015_page_indexes")  # the revision before the default-topics migration
    engine = create_engine(url)
    now = utcnow()
    with engine.begin() as conn:
        for ext, persona in (("Usilent", None), ("Uparent", "parent"), ("Uchose", None)):
            conn.execute(insert(Subscriber.__table__).values(
                channel="line", external_id=ext, display_name="", persona=persona, status="active",
                created_at=now, updated_at=now))
        chose = conn.scalar(select(Subscriber.id).where(Subscriber.external_id == "Uchose"))
        conn.execute(insert(Subscription.__table__).values(subscriber_id=chose, topic="tours", created_at=now))
    command.upgrade(config, "head")
    with engine.connect() as conn:
        rows = conn.execute(select(Subscriber.external_id, Subscription.topic).join(
            Subscription, Subscription.subscriber_id == Subscriber.id)).all()
    engine.dispose()
    topics = {}
    for ext, topic in rows:
        topics.setdefault(ext, set()).add(topic)
    assert topics == {"Usilent": set(DEFAULT_TOPICS), "Uchose": {"tours"}}
