"""Search query log for KPIs: what people look for, on which channel, and what found nothing."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow

QUERY_LOG_CHARS = 200
CHANNELS = ("web", "api", "line", "discord")


class SearchQueryLog(Base):
    __tablename__ = "search_query_logs"
    __table_args__ = (Index("ix_search_query_logs_zero_hits", "result_count", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Normalised (NFKC, lower case, single spaces) so 「ＩｏＴ」 and 「iot」 count as one query.
    query: Mapped[str] = mapped_column(String(QUERY_LOG_CHARS))
    result_count: Mapped[int] = mapped_column(default=0)
    channel: Mapped[str] = mapped_column(String(20), index=True)
    category: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
