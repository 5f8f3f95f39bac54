"""The database side of ``/tour`` (run in worker threads): event choices, the form's checks.

The registration itself is the core's conversation: the form fills a
``RegistrationDraft`` up to the consent question, and the signed 同意する /
申し込む buttons go through ``bot.core`` to ``events.service.register`` —
the same capacity, waitlist and duplicate rules as LINE and the web form.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.core import engine
from bot.core.handlers import registration_views as views
from bot.core.turn import Turn
from bot.discord import customid, metrics, wording
from bot.discord import limits as L
from bot.discord.layout import ACTIONS_PLACEHOLDER, PRIMARY, Outgoing, choice_rows, layout, row
from content import service as content_service
from core.timefmt import datetime_ja
from events import drafts, party, queries, service
from events.chat_actions import reg_choice, user_key
from events.validation import FieldError, clean_contact, clean_name, parse_count
from messages import postback
from messages.replies import BotResponse, IncomingMessage, Text
from notifications import subscriptions

CHANNEL = "discord"
MAX_CHOICES = L.SELECT_OPTIONS


@dataclass(frozen=True)
class FormSpec:
    event_id: int
    title: str
    kind: str
    max_people: int = party.MAX_PARTICIPANTS


@dataclass(frozen=True)
class FormValues:
    adults: str
    children: str | None  # None: a tour (participants only)
    name: str
    contact: str


def _turn(session: Session, config: Mapping, message: IncomingMessage) -> Turn:
    return Turn(session, message, config)


def _seat_text(seats: int) -> str:
    return f"残り{seats}席" if seats > 0 else "満席（キャンセル待ち）"


def event_picker(session: Session, config: Mapping, message: IncomingMessage) -> list[Outgoing]:
    """``/tour register``: a select menu of the events taking applications now."""
    metrics.record_command(session, "tour register")
    upcoming = content_service.upcoming_events(session, limit=100, public_only=True)
    open_events = [e for e in upcoming if service.is_open(e)][:MAX_CHOICES]
    if not open_events:
        response = engine.handle(session, IncomingMessage("postback", message.route, data="a=events"), config)
        session.commit()
        return layout(BotResponse([Text(wording.NO_OPEN_EVENTS)] + response.messages, response.quick_replies))
    seats = content_service.remaining_seats(session, open_events)
    options = [{"label": L.cut(e.title, L.OPTION_LABEL), "value": str(e.id),
                "description": L.cut(f"{e.kind_label}｜{datetime_ja(e.starts_at)}｜{_seat_text(seats[e.id])}",
                                     L.OPTION_DESCRIPTION)} for e in open_events]
    menu = {"type": 3, "custom_id": customid.TOUR_PICK, "placeholder": wording.PICK_PLACEHOLDER,
            "options": options, "min_values": 1, "max_values": 1}
    session.commit()
    return [Outgoing(content=wording.PICK_EVENT, rows=[row(menu)])]


def cancel_picker(session: Session, config: Mapping, message: IncomingMessage) -> list[Outgoing]:
    """``/tour cancel``: the user's active registrations; choosing one asks the core to cancel it."""
    metrics.record_command(session, "tour cancel")
    key = user_key(CHANNEL, message.user_id)
    active = [r for r in queries.person_registrations(session, key) if r.status in service.ACTIVE][:MAX_CHOICES]
    session.commit()
    if not active:
        return layout(BotResponse([Text(wording.NO_REGISTRATIONS)]))
    pairs = [(f"{r.event.title}（{datetime_ja(r.event.starts_at)}・{views.STATUS[r.status]}）",
              reg_choice(config, key, "キャンセル", "cancel", r.id)) for r in active]
    rows = choice_rows(pairs, PRIMARY, ACTIONS_PLACEHOLDER)
    return [Outgoing(content=wording.PICK_CANCEL, rows=rows)]


def form_check(session: Session, config: Mapping, message: IncomingMessage,
               event_id: int | None) -> FormSpec | BotResponse:
    """What the form is for, or why it cannot open (gone, closed, already registered)."""
    event = queries.public_event(session, event_id) if event_id else None
    if event is None:
        return views.say(views.EVENT_GONE)
    if not service.is_open(event):
        return views.say(views.CLOSED)
    existing = service.active_registration(session, event.id, user_key(CHANNEL, message.user_id))
    if existing is not None:
        return views.already_registered(_turn(session, config, message), existing)
    return FormSpec(event.id, event.title, "workshop" if party.takes_children(event) else event.kind,
                    party.max_people(event))


def start_postback_event(config: Mapping, data: str) -> int | None:
    """The event of a core 申し込む button (``a=reg&s=start&i=<event>``), else None."""
    parsed = postback.decode(data)
    if parsed is None or parsed.action != "reg" or parsed.get("s") != "start":
        return None
    raw = parsed.get("i")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _counts(event, values: FormValues) -> tuple[int, int]:
    adults = parse_count(values.adults, "adults")
    children = 0 if values.children is None else parse_count(values.children, "children")
    problem = party.party_problem(event, adults, children)  # the same rules as the web form and LINE
    if problem:
        raise FieldError(problem.field, problem.message)
    return adults, children


def check_form(values: FormValues, event=None) -> tuple[dict, list[str]]:
    """Cleaned answers and the problems found (every field is checked, not just the first)."""
    from events.models import Event

    event = event or Event(kind="workshop" if values.children is not None else "tour", min_children=0,
                           adults_use_seats=True)
    cleaned, problems = {}, []
    for field, check in (("counts", lambda: _counts(event, values)), ("name", lambda: clean_name(values.name)),
                         ("contact", lambda: clean_contact(values.contact))):
        try:
            cleaned[field] = check()
        except FieldError as exc:
            problems.append(f"・{exc.message}")
    return cleaned, problems


def _again(event_id: int, problems: list[str]) -> list[Outgoing]:
    button = {"type": 2, "style": 1, "label": wording.FORM_AGAIN, "custom_id": f"{customid.TOUR_OPEN}{event_id}"}
    text = wording.FORM_PROBLEMS.format(problems="\n".join(problems))
    return [Outgoing(content=L.cut(text, L.CONTENT), rows=[row(button)])]


def accept_form(session: Session, config: Mapping, message: IncomingMessage, event_id: int,
                values: FormValues) -> list[Outgoing]:
    """Checked answers → a draft at the consent step, answered with the core's consent question."""
    spec = form_check(session, config, message, event_id)
    if isinstance(spec, BotResponse):
        return layout(spec)
    cleaned, problems = check_form(values, queries.get_event(session, spec.event_id))
    if problems:
        return _again(event_id, problems)
    draft = drafts.start(session, CHANNEL, message.user_id, spec.event_id, "agree")
    draft.adults, draft.children = cleaned["counts"]
    draft.name, draft.contact = cleaned["name"], cleaned["contact"]
    # Reminders and waitlist offers reach a Discord applicant by direct message.
    subscriptions.get_or_create_subscriber(session, CHANNEL, message.user_id, message.display_name)
    response = views.ask(_turn(session, config, message), draft)
    session.commit()
    return layout(response)
