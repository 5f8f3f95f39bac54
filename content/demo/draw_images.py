"""Draw the hero images for the demo articles (Pillow only, no text, deterministic).

Usage:  python content/demo/draw_images.py
Writes 1200x800 palette PNGs into content/demo/images/; the drawing itself is in drawing/.
"""

from __future__ import annotations

from pathlib import Path

from drawing import IMAGES, render

OUT = Path(__file__).resolve().parent / "images"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    total = 0
    for name, (colors, angle, scene) in IMAGES.items():
        path = OUT / f"{name}.png"
        render(name, colors, angle, scene).save(path, optimize=True)
        size = path.stat().st_size
        total += size
        print(f"{path.name:45s} {size / 1024:7.1f} KB")
    print(f"{'total':45s} {total / 1024:7.1f} KB")


if __name__ == "__main__":
    main()
