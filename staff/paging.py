"""Simple numbered pages for console lists."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class ConsolePage:
    rows: list
    number: int
    pages: int


def requested_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and int(raw) > 0 else 1


def page_of(session: Session, query: Select, number: int, per_page: int, scalars: bool = True) -> ConsolePage:
    """The page ``number`` (clamped to the last page) of ``query``."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, -(-total // per_page))
    number = min(number, pages)
    limited = query.limit(per_page).offset((number - 1) * per_page)
    rows = list(session.scalars(limited)) if scalars else list(session.execute(limited).all())
    return ConsolePage(rows=rows, number=number, pages=pages)
