"""The platform-neutral bot: ``handle(session, message, config) -> BotResponse``.

Adapters (LINE, Discord, the playground, ``testing.FakeAdapter``) normalise
events into ``IncomingMessage`` and render the returned ``BotResponse``.

Transactions: ``handle`` does NOT commit on success: the caller commits, so
it can store its own bookkeeping (a webhook job's result) atomically with the
conversation's changes. On failure it rolls the session back (never
half-written data), so callers commit their own earlier work before calling.
(Savepoints are avoided on purpose: with the stock pysqlite driver, releasing a
savepoint that opened the transaction commits it.) ``handle`` never raises:
any failure becomes a polite Japanese reply.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from sqlalchemy.orm import Session

from bot.core import intents, menus, privacy, wording
from bot.core.handlers import browse, media, registration, searching, settings
from bot.core.turn import Turn
from messages import postback
from messages.limits import bounded, fit_text
from messages.postback import Postback
from messages.replies import BotResponse, IncomingMessage, Text

log = logging.getLogger(__name__)


def handle(session: Session, message: IncomingMessage, config: Mapping) -> BotResponse:
    turn = Turn(session, message, config)
    try:
        response = _dispatch(turn)
        session.flush()  # surface database errors here, inside the safety net
    except Exception:  # the user must always get an answer; the log gets the details
        log.exception("bot turn failed (%s %s)", message.channel, message.kind)
        session.rollback()
        response = BotResponse([Text(wording.FAILURE)], menus.main_menu())
    return _finish(response)


def _finish(response: BotResponse) -> BotResponse:
    response.messages = [Text(fit_text(m.text)) if isinstance(m, Text) else m for m in response.messages]
    return bounded(response)


def _dispatch(turn: Turn) -> BotResponse:
    kind = turn.message.kind
    if kind == "text":
        return _on_text(turn, intents.parse(turn.message.text or ""))
    if kind == "postback":
        return _on_postback(turn, postback.decode(turn.message.data))
    if kind == "follow":
        return settings.follow(turn)
    if kind == "unfollow":
        return settings.unfollow(turn)
    if kind == "media":
        return media.media(turn)
    if kind == "location":
        return media.location(turn)
    if kind == "unsupported":
        return media.unsupported(turn)
    log.debug("ignored incoming message kind %r", kind)
    return BotResponse()


def _say(text: str) -> Callable[[Turn], BotResponse]:
    return lambda _turn: BotResponse([Text(text)], menus.main_menu())


_SIMPLE_INTENTS: dict[str, Callable[[Turn], BotResponse]] = {
    "settings": settings.show_settings,
    "help": _say(wording.HELP),
    "search_help": searching.help_search,
    "site": browse.site,
    "erase": privacy.ask,
    "my_registrations": registration.mine,
    "greeting": _say(wording.GREETING),
    "thanks": _say(wording.THANKS),
    "empty": _say(wording.EMPTY),
}


def _on_text(turn: Turn, intent: intents.Intent) -> BotResponse:
    if intent.name in ("search", "empty") and (answer := registration.answer_text(turn)) is not None:
        return answer  # a registration question was waiting for typed text (a number, a name)
    if intent.name == "latest":
        return browse.latest(turn, intent.category)
    if intent.name == "events":
        return browse.events(turn, intent.kind)
    if intent.name in _SIMPLE_INTENTS:
        return _SIMPLE_INTENTS[intent.name](turn)
    return searching.search(turn, intent.query)


def _page(value: str) -> int | None:
    return int(value) if value.isdigit() and 1 <= int(value) <= searching.MAX_PAGE else None


def _optional(value: str) -> str | None:
    return value or None


_ACTIONS: dict[str, Callable[[Turn, Postback], BotResponse | None]] = {
    "persona": lambda t, p: settings.choose_persona(t, p.get("p")),
    "personas": lambda t, p: settings.ask_persona(t),
    "topic": lambda t, p: settings.set_topic(t, p.get("t"), p.get("v")),
    "reset": lambda t, p: settings.reset_topics(t),
    "settings": lambda t, p: settings.show_settings(t),
    "done": lambda t, p: settings.close_settings(t),
    "latest": lambda t, p: browse.latest(t, _optional(p.get("c"))),
    "events": lambda t, p: browse.events(t, _optional(p.get("k"))),
    "search": lambda t, p: _search_postback(t, p),
    "help": lambda t, p: searching.help_search(t) if p.get("s") == "search" else _say(wording.HELP)(t),
    "site": lambda t, p: browse.site(t),
    "erase": lambda t, p: privacy.answer(t, p.get("v")) if "v" in p.params else privacy.ask(t),
    "reg": registration.on_postback,
}


def _search_postback(turn: Turn, data: Postback) -> BotResponse | None:
    page = _page(data.get("p", "1"))
    if page is None or not data.get("q").strip():
        return None
    return searching.search(turn, data.get("q"), _optional(data.get("c")), page)


def _on_postback(turn: Turn, data: Postback | None) -> BotResponse:
    handler = _ACTIONS.get(data.action) if data is not None else None
    response = handler(turn, data) if handler is not None else None
    if response is None:
        log.info("unknown or malformed postback on %s: %r", turn.channel, (turn.message.data or "")[:100])
        return BotResponse([Text(wording.UNKNOWN_ACTION)], menus.main_menu())
    return response
