"""core.prepared: a statement compiled once gives exactly what SQLAlchemy gives, on every backend."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import bindparam, literal, select

from content.models import Article
from core.db import UTCDateTime, db, utcnow
from core.prepared import PreparedQuery


def test_rows_and_parameters_are_converted_as_sqlalchemy_converts_them(app, session):
    now = utcnow()
    session.add_all([
        Article(slug="a", title="甲", category="news", status="published", published_at=now - timedelta(days=1),
                hero_sizes=[480, 960]),
        Article(slug="b", title="乙", category="news", status="draft", published_at=None, hero_sizes=[]),
    ])
    session.commit()
    t = Article.__table__

    def build(_dialect):
        return (select(t.c.slug, t.c.title, t.c.published_at, t.c.hero_sizes, literal(True).label("flag"))
                .where(t.c.status == bindparam("status"), t.c.published_at <= bindparam("now", type_=UTCDateTime()))
                .order_by(t.c.slug))

    query = PreparedQuery(build)
    expected = session.execute(build(None), {"status": "published", "now": now}).all()
    rows = query.all(db.engine, status="published", now=now)
    assert [tuple(row) for row in rows] == [tuple(row) for row in expected]
    assert rows[0].published_at.tzinfo is not None and rows[0].hero_sizes == [480, 960] and rows[0].flag
    assert query.all(db.engine, status="draft", now=now) == []  # NULL published_at never matches
    assert query.all(db.engine, status="published", now=now - timedelta(days=2)) == []
