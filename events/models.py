"""Company tours (企業見学会), children's workshops (子ども向け体験教室) and meetups."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
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
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    company: Mapped["Company | None"] = relationship()
    article: Mapped["Article | None"] = relationship(back_populates="event")

    @property
    def kind_label(self) -> str:
        return EVENT_KINDS.get(self.kind, self.kind)
