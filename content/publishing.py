"""Editorial workflow: draft → review → approved → scheduled / published.

Roles follow the ward's plan:
- 委託事業者 (contractor) writes features and series and submits them for
  review; they can neither approve nor publish.
- 区職員 (ward) writes every category, approves and publishes anything.
- 管理者 (admin) may do everything a ward member may.

Every function changes the article in the caller's session, writes an audit
row and leaves the commit to the caller, so the change, its audit entry and
whatever the publish hooks add (e.g. an announcement in the outbox) land in
one transaction.
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.models import Article
from core import signals
from core.db import utcnow
from staff import audit
from staff.models import StaffUser

log = logging.getLogger(__name__)

# The ward's page plan: the contractor edits ② about, ④ features and ⑤ series (and ① the top
# page, content.top_page); ward staff own ③ news, ⑥ local and ⑦ admin information.
CONTRACTOR_CATEGORIES = frozenset({"about", "feature", "series"})
REVIEWER_ROLES = frozenset({"ward", "admin"})
PUBLISHABLE_FROM = frozenset({"draft", "review", "approved", "scheduled"})
# A contractor's piece must have been handed over before ward staff publish it.
PUBLISHABLE_FROM_CONTRACTOR = frozenset({"review", "approved", "scheduled"})


class WorkflowError(Exception):
    """A workflow step that cannot happen; ``str(exc)`` is a Japanese message for staff."""


class NotAllowed(WorkflowError, PermissionError):
    """The staff member's role does not allow this step."""


class InvalidTransition(WorkflowError):
    """The article is not in a state where this step makes sense."""


# --- permission checks ------------------------------------------------------


def is_reviewer(staff: StaffUser | None) -> bool:
    return staff is not None and staff.active and staff.role in REVIEWER_ROLES


def may_edit_category(staff: StaffUser | None, category: str) -> bool:
    if staff is None or not staff.active:
        return False
    return staff.role in REVIEWER_ROLES or category in CONTRACTOR_CATEGORIES


def may_edit(staff: StaffUser | None, article: Article) -> bool:
    """Contractors may only touch their categories, and not once it is public or booked."""
    if not may_edit_category(staff, article.category):
        return False
    return is_reviewer(staff) or article.status in ("draft", "review", "approved")


def ensure_may_edit(staff: StaffUser | None, article: Article) -> None:
    if not may_edit_category(staff, article.category):
        raise NotAllowed("この分類の記事を編集する権限がありません（委託事業者はサイト概要・特集記事・テーマ別記事のみ）")
    if not may_edit(staff, article):
        raise NotAllowed("公開済み・公開予約済みの記事は区職員のみ編集できます")


def _ensure_reviewer(staff: StaffUser | None, what: str) -> None:
    if not is_reviewer(staff):
        raise NotAllowed(f"{what}は区職員または管理者のみ行えます")


def _ensure_status(article: Article, allowed: frozenset[str] | tuple[str, ...], what: str) -> None:
    if article.status not in allowed:
        raise InvalidTransition(f"現在の状態（{status_label(article.status)}）では{what}できません")


STATUS_LABELS = {
    "draft": "下書き",
    "review": "レビュー待ち",
    "approved": "承認済み",
    "scheduled": "公開予約",
    "published": "公開中",
}


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def _written_by_contractor(session: Session, article: Article) -> bool:
    if article.created_by_id is None:
        return False
    author = session.get(StaffUser, article.created_by_id)
    return author is not None and author.role == "contractor"


def _ensure_publishable(session: Session, article: Article, what: str) -> None:
    _ensure_status(article, PUBLISHABLE_FROM, what)
    if _written_by_contractor(session, article) and article.status not in PUBLISHABLE_FROM_CONTRACTOR:
        raise InvalidTransition("委託事業者の記事は、レビュー依頼を受けてから公開してください")


# --- transitions ------------------------------------------------------------


def submit_for_review(session: Session, article: Article, staff: StaffUser) -> None:
    ensure_may_edit(staff, article)
    _ensure_status(article, ("draft",), "レビュー依頼")
    article.status = "review"
    _audit(session, staff, "article.submit", article)


def approve(session: Session, article: Article, staff: StaffUser) -> None:
    _ensure_reviewer(staff, "承認")
    _ensure_status(article, ("review",), "承認")
    article.status = "approved"
    article.reviewed_by_id = staff.id
    _audit(session, staff, "article.approve", article)


def publish(session: Session, article: Article, staff: StaffUser) -> None:
    _ensure_reviewer(staff, "公開")
    _ensure_publishable(session, article, "公開")
    if article.reviewed_by_id is None:
        article.reviewed_by_id = staff.id  # publishing is the approval
    _make_public(session, article, staff, utcnow())


def schedule(session: Session, article: Article, when: datetime, staff: StaffUser) -> None:
    _ensure_reviewer(staff, "公開予約")
    _ensure_publishable(session, article, "公開予約")
    if when.tzinfo is None:
        raise ValueError("schedule() needs a timezone-aware datetime")
    if when <= utcnow():
        raise InvalidTransition("公開予約の日時は現在より後にしてください")
    if article.reviewed_by_id is None:
        article.reviewed_by_id = staff.id
    article.status = "scheduled"
    article.scheduled_at = when
    _audit(session, staff, "article.schedule", article, {"scheduled_at": when.isoformat()})


def unpublish(session: Session, article: Article, staff: StaffUser) -> None:
    """Take a public article down (→ draft) or cancel a booking (→ approved)."""
    _ensure_reviewer(staff, "公開取り消し")
    _ensure_status(article, ("published", "scheduled"), "公開取り消し")
    was = article.status
    article.status = "draft" if was == "published" else "approved"
    article.scheduled_at = None
    _audit(session, staff, "article.unpublish", article, {"was": was})


def _make_public(session: Session, article: Article, staff: StaffUser | None, when: datetime) -> None:
    article.status = "published"
    article.published_at = when
    article.scheduled_at = None
    session.flush()
    _audit(session, staff, "article.publish", article, {"published_at": when.isoformat()})
    signals.article_published.send(article, session=session, staff=staff)


def _audit(session: Session, staff: StaffUser | None, action: str, article: Article, extra: dict | None = None):
    session.flush()  # a new article needs its id for the log row
    details = {"slug": article.slug, "title": article.title, "status": article.status, **(extra or {})}
    audit.record(session, staff, action, "article", article.id, details)


# --- scheduled publication (worker job) --------------------------------------


def due_article_ids(session: Session, now: datetime) -> list[int]:
    query = select(Article.id).where(Article.status == "scheduled", Article.scheduled_at <= now)
    return list(session.scalars(query.order_by(Article.scheduled_at, Article.id)))


def publish_due(session: Session, now: datetime | None = None) -> list[int]:
    """Publish every scheduled article whose time has come; one commit per article.

    Idempotent: a published article is no longer ``scheduled``, and the row is
    re-read under a lock (SKIP LOCKED on PostgreSQL) so two runs never publish
    the same article twice or run its hooks twice.
    """
    now = now or utcnow()
    published = []
    for article_id in due_article_ids(session, now):
        locked = select(Article).where(Article.id == article_id).with_for_update(skip_locked=True)
        article = session.scalar(locked.execution_options(populate_existing=True))
        if article is None or article.status != "scheduled" or article.scheduled_at > now:
            session.rollback()
            continue
        try:
            _make_public(session, article, None, article.scheduled_at)
            session.commit()
        except Exception:  # one failing article (or hook) must not block the others
            session.rollback()
            log.exception("scheduled publication of article %s failed; retrying next run", article_id)
            continue
        published.append(article_id)
    return published
