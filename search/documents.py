"""Published content → index documents.

``SourceDoc`` is the plain form (the bench builds it directly); ``to_fields``
runs the analysis; ``load_sources`` reads articles (with their event, company
and tags) from the database. Every article with status ``published`` is
indexed, including ones scheduled for later: queries hide documents whose
``published`` time is still in the future, so scheduled articles appear on
time without anything having to touch the index.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from content.markdown import plain_text
from content.models import Article, Tag, article_tags
from core.timefmt import date_ja
from events.models import Event
from search.morph import index_terms
from search.normalize import bigram_terms, fold_kana, normalize
from search.schema import FIELD_WEIGHTS, weighted_terms

# Stored text for snippets; longer bodies are cut (the index still has all words).
STORED_TEXT_CHARS = 6000


@dataclass
class SourceDoc:
    article_id: int
    slug: str
    title: str
    category: str
    published_at: datetime
    summary: str = ""
    body: str = ""
    tags: list[str] = field(default_factory=list)
    meta: list[str] = field(default_factory=list)
    kind: str = "article"
    event_starts_at: datetime | None = None
    image: str | None = None
    stamp: str = ""
    # Markdown source of ``body``; converted in ``to_fields`` (so analysis workers do it).
    body_markdown: str | None = None

    @property
    def doc_id(self) -> str:
        return doc_id(self.article_id)


def doc_id(article_id: int) -> str:
    return f"article:{article_id}"


def _analysed_fields(logical: dict[str, str], folded: dict[str, str]) -> dict[str, dict]:
    """The three searchable fields, each occurrence weighted by its logical field."""
    words: list[tuple[list[str], float]] = []
    reads: list[tuple[list[str], float]] = []
    grams: list[tuple[list[str], float]] = []
    for name, weight in FIELD_WEIGHTS.items():
        text = logical[name]
        if not text:
            continue
        word_list, reading_list = index_terms(text)
        words.append((word_list, weight))
        reads.append((reading_list, weight))
        # Long running text: grammar bigrams (ます, して) only cost; titles and tags keep them.
        grams.append((bigram_terms(text, hiragana_pairs=name != "body", folded=folded[name]), weight))
    return {"words": weighted_terms(words), "reads": weighted_terms(reads), "grams": weighted_terms(grams)}


def to_fields(source: SourceDoc) -> dict:
    """Whoosh field values (stored and analysed) for one document."""
    body = plain_text(source.body_markdown) if source.body_markdown is not None else source.body
    logical = {
        "title": normalize(source.title),
        "tags": normalize(" 、".join(source.tags)),
        "lead": normalize(source.summary),
        "body": normalize(body),
        "meta": normalize(" 、".join(part for part in source.meta if part)),
    }
    folded = {name: fold_kana(text) for name, text in logical.items()}
    return {
        "doc_id": source.doc_id, "slug": source.slug, "title": source.title, "kind": source.kind,
        "category": source.category, "published": int(source.published_at.timestamp()),
        "event_starts": source.event_starts_at.isoformat() if source.event_starts_at else "",
        "image": source.image or "", "stamp": source.stamp,
        "text": "\n".join(part for part in (source.summary, body) if part)[:STORED_TEXT_CHARS],
        "hay": "\n".join(folded.values()).encode("utf-8"),
        **_analysed_fields(logical, folded),
    }


def _stamp(updated_at: datetime | None, event_updated_at: datetime | None, company_id: int | None) -> str:
    parts = [updated_at.isoformat() if updated_at else ""]
    if event_updated_at is not None:
        parts.append(event_updated_at.isoformat())
    parts.append(str(company_id or ""))
    return "|".join(parts)


def stamp(article: Article) -> str:
    """Changes whenever the article or its event changes (used to find stale documents)."""
    event_updated_at = article.event.updated_at if article.event is not None else None
    return _stamp(article.updated_at, event_updated_at, article.company_id)


def _event_meta(event: Event) -> list[str]:
    # "イベント" lets generic questions (「週末のイベント」) find every kind of event.
    return [event.kind_label, "イベント", event.place, event.audience, date_ja(event.starts_at)]


def _meta(article: Article) -> list[str]:
    meta = [article.category_label, article.series_label or "", article.author]
    if article.company is not None:
        meta += [article.company.name, article.company.field]
    if article.event is not None:
        meta += _event_meta(article.event)
    return meta


def source_from_article(article: Article) -> SourceDoc:
    event = article.event
    return SourceDoc(
        article_id=article.id, slug=article.slug, title=article.title, category=article.category,
        published_at=article.published_at, summary=article.summary, body_markdown=article.body_md,
        tags=article.tag_names, meta=_meta(article), kind="event" if event is not None else "article",
        event_starts_at=event.starts_at if event is not None else None,
        image=article.hero_image, stamp=stamp(article),
    )


def is_indexable(article: Article | None) -> bool:
    return article is not None and article.status == "published" and article.published_at is not None


def _published(query):
    return query.where(Article.status == "published", Article.published_at.is_not(None))


def _with_relations(query):
    """Company and event loaded with the batch (by key); tags are attached by ``_batch``."""
    return query.options(selectinload(Article.company), selectinload(Article.event))


def _articles_query():
    return _with_relations(_published(select(Article))).order_by(Article.id)


def count_sources(session: Session) -> int:
    """How many documents ``load_sources`` yields for a full rebuild."""
    return session.scalar(select(func.count()).select_from(_articles_query().subquery())) or 0


def load_sources(session: Session, article_ids: set[int] | None = None, batch: int = 200, *,
                 after_id: int = 0, up_to_id: int | None = None):
    """Yield SourceDocs for published articles (all, or the given ids), batch by batch, in id order.

    ``after_id`` < id ≤ ``up_to_id`` bounds the ids (a parallel rebuild's share).

    The ids are read first (one query); each batch is then fetched by primary key
    alone and checked for publication here. Paging with the publication filter in
    SQL (``status = 'published' AND id > last ORDER BY id LIMIT 200``) let the
    planner pick the status index whenever the table had no statistics (a freshly
    loaded database, autovacuum off): every batch read and sorted every published
    row, so the database's work grew with the square of the archive (PostgreSQL
    CPU for reading all articles: 0.7 s at 10k, 5.1 s at 20k; now 0.5 s at 20k).
    A primary-key lookup costs the same per batch at any size.
    """
    if article_ids is not None:
        ids = sorted(article_ids)
    else:
        ids = indexable_ids(session, after_id=after_id, up_to_id=up_to_id)
    for start in range(0, len(ids), batch):
        yield from _batch(session, _with_relations(select(Article)).where(Article.id.in_(ids[start:start + batch])))
    if article_ids is None and up_to_id is None:
        # Open end: articles published since the ids were read are not missed (normally none).
        last_id = ids[-1] if ids else after_id
        while sources := list(_batch(session, _articles_query().where(Article.id > last_id).limit(batch))):
            yield from sources
            last_id = sources[-1].article_id


def _batch(session: Session, query):
    articles = [article for article in sorted(session.scalars(query), key=lambda a: a.id) if is_indexable(article)]
    _attach_tags(session, articles)
    sources = [source_from_article(article) for article in articles]
    session.expunge_all()
    return sources


def _attach_tags(session: Session, articles: list[Article]) -> None:
    """Load the batch's tags from ``article_tags`` by article id and set them as already loaded.

    ``selectinload(Article.tags)`` joins ``articles`` to ``article_tags``; without
    statistics the planner scanned the whole link table for every batch (quadratic
    again), and did so for an ``IN`` list alone too. With the id range as well the
    estimate is small and the link table's primary key is used.
    """
    if not articles:
        return
    tags: dict[int, list[Tag]] = {article.id: [] for article in articles}
    rows = session.execute(
        select(article_tags.c.article_id, Tag).join(Tag, Tag.id == article_tags.c.tag_id)
        .where(article_tags.c.article_id.between(articles[0].id, articles[-1].id),
               article_tags.c.article_id.in_(list(tags)))
        .order_by(article_tags.c.article_id, Tag.name)
    )
    for article_id, tag in rows:
        tags[article_id].append(tag)
    for article in articles:
        set_committed_value(article, "tags", tags[article.id])


def indexable_ids(session: Session, *, after_id: int = 0, up_to_id: int | None = None) -> list[int]:
    """Ids of every article the index holds (``after_id`` < id ≤ ``up_to_id``), in id order."""
    query = _published(select(Article.id)).where(Article.id > after_id).order_by(Article.id)
    if up_to_id is not None:
        query = query.where(Article.id <= up_to_id)
    return list(session.scalars(query))


def current_stamps(session: Session) -> dict[str, str]:
    """doc_id → stamp for every indexable article (columns only: cheap for thousands)."""
    rows = session.execute(
        select(Article.id, Article.updated_at, Event.updated_at, Article.company_id)
        .outerjoin(Event, Event.article_id == Article.id)
        .where(Article.status == "published", Article.published_at.is_not(None))
    )
    return {doc_id(article_id): _stamp(updated, event_updated, company)
            for article_id, updated, event_updated, company in rows}
