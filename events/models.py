"""Company tours (企業見学会), children's workshops (子ども向け体験教室) and meetups."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false, text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, utcnow
from core.touch_columns import TouchColumns

if TYPE_CHECKING:
    from content.models import Article, Company

EVENT_KINDS: dict[str, str] = {"tour": "企業見学会", "workshop": "子ども向け体験教室", "event": "イベント"}
EVENT_STATUSES: dict[str, str] = {"open": "募集中", "closed": "締切", "cancelled": "中止"}
SELECTIONS: dict[str, str] = {"first_come": "先着順", "lottery": "抽選"}


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime | None]
    place: Mapped[str] = mapped_column(String(300), default="")
    latitude: Mapped[float | None]  # of the place; None = the company's (or unknown)
    longitude: Mapped[float | None]
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
    status: Mapped[str] = mapped_column(String(20), default="open", server_default="open", index=True)
    selection: Mapped[str] = mapped_column(String(20), default="first_come", server_default="first_come")
    map_url: Mapped[str | None] = mapped_column(String(500))
    age_min: Mapped[int | None]  # the children's ages the event is for (years), inclusive
    age_max: Mapped[int | None]
    max_per_application: Mapped[int | None]  # None: the service-wide MAX_PARTICIPANTS
    min_adults: Mapped[int | None]  # None: 1 for workshops (a guardian comes along), else 0
    min_children: Mapped[int] = mapped_column(default=0, server_default="0")
    adults_use_seats: Mapped[bool] = mapped_column(default=True, server_default=true())
    confirm_by_link: Mapped[bool] = mapped_column(default=False, server_default=false())
    lottery_seed: Mapped[str | None] = mapped_column(String(64))
    lottery_drawn_at: Mapped[datetime | None]
    change_round: Mapped[int] = mapped_column(default=0, server_default="0")  # numbers change notices
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    company: Mapped[Company | None] = relationship()
    article: Mapped[Article | None] = relationship(back_populates="event")

    @property
    def kind_label(self) -> str:
        return EVENT_KINDS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return EVENT_STATUSES.get(self.status, self.status)

    @property
    def selection_label(self) -> str:
        return SELECTIONS.get(self.selection, self.selection)

    @property
    def is_lottery(self) -> bool:
        return self.selection == "lottery"


# applied: a lottery application before the draw; held: looks scripted, waits for staff review;
# pending: waits for the applicant to confirm by the e-mailed link. None of these holds a seat.
REGISTRATION_STATUSES = ("confirmed", "waitlisted", "offered", "cancelled", "applied", "held", "pending")


class Registration(TouchColumns, Base):
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
    # One per submitted form / confirmed conversation: a double-clicked or
    # replayed submission finds the registration it already made.
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    offer_expires_at: Mapped[datetime | None]
    seats: Mapped[int | None]  # seats it uses (None: every participant, as before party rules)
    lottery_rank: Mapped[int | None]  # place on the waitlist drawn by the lottery
    source_hash: Mapped[str | None] = mapped_column(String(64), index=True)  # keyed hash of the client IP
    held_reason: Mapped[str | None] = mapped_column(String(40))
    attended_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    personal_data_purged_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()

    @property
    def participants(self) -> int:
        return self.adults + self.children

    @property
    def seat_count(self) -> int:
        return self.participants if self.seats is None else self.seats


class RegistrationDraft(Base):
    """A chat registration in progress (one per chat user), kept between messages.

    Holds what was answered so far; expires so abandoned answers (a name, a
    contact) do not linger. ``registration_id`` is set once confirmed, so a
    replayed confirmation finds the registration instead of making another.
    """

    __tablename__ = "registration_drafts"
    __table_args__ = (UniqueConstraint("channel", "user_id", name="uq_registration_drafts_channel_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(100))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(20))
    adults: Mapped[int | None]
    children: Mapped[int | None]
    name: Mapped[str | None] = mapped_column(String(100))
    contact: Mapped[str | None] = mapped_column(String(254))
    consented: Mapped[bool] = mapped_column(default=False)
    submission_key: Mapped[str] = mapped_column(String(64))  # a replayed confirmation finds its registration
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()


NOTICE_KINDS: dict[str, str] = {
    "offer": "空席のご案内", "day_before": "前日リマインド", "two_hours": "2時間前リマインド",
    "thank_you": "お礼とアンケート", "lottery_won": "当選のお知らせ", "lottery_wait": "抽選結果（キャンセル待ち）",
    "cancelled": "中止のお知らせ", "change": "変更のお知らせ", "registered": "受付のお知らせ",
    "confirm_link": "申し込み確定のお願い",
}


class ReminderLog(Base):
    """Every notice sent about one registration, at most once per kind.

    The row is inserted in the same transaction that queues the message, so
    the unique constraint makes reminders idempotent even if jobs overlap.
    ``outcome``: queued (LINE/Discord outbox), mail_pending / mailed / mail_failed,
    or unreachable (no channel to reach the person: staff call them).
    """

    __tablename__ = "reminder_logs"
    __table_args__ = (UniqueConstraint("registration_id", "kind", name="uq_reminder_logs_registration_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(20), index=True)
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str | None] = mapped_column(Text)  # mail text until sent, then cleared
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    registration: Mapped[Registration] = relationship()


SURVEY_SCORES = (1, 2, 3, 4, 5)
SURVEY_NEXT_STEPS: dict[str, str] = {
    "job": "この会社や町工場で働くことを考えたい",
    "another": "ほかの見学会・教室にも参加したい",
    "learn": "ものづくりをもっと学びたい",
    "none": "特にない",
}


class SurveyAnswer(Base):
    """The short post-event survey: choices only (no free text, so no personal data)."""

    __tablename__ = "event_survey_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"), unique=True
    )
    satisfaction: Mapped[int]
    next_step: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


ALERT_KINDS: dict[str, str] = {"published": "新しい教室のお知らせ", "seats_opened": "空席のお知らせ"}


class EventAlert(Base):
    """A topic alert sent about an event (parents' workshop alerts), once per kind."""

    __tablename__ = "event_alerts"
    __table_args__ = (UniqueConstraint("event_id", "kind", name="uq_event_alerts_event_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    recipients: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


SCHOOL_STAGES: dict[str, tuple[str, int, int]] = {  # stage → (label, youngest age, oldest age)
    "preschool": ("未就学", 0, 5), "elementary_low": ("小学生 低学年", 6, 8),
    "elementary_high": ("小学生 高学年", 9, 11), "junior_high": ("中学生", 12, 14), "high_school": ("高校生", 15, 17),
}


class AlertPreference(Base):
    """A parent's choice of which children's workshops to hear about (their child's school stage)."""

    __tablename__ = "event_alert_preferences"

    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True)
    stages: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
