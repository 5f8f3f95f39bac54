"""Staff accounts for the console (区職員, 委託事業者, 管理者), the audit log and the login ledger."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow

ROLES: dict[str, str] = {"ward": "区職員", "contractor": "委託事業者", "admin": "管理者"}


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="contractor")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Raised on logout and password reset: every session cookie issued before stops working.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")


class AuditLog(Base):
    """Who did what to which object, written in the same transaction as the change."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(50), index=True)
    target_type: Mapped[str] = mapped_column(String(50), default="")
    target_id: Mapped[str | None] = mapped_column(String(100))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    ip_hash: Mapped[str | None] = mapped_column(String(64))


class LoginAttempt(Base):
    """One login attempt; kept in the database so throttling holds across gunicorn workers."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_email_ip_time", "email", "ip_hash", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    email: Mapped[str] = mapped_column(String(254))
    ip_hash: Mapped[str] = mapped_column(String(64), index=True)
    succeeded: Mapped[bool] = mapped_column(default=False)


class ConsoleJob(Base):
    """A maintenance job staff started with a button; the worker runs it and writes the result."""

    __tablename__ = "console_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10), default="queued", index=True)  # queued|running|done|failed
    message: Mapped[str] = mapped_column(String(1000), default="")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # Reported by the running job (``console_jobs.Progress``): e.g. 1,200 of 5,000 rows.
    progress_done: Mapped[int | None]
    progress_total: Mapped[int | None]
