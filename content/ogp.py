"""1200×630 OGP cards drawn with Pillow, cached on disk per article version."""
from __future__ import annotations

import hashlib
import io
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from core.fonts import japanese_font
from core.textwrap_ja import wrap_text

WIDTH, HEIGHT = 1200, 630
RENDER_VERSION = "1"  # bump when the drawing changes, so cached cards are redrawn

# Brand colours (same family as web/static/css/tokens.css).
VIOLET = (91, 46, 232)
INK = (31, 26, 61)
PAPER = (255, 253, 247)
SUN = (255, 210, 63)
MINT = (0, 194, 168)
TOMATO = (255, 90, 54)
PINK = (228, 0, 127)
CATEGORY_COLOURS = {
    "feature": (196, 0, 110),
    "series": (0, 92, 175),
    "news": (91, 46, 232),
    "local": (0, 118, 99),
    "admin": (166, 64, 0),
    "about": (31, 26, 61),
}

CARD = (56, 56, WIDTH - 56, HEIGHT - 56)
TEXT_LEFT, TEXT_RIGHT = 104, WIDTH - 104
TITLE_TOP, TITLE_BOTTOM = 192, 452
TITLE_SIZES = (72, 64, 58, 52, 46, 40)
LINE_SPACING = 1.32
MAX_TITLE_LINES = 3


@dataclass(frozen=True)
class Card:
    """What an OGP card shows; ``label`` is the category label or a tagline."""

    title: str
    label: str
    category: str
    site_name: str
    fallback_title: str  # ASCII text drawn when no Japanese font exists


def card_version(card: Card, extra: str = "") -> str:
    raw = "|".join([RENDER_VERSION, card.title, card.label, card.category, card.site_name, extra])
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:12]


def _background(draw: ImageDraw.ImageDraw) -> None:
    draw.rectangle((0, 0, WIDTH, HEIGHT), fill=VIOLET)
    draw.ellipse((880, -160, 1320, 280), fill=SUN)
    draw.ellipse((-120, 430, 200, 750), fill=MINT)
    draw.ellipse((1060, 470, 1180, 590), fill=TOMATO)
    for x, y, r in ((820, 40, 10), (240, 24, 8), (1140, 330, 7), (40, 300, 9)):
        draw.ellipse((x - r, y - r, x + r, y + r), fill=PAPER)
    draw.rounded_rectangle(CARD, radius=44, fill=PAPER)


def _gear(draw: ImageDraw.ImageDraw, cx: int, cy: int, r: int, colour) -> None:
    for step in range(8):
        angle = math.pi * 2 * step / 8
        tx, ty = cx + math.cos(angle) * r * 1.05, cy + math.sin(angle) * r * 1.05
        draw.ellipse((tx - r * 0.28, ty - r * 0.28, tx + r * 0.28, ty + r * 0.28), fill=colour)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)
    draw.ellipse((cx - r * 0.4, cy - r * 0.4, cx + r * 0.4, cy + r * 0.4), fill=PAPER)


def _label(draw, text: str, colour, font) -> None:
    left, top = TEXT_LEFT, 104
    width = draw.textlength(text, font=font)
    draw.rounded_rectangle((left, top, left + width + 48, top + 60), radius=30, fill=colour)
    draw.text((left + 24, top + 30), text, font=font, fill=PAPER, anchor="lm")


def _fit_title(draw, text: str, choice) -> tuple[list[str], object]:
    width = TEXT_RIGHT - TEXT_LEFT
    for size in TITLE_SIZES:
        font = choice.load(size)
        lines = wrap_text(text, lambda s, f=font: draw.textlength(s, font=f), width)
        fits_height = len(lines) * int(size * LINE_SPACING) <= TITLE_BOTTOM - TITLE_TOP
        if len(lines) <= MAX_TITLE_LINES and fits_height:
            return lines, font
    return _ellipsize(lines[:MAX_TITLE_LINES], font, draw, width), font


def _ellipsize(lines: list[str], font, draw, width: int) -> list[str]:
    last = lines[-1]
    while last and draw.textlength(last + "…", font=font) > width:
        last = last[:-1]
    return lines[:-1] + [last + "…"]


def _title(draw, lines: list[str], font) -> None:
    line_height = int(font.size * LINE_SPACING)
    block = line_height * len(lines)
    top = TITLE_TOP + max(0, (TITLE_BOTTOM - TITLE_TOP - block) // 2)
    for number, line in enumerate(lines):
        draw.text((TEXT_LEFT, top + number * line_height), line, font=font, fill=INK)


def _footer(draw, site_name: str, font) -> None:
    draw.rounded_rectangle((TEXT_LEFT, 468, TEXT_LEFT + 96, 476), radius=4, fill=SUN)
    _gear(draw, TEXT_LEFT + 22, 522, 20, PINK)
    draw.text((TEXT_LEFT + 62, 522), site_name, font=font, fill=VIOLET, anchor="lm")


def render_card(card: Card) -> bytes:
    """PNG bytes of the card. Never raises for odd text: it wraps, shrinks or cuts."""
    choice = japanese_font()
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    _background(draw)
    small = choice.load(30)
    if choice.japanese:
        _label(draw, card.label, CATEGORY_COLOURS.get(card.category, VIOLET), small)
        title, site_name = card.title, card.site_name
    else:  # no Japanese glyphs here: ASCII beats a row of tofu boxes
        title, site_name = card.fallback_title, "Ota Monozukuri"
    lines, font = _fit_title(draw, title, choice)
    _title(draw, lines, font)
    _footer(draw, site_name, choice.load(34))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def cached_card(cache_dir: Path, name: str, card: Card) -> Path:
    """Path of the card PNG, drawing it only when its content (or the font) changed."""
    folder = cache_dir / name  # one folder per card: old versions are easy to drop
    path = folder / f"{card_version(card, extra=str(japanese_font()))}.png"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    data = render_card(card)
    # Atomic write: concurrent workers may draw the same card; neither sees half a file.
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)
    for stale in folder.glob("*.png"):
        if stale != path:
            stale.unlink(missing_ok=True)
    return path
