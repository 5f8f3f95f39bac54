"""Parse and validate one Markdown file with YAML front matter into plain data."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import yaml

from content.models import CATEGORIES, SERIES, STATUSES
from events.models import EVENT_KINDS

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ARTICLE_KEYS = {
    "title", "slug", "category", "published_at", "summary", "tags", "series", "image",
    "image_alt", "image_credit", "status", "author", "company", "event",
}
EVENT_KEYS = {"kind", "starts_at", "ends_at", "place", "capacity", "deadline", "audience", "company", "lat", "lng"}


class ImportError_(ValueError):
    """A problem in one file, phrased so an editor can fix it: file, key, what is wrong."""

    def __init__(self, path: Path, key: str | None, problem: str):
        self.path, self.key, self.problem = path, key, problem
        where = f"{path}" + (f" [{key}]" if key else "")
        super().__init__(f"{where}: {problem}")


@dataclass
class EventData:
    kind: str
    starts_at: datetime
    ends_at: datetime | None
    place: str
    capacity: int
    deadline: datetime | None
    audience: str
    company: str | None
    latitude: float | None = None
    longitude: float | None = None


@dataclass
class ArticleData:
    path: Path
    title: str
    slug: str
    category: str
    body: str
    published_at: datetime | None = None
    summary: str = ""
    tags: list[str] = field(default_factory=list)
    series: str | None = None
    image: Path | None = None
    image_alt: str = ""
    image_credit: str = ""
    status: str = "published"
    author: str = ""
    company: str | None = None
    event: EventData | None = None


def split_front_matter(path: Path, text: str) -> tuple[dict, str]:
    text = text.lstrip("\ufeff")
    match = re.match(r"^---\s*\n(.*?)\n---\s*(?:\n|$)(.*)$", text, re.DOTALL)
    if not match:
        raise ImportError_(path, None, "先頭に --- で囲んだ YAML front matter がありません")
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise ImportError_(path, None, f"front matter の YAML が不正です: {exc}") from exc
    if not isinstance(meta, dict):
        raise ImportError_(path, None, "front matter はキーと値の組（mapping）にしてください")
    return meta, match.group(2).strip()


def _text(path: Path, meta: dict, key: str, *, required=False, max_len=300) -> str:
    value = meta.get(key)
    if value is None or value == "":
        if required:
            raise ImportError_(path, key, "必須項目がありません")
        return ""
    if not isinstance(value, (str, int, float)):
        raise ImportError_(path, key, "文字列で指定してください")
    value = str(value).strip()
    if len(value) > max_len:
        raise ImportError_(path, key, f"{max_len}文字以内にしてください（{len(value)}文字）")
    return value


def _datetime(path: Path, key: str, value) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        raise ImportError_(path, key, "時刻とタイムゾーンを含めてください（例 2026-10-12T10:00:00+09:00）")
    if not isinstance(value, datetime):
        try:
            value = datetime.fromisoformat(str(value))
        except ValueError as exc:
            raise ImportError_(path, key, f"ISO 8601 の日時ではありません: {value!r}") from exc
    if value.tzinfo is None:
        raise ImportError_(path, key, "タイムゾーン（例 +09:00）を含めてください")
    return value


def _choice(path: Path, key: str, value, choices, *, default=None):
    if value in (None, ""):
        return default
    if value not in choices:
        raise ImportError_(path, key, f"{value!r} は使えません（{', '.join(choices)} のいずれか）")
    return value


def _tags(path: Path, value) -> list[str]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(isinstance(t, (str, int)) for t in value):
        raise ImportError_(path, "tags", "文字列のリストで指定してください（例 [宇宙, 町工場]）")
    tags = [str(t).strip() for t in value if str(t).strip()]
    too_long = [t for t in tags if len(t) > 64]
    if too_long:
        raise ImportError_(path, "tags", f"タグは64文字以内にしてください: {too_long[0]}")
    return list(dict.fromkeys(tags))


def coordinates(path: Path, raw: dict, where: str) -> tuple[float | None, float | None]:
    """Optional ``lat``/``lng`` (WGS84 degrees, both or neither), e.g. for 「近くのイベント」."""
    lat, lng = raw.get("lat"), raw.get("lng")
    if lat is None and lng is None:
        return None, None
    for key, value, limit in (("lat", lat, 90), ("lng", lng, 180)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not -limit <= value <= limit:
            raise ImportError_(path, f"{where}{key}", f"緯度・経度は lat と lng の両方を数値（±{limit}以内）で書いてください")
    return float(lat), float(lng)


def _event(path: Path, raw) -> EventData | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ImportError_(path, "event", "kind, starts_at などのキーを持つ mapping にしてください")
    unknown = set(raw) - EVENT_KEYS
    if unknown:
        raise ImportError_(path, f"event.{sorted(unknown)[0]}", "不明なキーです")
    starts_at = _datetime(path, "event.starts_at", raw.get("starts_at"))
    if starts_at is None:
        raise ImportError_(path, "event.starts_at", "必須項目がありません")
    ends_at = _datetime(path, "event.ends_at", raw.get("ends_at"))
    deadline = _datetime(path, "event.deadline", raw.get("deadline"))
    if ends_at and ends_at < starts_at:
        raise ImportError_(path, "event.ends_at", "開始より前になっています")
    if deadline and deadline > starts_at:
        raise ImportError_(path, "event.deadline", "申込締切が開始より後になっています")
    capacity = raw.get("capacity", 0)
    if isinstance(capacity, bool) or not isinstance(capacity, int) or not 0 <= capacity <= 100_000:
        raise ImportError_(path, "event.capacity", "0以上の整数（定員の人数）にしてください")
    return EventData(
        kind=_choice(path, "event.kind", raw.get("kind"), EVENT_KINDS, default="event"),
        starts_at=starts_at, ends_at=ends_at, deadline=deadline, capacity=capacity,
        place=_text(path, raw, "place"), audience=_text(path, raw, "audience", max_len=200),
        company=_text(path, raw, "company", max_len=120) or None,
        latitude=coordinates(path, raw, "event.")[0], longitude=coordinates(path, raw, "event.")[1],
    )


def parse_article(path: Path) -> ArticleData:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ImportError_(path, None, "UTF-8 のテキストとして読めません") from exc
    meta, body = split_front_matter(path, text)
    unknown = set(meta) - ARTICLE_KEYS
    if unknown:
        raise ImportError_(path, sorted(unknown)[0], "不明なキーです（綴りを確認してください）")
    slug = _text(path, meta, "slug", required=True, max_len=120)
    if not SLUG_RE.match(slug):
        raise ImportError_(path, "slug", "半角英小文字・数字・ハイフンのみ使えます")
    category = _choice(path, "category", _text(path, meta, "category", required=True), CATEGORIES)
    data = ArticleData(
        path=path, body=body, slug=slug, category=category,
        title=_text(path, meta, "title", required=True, max_len=200),
        published_at=_datetime(path, "published_at", meta.get("published_at")),
        summary=_text(path, meta, "summary", max_len=1000),
        tags=_tags(path, meta.get("tags")),
        series=_choice(path, "series", meta.get("series"), SERIES),
        image_alt=_text(path, meta, "image_alt"),
        image_credit=_text(path, meta, "image_credit"),
        status=_choice(path, "status", meta.get("status"), STATUSES, default="published"),
        author=_text(path, meta, "author", max_len=200),
        company=_text(path, meta, "company", max_len=120) or None,
        event=_event(path, meta.get("event")),
    )
    _check_consistency(data, meta)
    return data


def _check_consistency(data: ArticleData, meta: dict) -> None:
    path = data.path
    if data.category == "series" and not data.series:
        raise ImportError_(path, "series", "テーマ別記事には company / people / product のいずれかが必要です")
    if data.event and data.category != "local":
        raise ImportError_(path, "event", "event は category: local の記事にだけ付けられます")
    if data.status == "published" and data.published_at is None:
        raise ImportError_(path, "published_at", "公開記事には公開日時が必要です")
    image = _text(path, meta, "image", max_len=300)
    if image:
        data.image = (path.parent / image).resolve()
        if not data.image.is_file():
            raise ImportError_(path, "image", f"画像ファイルが見つかりません: {image}")
        if not data.image_alt:
            raise ImportError_(path, "image_alt", "画像には代替テキストが必要です")
