"""Signed values: chat postbacks and the door check-in code.

Postback data comes back from the user's device, so anything in it could be
altered. Each registration postback carries an HMAC (SECRET_KEY, itsdangerous)
over the action, its ids and the chat user it was sent to: a changed id, a
value taken from someone else's chat or a made-up payload is refused.
"""
from __future__ import annotations

from itsdangerous import BadSignature, Signer, URLSafeSerializer

POSTBACK_SALT = "event-postback-v1"
CHECKIN_SALT = "event-checkin-v1"
CHECKIN_PATH = "/admin/events/checkin/"


def _postback_signer(secret_key: str) -> Signer:
    return Signer(secret_key, salt=POSTBACK_SALT)


def _message(user_key: str, parts: tuple[object, ...]) -> bytes:
    return "|".join([user_key, *(str(p) for p in parts)]).encode()


def postback_signature(secret_key: str, user_key: str, *parts: object) -> str:
    """A short signature (27 characters) binding ``parts`` to one chat user."""
    return _postback_signer(secret_key).get_signature(_message(user_key, parts)).decode()


def postback_signature_ok(secret_key: str, user_key: str, signature: str, *parts: object) -> bool:
    if not signature or len(signature) > 64:
        return False
    return _postback_signer(secret_key).verify_signature(_message(user_key, parts), signature.encode())


def checkin_code(secret_key: str, registration_id: int) -> str:
    """The code inside the check-in QR: the registration id, signed."""
    return URLSafeSerializer(secret_key, salt=CHECKIN_SALT).dumps(registration_id)


def read_checkin_code(secret_key: str, code: str) -> int | None:
    """The registration id, or None for a tampered or unknown code (never raises)."""
    code = (code or "").strip()
    if CHECKIN_PATH in code:  # the whole scanned URL was pasted
        code = code.split(CHECKIN_PATH, 1)[1].split("?", 1)[0].strip("/")
    if not code or len(code) > 200:
        return None
    try:
        value = URLSafeSerializer(secret_key, salt=CHECKIN_SALT).loads(code)
    except BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def checkin_url(base_url: str, secret_key: str, registration_id: int) -> str:
    return f"{base_url.rstrip('/')}{CHECKIN_PATH}{checkin_code(secret_key, registration_id)}"


FORM_SALT = "event-form-started-v1"


def form_started(secret_key: str) -> str:
    """When the registration form was shown (signed: a script cannot claim it waited)."""
    import time

    return URLSafeSerializer(secret_key, salt=FORM_SALT).dumps(int(time.time()))


def read_form_started(secret_key: str, value: str) -> float | None:
    if not value or len(value) > 100:
        return None
    try:
        started = URLSafeSerializer(secret_key, salt=FORM_SALT).loads(value)
    except BadSignature:
        return None
    return float(started) if isinstance(started, int) and not isinstance(started, bool) else None
