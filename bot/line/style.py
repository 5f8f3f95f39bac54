"""The portal's design tokens (web/static/css/tokens.css) for LINE surfaces:
Flex bubbles and rich menu images. Keep the values in step with tokens.css."""
from __future__ import annotations

INK = "#1f1a3d"
INK_SOFT = "#4d4870"
PAPER = "#fffdf7"
WHITE = "#ffffff"
LINE_GREY = "#d9d4ee"
PRIMARY = "#5b2ee8"  # vivid violet: buttons
SUN = "#ffd23f"
MINT = "#00c2a8"
TOMATO = "#ff5a36"
TINT_VIOLET = "#efeaff"
TINT_SUN = "#fff4c7"
TINT_MINT = "#dcfaf4"
TINT_PINK = "#ffe6f2"
TINT_SKY = "#e9f3ff"

# Category / event label → chip colour (white text sits on all of them).
