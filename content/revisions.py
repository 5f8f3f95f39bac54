"""Article revisions: every save keeps a copy (who, when, from where); any copy can be restored.

Imports record revisions too, so ``content import`` / ``setup-demo`` can tell that an
article was edited in the console since it was last imported, and leave it alone.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.models import Article, ArticleRevision, Tag
from staff import audit

FIELDS: dict[str, str] = {
    "title": "タイトル", "slug": "URLの末尾", "category": "分類", "series": "シリーズ", "summary": "要約",
    "body_md": "本文", "tags": "タグ", "hero_image": "メイン画像", "hero_alt": "画像の説明",
    "hero_credit": "画像のクレジット", "author": "執筆者", "company_id": "企業",
}
SOURCES = {"console": "管理画面で保存", "import": "ファイルから取り込み", "restore": "以前の版に戻す"}
EDITED_SOURCES = ("console", "restore")


def snapshot(article: Article) -> dict:
    data = {name: getattr(article, name) for name in FIELDS if name != "tags"}
    data["hero_sizes"] = list(article.hero_sizes or [])
    data["tags"] = sorted(article.tag_names)
    return data


def record(session: Session, article: Article, staff, source: str) -> ArticleRevision:
    session.flush()  # a new article needs its id
    revision = ArticleRevision(article_id=article.id, staff_id=staff.id if staff is not None else None,
                               source=source, snapshot=snapshot(article))
    session.add(revision)
    return revision


def history(session: Session, article_id: int) -> list[ArticleRevision]:
    query = select(ArticleRevision).where(ArticleRevision.article_id == article_id)
    return list(session.scalars(query.order_by(ArticleRevision.id.desc())))


def latest_source(session: Session, article_id: int) -> str | None:
    query = (select(ArticleRevision.source).where(ArticleRevision.article_id == article_id)
             .order_by(ArticleRevision.id.desc()).limit(1))
    return session.scalar(query)


def edited_since_import(session: Session, article_id: int) -> bool:
    """True when the newest revision was made in the console (an edit an import must not wipe)."""
    return latest_source(session, article_id) in EDITED_SOURCES


@dataclass(frozen=True)
class FieldDiff:
    label: str
    lines: list[tuple[str, str]]  # (kind: "add" | "del" | "same", text)


def _text(value) -> str:
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return "" if value is None else str(value)


def diff(older: dict, newer: dict) -> list[FieldDiff]:
    """Changed fields, line by line (body_md is compared per line, other fields whole)."""
    out = []
    for name, label in FIELDS.items():
        before, after = _text(older.get(name)), _text(newer.get(name))
        if before == after:
            continue
        lines = []
        for line in difflib.ndiff(before.splitlines(), after.splitlines()):
            kind = {"+ ": "add", "- ": "del", "  ": "same"}.get(line[:2])
            if kind:
                lines.append((kind, line[2:]))
        out.append(FieldDiff(label, lines))
    return out


def previous_of(session: Session, revision: ArticleRevision) -> ArticleRevision | None:
    query = (select(ArticleRevision).where(ArticleRevision.article_id == revision.article_id,
                                           ArticleRevision.id < revision.id)
             .order_by(ArticleRevision.id.desc()).limit(1))
    return session.scalar(query)


def _tags(session: Session, names: list[str]) -> list[Tag]:
    existing = {tag.name: tag for tag in session.scalars(select(Tag).where(Tag.name.in_(names)))}
    return [existing.get(name) or Tag(name=name) for name in names]


def restore(session: Session, article: Article, revision: ArticleRevision, staff) -> ArticleRevision:
    """Put a revision's content back (the status stays); the restore is itself a revision."""
    data = revision.snapshot
    for name in FIELDS:
        if name == "tags" or name not in data:
            continue
        if name == "slug" and data[name] != article.slug and session.scalar(
                select(Article.id).where(Article.slug == data[name], Article.id != article.id)):
            continue  # the old address is taken by another article now: keep the current one
        setattr(article, name, data[name])
    article.hero_sizes = data.get("hero_sizes", article.hero_sizes)
    article.tags = _tags(session, data.get("tags", []))
    session.flush()
    audit.record(session, staff, "article.restore", "article", article.id,
                 {"slug": article.slug, "revision": revision.id})
    return record(session, article, staff, "restore")
