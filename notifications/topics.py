"""Subscription topics and per-persona defaults, shared by every channel."""
from __future__ import annotations

TOPICS: dict[str, str] = {
    "features": "特集記事",
    "series": "テーマ別記事（企業・人・製品）",
    "news": "お知らせ",
    "local": "地域のイベント",
    "workshops": "子ども向け体験教室（保護者向け）",
    "tours": "企業見学会",
    "admin": "就職支援・行政情報",
}

PERSONAS: dict[str, str] = {
    "student": "学生",
    "jobseeker": "求職中・転職",
    "parent": "保護者",
    "other": "その他",
}

PERSONA_DEFAULT_TOPICS: dict[str, tuple[str, ...]] = {
    "student": ("features", "series", "tours", "local"),
    "jobseeker": ("features", "series", "tours", "admin"),
    "parent": ("workshops", "local", "news"),
    "other": ("features", "news", "local"),
}

# What a new friend receives before (or without ever) opening 受信設定: on every LINE
# official account a new friend gets the account's posts, so silence is not a default.
DEFAULT_TOPICS: tuple[str, ...] = ("features", "news", "local")


def is_default_set(topics) -> bool:
    """True when the topics are exactly the untouched default set (a persona may refine it)."""
    return set(topics) == set(DEFAULT_TOPICS)


# Which topics an article of a category (and event kind) reaches when announced.
CATEGORY_TOPICS: dict[str, tuple[str, ...]] = {
    "feature": ("features",),
    "series": ("series",),
    "news": ("news",),
    "local": ("local",),
    "admin": ("admin",),
    "about": (),
}
EVENT_KIND_TOPICS: dict[str, tuple[str, ...]] = {"workshop": ("workshops",), "tour": ("tours",)}


def topics_for_article(category: str, event_kind: str | None = None) -> tuple[str, ...]:
    return CATEGORY_TOPICS.get(category, ()) + EVENT_KIND_TOPICS.get(event_kind or "", ())
