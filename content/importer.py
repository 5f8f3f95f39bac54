"""``monozukuri content import PATH``: idempotent, all-or-nothing Markdown import.

Everything is parsed and checked first; only then is anything written, inside
one transaction. Re-importing updates articles by slug, so running
``make run`` twice never duplicates content.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from content import revisions
from content.frontmatter import SLUG_RE, ArticleData, ImportError_, coordinates, parse_article
from content.images import ImageError, store_renditions, validate_image
from content.models import Article, Company, Tag
from events.models import Event

COMPANY_FILE_NAMES = ("companies.yaml", "companies.yml")


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # edited in the console since the last import
    forced: list[str] = field(default_factory=list)  # console edits overwritten on --force (kept as revisions)
    companies: int = 0


def collect_files(root: Path) -> tuple[list[Path], list[Path]]:
    """Return (markdown files, company files) under a file or folder, sorted."""
    if root.is_file():
        if root.name in COMPANY_FILE_NAMES:
            return [], [root]
        return [root], []
    if not root.is_dir():
        raise ImportError_(root, None, "ファイルまたはフォルダが見つかりません")
    markdown = sorted(p for p in root.rglob("*.md") if p.name.lower() != "readme.md")
    companies = sorted(p for name in COMPANY_FILE_NAMES for p in root.rglob(name))
    return markdown, companies


def parse_companies(path: Path) -> list[dict]:
    try:
        rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as exc:
        raise ImportError_(path, None, f"YAML が不正です: {exc}") from exc
    if not isinstance(rows, list):
        raise ImportError_(path, None, "企業のリストにしてください")
    for index, row in enumerate(rows):
        if not isinstance(row, dict) or not row.get("slug") or not row.get("name"):
            raise ImportError_(path, f"[{index}]", "slug と name が必要です")
        if not SLUG_RE.match(str(row["slug"])):
            raise ImportError_(path, f"[{index}].slug", "半角英小文字・数字・ハイフンのみ使えます")
        row["latitude"], row["longitude"] = coordinates(path, row, f"[{index}].")
    return rows


def _check_unique_slugs(articles: list[ArticleData]) -> None:
    seen: dict[str, Path] = {}
    for article in articles:
        if article.slug in seen:
            raise ImportError_(article.path, "slug", f"{seen[article.slug]} と重複しています")
        seen[article.slug] = article.path


def _check_company_refs(session: Session, articles: list[ArticleData], company_rows: list[dict]) -> None:
    known = {str(r["slug"]) for r in company_rows} | set(session.scalars(select(Company.slug)))
    for article in articles:
        refs = [("company", article.company)]
        if article.event:
            refs.append(("event.company", article.event.company))
        for key, ref in refs:
            if ref and ref not in known:
                raise ImportError_(article.path, key, f"企業 {ref!r} が companies.yaml にありません")


def _check_images(articles: list[ArticleData]) -> None:
    for article in articles:
        if article.image:
            try:
                validate_image(article.image)
            except ImageError as exc:
                raise ImportError_(article.path, "image", str(exc)) from exc


def load_and_validate(session: Session, root: Path) -> tuple[list[ArticleData], list[dict]]:
    markdown, company_files = collect_files(root)
    if not markdown and not company_files:
        raise ImportError_(root, None, "取り込む .md ファイルがありません")
    company_rows = [row for path in company_files for row in parse_companies(path)]
    articles = [parse_article(path) for path in markdown]
    _check_unique_slugs(articles)
    _check_company_refs(session, articles, company_rows)
    _check_images(articles)
    return articles, company_rows


def _upsert_company(session: Session, row: dict) -> None:
    company = session.scalar(select(Company).where(Company.slug == str(row["slug"])))
    if company is None:
        company = Company(slug=str(row["slug"]))
        session.add(company)
    company.name = str(row["name"])
    company.field = str(row.get("field") or "")
    company.description = str(row.get("description") or "")
    company.open_for_tours = bool(row.get("open_for_tours", False))
    company.is_demo = bool(row.get("demo", False))
    company.latitude, company.longitude = row.get("latitude"), row.get("longitude")


def _tags(session: Session, names: list[str]) -> list[Tag]:
    tags = []
    for name in names:
        tag = session.scalar(select(Tag).where(Tag.name == name))
        if tag is None:
            tag = Tag(name=name)
            session.add(tag)
        tags.append(tag)
    return tags


def _company_id(session: Session, slug: str | None) -> int | None:
    if not slug:
        return None
    return session.scalar(select(Company.id).where(Company.slug == slug))


def _apply_event(session: Session, article: Article, data: ArticleData) -> None:
    if data.event is None:
        return
    event = article.event or Event(article=article)
    session.add(event)
    event.title = article.title
    for name in ("kind", "starts_at", "ends_at", "place", "capacity", "deadline", "audience", "latitude", "longitude"):
        setattr(event, name, getattr(data.event, name))
    event.company_id = _company_id(session, data.event.company)


def _apply_article(session: Session, data: ArticleData, media_dir: Path, report: ImportReport,
                   force: bool = False) -> None:
    article = session.scalar(select(Article).where(Article.slug == data.slug))
    if article is not None and revisions.edited_since_import(session, article.id):
        if not force:
            report.skipped.append(data.slug)  # staff work is never overwritten silently
            return
        report.forced.append(data.slug)
    (report.updated if article else report.created).append(data.slug)
    if article is None:
        article = Article(slug=data.slug)
        session.add(article)
    for name in ("title", "category", "series", "summary", "status", "author", "published_at"):
        setattr(article, name, getattr(data, name))
    article.body_md = data.body
    article.hero_alt, article.hero_credit = data.image_alt, data.image_credit
    article.company_id = _company_id(session, data.company)
    article.tags = _tags(session, data.tags)
    if data.image:
        article.hero_image, article.hero_sizes = store_renditions(data.image, media_dir, data.slug)
    else:  # the file is the source of truth: an image removed there is removed here
        article.hero_image, article.hero_sizes = None, []
    _apply_event(session, article, data)
    revisions.record(session, article, None, "import")


def import_path(session: Session, root: Path, media_dir: Path, force: bool = False) -> ImportReport:
    """Validate everything under ``root``, then write it all in one transaction."""
    articles, company_rows = load_and_validate(session, root)
    report = ImportReport(companies=len(company_rows))
    try:
        for row in company_rows:
            _upsert_company(session, row)
        session.flush()
        for data in articles:
            _apply_article(session, data, media_dir, report, force)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return report
