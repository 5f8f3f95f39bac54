"""Helpers for the public web archive tests (``from archive_helpers import ...``)."""
from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from textwrap import dedent

from content.importer import import_path
from core.db import db


class Page(HTMLParser):
    """A parsed page: headings, links, images, meta tags, landmarks, ids."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[int, str]] = []
        self.links: list[dict] = []
        self.images: list[dict] = []
        self.meta: dict[str, str] = {}
        self.link_tags: list[dict] = []
        self.tags: list[tuple[str, dict]] = []
        self._heading: list | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = {key: (value or "") for key, value in attrs}
        self.tags.append((tag, attrs))
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading = [int(tag[1]), ""]
        elif tag == "a":
            self.links.append(attrs)
        elif tag == "img":
            self.images.append(attrs)
        elif tag == "meta" and ("property" in attrs or "name" in attrs):
            self.meta[attrs.get("property") or attrs.get("name")] = attrs.get("content", "")
        elif tag == "link":
            self.link_tags.append(attrs)

    def handle_data(self, data):
        if self._heading is not None:
            self._heading[1] += data

    def handle_endtag(self, tag):
        if self._heading is not None and tag == f"h{self._heading[0]}":
            self.headings.append((self._heading[0], self._heading[1].strip()))
            self._heading = None

    def hrefs(self) -> list[str]:
        return [link.get("href", "") for link in self.links]

    def has(self, tag: str, **attrs) -> bool:
        return any(t == tag and all(a.get(k) == v for k, v in attrs.items()) for t, a in self.tags)

    def canonical(self) -> str | None:
        return next((l["href"] for l in self.link_tags if l.get("rel") == "canonical"), None)


def parse(response) -> Page:
    return Page(response.get_data(as_text=True))


def write_article(folder: Path, slug: str, *, category: str = "news", title: str | None = None,
                  published: str = "2026-05-01T10:00:00+09:00", body: str = "本文です。", extra: str = "") -> Path:
    """Write one Markdown article with front matter into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{slug}.md"
    front = dedent(f"""\
        ---
        title: {title or 'テスト記事 ' + slug}
        slug: {slug}
        category: {category}
        published_at: {published}
        summary: {slug} の要約です。
        """) + extra + "---\n"
    path.write_text(front + body + "\n", encoding="utf-8")
    return path


def import_folder(app, folder: Path):
    return import_path(db.session, folder, Path(app.instance_path) / "media")
