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

# 受信設定 details asked on the settings form (LIFF): a parent's child's school stage and when
# pushes may arrive. ``None`` means "not told" (the service's QUIET_HOURS apply).
CHILD_STAGES: dict[str, str] = {
    "preschool": "未就学",
    "elementary_low": "小学校低学年",
    "elementary_high": "小学校高学年",
    "junior_high": "中学生",
    "high_school": "高校生",
}
# Broadcasts always wait for the end of QUIET_HOURS; "anytime" lets one's own event messages
# (waitlist offers, reminders, confirmations) through at night (notifications.service).
QUIET_PREFS: dict[str, str] = {
    "night": "夜間は届けない（おすすめ）",
    "anytime": "申し込んだイベントの連絡（繰り上げ・リマインダー）は夜間でもすぐ受け取る",
}
