from urllib.parse import parse_qs, urlsplit

import pytest

from channels import links
from channels.links import TrackedLink


def test_tracked_url_redirects_with_utm(app, client):
    url = links.tracked_url(app.config, "/articles/space", channel="line", article_id=7, recipient="U123")
    assert url.startswith("http://testserver.local/r/")
    response = client.get(urlsplit(url).path)
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert target.netloc == "testserver.local" and target.path == "/articles/space"
    assert parse_qs(target.query) == {
        "utm_source": ["line"], "utm_medium": ["bot"], "utm_campaign": ["article-7"],
    }


def test_recipient_is_hashed_not_stored_in_clear(app):
    url = links.tracked_url(app.config, "/", channel="line", recipient="Uabcdef0123456789")
    token = urlsplit(url).path.rsplit("/", 1)[1]
    link = links.read_token(app.config["SECRET_KEY"], token)
    assert link.recipient_hash == links.hash_recipient(app.config["SECRET_KEY"], "Uabcdef0123456789")
    assert "Uabcdef0123456789" not in str(link)


@pytest.mark.parametrize("token", ["nope", "x" * 3000, "eyJwYSI6Ii8ifQ.tampered"])
def test_unknown_or_tampered_token_is_404(client, token):
    assert client.get(f"/r/{token}").status_code == 404


def test_token_signed_with_other_key_is_rejected(app, client):
    forged = links.make_token("another-key", TrackedLink(path="/", channel="line"))
    assert client.get(f"/r/{forged}").status_code == 404


@pytest.mark.parametrize("path", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"])
def test_external_targets_cannot_be_made(app, path):
    with pytest.raises(ValueError):
        links.make_token(app.config["SECRET_KEY"], TrackedLink(path=path, channel="line"))


def test_tokens_are_exactly_what_the_itsdangerous_serializer_signs():
    from dataclasses import asdict

    from itsdangerous import URLSafeSerializer

    link = links.TrackedLink(path="/articles/旋盤", channel="line", article_id=7, recipient_hash="0123456789abcdef",
                             campaign="bot-site", segment="persona:student")
    compact = {k[0] + k[-1]: v for k, v in asdict(link).items() if v is not None}
    for secret in ("k" * 32, "another-secret"):
        assert links.make_token(secret, link) == URLSafeSerializer(secret, salt=links.SALT).dumps(compact)
        assert links.read_token(secret, links.make_token(secret, link)) == link
