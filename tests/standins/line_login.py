"""LINE Login's ID token verification (POST /oauth2/v2.1/verify) for the LINE stand-in.

LIFF pages get an ID token from the LIFF SDK; the server posts it here with
``client_id`` (the LINE Login channel) and the ``nonce`` it expects. As LINE
documents, the answer is 200 with the token's claims, or 400 with
``{"error": "invalid_request", "error_description": ...}`` when the token is
malformed or tampered ("Invalid IdToken."), expired ("IdToken expired."), for
another channel ("Invalid IdToken Audience.") or carries another nonce
("Invalid IdToken Nonce."). This endpoint takes no Authorization header and a
form-encoded body. Tokens are HS256 JWTs signed with the stand-in's own key, so
an edited token fails its signature like a forged one does with LINE.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from urllib.parse import parse_qs

from .http_standin import Reply

VERIFY_PATH = "/oauth2/v2.1/verify"
ISSUER = "https://access.line.me"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class IdTokenIssuer:
    """Signs and checks the stand-in's ID tokens."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def issue(self, sub: str, aud: str, nonce: str | None, now: float, *, lifetime: int = 3600,
              name: str = "山田 太郎") -> str:
        header = {"typ": "JWT", "alg": "HS256"}
        claims = {"iss": ISSUER, "sub": sub, "aud": aud, "exp": int(now) + lifetime, "iat": int(now),
                  "amr": ["linesso"], "name": name, "picture": f"https://profile.line-scdn.net/standin/{sub}"}
        if nonce is not None:
            claims["nonce"] = nonce
        signing_input = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())
        return signing_input + "." + _b64(self._sign(signing_input))

    def _sign(self, signing_input: str) -> bytes:
        return hmac.new(self._key, signing_input.encode(), hashlib.sha256).digest()

    def claims(self, token: str) -> dict | None:
        """The claims of an untampered token of ours, else None."""
        parts = token.split(".")
        if len(parts) != 3:
            return None
        try:
            signature_ok = hmac.compare_digest(_unb64(parts[2]), self._sign(parts[0] + "." + parts[1]))
            claims = json.loads(_unb64(parts[1])) if signature_ok else None
        except (ValueError, UnicodeDecodeError):
            return None
        return claims if isinstance(claims, dict) else None


def _invalid(description: str) -> Reply:
    return Reply(400, {"error": "invalid_request", "error_description": description})


def verify(standin, request, call) -> Reply:
    """The endpoint: form body id_token, client_id, optional nonce and user_id."""
    if not request.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
        return _invalid("Unsupported content type.")
    form = {k: v[0] for k, v in parse_qs(call.body_bytes.decode("utf-8", "replace")).items()}
    if not form.get("id_token"):
        return _invalid("Required parameter 'id_token' is missing.")
    if not form.get("client_id"):
        return _invalid("Required parameter 'client_id' is missing.")
    claims = standin.id_tokens.claims(form["id_token"])
    if claims is None:
        return _invalid("Invalid IdToken.")
    if claims["exp"] <= standin.now():
        return _invalid("IdToken expired.")
    if claims["aud"] != form["client_id"]:
        return _invalid("Invalid IdToken Audience.")
    if "nonce" in form and claims.get("nonce") != form["nonce"]:
        return _invalid("Invalid IdToken Nonce.")
    if "user_id" in form and claims["sub"] != form["user_id"]:
        return _invalid("Invalid IdToken Subject Identifier.")
    with standin._lock:
        standin.verified_tokens.append(claims)
    return Reply(200, claims)
