"""Flat shapes drawn on a supersampled canvas, in output-pixel coordinates."""

from __future__ import annotations

import math

from .canvas import H, S, W, rot, scaled
from .palette import ORANGE, RED, SKY, WHITE, YELLOW


def circle(d, cx, cy, r, fill=None, outline=None, width=0):
    d.ellipse([S(cx - r), S(cy - r), S(cx + r), S(cy + r)], fill=fill, outline=outline, width=S(width))


def poly(d, points, fill=None, outline=None, width=0):
    d.polygon(scaled(points), fill=fill, outline=outline, width=S(width) if outline else 0)


def line(d, points, fill, width):
    d.line(scaled(points), fill=fill, width=S(width), joint="curve")
    for x, y in (points[0], points[-1]):
        circle(d, x, y, width / 2, fill=fill)


def gear(d, cx, cy, r, teeth, color, hole=None, angle=0.0, tooth=None):
    tooth = tooth or r * 0.22
    pts = []
    steps = teeth * 4
    for i in range(steps):
        a = math.radians(angle) + 2 * math.pi * i / steps
        rr = r + tooth if (i % 4) in (1, 2) else r
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    poly(d, pts, fill=color)
    circle(d, cx, cy, r * 0.98, fill=color)
    if hole:
        circle(d, cx, cy, r * 0.38, fill=hole)


def star(d, cx, cy, r, color, points=5, angle=-90.0, inner=0.45):
    pts = []
    for i in range(points * 2):
        rr = r if i % 2 == 0 else r * inner
        a = math.radians(angle) + math.pi * i / points
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    poly(d, pts, fill=color)


def sparkle(d, cx, cy, r, color):
    star(d, cx, cy, r, color, points=4, angle=0, inner=0.25)


def hexagon(d, cx, cy, r, color, angle=0.0):
    pts = [(cx + r * math.cos(math.radians(angle + 60 * i)), cy + r * math.sin(math.radians(angle + 60 * i))) for i in range(6)]
    poly(d, pts, fill=color)


def bolt(d, cx, cy, r, color, inner, angle=0.0):
    hexagon(d, cx, cy, r, color, angle)
    circle(d, cx, cy, r * 0.55, fill=inner)
    circle(d, cx, cy, r * 0.3, fill=color)


def rocket(d, cx, cy, size, angle, body=WHITE, accent=RED, window=SKY, flame=(YELLOW, ORANGE)):
    s = size
    # defined pointing up, centred at (cx, cy)
    fl_outer = [(cx - 0.22 * s, cy + 0.55 * s), (cx, cy + 1.15 * s), (cx + 0.22 * s, cy + 0.55 * s)]
    fl_inner = [(cx - 0.12 * s, cy + 0.55 * s), (cx, cy + 0.9 * s), (cx + 0.12 * s, cy + 0.55 * s)]
    fin_l = [(cx - 0.25 * s, cy + 0.1 * s), (cx - 0.55 * s, cy + 0.55 * s), (cx - 0.55 * s, cy + 0.72 * s), (cx - 0.25 * s, cy + 0.5 * s)]
    fin_r = [(2 * cx - x, y) for x, y in fin_l]
    hull = []
    for i in range(0, 181, 10):  # nose arc
        a = math.radians(180 + i)
        hull.append((cx + 0.28 * s * math.cos(a), cy - 0.3 * s + 0.6 * s * math.sin(a)))
    hull += [(cx + 0.28 * s, cy + 0.6 * s), (cx - 0.28 * s, cy + 0.6 * s)]
    parts = [(fin_l, accent), (fin_r, accent), (hull, body)]
    if flame:
        parts = [(fl_outer, flame[1]), (fl_inner, flame[0])] + parts
    for shape, col in parts:
        poly(d, rot(shape, cx, cy, angle), fill=col)
    nose_pts = [p for p in hull[:19] if p[1] <= cy - 0.62 * s]
    if len(nose_pts) > 3:
        poly(d, rot(nose_pts, cx, cy, angle), fill=accent)
    wx, wy = rot([(cx, cy - 0.15 * s)], cx, cy, angle)[0]
    circle(d, wx, wy, 0.16 * s, fill=accent)
    circle(d, wx, wy, 0.11 * s, fill=window)
    band = [(cx - 0.28 * s, cy + 0.3 * s), (cx + 0.28 * s, cy + 0.3 * s), (cx + 0.28 * s, cy + 0.4 * s), (cx - 0.28 * s, cy + 0.4 * s)]
    poly(d, rot(band, cx, cy, angle), fill=accent)


