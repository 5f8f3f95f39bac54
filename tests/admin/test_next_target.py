"""``?next=`` with control characters is refused with a Japanese 400, never a 500 or a split header."""
from __future__ import annotations

import pytest
from console_helpers import PASSWORD, csrf_from, fresh_page

from staff.auth import UnsafeTarget, safe_next

HOSTILE = ["/admin/\r\nSet-Cookie: x=1", "/admin/\nx", "/admin/\x00", "/admin/\x7f", "/admin/\u2028x", "/admin/\u202ex"]


@pytest.mark.parametrize("target", HOSTILE)
def test_safe_next_refuses_control_characters(target):
    with pytest.raises(UnsafeTarget):
        safe_next(target)


def test_safe_next_still_follows_ordinary_japanese_paths():
    assert safe_next("/admin/articles?tag=旋盤") == "/admin/articles?tag=旋盤"
    assert safe_next("//evil.example/") == "/admin/"


@pytest.mark.parametrize("query", ["/%0d%0aSet-Cookie:%20x=1", "/admin/%0a", "/admin/%00", "/admin/%E2%80%A8"])
def test_login_page_with_a_control_character_next_is_a_400(client, query):
    response = client.get(f"/admin/login?next={query}")
    assert response.status_code == 400
    assert "アドレスが正しくありません" in response.get_data(as_text=True)
    assert "Set-Cookie: x" not in str(response.headers)


def test_successful_login_with_a_crlf_next_is_a_400_not_a_500(client, ward):
    token = csrf_from(fresh_page(client, "/admin/login"))
    data = {"email": ward.email, "password": PASSWORD, "csrf_token": token, "next": "/admin/\r\nX-Evil: 1"}
    response = client.post("/admin/login", data=data)
    assert response.status_code == 400
    assert "X-Evil" not in response.headers
