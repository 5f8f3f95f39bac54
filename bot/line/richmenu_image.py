"""Draw a rich menu's 2500x1686 image with Pillow in the portal's design:
flat colour tiles with thick ink borders and a "pop" shadow, a simple icon,
a bold Japanese label and a short caption."""
from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw

from bot.line import style
from bot.line.richmenu import Area, MenuDefinition
from core.fonts import japanese_font

MAX_IMAGE_BYTES = 1024 * 1024
GAP = 22
BORDER = 10
SHADOW = 16
RADIUS = 48
# Tile colour → (fill, text colour); text colours keep WCAG AA contrast as on the site.
TILES = {
    "primary": (style.PRIMARY, style.WHITE),
    "tomato": (style.TOMATO, style.INK),
    "sun": (style.SUN, style.INK),
    "mint": (style.MINT, style.INK),
    "ink": (style.INK, style.WHITE),
    "violet_tint": (style.TINT_VIOLET, style.INK),
}


def _fit_font(draw: ImageDraw.ImageDraw, text: str, max_width: int, size: int, min_size: int = 40):
    choice = japanese_font()
    while size > min_size:
        font = choice.load(size)
        if draw.textlength(text, font=font) <= max_width:
            return font
        size -= 6
    return choice.load(min_size)


def _sparkle(draw, cx, cy, r, colour, _background):
    points = []
    for i in range(8):
        radius = r if i % 2 == 0 else r * 0.28
        angle = math.pi / 4 * i - math.pi / 2
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    draw.polygon(points, fill=colour)
    draw.ellipse((cx + r * 0.7, cy - r * 0.95, cx + r * 1.0, cy - r * 0.65), fill=colour)


def _calendar(draw, cx, cy, r, colour, _background):
    w = BORDER
    draw.rounded_rectangle((cx - r, cy - r * 0.8, cx + r, cy + r), radius=r * 0.18, outline=colour, width=w)
    draw.rectangle((cx - r, cy - r * 0.8, cx + r, cy - r * 0.35), fill=colour)
    for dx in (-0.5, 0.5):
        draw.line((cx + dx * r, cy - r * 1.05, cx + dx * r, cy - r * 0.6), fill=colour, width=w * 2)
    for row in (0.05, 0.55):
        for col in (-0.5, 0, 0.5):
            x, y = cx + col * r, cy + row * r
            draw.ellipse((x - r * 0.1, y - r * 0.1, x + r * 0.1, y + r * 0.1), fill=colour)


def _search(draw, cx, cy, r, colour, _background):
    lens = r * 0.62
    ox, oy = cx - r * 0.2, cy - r * 0.2
    draw.ellipse((ox - lens, oy - lens, ox + lens, oy + lens), outline=colour, width=BORDER * 2)
    draw.line((ox + lens * 0.7, oy + lens * 0.7, cx + r, cy + r), fill=colour, width=BORDER * 3)


def _bell(draw, cx, cy, r, colour, _background):
    draw.pieslice((cx - r * 0.7, cy - r, cx + r * 0.7, cy + r * 0.2), 180, 360, fill=colour)
    draw.polygon([(cx - r * 0.7, cy - r * 0.4), (cx + r * 0.7, cy - r * 0.4),
                  (cx + r, cy + r * 0.55), (cx - r, cy + r * 0.55)], fill=colour)
    draw.ellipse((cx - r * 0.22, cy + r * 0.55, cx + r * 0.22, cy + r * 0.95), fill=colour)


def _globe(draw, cx, cy, r, colour, _background):
    w = BORDER
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=colour, width=w)
    draw.ellipse((cx - r * 0.45, cy - r, cx + r * 0.45, cy + r), outline=colour, width=w)
    draw.line((cx - r, cy, cx + r, cy), fill=colour, width=w)
    for dy in (-0.5, 0.5):
        half = r * math.sqrt(1 - dy * dy)
        draw.line((cx - half, cy + dy * r, cx + half, cy + dy * r), fill=colour, width=w)


def _workshop(draw, cx, cy, r, colour, background):
    teeth = []
    for i in range(16):
        radius = r if i % 2 == 0 else r * 0.78
        angle = math.pi / 8 * i
        teeth.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    draw.polygon(teeth, fill=colour)
    hole = r * 0.34
    draw.ellipse((cx - hole, cy - hole, cx + hole, cy + hole), fill=background)


def _briefcase(draw, cx, cy, r, colour, background):
    draw.rounded_rectangle((cx - r, cy - r * 0.45, cx + r, cy + r * 0.8), radius=r * 0.15, fill=colour)
    draw.rounded_rectangle((cx - r * 0.35, cy - r * 0.8, cx + r * 0.35, cy - r * 0.3), radius=r * 0.1,
                           outline=colour, width=BORDER * 2)
    draw.line((cx - r, cy + r * 0.1, cx + r, cy + r * 0.1), fill=background, width=BORDER)


ICONS = {"sparkle": _sparkle, "calendar": _calendar, "search": _search, "bell": _bell,
         "globe": _globe, "workshop": _workshop, "briefcase": _briefcase}


def _tile(draw: ImageDraw.ImageDraw, area: Area) -> None:
    x, y, w, h = area.bounds
    fill, ink = TILES.get(area.colour, TILES["primary"])
    box = (x + GAP, y + GAP, x + w - GAP, y + h - GAP - SHADOW)
    draw.rounded_rectangle((box[0], box[1] + SHADOW, box[2], box[3] + SHADOW), RADIUS, fill=style.INK)
    draw.rounded_rectangle(box, RADIUS, fill=fill, outline=style.INK, width=BORDER)
    cx, inner_w = x + w / 2, w - 2 * GAP - 80
    icon = ICONS.get(area.icon)
    if icon:
        icon(draw, cx, y + h * 0.3, min(w, h) * 0.13, ink, fill)
    label_font = _fit_font(draw, area.label, inner_w, 150)
    draw.text((cx, y + h * 0.6), area.label, font=label_font, fill=ink, anchor="mm")
    if area.caption:
        caption_font = _fit_font(draw, area.caption, inner_w, 60, 30)
        draw.text((cx, y + h * 0.78), area.caption, font=caption_font, fill=ink, anchor="mm")


def draw_menu(menu: MenuDefinition) -> Image.Image:
    image = Image.new("RGB", menu.size, style.PAPER)
    draw = ImageDraw.Draw(image)
    for area in menu.areas:
        _tile(draw, area)
    return image


def menu_image(menu: MenuDefinition) -> tuple[bytes, str]:
    """(image bytes, content type): PNG, or JPEG if the PNG would exceed LINE's 1 MB."""
    image = draw_menu(menu)
    out = io.BytesIO()
    image.save(out, "PNG")
    if out.tell() <= MAX_IMAGE_BYTES:
        return out.getvalue(), "image/png"
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue(), "image/jpeg"
