"""Reading the careers forms (public contact form, console forms) into service inputs."""
from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from datetime import date

from careers.service import ContactForm, OutcomeForm

_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_submission_key() -> str:
    return secrets.token_urlsafe(18)


def submission_key(values: Mapping[str, str]) -> str | None:
    key = values.get("submission_key", "")
    return key if _KEY.match(key) else None


def contact_form(values: Mapping[str, str], kind: str) -> ContactForm:
    key = values.get("submission_key", "")
    opening = values.get("opening_id", "")
    return ContactForm(
        kind=kind, name=values.get("name", ""), contact=values.get("contact", ""),
        message=values.get("message", ""), consent=values.get("consent") == "1",
        opening_id=int(opening) if opening.isdigit() else None,
        submission_key=key if _KEY.match(key) else None,
    )


class FormProblem(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def outcome_form(values: Mapping[str, str], today: date) -> OutcomeForm:
    raw_day = values.get("occurred_on", "") or today.isoformat()
    try:
        day = date.fromisoformat(raw_day)
    except ValueError:
        raise FormProblem("occurred_on", "日付は「2026-07-01」の形で入力してください。") from None
    company = values.get("company_id", "")
    return OutcomeForm(kind=values.get("kind", ""), occurred_on=day,
                       company_id=int(company) if company.isdigit() else None,
                       consented=values.get("consented") == "1")


def opening_fields(values: Mapping[str, str]) -> dict[str, str]:
    return {name: values.get(name, "") for name in ("kind", "title", "description")}
