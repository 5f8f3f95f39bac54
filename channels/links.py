"""Tracked links: ``/r/<token>`` → 302 to a page of this site with UTM parameters.

The token is signed with SECRET_KEY and carries channel, broadcast, article and
a hashed recipient, so a click can be attributed without storing who clicked.
Targets are always paths on this site: a token can never send a visitor to a
URL taken from the request (no open redirect), even if the key leaked.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode, urlsplit

from itsdangerous import BadSignature, URLSafeSerializer

from channels import registry

SALT = "tracked-link-v1"


@dataclass(frozen=True)
class TrackedLink:
    path: str
    channel: str
    article_id: int | None = None
    broadcast_id: int | None = None
    recipient_hash: str | None = None
    campaign: str | None = None
    # Audience segment of a multicast variant ("persona:student", "discord:<channel id>"): no person.
    segment: str | None = None


@lru_cache(maxsize=4096)
def hash_recipient(secret_key: str, recipient: str) -> str:
    return hashlib.sha256(f"{secret_key}:{recipient}".encode()).hexdigest()[:16]


@lru_cache(maxsize=4)
def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=SALT)


@lru_cache(maxsize=4)
def _signing_key(secret_key: str) -> bytes:
    """The key the serializer's signer derives on every call (its default: SHA-1 of salt + "signer" + secret)."""
    signer = _serializer(secret_key).make_signer()
    return signer.derive_key()


def _sign(secret_key: str, payload: bytes) -> str:
    """What ``_serializer(secret_key).dumps`` appends: ``.`` and the URL-safe HMAC-SHA1 of the payload."""
    mac = hmac.new(_signing_key(secret_key), payload, hashlib.sha1).digest()
    return (payload + b"." + base64.urlsafe_b64encode(mac).rstrip(b"=")).decode("ascii")


_FIELDS = tuple((name, name[0] + name[-1]) for name in TrackedLink.__dataclass_fields__)


def is_site_path(path: str) -> bool:
    parts = urlsplit(path)
    # "//host" and "/\host" are treated as other hosts by browsers.
    return (
        path.startswith("/") and not path.startswith(("//", "/\\"))
        and not parts.scheme and not parts.netloc
    )


@lru_cache(maxsize=8192)
def make_token(secret_key: str, link: TrackedLink) -> str:
    """The signed token (deterministic: one link always gets the same token, so it is kept for
    the next turn that shows the same card to the same person; a bot reply carries ten)."""
    if not is_site_path(link.path):
        raise ValueError(f"tracked links only point at this site: {link.path!r}")
    if link.channel not in registry.names():
        raise ValueError(f"unknown channel {link.channel!r}")
    compact = {key: value for name, key in _FIELDS if (value := getattr(link, name)) is not None}
    return _sign(secret_key, _serializer(secret_key).dump_payload(compact))  # == _serializer(…).dumps(compact)


_KEYS = {field[0] + field[-1]: field for field in TrackedLink.__dataclass_fields__}


def read_token(secret_key: str, token: str) -> TrackedLink | None:
    if len(token) > 2000:
        return None
    try:
        compact = _serializer(secret_key).loads(token)
        link = TrackedLink(**{_KEYS[k]: v for k, v in compact.items()})
    except (BadSignature, KeyError, TypeError, AttributeError):
        return None
    return link if is_site_path(link.path) and link.channel in registry.names() else None


def tracked_url(config, path: str, *, channel: str, article_id: int | None = None,
                broadcast_id: int | None = None, recipient: str | None = None,
                campaign: str | None = None, segment: str | None = None) -> str:
    """Absolute tracked URL for a bot message, broadcast or embed.

    Broadcasts pass ``segment`` (one variant per audience segment); ``recipient``
    is for replies in a one-to-one chat only.
    """
    secret = config["SECRET_KEY"]
    link = TrackedLink(
        path=path, channel=channel, article_id=article_id, broadcast_id=broadcast_id,
        recipient_hash=hash_recipient(secret, recipient) if recipient else None, campaign=campaign,
        segment=segment[:60] if segment else None,
    )
    return f"{config['BASE_URL']}/r/{make_token(secret, link)}"


def campaign_name(link: TrackedLink) -> str:
    if link.campaign:
        return link.campaign
    if link.broadcast_id:
        return f"broadcast-{link.broadcast_id}"
    if link.article_id:
        return f"article-{link.article_id}"
    return "bot"


def destination(base_url: str, link: TrackedLink) -> str:
    utm = urlencode({"utm_source": link.channel, "utm_medium": "bot", "utm_campaign": campaign_name(link)})
    separator = "&" if "?" in link.path else "?"
    return f"{base_url}{link.path}{separator}{utm}"
