"""What the console's event editor does: create, edit, cancel an event; make or attach its article.

Every change is audited in its own transaction. Edits that change seats start
with the event-row lock (``service._lock_event``) like every seat-changing
transaction. Registrants are told after the commit, through their own channel,
about what matters to them: a new date or place, or the cancellation.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.models import Article, Company
from core.db import utcnow
from core.timefmt import datetime_ja
from events import results, service, waitlist
from events.models import Event, Registration
from staff import audit

NOTIFIED_CHANGES = {"starts_at": "日時", "place": "会場"}
LOCKED_AFTER_DRAW = ("selection",)


def companies(session: Session) -> list[Company]:
    return list(session.scalars(select(Company).order_by(Company.name)))


def attachable_articles(session: Session, event: Event | None) -> list[Article]:
    """Articles with no event of their own (and the event's current one), newest first."""
    taken = select(Event.article_id).where(Event.article_id.is_not(None))
    if event is not None and event.id:
        taken = taken.where(Event.id != event.id)
    query = select(Article).where(Article.id.not_in(taken)).order_by(Article.created_at.desc()).limit(200)
    return list(session.scalars(query))


def create_event(session: Session, staff, fields: dict) -> Event:
    event = Event(**fields)
    session.add(event)
    session.flush()
    audit.record(session, staff, "event.create", "event", event.id, {"title": event.title})
    session.commit()
    return event


def _changes(event: Event, fields: dict) -> dict[str, tuple]:
    return {name: (getattr(event, name), value) for name, value in fields.items() if getattr(event, name) != value}


def _loggable(changes: dict[str, tuple]) -> dict[str, list[str]]:
    return {name: [str(old), str(new)] for name, (old, new) in changes.items()}


def update_event(session: Session, staff, event_id: int, fields: dict, config: Mapping) -> tuple[Event, int]:
    """Apply the editor's values; returns the event and how many registrants were told of a change."""
    session.rollback()
    event = service._lock_event(session, event_id)
    if fields.get("status") == "cancelled" or event.status == "cancelled":
        fields = {**fields, "status": event.status}  # cancelling tells everyone: its own step (cancel_event)
    if event.lottery_drawn_at is not None and fields.get("selection") != event.selection:
        fields = {**fields, "selection": event.selection}  # a drawn lottery stays a lottery
    changes = _changes(event, fields)
    for name, (_old, new) in changes.items():
        setattr(event, name, new)
    told_what = [label for name, label in NOTIFIED_CHANGES.items() if name in changes]
    if told_what:
        event.change_round += 1
    audit.record(session, staff, "event.edit", "event", event.id, {"changes": _loggable(changes)})
    session.commit()
    told = results.tell_change(session, config, event, "・".join(told_what)) if told_what else 0
    if "capacity" in changes and not (event.is_lottery and event.lottery_drawn_at is None):
        waitlist.offer_open_seats(session, event.id)  # more seats: the waitlist moves up in order
    return event, told


def cancel_event(session: Session, staff, event_id: int, config: Mapping,
                 now: datetime | None = None) -> int | None:
    """Cancel the event and every registration; None when it was cancelled before (nothing happens twice)."""
    now = now or utcnow()
    session.rollback()
    try:
        event = service._lock_event(session, event_id)
        if event.status == "cancelled":
            session.commit()
            return None
        event.status = "cancelled"
        active = list(session.scalars(select(Registration).where(
            Registration.event_id == event.id, Registration.status.in_(service.ACTIVE))))
        for registration in active:  # nothing is offered onwards: there is no event to offer
            registration.status, registration.cancelled_at, registration.offer_expires_at = "cancelled", now, None
        audit.record(session, staff, "event.cancel", "event", event.id,
                     {"registrations": [r.id for r in active], "starts_at": datetime_ja(event.starts_at)})
        session.commit()
    except Exception:
        session.rollback()
        raise
    return results.tell_cancelled(session, config, event_id, now)


def _article_body(event: Event) -> str:
    lines = [f"- 日時：{datetime_ja(event.starts_at)}", f"- 会場：{event.place}" if event.place else "",
             f"- 定員：{event.capacity}名（{event.selection_label}）", f"- 対象：{event.audience}" if event.audience else ""]
    return "\n".join(line for line in lines if line) + "\n\nお申し込みは下のボタンからどうぞ。\n"


def create_article(session: Session, staff, event: Event) -> Article:
    """A draft 地域情報 article about the event, linked to it (staff write the rest in the article editor)."""
    if event.article is not None:
        return event.article
    slug = f"event-{event.id}-{event.starts_at:%Y%m%d}"
    article = Article(slug=slug, title=event.title, category="local", status="draft", author="大田区",
                      summary=f"{event.kind_label}「{event.title}」の参加者を募集します。",
                      body_md=_article_body(event), company_id=event.company_id,
                      created_by_id=getattr(staff, "id", None))
    session.add(article)
    session.flush()
    event.article = article
    audit.record(session, staff, "article.create", "article", article.id, {"slug": slug, "event_id": event.id})
    session.commit()
    return article


def attach_article(session: Session, staff, event: Event, article_id: int) -> Article | None:
    article = next((a for a in attachable_articles(session, event) if a.id == article_id), None)
    if article is None:
        return None
    event.article = article
    audit.record(session, staff, "event.attach_article", "event", event.id, {"article_id": article.id})
    session.commit()
    return article


def publish_and_announce(session: Session, staff, event: Event) -> None:
    """Publish the linked article: parents subscribed to workshops are alerted (``article_published``)."""
    from content import publishing

    article = event.article
    if article.status != "published":
        publishing.publish(session, article, staff)
    session.commit()
