"""Article editor service: save an edit (optimistically locked) and run workflow steps."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from content import publishing, revisions
from content.admin.article_form import ArticleInput, parse_local_datetime
from content.models import Article, Tag
from staff import audit
from staff.models import StaffUser

EDITABLE = ("title", "slug", "category", "summary", "body_md", "hero_alt", "hero_credit", "author")
ACTIONS = ("save", "submit", "approve", "publish", "schedule", "unpublish")


class StaleEdit(publishing.WorkflowError):
    """Somebody saved the article after this form was opened."""

    def __init__(self) -> None:
        super().__init__(
            "この記事は、編集を始めた後に別の操作で更新されています。"
            "入力内容はそのまま残しています。最新の内容を別タブで確認し、必要な変更を反映してから保存し直してください。"
        )


def status_counts(session: Session) -> dict[str, int]:
    query = select(Article.status, func.count()).group_by(Article.status)
    counts = {status: 0 for status in publishing.STATUS_LABELS}
    counts.update({status: count for status, count in session.execute(query)})
    return counts


def list_query(staff: StaffUser, status: str | None):
    query = select(Article).order_by(Article.updated_at.desc(), Article.id.desc())
    if status in publishing.STATUS_LABELS:
        query = query.where(Article.status == status)
    if not publishing.is_reviewer(staff):
        query = query.where(Article.category.in_(publishing.CONTRACTOR_CATEGORIES))
    return query


def load_article(session: Session, article_id: int) -> Article | None:
    query = select(Article).where(Article.id == article_id).options(selectinload(Article.tags))
    return session.scalar(query)


def _tags(session: Session, names: list[str]) -> list[Tag]:
    existing = {tag.name: tag for tag in session.scalars(select(Tag).where(Tag.name.in_(names)))}
    return [existing.get(name) or Tag(name=name) for name in names]


def _apply(session: Session, article: Article, data: ArticleInput, image: tuple[str, list[int]] | None) -> list[str]:
    """Copy the form onto the article; return the names of the fields that changed."""
    changed = []
    values = {name: getattr(data, name) for name in EDITABLE}
    values["series"] = data.series or None
    values["company_id"] = data.company
    if image is not None:
        values["hero_image"], values["hero_sizes"] = image
    for name, value in values.items():
        if getattr(article, name) != value:
            setattr(article, name, value)
            changed.append(name)
    if sorted(article.tag_names) != sorted(data.tags):
        article.tags = _tags(session, data.tags)
        changed.append("tags")
    return changed


def _check_version(article: Article, data: ArticleInput) -> None:
    if article.id is not None and data.version != str(article.version):
        raise StaleEdit()


def save(
    session: Session, article: Article | None, data: ArticleInput, staff: StaffUser,
    image: tuple[str, list[int]] | None = None,
) -> Article:
    """Create or update from a validated form; the caller commits."""
    if article is None:
        article = Article(status="draft", created_by_id=staff.id)
        session.add(article)
    else:
        publishing.ensure_may_edit(staff, article)
        _check_version(article, data)
    changed = _apply(session, article, data, image)
    if article.id is not None and not changed:
        return article
    _void_approval_after_contractor_edit(article, staff)
    try:
        session.flush()
    except StaleDataError as exc:  # a concurrent save won the race between check and write
        raise StaleEdit() from exc
    action = "article.edit" if article.version > 1 else "article.create"
    audit.record(session, staff, action, "article", article.id, {"slug": article.slug, "fields": changed})
    revisions.record(session, article, staff, "console")
    return article


def _void_approval_after_contractor_edit(article: Article, staff: StaffUser) -> None:
    # What ward staff approved is no longer what will be published.
    if not publishing.is_reviewer(staff) and article.status in ("review", "approved"):
        article.status = "draft"
        article.reviewed_by_id = None


def run_action(session: Session, article: Article, action: str, staff: StaffUser, data: ArticleInput) -> str:
    """Run one workflow step after a save; return a Japanese confirmation."""
    if action == "submit":
        publishing.submit_for_review(session, article, staff)
        return "レビューを依頼しました。区職員の承認をお待ちください。"
    if action == "approve":
        publishing.approve(session, article, staff)
        return "承認しました。"
    if action == "publish":
        publishing.publish(session, article, staff)
        return "公開しました。"
    if action == "schedule":
        when = parse_local_datetime(data.scheduled_at)
        if when is None:
            raise publishing.InvalidTransition("公開予約の日時を入力してください")
        publishing.schedule(session, article, when, staff)
        return "公開を予約しました。"
    if action == "unpublish":
        publishing.unpublish(session, article, staff)
        return "公開を取り消しました。"
    return "保存しました。"