def planet(d, cx, cy, r, color, ring, shade):
    ring_back = [(cx + 1.9 * r * math.cos(t), cy + 0.45 * r * math.sin(t)) for t in [math.pi + i * math.pi / 36 for i in range(37)]]
    line(d, ring_back, ring, r * 0.14)
    circle(d, cx, cy, r, fill=color)
    circle(d, cx + r * 0.25, cy - r * 0.3, r * 0.2, fill=shade)
    circle(d, cx - r * 0.35, cy + r * 0.25, r * 0.12, fill=shade)
    ring_front = [(cx + 1.9 * r * math.cos(t), cy + 0.45 * r * math.sin(t)) for t in [i * math.pi / 36 for i in range(37)]]
    line(d, ring_front, ring, r * 0.14)


def circuit(d, rng, color, n, box, width=6, node=None):
    x0, y0, x1, y1 = box
    node = node or color
    for _ in range(n):
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        pts = [(x, y)]
        horizontal = rng.random() < 0.5
        for _ in range(rng.randint(2, 4)):
            step = rng.choice([-1, 1]) * rng.uniform(60, 180)
            if horizontal:
                x = min(max(x + step, x0), x1)
            else:
                y = min(max(y + step, y0), y1)
            pts.append((x, y))
            horizontal = not horizontal
        line(d, pts, color, width)
        circle(d, pts[0][0], pts[0][1], width * 1.6, fill=node)
        circle(d, pts[-1][0], pts[-1][1], width * 1.6, fill=node)


def confetti(d, rng, colors, n, box=(0, 0, W, H), rmin=4, rmax=10):
    x0, y0, x1, y1 = box
    for _ in range(n):
        x, y, r = rng.uniform(x0, x1), rng.uniform(y0, y1), rng.uniform(rmin, rmax)
        c = rng.choice(colors)
        kind = rng.random()
        if kind < 0.4:
            circle(d, x, y, r, fill=c)
        elif kind < 0.7:
            sparkle(d, x, y, r * 1.8, c)
        else:
            poly(d, rot([(x - r, y - r), (x + r, y - r), (x + r, y + r), (x - r, y + r)], x, y, rng.uniform(0, 90)), fill=c)


def starfield(d, rng, n, colors=(WHITE, YELLOW), box=(0, 0, W, H)):
    for _ in range(n):
        x, y = rng.uniform(box[0], box[2]), rng.uniform(box[1], box[3])
        r = rng.choice([2, 2, 3, 3, 4, 7, 10])
        c = rng.choice(colors)
        if r > 5:
            sparkle(d, x, y, r * 1.6, c)
        else:
            circle(d, x, y, r, fill=c)


def bubble(d, x, y, w, h, color, tail="left"):
    r = h * 0.4
    d.rounded_rectangle([S(x), S(y), S(x + w), S(y + h)], radius=S(r), fill=color)
    if tail == "left":
        poly(d, [(x + w * 0.15, y + h * 0.8), (x + w * 0.05, y + h * 1.3), (x + w * 0.35, y + h * 0.9)], fill=color)
    else:
        poly(d, [(x + w * 0.85, y + h * 0.8), (x + w * 0.95, y + h * 1.3), (x + w * 0.65, y + h * 0.9)], fill=color)


def dots_in_bubble(d, x, y, w, h, color):
    for i in range(3):
        circle(d, x + w * (0.3 + 0.2 * i), y + h / 2, h * 0.1, fill=color)


def wave(d, y, amp, length, color, width, phase=0.0, x0=-20, x1=W + 20):
    pts = [(x, y + amp * math.sin(2 * math.pi * x / length + phase)) for x in range(int(x0), int(x1), 8)]
    line(d, pts, color, width)


def leaf(d, cx, cy, length, width, angle, color):
    pts = []
    for i in range(0, 21):
        t = i / 20
        pts.append((cx + length * t, cy - width * math.sin(math.pi * t)))
    for i in range(20, -1, -1):
        t = i / 20
        pts.append((cx + length * t, cy + width * math.sin(math.pi * t)))
    poly(d, rot(pts, cx, cy, angle), fill=color)


def cube(d, cx, cy, s, top, left, right):
    h = s * 0.5
    poly(d, [(cx, cy - h), (cx + s, cy), (cx, cy + h), (cx - s, cy)], fill=top)
    poly(d, [(cx - s, cy), (cx, cy + h), (cx, cy + h + s), (cx - s, cy + s)], fill=left)
    poly(d, [(cx + s, cy), (cx, cy + h), (cx, cy + h + s), (cx + s, cy + s)], fill=right)
