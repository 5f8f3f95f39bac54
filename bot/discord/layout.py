"""BotResponse → Discord message payloads (plain JSON), always within Discord's limits.

Rules:
- Text → message content (joined); a text longer than 2,000 characters
  becomes an embed description (4,096 per embed).
- Cards → one embed each (title 256 with the tracked link, description,
  category as author, colour, image for one card / thumbnail for several),
  plus link buttons (one card: its button label; several: "1. title") and
  the cards' own actions (申し込む, キャンセル...) as buttons, or a select menu
  when there are more than five.
- Confirm → its question as text and two buttons (yes: primary, no: secondary).
- Quick replies → one row of buttons (≤ 5) or one select menu (≤ 25 options).
- A new message starts when content (2,000), embeds (10 / 6,000 characters)
  or action rows (5) would overflow; quick replies go on the last message.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bot.discord import customid
from bot.discord import limits as L
from messages.replies import BotResponse, Card, Cards, Choice, Confirm, Text

log = logging.getLogger(__name__)

SITE_NAME = "大田区 新しいものづくり"
LINK, PRIMARY, SECONDARY = 5, 1, 2
DEFAULT_COLOUR = 0x5B2EE8
LABEL_COLOURS = {"特集": 0xC4006E, "テーマ別": 0x005CAF, "お知らせ": 0x5B2EE8, "地域": 0x007663,
                 "行政": 0xA64000, "体験教室": 0xC4006E, "見学会": 0x005CAF, "イベント": 0x007663,
                 "予約": 0x00C2A8}
QUICK_PLACEHOLDER = "ほかにできること"
ACTIONS_PLACEHOLDER = "操作を選んでください"


@dataclass
class Outgoing:
    """One Discord message: content, embeds and action rows (Discord JSON)."""

    content: str = ""
    embeds: list[dict] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)

    def payload(self) -> dict:
        out: dict = {}
        if self.content:
            out["content"] = self.content
        if self.embeds:
            out["embeds"] = self.embeds
        if self.rows:
            out["components"] = self.rows
        return out

    @property
    def embed_chars(self) -> int:
        return sum(L.embed_length(e) for e in self.embeds)


def colour(label: str) -> int:
    return next((value for key, value in LABEL_COLOURS.items() if key in (label or "")), DEFAULT_COLOUR)


def row(*items: dict) -> dict:
    return {"type": 1, "components": list(items)}


def link_button(label: str, url: str) -> dict | None:
    if not url or len(url) > L.URL:
        return None
    return {"type": 2, "style": LINK, "label": L.cut(label, L.BUTTON_LABEL) or "開く", "url": url}


def choice_button(choice: Choice, style: int = SECONDARY, prefix: str = "") -> dict | None:
    """A postback/text choice as a button; a URL choice as a link button."""
    label = L.cut(prefix + choice.label, L.BUTTON_LABEL)
    if choice.url:
        return link_button(label, choice.url)
    custom_id = customid.for_choice(choice)
    if custom_id is None:
        log.warning("choice %r does not fit a Discord custom id; left out", choice.label)
        return None
    return {"type": 2, "style": style, "label": label, "custom_id": custom_id}


def select_menu(choices: list[tuple[str, Choice]], placeholder: str) -> dict | None:
    """A select of (label, choice) pairs; its custom id is numbered when the message is finished."""
    options, seen = [], set()
    for label, choice in choices:
        value = customid.for_choice(choice)
        if value is None or value in seen:
            continue
        seen.add(value)
        options.append({"label": L.cut(label, L.OPTION_LABEL), "value": value})
    if not options:
        return None
    return {"type": 3, "custom_id": customid.SELECT, "placeholder": L.cut(placeholder, L.PLACEHOLDER),
            "options": options[: L.SELECT_OPTIONS], "min_values": 1, "max_values": 1}


def choice_rows(pairs: list[tuple[str, Choice]], style: int, placeholder: str) -> list[dict]:
    """Up to five choices as a row of buttons; more as one select menu (links stay buttons)."""
    links = [link_button(label, c.url) for label, c in pairs if c.url]
    others = [(label, c) for label, c in pairs if not c.url]
    rows = [row(*[b for b in links if b][: L.BUTTONS_PER_ROW])] if any(links) else []
    if len(others) <= L.BUTTONS_PER_ROW:
        buttons = [choice_button(Choice(label=label, data=c.data, text=c.text), style) for label, c in others]
        buttons = [b for b in buttons if b]
        return rows + ([row(*buttons)] if buttons else [])
    menu = select_menu(others, placeholder)
    return rows + ([row(menu)] if menu else [])


# -- segments: the pieces one neutral reply becomes ---------------------------------------
@dataclass
class Segment:
    text: str = ""
    embeds: list[dict] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)


def _text_segments(text: str) -> list[Segment]:
    text = text.strip()
    if not text:
        return []
    if len(text) <= L.CONTENT:
        return [Segment(text=text)]
    chunks = [text[i:i + L.EMBED_DESCRIPTION] for i in range(0, len(text), L.EMBED_DESCRIPTION)]
    return [Segment(embeds=[{"description": chunk, "color": DEFAULT_COLOUR}]) for chunk in chunks]


def card_embed(card: Card, single: bool, footer: bool = True) -> dict:
    embed: dict = {"title": L.cut(card.title, L.EMBED_TITLE) or "（無題）", "color": colour(card.label)}
    if footer:  # once under a list of cards is enough
        embed["footer"] = {"text": SITE_NAME}
    if card.url and len(card.url) <= 2048:
        embed["url"] = card.url
    if card.body.strip():
        embed["description"] = L.cut(card.body, L.EMBED_DESCRIPTION)
    if card.label:
        embed["author"] = {"name": L.cut(card.label, L.AUTHOR)}
    if card.image_url:
        embed["image" if single else "thumbnail"] = {"url": card.image_url}
    return embed


def _card_rows(cards: list[tuple[int, Card]], single: bool) -> list[dict]:
    number = (lambda i: "") if single else (lambda i: f"{i}. ")
    links = [link_button(card.button_label if single else f"{i}. {card.title}", card.url) for i, card in cards]
    links = [b for b in links if b][: L.BUTTONS_PER_ROW]
    actions = [(number(i) + c.label, c) for i, card in cards for c in card.extra_buttons]
    return ([row(*links)] if links else []) + choice_rows(actions, PRIMARY, ACTIONS_PLACEHOLDER)


def _chunks(numbered: list[tuple[int, Card]], embeds: list[dict]) -> list[list[int]]:
    """Card positions grouped so no group's embeds exceed the 6,000 characters of one message."""
    groups: list[list[int]] = [[]]
    total = 0
    for position, embed in enumerate(embeds):
        size = L.embed_length(embed)
        if groups[-1] and total + size > L.EMBEDS_TOTAL:
            groups.append([])
            total = 0
        groups[-1].append(position)
        total += size
    return groups


