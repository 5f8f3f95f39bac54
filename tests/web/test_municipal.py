"""問い合わせ先 on every page, the privacy policy linked from forms, the ward's official accounts."""
from __future__ import annotations

import pytest

from core.db import db
from testkit import make_test_app


@pytest.fixture
def ward_app(database_url, tmp_path):
    app = make_test_app(database_url, tmp_path / "instance", WARD_CONTACT_NAME="大田区 産業振興課",
                        WARD_CONTACT_PHONE="03-5744-0000", WARD_X_URL="https://x.example/ota",
                        WARD_YOUTUBE_URL="https://youtube.example/ota", WARD_LINE_URL="https://line.example/ota")
    with app.app_context():
        yield app
    db.session.remove()


@pytest.mark.parametrize("path", ["/", "/events", "/posts", "/privacy", "/contact", "/admin/login"])
def test_contact_and_official_accounts_on_every_page(ward_app, path):
    html = ward_app.test_client().get(path).get_data(as_text=True)
    assert "大田区 産業振興課" in html and "03-5744-0000" in html
    for url in ("https://x.example/ota", "https://youtube.example/ota", "https://line.example/ota"):
        assert f'href="{url}"' in html
    assert 'href="/privacy"' in html and 'href="/contact"' in html


def test_privacy_policy_covers_purposes_retention_deletion_and_contact(ward_app):
    html = ward_app.test_client().get("/privacy").get_data(as_text=True)
    for heading in ("利用の目的", "保存する期間", "削除のしかた", "お問い合わせ先"):
        assert heading in html
    assert "30日後に削除" in html


def test_sitemap_lists_the_new_pages(ward_app):
    xml = ward_app.test_client().get("/sitemap.xml").get_data(as_text=True)
    for path in ("/privacy", "/contact", "/posts"):
        assert f"{path}</loc>" in xml


def test_every_public_form_links_the_privacy_policy():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "web" / "templates"
    for name in ("events/detail.html", "events/survey.html", "events/cancel.html", "events/delete.html",
                 "events/registration.html", "bot/playground.html"):
        text = (root / name).read_text(encoding="utf-8")
        assert text.count("</form>") == text.count('partials/privacy_note.html'), name
