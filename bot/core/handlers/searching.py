"""Search (anything that is not a command) and the zero-hit fallback."""
from __future__ import annotations

import logging
import math
from urllib.parse import urlsplit

from bot.core import menus, wording
from bot.core.cards import CARD_SUMMARY_CHARS, article_path, hero_image_url
from bot.core.turn import Turn
from channels.links import is_site_path
from content import card_listings
from content.models import CATEGORIES, Article
from core.timefmt import datetime_ja
from messages import postback
from messages.limits import MAX_CARD_TITLE, MAX_CARDS, carousel, label
from messages.replies import BotResponse, Card, Choice, Text
from messages.text import search_query, shorten

log = logging.getLogger(__name__)
POPULAR_TAGS = 6
SUGGESTIONS = 2
FACETS = 3
MAX_PAGE = 50


def search(turn: Turn, query: str, category: str | None = None, page: int = 1) -> BotResponse:
    query = search_query(query)
    if not query:
        return BotResponse([Text(wording.EMPTY)], menus.main_menu())
    if category is not None and category not in CATEGORIES:
        category = None
    try:
        result = _run_search(turn, query, category, page)
    except Exception:  # a broken index must not break the conversation
        log.exception("bot search failed for %r", query)
        turn.session.rollback()  # a search turn writes nothing else; leave a usable session
        return BotResponse([Text(wording.SEARCH_FAILURE)], menus.main_menu())
    if not result.results:
        return zero_hits(turn, query, getattr(result, "suggestions", None) or [])
    return _results(turn, result, category)


def _run_search(turn: Turn, query: str, category: str | None, page: int):
    from search import service as search_service  # imported late: the index is optional at startup

    return search_service.search(
        turn.session, query, category=category, page=page, per_page=MAX_CARDS,
        channel=turn.channel, base_url=turn.base_url, log=True,
    )


def _results(turn: Turn, result, category: str | None) -> BotResponse:
    pages = max(math.ceil(result.total / max(result.per_page, 1)), 1)
    header = wording.search_header(result.query, result.total, result.page, pages)
    articles = _articles_by_slug(turn, [hit.slug for hit in result.results])
    cards = carousel((_hit_card(turn, hit, articles.get(hit.slug)) for hit in result.results), header)
    quick: list[Choice | None] = []
    if result.page < min(pages, MAX_PAGE):
        quick.append(_search_choice("次の10件", result.query, category, result.page + 1))
    if category is None:
        quick += _facet_choices(result)
    return BotResponse([Text(header), cards], quick + menus.main_menu())


def _facet_choices(result) -> list[Choice | None]:
    """「特集記事だけ（3）」: narrow a mixed result to one category."""
    facets = {k: n for k, n in (getattr(result, "facets", None) or {}).items()
              if k in menus.BROWSABLE_CATEGORIES and n}
    if len(facets) < 2:
        return []
    top = sorted(facets.items(), key=lambda item: -item[1])[:FACETS]
    return [_search_choice(f"{CATEGORIES[key]}だけ（{count}）", result.query, key,
                           shown=f"{result.query}（{CATEGORIES[key]}）") for key, count in top]


def _articles_by_slug(turn: Turn, slugs: list[str]) -> dict[str, Article]:
    return {article.slug: article for article in card_listings.articles_for_cards(turn.session, slugs)}


def _hit_path(hit) -> str:
    path = urlsplit(hit.url or "").path
    return path if path and is_site_path(path) and path != "/" else article_path(hit.slug)


def _hit_card(turn: Turn, hit, article: Article | None) -> Card:
    body = shorten(hit.snippet_text or "", CARD_SUMMARY_CHARS)
    if getattr(hit, "event_starts_at", None):
        body = f"日時：{datetime_ja(hit.event_starts_at)}\n{body}".strip()
    return Card(
        title=shorten(hit.title, MAX_CARD_TITLE),
        url=turn.tracked(_hit_path(hit), article_id=article.id if article is not None else None),
        label=hit.category_label or "",
        body=body,
        image_url=hero_image_url(turn.base_url, article) if article is not None else None,
    )


def _search_choice(text: str, query: str, category: str | None = None, page: int | None = None,
                   shown: str | None = None) -> Choice | None:
    data = postback.encode_fitting("search", "q", query, c=category, p=page)
    if data is None:
        return None
    return Choice(label=label(text), data=data, display_text=shorten(shown or text, 300))


def zero_hits(turn: Turn, query: str, suggestions: list) -> BotResponse:
    """Never a dead end: offer did-you-mean words, categories and popular tags."""
    offered = [_search_choice(f"もしかして：{s}", str(s), shown=str(s)) for s in suggestions[:SUGGESTIONS]]
    offered += menus.category_choices()
    offered += [_search_choice(f"#{tag}", tag, shown=tag) for tag in _popular_tags(turn)]
    return BotResponse([Text(wording.zero_hits(shorten(query, 40)))], offered)


def _popular_tags(turn: Turn) -> list[str]:
    try:
        from search import service as search_service

        tags = search_service.popular_tags(turn.session, POPULAR_TAGS)
    except Exception:  # tags are a nicety; the categories alone still avoid a dead end
        log.exception("popular tags unavailable")
        turn.session.rollback()
        return []
    return [_tag_name(tag) for tag in tags if _tag_name(tag)]


def _tag_name(tag) -> str:
    if isinstance(tag, str):
        return tag
    if isinstance(tag, (tuple, list)) and tag:
        return str(tag[0])
    return str(getattr(tag, "name", "") or "")


def help_search(turn: Turn) -> BotResponse:
    examples = [_search_choice(word, word) for word in ("旋盤", "宇宙", "ワークショップ")]
    return BotResponse([Text(wording.SEARCH_HELP)], examples + menus.category_choices())
