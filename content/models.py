"""Articles, categories, tags and companies of the 新しいものづくり portal."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, utcnow

if TYPE_CHECKING:
    from events.models import Event

# Category keys follow the ward's page plan; labels are what visitors read.
CATEGORIES: dict[str, str] = {
    "about": "サイト概要",
    "news": "お知らせ",
    "feature": "特集記事",
    "series": "テーマ別記事",
    "local": "地域情報",
    "admin": "行政情報",
}
SERIES: dict[str, str] = {"company": "企業", "people": "人", "product": "製品"}
STATUSES = ("draft", "review", "approved", "scheduled", "published")

article_tags = Table(
    "article_tags",
    Base.metadata,
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_article_tags_tag_article", "tag_id", "article_id"),  # articles sharing a tag (related articles)
)

# The related articles shown under an article, ranked by content.page_parts (derived, never edited).
# Rows rather than a list on the article: the article page's one query joins them and checks each
# related article's publication live.
article_related = Table(
    "article_related",
    Base.metadata,
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("related_id", ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True),
)


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)


class Company(Base):
    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    field: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    open_for_tours: Mapped[bool] = mapped_column(default=False)
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    is_demo: Mapped[bool] = mapped_column(default=False)


class CategoryLabels:
    """Japanese labels of an article's ``category`` and ``series`` (ORM rows and stored card sources)."""

    @property
    def category_label(self) -> str:
        return CATEGORIES.get(self.category, self.category)

    @property
    def series_label(self) -> str | None:
        return SERIES.get(self.series) if self.series else None


class Article(CategoryLabels, Base):
    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_status_published", "status", "published_at"),
        # Listings and related-article ranking read ids in order from this index alone.
        Index("ix_articles_listing", "category", "status", "published_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20), index=True)
    series: Mapped[str | None] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(Text, default="")
    body_md: Mapped[str] = mapped_column(Text, default="")
    hero_image: Mapped[str | None] = mapped_column(String(255))
    hero_sizes: Mapped[list[int]] = mapped_column(JSON, default=list)
    hero_alt: Mapped[str] = mapped_column(String(300), default="")
    hero_credit: Mapped[str] = mapped_column(String(300), default="")
    author: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"))
    # Editorial workflow (staff console): optimistic-lock counter, planned time, who wrote/approved.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Every ORM update checks and bumps ``version``: a stale edit fails instead of overwriting.
    __mapper_args__ = {"version_id_col": version}
    scheduled_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))

    # Derived, never edited (content.page_parts): the article-specific parts of the public page and
    # the article's card, each with the digest of the inputs it was made from, and when the related
    # articles (article_related) were last ranked. Written with plain UPDATEs that touch neither
    # ``version`` nor ``updated_at``; read by the public pages' own queries, never loaded by the ORM.
    page_key: Mapped[str | None] = mapped_column(String(64), deferred=True)
    page_html: Mapped[str | None] = mapped_column(Text, deferred=True)
    related_at: Mapped[datetime | None] = mapped_column(deferred=True)
    card_key: Mapped[str | None] = mapped_column(String(64), deferred=True)
    card_html: Mapped[str | None] = mapped_column(Text, deferred=True)
    # Superseded by the columns above (0030) and no longer written; kept because migrations only add.
    page_parts: Mapped[dict | None] = mapped_column(JSON, deferred=True)

    company: Mapped[Company | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=article_tags, order_by=Tag.name)
    event: Mapped[Event | None] = relationship(back_populates="article", uselist=False)


    @property
    def tag_names(self) -> list[str]:
        return [tag.name for tag in self.tags]

    @property
    def is_public(self) -> bool:
        return self.status == "published" and self.published_at is not None


class ArticleRevision(Base):
    """A copy of an article's content after each save (console, import or restore)."""

    __tablename__ = "article_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(10), default="console")  # console | import | restore
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)


class ArticleComment(Base):
    """One message in an article's review thread (a comment, or the reason for 差し戻し)."""

    __tablename__ = "article_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(10), default="comment")  # comment | sendback | approve
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TopPageSettings(Base):
    """The editable top page (①): hero text, featured articles, section order.

    ``live`` is what visitors see; a contractor's edit waits in ``pending`` until
    ward staff approve it. A single row (id 1).
    """

    __tablename__ = "top_page_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    live: Mapped[dict] = mapped_column(JSON, default=dict)
    pending: Mapped[dict | None] = mapped_column(JSON)
    pending_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
