"""Workflow service: roles, transitions, hooks, scheduled publication."""
from __future__ import annotations

from datetime import timedelta

import pytest
from console_helpers import make_staff
from sqlalchemy import select

from content import publishing
from content.models import Article
from web.admin.models import AuditLog
from web.db import db, utcnow


def _article(author, category="feature", **extra) -> Article:
    article = Article(slug=extra.pop("slug", "kiji"), title="記事", category=category, body_md="本文",
                      created_by_id=author.id, **extra)
    db.session.add(article)
    db.session.commit()
    return article


@pytest.fixture
def hook_calls():
    calls = []

    def hook(session, article, staff):
        calls.append((article.id, article.status, staff.id if staff else None))

    publishing.ARTICLE_PUBLISHED_HOOKS.append(hook)
    yield calls
    publishing.ARTICLE_PUBLISHED_HOOKS.remove(hook)


def test_contractor_cannot_approve_or_publish(app):
    contractor = make_staff("contractor")
    article = _article(contractor)
    publishing.submit_for_review(db.session, article, contractor)
    for step in (publishing.approve, publishing.publish):
        with pytest.raises(publishing.NotAllowed) as info:
            step(db.session, article, contractor)
        assert "区職員" in str(info.value)
    with pytest.raises(PermissionError):
        publishing.schedule(db.session, article, utcnow() + timedelta(days=1), contractor)


def test_contractor_cannot_write_news(app):
    contractor = make_staff("contractor")
    article = _article(contractor, category="news")
    with pytest.raises(publishing.NotAllowed):
        publishing.submit_for_review(db.session, article, contractor)


def test_full_workflow_with_hook_called_once(app, hook_calls):
    contractor, ward = make_staff("contractor"), make_staff("ward")
    article = _article(contractor)
    publishing.submit_for_review(db.session, article, contractor)
    publishing.approve(db.session, article, ward)
    publishing.publish(db.session, article, ward)
    db.session.commit()
    assert article.status == "published" and article.published_at is not None
    assert article.reviewed_by_id == ward.id
    assert hook_calls == [(article.id, "published", ward.id)]
    query = select(AuditLog.action).where(AuditLog.target_type == "article").order_by(AuditLog.id)
    actions = db.session.scalars(query).all()
    assert actions == ["article.submit", "article.approve", "article.publish"]


def test_ward_cannot_publish_a_contractor_draft(app):
    contractor, ward = make_staff("contractor"), make_staff("ward")
    article = _article(contractor)
    with pytest.raises(publishing.InvalidTransition):
        publishing.publish(db.session, article, ward)


def test_scheduled_publication_by_job_runs_hooks_once(app, hook_calls):
    ward = make_staff("ward")
    article = _article(ward, category="news")
    when = utcnow() + timedelta(minutes=5)
    publishing.schedule(db.session, article, when, ward)
    db.session.commit()
    assert publishing.publish_due(db.new_session(), utcnow()) == []
    assert publishing.publish_due(db.new_session(), when + timedelta(seconds=1)) == [article.id]
    assert publishing.publish_due(db.new_session(), when + timedelta(minutes=2)) == []
    db.session.expire_all()
    assert db.session.get(Article, article.id).status == "published"
    assert hook_calls == [(article.id, "published", None)]
