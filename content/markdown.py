"""Markdown → safe HTML, used identically by the public page and the editor preview."""
from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "a", "blockquote",
    "code", "pre", "hr", "br", "img", "table", "thead", "tbody", "tr", "th", "td", "figure",
    "figcaption",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"}}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # Raw HTML is rendered as text by markdown-it ("html": False); nh3 is the second wall.
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def render_markdown(text: str) -> str:
    from content.blocks import apply_blocks

    html = _parser().render(text or "")
    return apply_blocks(nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    ))


def plain_text(text: str) -> str:
    """Body text without markup, e.g. for search and length checks."""
    return nh3.clean(render_markdown(text), tags=set()).strip()
