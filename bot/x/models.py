"""What the console must know about the X account: problems that switched it off."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow


class XProblem(Base):
    """X refused our token (401/403): the channel is off until staff mark it fixed."""

    __tablename__ = "x_problems"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[int | None]  # HTTP status of X's answer
    detail: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20), default="auth")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
