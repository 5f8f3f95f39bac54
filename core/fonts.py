"""Find a Japanese font for drawn images (OGP cards) on whatever machine we run on.

Order: ``JP_FONT_PATH``, well-known system paths (Debian/Ubuntu ``fonts-noto-cjk``,
IPAex, Takao, VL Gothic), then ``fc-match :lang=ja``. Every candidate is
checked by actually drawing kanji, because fontconfig happily answers with a
Latin-only font when no Japanese one is installed. When nothing fits we log
one clear warning and fall back to Pillow's built-in font (no Japanese
glyphs: callers must not draw Japanese with it — see ``FontChoice.japanese``).
"""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageFont

log = logging.getLogger(__name__)

# Bold first: OGP titles are drawn heavy. (path, preferred face name fragment)
SYSTEM_CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Black.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKjp-Bold.otf",
    "/usr/share/fonts/truetype/noto/NotoSansJP-Bold.ttf",
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/truetype/takao-gothic/TakaoPGothic.ttf",
    "/usr/share/fonts/truetype/vlgothic/VL-PGothic-Regular.ttf",
    "/System/Library/Fonts/ヒラギノ角ゴシック W6.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
)
PROBE_TEXT = "町工場"
MISSING_CODEPOINT = "\U0010fffd"  # private-use plane 16: no real font maps it
TTC_FACES = 12  # a .ttc holds several faces; the Japanese one is not always first


@dataclass(frozen=True)
class FontChoice:
    path: str | None  # None: Pillow's built-in font
    index: int
    japanese: bool

    def load(self, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
        if self.path is None:
            return ImageFont.load_default(size)
        return ImageFont.truetype(self.path, size, index=self.index)


def glyph_bitmap(font, char: str) -> bytes:
    """The rendered pixels of one character ('' when it draws nothing)."""
    mask = font.getmask(char)
    if not mask.getbbox():
        return b""
    return Image.frombytes("L", mask.size, bytes(mask)).tobytes()


def draws_japanese(font) -> bool:
    """True when the font has real, distinct glyphs for kanji (no tofu)."""
    try:
        missing = glyph_bitmap(font, MISSING_CODEPOINT)
        shapes = [glyph_bitmap(font, ch) for ch in PROBE_TEXT]
    except Exception:  # a broken font file counts as unusable
        return False
    return all(shapes) and len(set(shapes)) == len(shapes) and missing not in shapes


def _japanese_face_index(path: str) -> int | None:
    """The face index to use in ``path``, preferring a JP face of a CJK collection."""
    usable = []
    for index in range(TTC_FACES if path.lower().endswith(".ttc") else 1):
        try:
            font = ImageFont.truetype(path, 48, index=index)
        except OSError:
            break
        if draws_japanese(font):
            family = " ".join(font.getname())
            if "JP" in family or "Japanese" in family:
                return index
            usable.append(index)
    return usable[0] if usable else None


def _fc_match() -> str | None:
    if not shutil.which("fc-match"):
        return None
    try:
        result = subprocess.run(
            ["fc-match", "-f", "%{file}", ":lang=ja"], capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None


def _candidates() -> list[str]:
    env_path = os.environ.get("JP_FONT_PATH")
    found = [env_path] if env_path else []
    found += list(SYSTEM_CANDIDATES)
    fc_path = _fc_match()
    if fc_path:
        found.append(fc_path)
    return [path for path in dict.fromkeys(found) if Path(path).is_file()]


@lru_cache(maxsize=1)
def japanese_font() -> FontChoice:
    """The first usable Japanese font; computed once per process."""
    env_path = os.environ.get("JP_FONT_PATH")
    for path in _candidates():
        index = _japanese_face_index(path)
        if index is not None:
            return FontChoice(path, index, True)
        if path == env_path:
            log.warning("JP_FONT_PATH=%s has no Japanese glyphs; looking further", path)
    log.warning(
        "No Japanese font found: OGP images will show the article slug instead of its title. "
        "Install fonts-noto-cjk (Debian/Ubuntu) or set JP_FONT_PATH to a Japanese .ttf/.otf/.ttc."
    )
    return FontChoice(None, 0, False)