def _cards_segments(reply: Cards) -> list[Segment]:
    cards = reply.cards[: L.EMBEDS_PER_MESSAGE]
    if not cards:
        return _text_segments(reply.alt_text)
    single = len(cards) == 1
    numbered = list(enumerate(cards, 1))
    embeds = [card_embed(card, single, footer=i == len(cards)) for i, card in numbered]
    return [Segment(embeds=[embeds[p] for p in group], rows=_card_rows([numbered[p] for p in group], single))
            for group in _chunks(numbered, embeds)]


def _confirm_segment(reply: Confirm) -> list[Segment]:
    buttons = [choice_button(reply.yes, PRIMARY), choice_button(reply.no, SECONDARY)]
    buttons = [b for b in buttons if b]
    parts = _text_segments(reply.text) or [Segment()]
    if buttons:
        parts[-1].rows.append(row(*buttons))
    return parts


def segments(response: BotResponse) -> list[Segment]:
    out: list[Segment] = []
    for reply in response.messages:
        if isinstance(reply, Text):
            out += _text_segments(reply.text)
        elif isinstance(reply, Cards):
            out += _cards_segments(reply)
        elif isinstance(reply, Confirm):
            out += _confirm_segment(reply)
    quick = [(c.label, c) for c in response.quick_replies]
    if quick:
        out.append(Segment(rows=choice_rows(quick, SECONDARY, QUICK_PLACEHOLDER)))
    return out


# -- packing segments into messages ---------------------------------------------------------------
def _fits(message: Outgoing, segment: Segment) -> bool:
    content = len(message.content) + len(segment.text) + (2 if message.content and segment.text else 0)
    embed_chars = message.embed_chars + sum(L.embed_length(e) for e in segment.embeds)
    return (content <= L.CONTENT and len(message.embeds) + len(segment.embeds) <= L.EMBEDS_PER_MESSAGE
            and embed_chars <= L.EMBEDS_TOTAL and len(message.rows) + len(segment.rows) <= L.ACTION_ROWS)


def _merge(message: Outgoing, segment: Segment) -> None:
    if segment.text:
        message.content = f"{message.content}\n\n{segment.text}" if message.content else segment.text
    message.embeds += segment.embeds
    message.rows += segment.rows


def _finish(message: Outgoing) -> Outgoing:
    """Unique custom ids (duplicates dropped) and numbered select menus."""
    seen: set[str] = set()
    rows, selects = [], 0
    for action_row in message.rows:
        items = []
        for item in action_row["components"]:
            if item.get("custom_id") == customid.SELECT:
                item = {**item, "custom_id": f"{customid.SELECT}{selects}"}
                selects += 1
            if item.get("custom_id") in seen:
                continue
            if item.get("custom_id"):
                seen.add(item["custom_id"])
            items.append(item)
        rows += [row(*items)] if items else []
    message.rows = rows[: L.ACTION_ROWS]
    return message


def pack(parts: list[Segment]) -> list[Outgoing]:
    messages: list[Outgoing] = []
    for segment in parts:
        if not messages or not _fits(messages[-1], segment):
            messages.append(Outgoing())
        _merge(messages[-1], segment)
    return [_finish(m) for m in messages if m.content or m.embeds or m.rows]


def layout(response: BotResponse) -> list[Outgoing]:
    return pack(segments(response))
