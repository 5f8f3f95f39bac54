"""Checks on what an applicant types: a name staff can read out, one reachable contact.

Shared by every channel (web form, LINE and Discord conversations, staff
console), so each gives the same clear Japanese message for the same mistake.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass

NAME_MAX, CONTACT_MAX = 100, 254

_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")
_PHONE_CHARS = re.compile(r"^\+?[0-9][0-9\-() ]+$")
# Symbols that are not part of any name: emoji, pictographs, dingbats, variation selectors.
_NOT_IN_NAMES = {"So", "Cs", "Co", "Cn"}
# Dashes Japanese keyboards produce between phone number groups (03−1234−5678, 03ー1234ー5678).
_DASHES = str.maketrans({ch: "-" for ch in "‐‑‒–—―−ーｰ"})


class FieldError(ValueError):
    """A field's value is not acceptable; ``message`` is shown next to the field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def _printable(value: str) -> str:
    return "".join(ch for ch in value if ch.isprintable()).strip()


def _has_symbols(value: str) -> bool:
    return any(unicodedata.category(ch) in _NOT_IN_NAMES or 0xFE00 <= ord(ch) <= 0xFE0F for ch in value)


def clean_name(value: str | None) -> str:
    """The name as staff will read it at the door (spaces normalised)."""
    name = " ".join(_printable(unicodedata.normalize("NFKC", value or "")).split())
    if not name:
        raise FieldError("name", "お名前を入力してください。")
    if len(name) > NAME_MAX:
        raise FieldError("name", f"お名前は{NAME_MAX}文字以内で入力してください（いま{len(name)}文字です）。")
    if _has_symbols(name):
        raise FieldError("name", "お名前に絵文字や記号は使えません。受付でお呼びするお名前を入力してください。")
    return name


@dataclass(frozen=True)
class Contact:
    value: str
    kind: str  # "email" | "phone"


def _phone_digits(value: str) -> str | None:
    if not _PHONE_CHARS.match(value):
        return None
    digits = re.sub(r"\D", "", value)
    if value.startswith("+81"):
        digits = "0" + digits[2:]
    return digits if 10 <= len(digits) <= 11 and digits.startswith("0") else None


def parse_contact(value: str | None) -> Contact:
    """An e-mail address or a Japanese phone number (full-width digits are fine)."""
    text = _printable(unicodedata.normalize("NFKC", value or "")).replace(" ", "")
    if not text:
        raise FieldError("contact", "連絡先（メールアドレスまたは電話番号）を入力してください。")
    if len(text) > CONTACT_MAX:
        raise FieldError("contact", f"連絡先は{CONTACT_MAX}文字以内で入力してください。")
    if "@" in text:
        if not _EMAIL.match(text):
            raise FieldError("contact", "メールアドレスの形式が正しくありません（例：taro@example.jp）。")
        local, domain = text.rsplit("@", 1)
        return Contact(f"{local}@{domain.lower()}", "email")
    digits = _phone_digits(text.translate(_DASHES))
    if digits is None:
        raise FieldError("contact", "電話番号は市外局番から10〜11桁で入力してください（例：03-1234-5678）。")
    return Contact(digits, "phone")


def clean_contact(value: str | None) -> str:
    return parse_contact(value).value


def is_email(contact: str | None) -> bool:
    return bool(contact) and "@" in contact


def contact_person_id(secret_key: str, contact: str) -> str:
    """A stable id for a web applicant, from their contact, that does not reveal it."""
    normalised = clean_contact(contact).lower()
    return hmac.new(secret_key.encode(), normalised.encode(), hashlib.sha256).hexdigest()[:32]


def parse_count(value: object, field: str) -> int:
    """A participant count typed as text ("2", "２", "2人")."""
    if isinstance(value, bool):
        raise FieldError(field, "人数は数字で入力してください。")
    if isinstance(value, int):
        return value
    text = unicodedata.normalize("NFKC", str(value or "")).strip().removesuffix("人").removesuffix("名").strip()
    if not re.fullmatch(r"-?[0-9]{1,4}", text):
        raise FieldError(field, "人数は数字で入力してください（例：2）。")
    return int(text)
