"""The web registration form: read, check field by field, build an ``Application``.

Field errors are collected (not raised one by one) so the page can show every
problem at once, each tied to its field.
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from events import party
from events.models import Event
from events.service import Application
from events.validation import FieldError, clean_name, contact_person_id, parse_contact, parse_count

_SUBMISSION_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

# Why each field is asked (shown under the field; the ward asks for nothing else).
HINTS = {
    "adults": "会場の定員を守るため、参加する人数を伺います。",
    "children": "子ども向けの材料や道具を人数分そろえるために伺います。",
    "name": "当日の受付で、お申し込みを確認するために伺います。",
    "contact": "中止などの急なお知らせや、キャンセル待ちの繰り上げをご連絡するために伺います。"
               "メールアドレスなら、リマインドもメールでお送りします。",
}


def new_submission_key() -> str:
    return secrets.token_urlsafe(18)


@dataclass
class RegistrationForm:
    event: Event
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    submission_key: str = field(default_factory=new_submission_key)

    @property
    def is_workshop(self) -> bool:
        return party.takes_children(self.event)

    @property
    def max_people(self) -> int:
        return party.max_people(self.event)

    @property
    def adults_label(self) -> str:
        return "大人（保護者）の人数" if self.is_workshop else "参加人数"

    def value(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)


def _count(form: RegistrationForm, name: str, default: int) -> int:
    raw = form.values.get(name, "")
    if raw == "" and name == "children":
        return default
    try:
        count = parse_count(raw, name)
    except FieldError as exc:
        form.errors[name] = exc.message
        return default
    if count < 0:
        form.errors[name] = "人数は0以上の数字で入力してください。"
    return count


def _check_total(form: RegistrationForm, adults: int, children: int) -> None:
    """The event's party rules: the same function the chat channels and the service use."""
    if {"adults", "children"} & form.errors.keys():
        return
    problem = party.party_problem(form.event, adults, children)
    if problem:
        form.errors[problem.field] = problem.message


def _text_field(form: RegistrationForm, name: str, check) -> str | None:
    try:
        return check(form.values.get(name, ""))
    except FieldError as exc:
        form.errors[name] = exc.message
        return None


def read_form(event: Event, data: Mapping[str, str], secret_key: str) -> tuple[RegistrationForm, Application | None]:
    """The form as submitted and, when everything is fine, the application to register."""
    keep = ("adults", "children", "name", "contact", "consent")
    values = {name: str(data.get(name, ""))[:400] for name in keep}
    key = str(data.get("submission_key", ""))
    form = RegistrationForm(event, values, submission_key=key if _SUBMISSION_KEY.match(key) else new_submission_key())
    adults = _count(form, "adults", 0)
    children = _count(form, "children", 0) if form.is_workshop else 0
    _check_total(form, adults, children)
    name = _text_field(form, "name", clean_name)
    contact = _text_field(form, "contact", parse_contact)
    if data.get("consent") != "yes":
        form.errors["consent"] = "お名前と連絡先の利用目的をお読みいただき、同意にチェックを入れてください。"
    if form.errors or name is None or contact is None:
        return form, None
    application = Application(
        event_id=event.id, channel="web", person_id=contact_person_id(secret_key, contact.value),
        adults=adults, children=children, name=name, contact=contact.value, consent=True,
        submission_key=form.submission_key if _SUBMISSION_KEY.match(key) else None,
    )
    return form, application
