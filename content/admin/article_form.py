"""The article editor's form: parse the submitted fields and validate them.

Parsing never raises: it returns what the user typed (so a re-shown form
keeps every character) plus a dict of Japanese messages per field.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from content import publishing
from content.frontmatter import SLUG_RE
from content.models import CATEGORIES, SERIES, Article, Company
from core.timefmt import JST
from staff.models import StaffUser

MAX_TAGS = 20
MAX_TAG_LENGTH = 64
LIMITS = {"title": 200, "slug": 120, "summary": 1000, "hero_alt": 300, "hero_credit": 300, "author": 200}
TEXT_FIELDS = ("title", "slug", "category", "series", "summary", "body_md", "hero_alt", "hero_credit", "author")


@dataclass
class ArticleInput:
    title: str = ""
    slug: str = ""
    category: str = ""
    series: str = ""
    tags_text: str = ""
    summary: str = ""
    body_md: str = ""
    hero_alt: str = ""
    hero_credit: str = ""
    author: str = ""
    company_id: str = ""
    version: str = ""
    scheduled_at: str = ""

    @property
    def tags(self) -> list[str]:
        names = [part.strip() for part in self.tags_text.replace("、", ",").split(",")]
        return list(dict.fromkeys(name for name in names if name))

    @property
    def company(self) -> int | None:
        return int(self.company_id) if self.company_id.isdigit() else None

    @classmethod
    def from_article(cls, article: Article) -> ArticleInput:
        values = {name: getattr(article, name) or "" for name in TEXT_FIELDS}
        return cls(
            **values,
            tags_text=", ".join(article.tag_names),
            company_id=str(article.company_id or ""),
            version=str(article.version or ""),
            scheduled_at=_local_input(article.scheduled_at),
        )

    @classmethod
    def from_form(cls, form) -> ArticleInput:
        values = {name: (form.get(name) or "").replace("\r\n", "\n") for name in TEXT_FIELDS}
        values = {name: value if name == "body_md" else value.strip() for name, value in values.items()}
        return cls(
            **values,
            tags_text=(form.get("tags") or "").strip(),
            company_id=(form.get("company_id") or "").strip(),
            version=(form.get("version") or "").strip(),
            scheduled_at=(form.get("scheduled_at") or "").strip(),
        )


def _local_input(value: datetime | None) -> str:
    return value.astimezone(JST).strftime("%Y-%m-%dT%H:%M") if value else ""


def parse_local_datetime(text: str) -> datetime | None:
    """``datetime-local`` input (JST wall time) → aware datetime, or None if unreadable."""
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=JST)
        except ValueError:
            continue
    return None


@dataclass
class Validation:
    errors: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)


def validate(
    session: Session, data: ArticleInput, article: Article | None, staff: StaffUser, has_new_image: bool
) -> dict[str, str]:
    result = Validation()
    if not data.slug.strip():  # never required: keep the current address, or make one from the date
        data.slug = article.slug if article is not None else generated_slug(session)
    _check_required(data, result)
    _check_lengths(data, result)
    _check_slug(session, data, article, result)
    _check_category(data, staff, result)
    _check_tags(data, result)
    _check_company(session, data, result)
    has_image = has_new_image or bool(article and article.hero_image)
    if has_image and not data.hero_alt:
        result.add("hero_alt", "画像の代替テキスト（alt）を入力してください（画像の内容を短く説明します）")
    return result.errors


def generated_slug(session: Session, today=None) -> str:
    """Today's date (Japan time) and the next free number: 20270115-1, 20270115-2, …"""
    stem = (today or datetime.now(JST)).strftime("%Y%m%d")
    taken = set(session.scalars(select(Article.slug).where(Article.slug.like(f"{stem}-%"))))
    number = 1
    while f"{stem}-{number}" in taken:
        number += 1
    return f"{stem}-{number}"


def _check_required(data: ArticleInput, result: Validation) -> None:
    labels = {"title": "タイトル", "category": "分類", "body_md": "本文"}
    for name, label in labels.items():
        if not getattr(data, name).strip():
            result.add(name, f"{label}を入力してください")


def _check_lengths(data: ArticleInput, result: Validation) -> None:
    for name, limit in LIMITS.items():
        if len(getattr(data, name)) > limit:
            result.add(name, f"{limit}文字以内にしてください")


def _check_slug(session: Session, data: ArticleInput, article: Article | None, result: Validation) -> None:
    if not data.slug:
        return
    if not SLUG_RE.match(data.slug):
        result.add("slug", "ページのアドレスは半角英小文字・数字・ハイフンのみで入力してください（例: factory-tour-2027）。空欄なら自動で付けます")
        return
    other = session.scalar(select(Article.id).where(Article.slug == data.slug))
    if other is not None and (article is None or other != article.id):
        result.add("slug", "このページのアドレスは別の記事で使われています（空欄にすると自動で付けます）")


def _check_category(data: ArticleInput, staff: StaffUser, result: Validation) -> None:
    if not data.category:
        return
    if data.category not in CATEGORIES:
        result.add("category", "分類を選んでください")
        return
    if not publishing.may_edit_category(staff, data.category):
        result.add("category", "委託事業者が作成できるのはサイト概要・特集記事・テーマ別記事のみです")
    if data.category == "series" and data.series not in SERIES:
        result.add("series", "テーマ別記事ではテーマ（企業・人・製品）を選んでください")
    if data.category != "series" and data.series:
        result.add("series", "テーマはテーマ別記事でのみ選べます")


def _check_tags(data: ArticleInput, result: Validation) -> None:
    tags = data.tags
    if len(tags) > MAX_TAGS:
        result.add("tags", f"タグは{MAX_TAGS}個までにしてください")
    if any(len(tag) > MAX_TAG_LENGTH for tag in tags):
        result.add("tags", f"タグは1つ{MAX_TAG_LENGTH}文字以内にしてください")


def _check_company(session: Session, data: ArticleInput, result: Validation) -> None:
    if not data.company_id:
        return
    if data.company is None or session.get(Company, data.company) is None:
        result.add("company_id", "企業を一覧から選んでください")
