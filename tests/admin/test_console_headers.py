"""Every console page, whichever domain serves it, is never cached and never framed."""
from __future__ import annotations

import pytest

CONSOLE_PAGES = ["/admin/", "/admin/events/", "/admin/broadcasts", "/admin/kpi/", "/admin/discord/",
                 "/admin/articles", "/admin/accounts", "/admin/audit"]


@pytest.mark.parametrize("url", CONSOLE_PAGES)
def test_console_pages_are_no_store_and_deny_framing(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 200, url
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "noindex" in response.headers["X-Robots-Tag"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response.headers


def test_the_login_page_and_redirects_are_no_store_too(client):
    for url in ("/admin/login", "/admin/events/"):
        response = client.get(url)
        assert response.headers["Cache-Control"] == "no-store" and response.headers["X-Frame-Options"] == "DENY"
