"""The chat registration conversation (LINE, Discord, playground): a few short questions.

choose event → participants (adults, then children for workshops) → name →
contact → purpose of use + consent → confirm. Answers are kept in a
``RegistrationDraft`` between messages. Buttons are signed postbacks
(``registration_actions``); numbers, the name and the contact may be typed.
"""
from __future__ import annotations

from bot.core import menus
from bot.core.handlers import registration_views as views
from bot.core.turn import Turn
from events import abuse, drafts, party, queries, service
from events.chat_actions import ref_of, signed_ok, user_key
from events.models import Registration, RegistrationDraft
from events.service import Application, RegistrationError
from events.validation import FieldError, clean_contact, clean_name, parse_count
from kpi import attribution
from messages.postback import Postback
from messages.replies import BotResponse, Text

TEXT_STEPS = ("adults", "kids", "name", "contact")
mine = views.mine  # 予約確認


def _key(turn: Turn) -> str:
    return user_key(turn.channel, turn.user_id)


def begin(turn: Turn, event_id: int | None) -> BotResponse:
    event = queries.public_event(turn.session, event_id) if event_id else None
    if event is None:
        return views.say(views.EVENT_GONE)
    if not service.is_open(event):
        return views.say(views.CLOSED)
    existing = service.active_registration(turn.session, event.id, _key(turn))
    if existing is not None:
        return views.already_registered(turn, existing)
    draft = drafts.start(turn.session, turn.channel, turn.user_id, event.id, "adults")
    return views.intro(turn, draft, service.remaining_seats(turn.session, event))


def _set_count(turn: Turn, draft: RegistrationDraft, raw: object) -> BotResponse:
    field = "adults" if draft.step == "adults" else "children"
    try:
        count = parse_count(raw, field)
    except FieldError as exc:
        return views.ask(turn, draft, problem=exc.message)
    event, most = draft.event, party.max_people(draft.event)
    lowest = 0 if field == "children" else (party.min_adults(event) if party.takes_children(event) else 1)
    if field == "adults" and not lowest <= count <= most:  # the whole party is checked after the last count
        return views.ask(turn, draft, problem=views.count_problem(lowest, most, most))
    if field == "adults" and party.takes_children(event):
        draft.adults, draft.children = count, None
        drafts.advance(draft, "kids")
        return views.ask(turn, draft)
    adults, children = (count, 0) if field == "adults" else (draft.adults or 0, count)
    problem = party.party_problem(event, adults, children)  # the same rules as the web form and Discord
    if problem:
        drafts.advance(draft, "adults")
        return views.ask(turn, draft, problem=problem.message)
    draft.adults, draft.children = adults, children
    drafts.advance(draft, "name")
    return views.ask(turn, draft)


def _set_text(turn: Turn, draft: RegistrationDraft, text: str) -> BotResponse:
    try:
        if draft.step == "name":
            draft.name = clean_name(text)
            drafts.advance(draft, "contact")
        else:
            draft.contact = clean_contact(text)
            drafts.advance(draft, "agree")
    except FieldError as exc:
        return views.ask(turn, draft, problem=exc.message)
    return views.ask(turn, draft)


def answer_text(turn: Turn) -> BotResponse | None:
    """Typed text while a question waits for it; None when no registration is in progress."""
    draft = drafts.current(turn.session, turn.channel, turn.user_id)
    if draft is None or draft.step not in TEXT_STEPS:
        return None
    text = turn.message.text or ""
    if draft.step in ("adults", "kids"):
        return _set_count(turn, draft, text)
    return _set_text(turn, draft, text)


def _stop(turn: Turn, draft: RegistrationDraft) -> BotResponse:
    drafts.discard(turn.session, draft)
    return BotResponse([Text(views.STOPPED)], menus.event_choices() + menus.main_menu())


def _confirm(turn: Turn, draft: RegistrationDraft) -> BotResponse:
    application = Application(
        event_id=draft.event_id, channel=turn.channel, person_id=turn.user_id, adults=draft.adults or 0,
        children=draft.children or 0, name=draft.name, contact=draft.contact, consent=draft.consented,
        submission_key=draft.submission_key, limits=abuse.limits_from(turn.config),  # per-contact limit
    )
    draft_id = draft.id
    try:
        registration = service.register(  # commits; the session starts afresh
            turn.session, application, before_commit=attribution.chat_stamper(turn.channel, turn.user_id))
    except RegistrationError as exc:
        if exc.code == "duplicate_person" and exc.existing is not None:
            return views.same_person(exc.existing)
        return views.say(exc.message)
    draft = turn.session.get(RegistrationDraft, draft_id)
    if draft is not None:
        drafts.finish(draft, registration.id)
    return views.registered(turn, registration)


def _on_draft_step(turn: Turn, draft: RegistrationDraft, step: str, value: str) -> BotResponse:
    if step == "ok" and draft.step == "done" and draft.registration_id:
        registration = turn.session.get(Registration, draft.registration_id)
        return views.registered(turn, registration, replay=True) if registration else views.say(views.STALE)
    if step == "stop":
        return _stop(turn, draft)
    if step != draft.step:
        return views.ask(turn, draft, problem=views.ALREADY_ANSWERED)
    if step in ("adults", "kids"):
        return _set_count(turn, draft, value)
    if value == "0":
        return _stop(turn, draft)
    if step == "agree" and value == "1":
        draft.consented = True
        drafts.advance(draft, "ok")
        return views.ask(turn, draft)
    if step == "ok" and value == "1" and draft.consented:
        return _confirm(turn, draft)
    return views.say(views.TAMPERED)


def on_postback(turn: Turn, data: Postback) -> BotResponse:
    """Every ``a=reg`` postback: check the signature, then the step's own rules."""
    step = data.get("s")
    if step == "mine":
        return views.mine(turn)
    if step == "stage":  # a parent's choice of workshop alerts (harmless: only their own setting)
        from bot.core.handlers import registration_mine

        return registration_mine.choose_stage(turn, data.get("v"))
    if not signed_ok(turn.config, _key(turn), data):
        return views.say(views.TAMPERED)
    ref = ref_of(data)
    if step == "start":
        return begin(turn, ref)
    if step in ("cancel", "accept", "release"):
        from bot.core.handlers import registration_mine

        return registration_mine.act(turn, step, ref, data.get("v"))
    draft = drafts.current(turn.session, turn.channel, turn.user_id)
    if draft is None or draft.id != ref:
        return views.say(views.STALE)
    return _on_draft_step(turn, draft, step, data.get("v"))
