"""Revisions: every save keeps one; imports never overwrite console edits (unless --force)."""
from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest
from sqlalchemy import select

from content import revisions
from content.admin import articles
from content.admin.article_form import ArticleInput
from content.cli import print_skips
from content.demo import import_demo_content
from content.importer import import_path
from content.models import Article, ArticleRevision
from core.db import db
from staff.accounts import create_account


@pytest.fixture
def ward(session):
    staff = create_account(session, "ward@example.jp", "区の職員", "ward", "correct horse battery", None)
    session.commit()
    return staff


def _file(folder: Path, title: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.md").write_text(dedent(f"""\
        ---
        title: {title}
        slug: machikoba
        category: news
        status: published
        published_at: 2026-04-01T10:00:00+09:00
        ---
        {body}
        """), encoding="utf-8")
    return folder


def _console_edit(session, staff, article: Article, body: str) -> None:
    data = ArticleInput.from_article(article)
    data.body_md = body
    articles.save(session, article, data, staff)
    session.commit()


def _article(session) -> Article:
    session.expire_all()
    return session.scalar(select(Article).where(Article.slug == "machikoba"))


def test_import_skips_an_article_edited_in_the_console_and_force_overwrites_keeping_it(
        app, session, ward, tmp_path, capsys):
    media = Path(app.instance_path) / "media"
    folder = _file(tmp_path / "c", "町工場", "ファイルの本文")
    import_path(session, folder, media)
    _console_edit(session, ward, _article(session), "職員が直した本文")

    report = import_path(session, _file(tmp_path / "c", "町工場", "ファイルの新しい本文"), media)
    assert report.skipped == ["machikoba"] and report.updated == []
    assert _article(session).body_md == "職員が直した本文"
    print_skips(report)
    assert "skipped machikoba: edited in the console" in capsys.readouterr().out

    report = import_path(session, folder, media, force=True)
    assert report.forced == ["machikoba"]
    article = _article(session)
    assert article.body_md.strip() == "ファイルの新しい本文"
    kept = [r.snapshot["body_md"] for r in revisions.history(session, article.id)]
    assert "職員が直した本文" in kept  # the overwritten console edit can be restored

    import_path(session, folder, media)  # after a forced import the file is the source again
    assert _article(session).body_md.strip() == "ファイルの新しい本文"


def test_setup_demo_keeps_a_console_edit(app, session, ward):
    import_demo_content(app)
    article = session.scalar(select(Article).where(Article.category == "feature").order_by(Article.id))
    _console_edit(session, ward, article, "区の職員が書き直しました。")
    slug = article.slug
    import_demo_content(app)  # what re-running `make run` does
    session.expire_all()
    assert session.scalar(select(Article.body_md).where(Article.slug == slug)) == "区の職員が書き直しました。"


def test_every_save_keeps_a_revision_and_any_can_be_restored(app, session, ward, tmp_path):
    import_path(session, _file(tmp_path / "c", "町工場", "一"), Path(app.instance_path) / "media")
    _console_edit(session, ward, _article(session), "二")
    _console_edit(session, ward, _article(session), "三")
    rows = revisions.history(session, _article(session).id)
    assert [r.source for r in rows] == ["console", "console", "import"]
    assert rows[0].staff_id == ward.id
    changes = revisions.diff(rows[1].snapshot, rows[0].snapshot)
    assert [(c.label, c.lines) for c in changes] == [("本文", [("del", "二"), ("add", "三")])]

    revisions.restore(session, _article(session), rows[2], ward)
    session.commit()
    assert _article(session).body_md.strip() == "一"
    assert session.scalar(select(ArticleRevision.source).order_by(ArticleRevision.id.desc()).limit(1)) == "restore"


def test_revision_pages_show_who_and_when_and_restore(app, session, ward, tmp_path):
    import_path(session, _file(tmp_path / "c", "町工場", "最初の本文"), Path(app.instance_path) / "media")
    _console_edit(session, ward, _article(session), "直した本文")
    from tests.admin.console_helpers import login, post_form
    client = app.test_client()
    assert login(client, "ward@example.jp").status_code == 302
    article = _article(session)
    listing = client.get(f"/admin/articles/{article.id}/revisions").get_data(as_text=True)
    assert "区の職員" in listing and "管理画面で保存" in listing and "ファイルから取り込み" in listing
    first = revisions.history(session, article.id)[-1]
    url = f"/admin/articles/{article.id}/revisions/{first.id}"
    html = client.get(url).get_data(as_text=True)
    assert "いまの内容との違い" in html and "直した本文" in html
    response = post_form(client, url, url + "/restore", {})
    assert response.status_code == 302
    assert _article(session).body_md.strip() == "最初の本文"
    db.session.remove()
