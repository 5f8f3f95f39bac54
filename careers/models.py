"""Careers: what a company offers (positions, internships), contact requests and outcomes.

The company itself is ``content.models.Company`` (name, field, description);
ward staff add what it offers from the company's own information. A contact
request is a person asking the ward to put them in touch with a company; the
ward forwards it only with the person's explicit consent, which is stored with
the exact wording they agreed to. An outcome (応募・内定・就職) is recorded by
ward staff; without the person's consent it carries no link to them (counted
anonymously, by channel and article only).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.models import Company
from core.db import Base, utcnow
from core.touch_columns import TouchColumns

OPENING_KINDS: dict[str, str] = {"position": "求人（正社員・契約など）", "internship": "インターンシップ・職場体験"}
CONTACT_KINDS: dict[str, str] = {"tour": "見学を申し込む", "consult": "話を聞いてみたい（相談）",
                                 "apply": "応募について問い合わせる"}
CONTACT_STATUSES: dict[str, str] = {"new": "未対応", "forwarded": "企業へ連絡済み", "closed": "対応終了"}
OUTCOME_KINDS: dict[str, str] = {"applied": "応募", "offered": "内定", "hired": "就職"}


class Opening(Base):
    """An open position or internship of one company, entered by ward staff."""

    __tablename__ = "career_openings"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    company: Mapped[Company] = relationship()

    @property
    def kind_label(self) -> str:
        return OPENING_KINDS.get(self.kind, self.kind)


class ContactRequest(TouchColumns, Base):
    """A person's request to the ward about one company (見学・相談・応募の問い合わせ)."""

    __tablename__ = "career_contacts"
    __table_args__ = (Index("ix_career_contacts_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"))
    opening_id: Mapped[int | None] = mapped_column(ForeignKey("career_openings.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20), default="web")
    persona: Mapped[str | None] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(String(100))
    contact: Mapped[str | None] = mapped_column(String(254))
    message: Mapped[str] = mapped_column(Text, default="")
    # The consent to pass name and contact to the company: the wording shown, and when it was given.
    share_consent_text: Mapped[str] = mapped_column(Text)
    share_consented_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default="new")
    forwarded_at: Mapped[datetime | None]
    forwarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    company: Mapped[Company | None] = relationship()
    opening: Mapped[Opening | None] = relationship()

    @property
    def kind_label(self) -> str:
        return CONTACT_KINDS.get(self.kind, self.kind)


class Outcome(TouchColumns, Base):
    """応募・内定・就職, recorded by ward staff after a tour, a contact or an event.

    ``registration_id`` / ``contact_id`` and ``person_label`` are set only with
    the person's consent; otherwise the row is anonymous (channel, persona and
    touch columns only, for counting).
    """

    __tablename__ = "career_outcomes"
    __table_args__ = (Index("ix_career_outcomes_occurred_on", "occurred_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    occurred_on: Mapped[date] = mapped_column(Date)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"))
    consented: Mapped[bool] = mapped_column(default=False)
    person_label: Mapped[str | None] = mapped_column(String(100))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="SET NULL"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("career_contacts.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(20), default="")
    persona: Mapped[str | None] = mapped_column(String(20))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    # The one-click form's key: a double click records once. Random, so it links to nobody.
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    company: Mapped[Company | None] = relationship()

    @property
    def kind_label(self) -> str:
        return OUTCOME_KINDS.get(self.kind, self.kind)


class OutcomeConsent(Base):
    """A person's consent, confirmed by ward staff, to record their 応募・内定・就職 with their name.

    A row is written when staff confirm it and closed (``withdrawn_at``) when the
    person takes it back, never deleted: the rows are the log of who confirmed
    what wording and when. The consent in force is the row without ``withdrawn_at``.
    """

    __tablename__ = "career_outcome_consents"
    __table_args__ = (Index("ix_career_outcome_consents_registration_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    wording: Mapped[str] = mapped_column(Text)
    given_at: Mapped[datetime] = mapped_column(default=utcnow)
    given_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
