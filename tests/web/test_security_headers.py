"""Security headers on every response, and templates that need no inline script or style."""
from __future__ import annotations

import re

import pytest

from messages.colours import INK, LABEL_COLOURS
from testkit import PROJECT_ROOT, make_test_app

PUBLIC_URLS = ["/", "/articles", "/feed.xml", "/healthz", "/no-such-page", "/static/css/site.css", "/playground"]
TEMPLATE_FOLDERS = sorted(p for p in PROJECT_ROOT.glob("*/templates") if ".venv" not in p.parts) + sorted(
    p for p in PROJECT_ROOT.glob("*/*/templates") if ".venv" not in p.parts
)


def _csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in policy.split(";")) if part}


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_every_response_carries_the_security_headers(demo_client, url):
    response = demo_client.get(url)
    assert response.status_code in (200, 404)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    directives = _csp(response)
    assert directives["script-src"] == "script-src 'self'"
    assert directives["style-src"] == "style-src 'self'"
    assert directives["object-src"] == "object-src 'none'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # not outside production


def test_json_api_and_posts_carry_them_too(client):
    response = client.post("/playground/api/message", json={"kind": "text", "text": "x"})
    assert response.status_code == 400  # no CSRF token
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response.headers


def test_production_adds_strict_transport_security(database_url, tmp_path):
    app = make_test_app(database_url, tmp_path / "prod", PRODUCTION=True)
    response = app.test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def _template_files():
    for folder in TEMPLATE_FOLDERS:
        yield from folder.rglob("*.html")


def test_template_folders_were_found():
    assert any(folder.parts[-2] == "web" for folder in TEMPLATE_FOLDERS)
    assert len(list(_template_files())) > 30


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)


def test_no_template_needs_inline_script_or_style():
    offenders = []
    for path in _template_files():
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, INLINE_STYLE):
            offenders += [f"{path.relative_to(PROJECT_ROOT)}: {m.group(0)!r}" for m in pattern.finditer(text)]
    assert offenders == []


def test_every_label_colour_has_its_class_in_the_broadcast_css():
    css = (PROJECT_ROOT / "web/static/css/broadcasts.css").read_text()
    for colour in {*LABEL_COLOURS.values(), INK}:
        assert f".bc-colour-{colour.lstrip('#').lower()} {{ --bc-colour: {colour.lower()}; }}" in css
