"""Category label colours: the site's design system, shared by every channel's rendering."""
from __future__ import annotations

INK = "#1f1a3d"  # tokens.css --ink

LABEL_COLOURS = {
    "特集": "#c4006e",
    "テーマ別": "#005caf",
    "企業": "#005caf",
    "人": "#005caf",
    "製品": "#005caf",
    "お知らせ": "#5b2ee8",
    "地域": "#007663",
    "行政": "#a64000",
    "体験教室": "#c4006e",
    "見学会": "#005caf",
    "イベント": "#007663",
}


def label_colour(label: str) -> str:
    for key, colour in LABEL_COLOURS.items():
        if key in label:
            return colour
    return INK
