"""The index follows the database: publish, edit, unpublish, delete, events, companies, rollbacks."""
from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select

from content.models import Article, Company, Tag
from core.db import utcnow
from events.models import Event
from search.index import get_index
from search.service import search


def _slugs(session, query: str) -> list[str]:
    # Changes are written at once when the writer lock is free; a concurrent writer
    # (e.g. the background pass over the imported demo content) defers them briefly.
    assert get_index().updater.wait_idle(60)
    return [hit.slug for hit in search(session, query, log=False).results]


def _new_article(session, slug="kaiten", title="寿司のレーンをつくる工場", status="published"):
    article = Article(slug=slug, title=title, category="feature", summary="ベルトコンベアの話。",
                      body_md="## 見出し\n\nチェーンと**スプロケット**で動きます。", status=status,
                      published_at=utcnow() - timedelta(hours=1))
    session.add(article)
    session.commit()
    return article


def test_publish_edit_unpublish_delete(search_app, session):
    assert _slugs(session, "寿司") == []
    article = _new_article(session)
    assert _slugs(session, "寿司") == ["kaiten"]
    assert _slugs(session, "スプロケット") == ["kaiten"]  # Markdown body, as text
    article.title = "コンベアの町工場"
    session.commit()
    assert _slugs(session, "寿司") == [] and "kaiten" in _slugs(session, "コンベア")
    article.status = "draft"
    session.commit()
    assert "kaiten" not in _slugs(session, "コンベア")
    article.status = "published"
    session.commit()
    assert "kaiten" in _slugs(session, "コンベア")
    session.delete(article)
    session.commit()
    assert "kaiten" not in _slugs(session, "コンベア")


def test_rolled_back_work_never_reaches_the_index(search_app, session):
    session.add(Article(slug="ghost", title="幽霊のお知らせ", category="news", status="published",
                        published_at=utcnow() - timedelta(hours=1)))
    session.flush()
    session.rollback()
    assert _slugs(session, "幽霊") == []
    _new_article(session, slug="real", title="巣箱のお知らせ")  # a later commit does not resurrect it
    assert _slugs(session, "幽霊") == [] and _slugs(session, "巣箱") == ["real"]


def test_event_company_and_tag_changes_update_their_articles(search_app, session):
    event = session.scalar(select(Event).join(Article).where(Article.slug == "local-kaleidoscope-workshop"))
    event.place = "六郷の特設テント"
    session.commit()
    assert _slugs(session, "特設テント") == ["local-kaleidoscope-workshop"]
    company = session.scalar(select(Company).where(Company.slug == "demo-hikari-kenma"))
    company.name = "きらめき鏡面工房"
    session.commit()
    assert set(_slugs(session, "きらめき鏡面工房")) >= {"local-kaleidoscope-workshop", "medical-engineering-ota"}
    tag = session.scalar(select(Tag).where(Tag.name == "万華鏡"))
    tag.name = "カレイドスコープ"
    session.commit()
    assert _slugs(session, "カレイドスコープ") == ["local-kaleidoscope-workshop"]


def test_sessions_outside_the_request_also_update_the_index(search_app, session):
    from core.db import db

    other = db.new_session()  # e.g. a worker job or the Discord process
    other.add(Article(slug="worker-made", title="夜間バッチで公開", category="news", status="published",
                      published_at=utcnow() - timedelta(minutes=5)))
    other.commit()
    other.close()
    assert _slugs(session, "夜間バッチ") == ["worker-made"]


def test_a_busy_writer_lock_defers_the_update_instead_of_blocking_the_commit(search_app, session):
    index = get_index()
    index.doc_count()
    with index.store.writer_lock():  # a rebuild elsewhere holds the lock
        started = time.monotonic()
        _new_article(session, slug="deferred", title="焼入れの話")
        assert time.monotonic() - started < 2.0  # the commit did not wait for the lock
        assert search(session, "焼入れ", log=False).total == 0  # not yet written
        assert not index.updater.wait_idle(0.2)  # queued behind the lock
    assert _slugs(session, "焼入れ") == ["deferred"]


def test_large_change_sets_are_written_in_the_background(search_app, session):
    index = get_index()
    index.doc_count()
    for number in range(30):
        session.add(Article(slug=f"bulk-{number}", title=f"一括登録その{number}", category="news",
                            status="published", published_at=utcnow() - timedelta(hours=1)))
    session.commit()
    assert index.updater.wait_idle(60)
    assert search(session, "一括登録", per_page=50, log=False).total == 30
