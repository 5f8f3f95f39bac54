"""Who is using a LIFF page: an ID token verified by LINE, never a user id the page sends.

1. Each page load gets a fresh server nonce (``issue_nonce``), stored until used.
2. The page hands back the LIFF SDK's ID token with that nonce; ``identify`` consumes
   the nonce (single use), asks LINE's verification endpoint
   (``POST {LINE_API_BASE_URL}/oauth2/v2.1/verify`` with ``client_id`` = our LINE Login
   channel and the nonce), then checks ``aud``, ``exp``, ``nonce`` and ``sub`` itself too.
3. The verified ``sub`` (the LINE user id) is sealed into a short-lived signed ticket
   that the page sends with its form; the ticket, not the page, names the person.
"""
from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from bot.line.models import LiffNonce
from core.db import utcnow

log = logging.getLogger(__name__)

NONCE_TTL = timedelta(minutes=30)  # a page left open longer is simply reloaded
TICKET_MAX_AGE = 30 * 60  # seconds a verified page may submit
VERIFY_TIMEOUT = (5, 10)
_USER_ID = re.compile(r"^U[0-9a-f]{32}$")
_NONCE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class LiffIdentityError(Exception):
    """The person could not be identified; ``message`` is shown to them (Japanese)."""

    def __init__(self, reason: str, message: str):
        super().__init__(reason)
        self.reason, self.message = reason, message


NOT_VERIFIED = "LINEの本人確認ができませんでした。LINEアプリでページを開き直してください。"
EXPIRED = "ページを開いてから時間がたちました。LINEアプリでページを開き直してください。"
UNAVAILABLE = "いまLINEの本人確認ができません。しばらくしてからもう一度お試しください。"


def liff_enabled(config: Mapping) -> bool:
    return bool(config.get("LINE_LOGIN_CHANNEL_ID"))


# -- nonces ------------------------------------------------------------------------------------------


def issue_nonce(session: Session, purpose: str) -> str:
    """A fresh nonce for one page load (the caller commits)."""
    nonce = secrets.token_urlsafe(24)
    session.execute(delete(LiffNonce).where(LiffNonce.created_at < utcnow() - NONCE_TTL * 2))
    session.add(LiffNonce(nonce=nonce, purpose=purpose[:20]))
    return nonce


def consume_nonce(session: Session, nonce: str, purpose: str) -> None:
    """Mark the nonce used; raise when it is unknown, used, expired or for another page."""
    if not isinstance(nonce, str) or not _NONCE.match(nonce):
        raise LiffIdentityError("nonce-malformed", NOT_VERIFIED)
    used = session.execute(
        update(LiffNonce)
        .where(LiffNonce.nonce == nonce, LiffNonce.purpose == purpose, LiffNonce.used_at.is_(None),
               LiffNonce.created_at >= utcnow() - NONCE_TTL)
        .values(used_at=utcnow())
    )
    session.commit()  # used even if the verification below fails: a nonce never gets a second try
    if used.rowcount != 1:
        raise LiffIdentityError("nonce-unknown", EXPIRED)


# -- LINE's verification endpoint -----------------------------------------------------------------


def _ask_line(config: Mapping, id_token: str, nonce: str) -> dict:
    url = str(config["LINE_API_BASE_URL"]).rstrip("/") + "/oauth2/v2.1/verify"
    data = {"id_token": id_token, "client_id": str(config["LINE_LOGIN_CHANNEL_ID"]), "nonce": nonce}
    import requests  # here, not at import: every web page imports this module, few verify a LIFF token

    try:
        answer = requests.post(url, data=data, timeout=VERIFY_TIMEOUT)
    except requests.RequestException as exc:
        log.warning("LIFF ID token verification unreachable: %s", exc)
        raise LiffIdentityError("verify-unreachable", UNAVAILABLE) from exc
    if answer.status_code == 400:
        log.info("LINE refused a LIFF ID token: %s", answer.text[:200])
        raise LiffIdentityError("verify-refused", NOT_VERIFIED)
    if answer.status_code != 200:
        log.warning("LIFF ID token verification answered %s", answer.status_code)
        raise LiffIdentityError("verify-failed", UNAVAILABLE)
    try:
        claims = answer.json()
    except ValueError as exc:
        raise LiffIdentityError("verify-failed", UNAVAILABLE) from exc
    return claims if isinstance(claims, dict) else {}


def _check_claims(config: Mapping, claims: dict, nonce: str) -> str:
    """Our own checks of what LINE said (a wrong answer must not let anyone in)."""
    aud = claims.get("aud")
    if aud != str(config["LINE_LOGIN_CHANNEL_ID"]) and not (
            isinstance(aud, list) and str(config["LINE_LOGIN_CHANNEL_ID"]) in aud):
        raise LiffIdentityError("aud", NOT_VERIFIED)
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or isinstance(exp, bool) or exp <= time.time():
        raise LiffIdentityError("exp", EXPIRED)
    if claims.get("nonce") != nonce:
        raise LiffIdentityError("nonce", NOT_VERIFIED)
    sub = claims.get("sub")
    if not isinstance(sub, str) or not _USER_ID.match(sub):
        raise LiffIdentityError("sub", NOT_VERIFIED)
    return sub


@dataclass(frozen=True)
class Identity:
    user_id: str  # the LINE user id (``sub``)
    name: str  # the LINE display name, when the token carried it


def identify(session: Session, config: Mapping, id_token: object, nonce: object, purpose: str) -> Identity:
    if not liff_enabled(config):
        raise LiffIdentityError("liff-off", UNAVAILABLE)
    consume_nonce(session, nonce, purpose)
    if not isinstance(id_token, str) or not 20 <= len(id_token) <= 4096:
        raise LiffIdentityError("token-malformed", NOT_VERIFIED)
    claims = _ask_line(config, id_token, nonce)
    user_id = _check_claims(config, claims, nonce)
    name = claims.get("name") if isinstance(claims.get("name"), str) else ""
    return Identity(user_id, name[:100])


# -- the ticket the page submits with -------------------------------------------------------------


def _serializer(config: Mapping, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(config["SECRET_KEY"], salt=f"liff-ticket:{purpose}")


def ticket_for(config: Mapping, identity: Identity, purpose: str) -> str:
    return _serializer(config, purpose).dumps({"u": identity.user_id})


def user_of_ticket(config: Mapping, ticket: object, purpose: str) -> str:
    """The LINE user id sealed in a ticket of this purpose; raise when forged or too old."""
    if not isinstance(ticket, str) or len(ticket) > 500:
        raise LiffIdentityError("ticket-malformed", NOT_VERIFIED)
    try:
        data = _serializer(config, purpose).loads(ticket, max_age=TICKET_MAX_AGE)
    except BadSignature as exc:  # SignatureExpired is a BadSignature too
        raise LiffIdentityError("ticket-bad", EXPIRED) from exc
    user_id = data.get("u") if isinstance(data, dict) else None
    if not isinstance(user_id, str) or not _USER_ID.match(user_id):
        raise LiffIdentityError("ticket-bad", NOT_VERIFIED)
    return user_id
