"""The canvas: size, supersampling, gradients and the final downscale to a palette PNG."""

from __future__ import annotations

import math
import random
import zlib

from PIL import Image, ImageDraw

W, H = 1200, 800
SS = 2  # supersampling factor for smooth edges


def S(v: float) -> int:
    """Output pixels to canvas pixels (shapes are drawn large, then scaled down for smooth edges)."""
    return int(round(v * SS))


def scaled(points):
    return [(S(x), S(y)) for x, y in points]


def rot(points, cx, cy, angle_deg):
    """``points`` turned by ``angle_deg`` around (cx, cy)."""
    a = math.radians(angle_deg)
    ca, sa = math.cos(a), math.sin(a)
    return [(cx + (x - cx) * ca - (y - cy) * sa, cy + (x - cx) * sa + (y - cy) * ca) for x, y in points]


def gradient(colors: list[tuple[int, int, int]], angle: float = 90.0) -> Image.Image:
    """Linear gradient through `colors`; angle 90 = top->bottom, 0 = left->right."""
    w, h = W * SS, H * SS
    diag = int(math.hypot(w, h)) + 4
    ramp = Image.linear_gradient("L").resize((diag, diag))  # black (top) -> white (bottom)
    ramp = ramp.rotate(90 - angle, resample=Image.BILINEAR)
    left, top = (diag - w) // 2, (diag - h) // 2
    ramp = ramp.crop((left, top, left + w, top + h))
    img = Image.new("RGB", (w, h), colors[0])
    n = len(colors) - 1
    for i in range(1, len(colors)):
        # mask for segment i: 0 below threshold, rising to 255 across the segment
        lo, hi = 255 * (i - 1) / n, 255 * i / n
        seg = ramp.point(lambda p, lo=lo, hi=hi: int(max(0, min(255, (p - lo) * 255 / (hi - lo)))))
        img = Image.composite(Image.new("RGB", (w, h), colors[i]), img, seg)
    return img


def render(name: str, colors, angle, scene) -> Image.Image:
    """One image: randomness seeded by its name, so every run draws the same pixels."""
    rng = random.Random(zlib.crc32(name.encode("utf-8")))
    img = gradient(colors, angle)
    scene(ImageDraw.Draw(img), rng)
    img = img.resize((W, H), Image.LANCZOS)
    return img.quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
