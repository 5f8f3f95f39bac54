"""Columns that say where a person came from, shared by every table of actions.

A registration, a contact request or an outcome carries the first and the last
tracked touch (written by kpi.attribution) seen within the reference's lifetime: the
channel, the broadcast, the article and the audience segment of the link. No
column identifies the person; all are nullable (an action may come directly).
"""
from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

TOUCH_FIELDS = ("channel", "broadcast_id", "article_id", "segment")


class TouchColumns:
    """Mixin: ``first_touch_*`` and ``last_touch_*`` for TOUCH_FIELDS."""

    first_touch_channel: Mapped[str | None] = mapped_column(String(20))
    first_touch_broadcast_id: Mapped[int | None]
    first_touch_article_id: Mapped[int | None]
    first_touch_segment: Mapped[str | None] = mapped_column(String(60))
    last_touch_channel: Mapped[str | None] = mapped_column(String(20))
    last_touch_broadcast_id: Mapped[int | None]
    last_touch_article_id: Mapped[int | None]
    last_touch_segment: Mapped[str | None] = mapped_column(String(60))
