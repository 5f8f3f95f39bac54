"""Password hashing (argon2id via argon2-cffi) and the password policy."""
from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the e-mail is unknown, so both cases take the same time.

    Made on the first check, not at import: a hash costs ~0.13 s of CPU, and every process
    imports this module (web workers, the bot worker, each CLI command), most never verify.
    """
    return _hasher.hash(secrets.token_hex(16))


class PasswordPolicyError(ValueError):
    """The chosen password is too weak; the message is Japanese."""


def check_policy(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(f"パスワードは{MIN_LENGTH}文字以上にしてください")
    if len(set(password)) < 4:
        raise PasswordPolicyError("同じ文字の繰り返しだけのパスワードは使えません")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    dummy = _dummy_hash()  # made before either branch: the first check costs the same for both
    try:
        return _hasher.verify(password_hash or dummy, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker/older parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


def generate_password() -> str:
    """A temporary password for a reset, shown once to the administrator."""
    return secrets.token_urlsafe(15)
