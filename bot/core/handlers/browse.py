"""新着, upcoming events and the link to the site."""
from __future__ import annotations

from bot.core import menus, wording
from bot.core.cards import article_card, event_card
from bot.core.turn import Turn
from content import card_listings
from content.models import CATEGORIES
from events.models import EVENT_KINDS
from messages.limits import MAX_CARDS, action, carousel
from messages.replies import BotResponse, Card, Text
from notifications import subscriptions
from notifications.topics import EVENT_KIND_TOPICS


def latest(turn: Turn, category: str | None = None) -> BotResponse | None:
    if category is not None and category not in CATEGORIES:
        return None
    label = CATEGORIES.get(category or "")
    articles = card_listings.latest_articles(turn.session, category, MAX_CARDS)
    if not articles:
        return BotResponse([Text(wording.no_latest(label))], menus.category_choices() + menus.main_menu())
    cards = carousel((article_card(turn, a) for a in articles), wording.latest_header(label))
    return BotResponse([cards], menus.category_choices() + menus.main_menu())


def events(turn: Turn, kind: str | None = None) -> BotResponse | None:
    if kind is not None and kind not in EVENT_KINDS:
        return None
    label = EVENT_KINDS.get(kind or "")
    upcoming = card_listings.upcoming_events(turn.session, kind, MAX_CARDS)
    if not upcoming:
        quick = _subscribe_offer(turn, kind) + menus.event_choices() + menus.main_menu()
        return BotResponse([Text(wording.no_events(label))], quick)
    header = wording.events_header(label, len(upcoming))
    cards = carousel((event_card(turn, e) for e in upcoming), header)
    return BotResponse([Text(header), cards], menus.event_choices() + menus.main_menu())


def _subscribe_offer(turn: Turn, kind: str | None) -> list:
    """When nothing is planned, offer the matching topic so the user hears about the next one."""
    topics = EVENT_KIND_TOPICS.get(kind or "", ())
    if not topics:
        return []
    subscriber = subscriptions.find_subscriber(turn.session, turn.channel, turn.user_id)
    if subscriber is not None and topics[0] in subscriber.topics:
        return []
    label = EVENT_KINDS[kind]
    return [action(f"{label}の通知を受け取る", "topic", display_text=f"{label}の通知を受け取る", t=topics[0], v=1)]


def site(turn: Turn) -> BotResponse:
    card = Card(
        title=wording.SITE_CARD_TITLE, url=turn.tracked("/", campaign="bot-site"),
        body=wording.SITE_CARD_BODY, button_label="サイトを開く",
    )
    return BotResponse([Text(wording.SITE), carousel([card], wording.SITE_CARD_TITLE)], menus.main_menu())
