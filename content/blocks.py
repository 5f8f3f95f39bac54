"""Editor blocks on top of Markdown, applied to the already-cleaned HTML (so they add only
markup we build ourselves from validated parts):

- ``![代替テキスト](画像 "キャプション")`` alone in a paragraph → ``<figure>`` with a caption;
- a paragraph starting ``::写真`` followed by images → a photo gallery;
- a paragraph ``::動画 https://www.youtube.com/watch?v=…`` → a click-to-load facade: a plain
  link until clicked, so nothing is requested from YouTube before the visitor asks for it.
"""
from __future__ import annotations

import re

YOUTUBE_ID = r"[A-Za-z0-9_-]{11}"
_VIDEO = re.compile(
    r"<p>::動画\s+(?:https?://)?(?:www\.)?(?:youtube\.com/watch\?v=|youtu\.be/|youtube\.com/shorts/)"
    rf"({YOUTUBE_ID})[^\s<]*(?:\s+([^<]*))?</p>")
_IMG = r'<img src="[^"]*" alt="[^"]*"(?: title="[^"]*")?\s*/?>'
_FIGURE = re.compile(r'<p>(<img src="([^"]*)" alt="([^"]*)" title="([^"]*)"\s*/?>)</p>')
_GALLERY = re.compile(rf"<p>::写真\s*((?:{_IMG}\s*)+)</p>")
_TITLE = re.compile(r' title="([^"]*)"')


def video_facade(video_id: str, caption: str = "") -> str:
    label = caption.strip() or "動画"
    watch = f"https://www.youtube.com/watch?v={video_id}"
    figcaption = f"<figcaption>{caption.strip()}</figcaption>" if caption.strip() else ""
    return (f'<figure class="video-facade" data-youtube-id="{video_id}">'
            f'<a class="video-facade-play" href="{watch}" rel="noopener noreferrer">'
            f'<span aria-hidden="true">▶</span> {label}を再生する（YouTube）</a>{figcaption}</figure>')


def _gallery(match: re.Match) -> str:
    images = re.findall(_IMG, match.group(1))
    items = []
    for image in images:
        caption = _TITLE.search(image)
        text = f"<figcaption>{caption.group(1)}</figcaption>" if caption else ""
        items.append(f"<li><figure>{image}{text}</figure></li>")
    return f'<ul class="photo-gallery" role="list">{"".join(items)}</ul>'


def apply_blocks(html: str) -> str:
    html = _VIDEO.sub(lambda m: video_facade(m.group(1), m.group(2) or ""), html)
    html = _GALLERY.sub(_gallery, html)
    return _FIGURE.sub(lambda m: f"<figure>{m.group(1)}<figcaption>{m.group(4)}</figcaption></figure>", html)


def uses_third_party(html: str) -> bool:
    """True if the HTML would load anything from YouTube before a click (used by tests)."""
    return bool(re.search(r'<(?:iframe|img|script)[^>]+(?:youtube|ytimg)', html, re.I))
