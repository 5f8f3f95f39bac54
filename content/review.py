"""Review between contractor (委託事業者) and ward staff (区職員): a comment thread per
article, 差し戻し with a reason, and what waits for whom (console badge, e-mail).
"""
from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from content import publishing
from content.models import Article, ArticleComment, ArticleRevision
from staff import audit
from staff.models import StaffUser

log = logging.getLogger(__name__)
COMMENT_MAX = 2000
KIND_LABELS = {"comment": "コメント", "sendback": "差し戻し", "approve": "承認"}


def thread(session: Session, article_id: int) -> list[ArticleComment]:
    query = select(ArticleComment).where(ArticleComment.article_id == article_id)
    return list(session.scalars(query.order_by(ArticleComment.id)))


def _clean(body: str) -> str:
    body = (body or "").strip()
    if len(body) > COMMENT_MAX:
        raise publishing.InvalidTransition(f"コメントは{COMMENT_MAX}文字以内にしてください")
    return body


def add_comment(session: Session, article: Article, staff: StaffUser, body: str,
                kind: str = "comment") -> ArticleComment:
    body = _clean(body)
    if not body and kind == "comment":
        raise publishing.InvalidTransition("コメントを入力してください")
    if not publishing.may_edit_category(staff, article.category):
        raise publishing.NotAllowed("この記事にコメントする権限がありません")
    comment = ArticleComment(article_id=article.id, staff_id=staff.id, kind=kind, body=body)
    session.add(comment)
    session.flush()
    audit.record(session, staff, f"article.{kind}", "article", article.id, {"slug": article.slug, "comment": body})
    return comment


def send_back(session: Session, article: Article, staff: StaffUser, reason: str) -> ArticleComment:
    """差し戻し: ward staff return a piece under review to its writer, with the reason."""
    if not publishing.is_reviewer(staff):
        raise publishing.NotAllowed("差し戻しは区職員または管理者のみ行えます")
    if article.status not in ("review", "approved"):
        raise publishing.InvalidTransition(
            f"現在の状態（{publishing.status_label(article.status)}）では差し戻しできません")
    if not _clean(reason):
        raise publishing.InvalidTransition("差し戻しの理由を書いてください（相手に表示されます）")
    article.status, article.reviewed_by_id = "draft", None
    return add_comment(session, article, staff, reason, kind="sendback")


def _sent_back_and_untouched(session: Session, article: Article) -> bool:
    last = session.scalar(select(ArticleComment).where(ArticleComment.article_id == article.id)
                          .order_by(ArticleComment.id.desc()).limit(1))
    if last is None or last.kind != "sendback":
        return False
    edited_after = select(ArticleRevision.id).where(
        ArticleRevision.article_id == article.id, ArticleRevision.created_at > last.created_at).limit(1)
    return session.scalar(edited_after) is None


def waiting_articles(session: Session, staff: StaffUser | None) -> list[Article]:
    """Articles waiting for this person: reviews for ward staff, send-backs for contractors."""
    if staff is None:
        return []
    if publishing.is_reviewer(staff):
        query = select(Article).where(Article.status == "review").order_by(Article.updated_at)
        return list(session.scalars(query))
    query = select(Article).where(Article.status == "draft",
                                  Article.category.in_(sorted(publishing.CONTRACTOR_CATEGORIES)))
    return [a for a in session.scalars(query.order_by(Article.updated_at)) if _sent_back_and_untouched(session, a)]


def notify_by_mail(config, recipients: list[StaffUser], subject: str, body: str) -> int:
    """E-mail a notice when SMTP is set up; the console badge shows it either way."""
    try:
        from events.mail import mail_configured, send_mail
    except ModuleNotFoundError:
        return 0
    if not mail_configured(config):
        return 0
    sent = 0
    for person in recipients:
        try:
            send_mail(config, person.email, subject, body)
            sent += 1
        except OSError as exc:  # includes smtplib errors; the badge still shows the work
            log.warning("notice mail to staff %s failed: %s", person.id, exc)
    return sent


def reviewers(session: Session) -> list[StaffUser]:
    return list(session.scalars(select(StaffUser).where(StaffUser.active, StaffUser.role.in_(("ward", "admin")))))
