"""The one-minute survey after an event: two choices, no free text (no personal data)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from events.models import SURVEY_NEXT_STEPS, SURVEY_SCORES, Registration, SurveyAnswer


def answered(session: Session, registration: Registration) -> bool:
    return session.scalar(select(SurveyAnswer.id).where(SurveyAnswer.registration_id == registration.id)) is not None


def save(session: Session, registration: Registration, satisfaction: str | None, next_step: str | None) -> str | None:
    """Store the answer (commits); returns a Japanese problem message instead when input is wrong."""
    score = int(satisfaction) if (satisfaction or "").isdigit() else None
    if score not in SURVEY_SCORES:
        return "満足度を1〜5から選んでください。"
    if next_step not in SURVEY_NEXT_STEPS:
        return "これからやってみたいことを1つ選んでください。"
    session.add(SurveyAnswer(event_id=registration.event_id, registration_id=registration.id,
                             satisfaction=score, next_step=next_step))
    try:
        session.commit()
    except IntegrityError:  # answered twice at the same moment: the first answer counts
        session.rollback()
    return None
