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

from content.markdown import plain_text
from content.models import Article
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


def _articles_query():
    return (
        select(Article)
        .where(Article.status == "published", Article.published_at.is_not(None))
        .options(selectinload(Article.tags), selectinload(Article.company), selectinload(Article.event))
        .order_by(Article.id)
    )


def count_sources(session: Session) -> int:
    """How many documents ``load_sources`` yields for a full rebuild."""
    return session.scalar(select(func.count()).select_from(_articles_query().subquery())) or 0


def load_sources(session: Session, article_ids: set[int] | None = None, batch: int = 200, *,
                 after_id: int = 0, up_to_id: int | None = None):
    """Yield SourceDocs for published articles (all, or the given ids), batch by batch.

    ``after_id`` < id ≤ ``up_to_id`` bounds the ids (a parallel rebuild's share).
    """
    if article_ids is not None and not article_ids:
        return
    last_id = after_id
    while True:
        query = _articles_query().where(Article.id > last_id).limit(batch)
        if up_to_id is not None:
            query = query.where(Article.id <= up_to_id)
        if article_ids is not None:
            query = query.where(Article.id.in_(sorted(article_ids)))
        articles = list(session.scalars(query))
        if not articles:
            return
        for article in articles:
            yield source_from_article(article)
        last_id = articles[-1].id
        session.expunge_all()


def indexable_ids(session: Session) -> list[int]:
    """Ids of every article the index holds, in id order."""
    return list(session.scalars(
        select(Article.id).where(Article.status == "published", Article.published_at.is_not(None)).order_by(Article.id)
    ))


def current_stamps(session: Session) -> dict[str, str]:
    """doc_id → stamp for every indexable article (columns only: cheap for thousands)."""
    rows = session.execute(
        select(Article.id, Article.updated_at, Event.updated_at, Article.company_id)
        .outerjoin(Event, Event.article_id == Article.id)
        .where(Article.status == "published", Article.published_at.is_not(None))
    )
    return {doc_id(article_id): _stamp(updated, event_updated, company)
            for article_id, updated, event_updated, company in rows}
