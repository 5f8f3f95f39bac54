"""Quick-reply sets offered under answers, so a conversation never dead-ends.

The sets are fixed (labels, postback data): each is built once per process and
handed out as a new list of the same (frozen) choices.
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from bot.core.wording import TOPIC_SHORT
from content.models import CATEGORIES
from messages.limits import action
from messages.replies import Choice
from notifications.topics import PERSONAS, TOPICS

# Categories worth browsing from a chat (サイト概要 is a single page, not a feed).
BROWSABLE_CATEGORIES = ("feature", "series", "news", "local", "admin")


def main_menu() -> list[Choice]:
    return list(_main_menu())


@lru_cache(maxsize=1)
def _main_menu() -> tuple[Choice, ...]:
    return (
        action("新着", "latest", display_text="新着"),
        action("イベント・見学", "events", display_text="イベント・見学"),
        action("受信設定", "settings", display_text="受信設定"),
        action("検索のしかた", "help", display_text="検索のしかた", s="search"),
        action("サイト", "site", display_text="サイト"),
        action("ヘルプ", "help", display_text="ヘルプ"),
    )


def category_choices() -> list[Choice]:
    return list(_category_choices())


@lru_cache(maxsize=1)
def _category_choices() -> tuple[Choice, ...]:
    return tuple(action(CATEGORIES[c], "latest", display_text=f"新着 {CATEGORIES[c]}", c=c)
                 for c in BROWSABLE_CATEGORIES)


def event_choices() -> list[Choice]:
    return list(_event_choices())


@lru_cache(maxsize=1)
def _event_choices() -> tuple[Choice, ...]:
    return (
        action("企業見学会", "events", display_text="企業見学会", k="tour"),
        action("子ども向け体験教室", "events", display_text="子ども向け体験教室", k="workshop"),
    )


def persona_choices(current: str | None = None) -> list[Choice]:
    return list(_persona_choices(current))


@lru_cache(maxsize=16)
def _persona_choices(current: str | None) -> tuple[Choice, ...]:
    return tuple(
        action(f"{name}（選択中）" if key == current else name, "persona", display_text=name, p=key)
        for key, name in PERSONAS.items()
    )


def welcome_choices() -> list[Choice]:
    """Under the welcome: refine by persona, or open 受信設定 with one tap."""
    return persona_choices() + [action("受信設定を変える", "settings", display_text="受信設定")]


def topic_choices(on: Iterable[str]) -> list[Choice]:
    """One button per topic that switches it to the OTHER state, with an explicit value."""
    return list(_topic_choices(frozenset(on)))


@lru_cache(maxsize=256)
def _topic_choices(on: frozenset[str]) -> tuple[Choice, ...]:
    choices = []
    for topic in TOPICS:
        short = TOPIC_SHORT[topic]
        if topic in on:
            choices.append(action(f"{short}を止める", "topic", display_text=f"{short}の通知を止める", t=topic, v=0))
        else:
            choices.append(action(f"{short}を受け取る", "topic", display_text=f"{short}の通知を受け取る", t=topic, v=1))
    return tuple(choices)


def settings_choices(persona: str | None, on: Iterable[str]) -> list[Choice]:
    extra = [action("利用者タイプを変更", "personas", display_text="利用者タイプを変更")]
    if persona:
        extra.append(action("おすすめ設定に戻す", "reset", display_text="おすすめ設定に戻す"))
    extra.append(action("完了", "done", display_text="完了"))
    return topic_choices(on) + extra
