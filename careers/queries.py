"""Reading careers data for the company pages and the console."""
from __future__ import annotations

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from careers.models import ContactRequest, Opening, Outcome, OutcomeConsent
from content.models import Article, Company
from content.service import published_articles_query
from core.db import utcnow
from events.models import Event, Registration


def company_by_slug(session: Session, slug: str) -> Company | None:
    return session.scalar(select(Company).where(Company.slug == slug))


def all_companies(session: Session) -> list[Company]:
    return list(session.scalars(select(Company).order_by(Company.name)))


def company_articles(session: Session, company_id: int, limit: int = 20) -> list[Article]:
    return list(session.scalars(published_articles_query(with_tags=False).where(Article.company_id == company_id).limit(limit)))


def company_tours(session: Session, company_id: int) -> list[Event]:
    """Upcoming events of the company whose article (if any) is published."""
    now = utcnow()
    visible = or_(Event.article_id.is_(None), and_(Article.status == "published", Article.published_at <= now))
    return list(session.scalars(
        select(Event).outerjoin(Event.article)
        .where(Event.company_id == company_id, Event.starts_at >= now, visible).order_by(Event.starts_at)
    ))


def openings(session: Session, company_id: int, active_only: bool = True) -> list[Opening]:
    query = select(Opening).where(Opening.company_id == company_id).order_by(Opening.kind, Opening.id)
    if active_only:
        query = query.where(Opening.active.is_(True))
    return list(session.scalars(query))


def opening_counts(session: Session) -> dict[int, int]:
    rows = session.execute(select(Opening.company_id, func.count()).where(Opening.active.is_(True))
                           .group_by(Opening.company_id))
    return dict(rows.all())


def contact_queue(session: Session, status: str | None = None, limit: int = 200) -> list[ContactRequest]:
    query = (select(ContactRequest).options(selectinload(ContactRequest.company))
             .order_by(ContactRequest.created_at.desc()).limit(limit))
    if status:
        query = query.where(ContactRequest.status == status)
    return list(session.scalars(query))


def recent_outcomes(session: Session, limit: int = 100) -> list[Outcome]:
    return list(session.scalars(select(Outcome).options(selectinload(Outcome.company))
                                .order_by(Outcome.occurred_on.desc(), Outcome.id.desc()).limit(limit)))


def registration(session: Session, registration_id: int) -> Registration | None:
    return session.get(Registration, registration_id)


def consented_registrations(session: Session, registration_ids: list[int]) -> set[int]:
    """Which of these registrations' people have a consent in force to be recorded by name."""
    if not registration_ids:
        return set()
    return set(session.scalars(select(OutcomeConsent.registration_id).where(
        OutcomeConsent.registration_id.in_(registration_ids), OutcomeConsent.withdrawn_at.is_(None))))


def outcomes_by_registration(session: Session, registration_ids: list[int]) -> dict[int, list[Outcome]]:
    """Outcomes recorded by name (with consent) for these registrations."""
    found: dict[int, list[Outcome]] = {}
    if not registration_ids:
        return found
    rows = session.scalars(select(Outcome).options(selectinload(Outcome.company))
                           .where(Outcome.registration_id.in_(registration_ids))
                           .order_by(Outcome.occurred_on, Outcome.id))
    for outcome in rows:
        found.setdefault(outcome.registration_id, []).append(outcome)
    return found


def outcome_by_key(session: Session, key: str) -> Outcome | None:
    return session.scalar(select(Outcome).where(Outcome.submission_key == key))
