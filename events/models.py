"""Company tours (企業見学会), children's workshops (子ども向け体験教室) and meetups."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from web.db import Base, utcnow

if TYPE_CHECKING:
    from content.models import Article, Company

EVENT_KINDS: dict[str, str] = {"tour": "企業見学会", "workshop": "子ども向け体験教室", "event": "イベント"}


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime | None]
    place: Mapped[str] = mapped_column(String(300), default="")
    capacity: Mapped[int] = mapped_column(default=0)
    deadline: Mapped[datetime | None]
    audience: Mapped[str] = mapped_column(String(200), default="")
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"))
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), unique=True
    )
    # Bumped by every seat-changing transaction: the UPDATE takes the row's write
    # lock first, which serialises registrations per event on SQLite and PostgreSQL.
    seat_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    company: Mapped["Company | None"] = relationship()
    article: Mapped["Article | None"] = relationship(back_populates="event")

    @property
    def kind_label(self) -> str:
        return EVENT_KINDS.get(self.kind, self.kind)


REGISTRATION_STATUSES = ("confirmed", "waitlisted", "offered", "cancelled")


class Registration(Base):
    """One person's application for an event (one per person and event while active).

    ``person_key`` is "<channel>:<id>" (LINE user, Discord user, or a web
    contact hash); the partial unique index stops double booking but lets a
    person register again after cancelling.
    """

    __tablename__ = "registrations"
    __table_args__ = (
        Index(
            "uq_registrations_active_person", "event_id", "person_key", unique=True,
            sqlite_where=text("status != 'cancelled'"), postgresql_where=text("status != 'cancelled'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    person_key: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), index=True)
    adults: Mapped[int] = mapped_column(default=1)
    children: Mapped[int] = mapped_column(default=0)
    name: Mapped[str | None] = mapped_column(String(100))  # personal: purged after the event
    contact: Mapped[str | None] = mapped_column(String(254))  # personal: purged after the event
    purpose_version: Mapped[str] = mapped_column(String(20))
    consented_at: Mapped[datetime]
    token: Mapped[str] = mapped_column(String(64), unique=True)  # private view/cancel link
    offer_expires_at: Mapped[datetime | None]
    attended_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    personal_data_purged_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()

    @property
    def participants(self) -> int:
        return self.adults + self.children
