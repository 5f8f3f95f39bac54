"""The listings chat cards show are kept per process, and never shown stale after a change."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from bot_core_factories import make_article, make_event
from sqlalchemy import event, update

from content import card_listings, fingerprint
from content.models import Article
from core.db import db, utcnow


@pytest.fixture
def statements(session):
    """The SQL statements run on the app's engine (any session or connection)."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    yield seen
    event.remove(engine, "before_cursor_execute", count)


def _entity_queries(seen: list[str], table: str) -> int:
    return sum(1 for s in seen if s.lstrip().upper().startswith("SELECT") and f"FROM {table}" in s
               and "max(updated_at)" not in s)


def test_a_second_shinchaku_reads_no_article_rows(bot, session, statements):
    make_article(session, "one")
    make_article(session, "two", days_ago=2)
    session.commit()
    bot.send_text("U1", "新着")
    first = [c.title for c in bot.last_cards()]
    statements.clear()
    bot.send_text("U2", "新着")
    assert [c.title for c in bot.last_cards()] == first == ["記事 one", "記事 two"]
    assert _entity_queries(statements, "articles") == 0


def test_an_article_published_in_this_process_shows_at_once(bot, session):
    make_article(session, "old")
    session.commit()
    bot.send_text("U1", "新着")
    make_article(session, "fresh", days_ago=0)
    session.commit()
    bot.send_text("U1", "新着")
    assert [c.title for c in bot.last_cards()][0] == "記事 fresh"


def test_a_change_from_another_process_shows_after_the_reuse_window(bot, session, monkeypatch):
    article = make_article(session, "renamed")
    session.commit()
    bot.send_text("U1", "新着")
    with db.engine.begin() as conn:  # like another worker or the console: no commit of a Session here
        conn.execute(update(Article.__table__).where(Article.__table__.c.id == article.id)
                     .values(title="別のプロセスで変えた題", updated_at=utcnow()))
    monkeypatch.setattr(fingerprint, "REUSE_SECONDS", 0.0)  # the window has passed
    bot.send_text("U1", "新着")
    assert bot.last_cards()[0].title == "別のプロセスで変えた題"


def test_kept_events_lose_their_apply_button_when_registration_closes(bot, session, monkeypatch):
    """Kept rows are data only: whether an event still takes applications is decided per turn."""
    from events import service as event_service

    workshop = make_event(session, "ws", "workshop", days_ahead=5, deadline=utcnow() + timedelta(days=2))
    session.commit()
    bot.send_text("U1", "イベント")
    assert any(b.label == "申し込む" for b in bot.last_cards()[0].extra_buttons)
    monkeypatch.setattr(event_service, "utcnow", lambda: workshop.deadline + timedelta(hours=1))
    bot.send_text("U1", "イベント")
    assert bot.last_cards()[0].title == workshop.title
    assert not any(b.label == "申し込む" for b in bot.last_cards()[0].extra_buttons)


def test_kept_rows_are_detached_and_readable_from_many_threads(bot, session):
    for n in range(3):
        make_article(session, f"t{n}", days_ago=n + 1)
    session.commit()
    rows = card_listings.latest_articles(session, None, 10)
    session.commit()  # a turn's commit expires what its session holds: kept rows are not in it
    assert all(row not in session for row in rows)
    errors: list[BaseException] = []

    def read():
        try:
            for row in rows:
                assert row.title and row.category_label and row.is_public
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors


def test_each_database_keeps_its_own_listings(app, session, tmp_path):
    from testkit import make_test_app

    make_article(session, "here")
    session.commit()
    assert [a.slug for a in card_listings.latest_articles(session, None, 10)] == ["here"]
    other = make_test_app(f"sqlite:///{tmp_path / 'other.sqlite3'}", tmp_path / "other")
    with other.app_context():
        from core.migrate import upgrade

        upgrade(other)
        assert card_listings.latest_articles(db.session, None, 10) == []
        db.session.remove()


def test_only_commits_that_wrote_what_the_fingerprint_reads_make_it_read_again(session, statements):
    from events.models import Event
    from notifications.models import Subscriber

    workshop = make_event(session, "fp", "workshop", days_ahead=3)
    session.commit()
    memo = fingerprint.FingerprintMemo()
    memo.get(session)

    def reads() -> int:
        statements.clear()
        memo.get(session)
        return sum("max(updated_at)" in s for s in statements)

    session.add(Subscriber(channel="line", external_id="Ufp", status="active"))
    session.commit()  # the worker's bookkeeping and a friend's row: nothing a page shows
    assert reads() == 0
    session.execute(update(Event).where(Event.id == workshop.id).values(seat_version=Event.seat_version + 1))
    session.commit()  # a registration's seat count, bumped by a statement
    assert reads() == 1
    make_article(session, "fp-news")
    session.commit()
    assert reads() == 1
