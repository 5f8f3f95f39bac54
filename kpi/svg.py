"""Tiny server-rendered SVG charts (bars, horizontal bars, lines with an optional band).

Every chart is ``role="img"`` with a ``<title>`` and a ``<desc>`` that states
the numbers in words, so screen readers get the same information; the page
also shows each chart's data as a table.
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from markupsafe import Markup, escape

PALETTE = ("#5b2ee8", "#e8732e", "#1f9d74", "#c4306b", "#3a7bd5", "#8a8a8a")
FONT = 'font-family="inherit" font-size="12"'
_ids = itertools.count(1)


class Chart(Markup):
    """SVG markup that also knows its title (shown as the figure caption)."""

    title: str = ""


def _finish(parts: list[str], title: str) -> Chart:
    parts.append("</svg>")
    chart = Chart("".join(parts))
    chart.title = title
    return chart


def nice_ceiling(value: float) -> float:
    """The smallest 1/2/2.5/5 × 10^n at or above ``value`` (axis maximum)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def ticks(maximum: float, count: int = 4) -> list[float]:
    top = nice_ceiling(maximum)
    return [top * i / count for i in range(count + 1)]


def fmt(value: float) -> str:
    if abs(value) >= 10 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def _open(width: int, height: int, title: str, desc: str) -> tuple[str, str]:
    uid = f"kpi-chart-{next(_ids)}"
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="kpi-chart" role="img" viewBox="0 0 {width} {height}" '
            f'width="100%" preserveAspectRatio="xMidYMid meet" aria-labelledby="{uid}-t {uid}-d">'
            f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>')
    return uid, head


def _y_axis(parts: list[str], top: float, left: int, plot_top: int, plot_h: int, right: int) -> None:
    for value in ticks(top):
        y = plot_top + plot_h - (value / nice_ceiling(top)) * plot_h
        parts.append(f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" {FONT} fill="#444">{fmt(value)}</text>')


def _x_labels(parts: list[str], labels: Sequence[str], xs: list[float], y: float, max_labels: int = 12,
              edges: bool = True) -> None:
    """Thinned-out x labels; with ``edges`` the first/last are aligned inside the plot."""
    step = max(1, math.ceil(len(labels) / max_labels))
    last = len(labels) - 1
    for index, (label, x) in enumerate(zip(labels, xs)):
        if index % step and index != last:
            continue
        if index != last and last - index < step:
            continue  # would collide with the last label
        anchor = "middle"
        if edges and last:
            anchor = "end" if index == last else "start" if index == 0 else "middle"
        parts.append(f'<text x="{x:.1f}" y="{y}" text-anchor="{anchor}" {FONT} fill="#444">{escape(label)}</text>')


def bar_chart(labels: Sequence[str], values: Sequence[float], *, title: str, desc: str,
              width: int = 640, height: int = 240, color: str = PALETTE[0]) -> Chart:
    _uid, head = _open(width, height, title, desc)
    left, right, plot_top, plot_h = 56, width - 12, 12, height - 44
    top = max([*values, 0]) or 1
    parts = [head]
    _y_axis(parts, top, left, plot_top, plot_h, right)
    slot = (right - left) / max(1, len(values))
    xs = []
    for index, value in enumerate(values):
        h = (value / nice_ceiling(top)) * plot_h
        x = left + index * slot + slot * 0.15
        xs.append(x + slot * 0.35)
        parts.append(f'<rect x="{x:.1f}" y="{plot_top + plot_h - h:.1f}" width="{slot * 0.7:.1f}" '
                     f'height="{h:.1f}" fill="{color}"><title>{escape(labels[index])}: {fmt(value)}</title></rect>')
    _x_labels(parts, labels, xs, height - 14, edges=False)
    return _finish(parts, title)


def hbar_chart(labels: Sequence[str], values: Sequence[float], *, title: str, desc: str,
               width: int = 640, row: int = 30, color: str = PALETTE[0]) -> Chart:
    """Horizontal bars with the value printed at the end (used for the funnel)."""
    height = row * len(values) + 16
    _uid, head = _open(width, height, title, desc)
    label_w, top = 190, max([*values, 0]) or 1
    bar_space = width - label_w - 80
    parts = [head]
    for index, (label, value) in enumerate(zip(labels, values)):
        y = 8 + index * row
        w = max(1.0, value / top * bar_space) if value else 0
        parts.append(f'<text x="{label_w - 8}" y="{y + row * 0.55:.1f}" text-anchor="end" {FONT} fill="#222">'
                     f'{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" fill="{color}" rx="2"/>')
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + row * 0.55:.1f}" {FONT} fill="#222">{fmt(value)}</text>')
    return _finish(parts, title)


def _points(xs: list[float], values: Sequence[float | None], y) -> list[list[str]]:
    """Polyline segments; a None value breaks the line (e.g. observed vs projected)."""
    segments: list[list[str]] = [[]]
    for x, value in zip(xs, values):
        if value is None:
            if segments[-1]:
                segments.append([])
            continue
        segments[-1].append(f"{x:.1f},{y(value):.1f}")
    return [seg for seg in segments if seg]


def _band(parts: list[str], xs: list[float], band, y) -> None:
    pairs = [(x, lo, hi) for x, lo, hi in zip(xs, band[0], band[1]) if lo is not None and hi is not None]
    if len(pairs) < 2:
        return
    upper = " ".join(f"{x:.1f},{y(hi):.1f}" for x, _lo, hi in pairs)
    lower = " ".join(f"{x:.1f},{y(lo):.1f}" for x, lo, _hi in reversed(pairs))
    parts.append(f'<polygon points="{upper} {lower}" fill="{PALETTE[0]}" fill-opacity="0.15"/>')


def line_chart(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], *, title: str,
               desc: str, band: tuple[Sequence[float | None], Sequence[float | None]] | None = None,
               width: int = 640, height: int = 260) -> Chart:
    """Lines over shared x labels; ``band`` = (low, high) draws a shaded range behind them."""
    _uid, head = _open(width, height, title, desc)
    left, right, plot_top, plot_h = 56, width - 12, 12, height - 64
    all_values = [v for _name, values in series for v in values] + (list(band[1]) if band else [])
    top = max([v for v in all_values if v is not None] + [0]) or 1
    scale = nice_ceiling(top)
    n = max(1, len(labels) - 1)
    xs = [left + (right - left) * i / n for i in range(len(labels))]
    y = lambda v: plot_top + plot_h - (v / scale) * plot_h  # noqa: E731
    parts = [head]
    _y_axis(parts, top, left, plot_top, plot_h, right)
    if band:
        _band(parts, xs, band, y)
    for index, (name, values) in enumerate(series):
        color = PALETTE[index % len(PALETTE)]
        dash = ' stroke-dasharray="6 4"' if index else ""
        for segment in _points(xs, values, y):
            if len(segment) == 1:
                cx, cy = segment[0].split(",")
                parts.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="{color}"/>')
            else:
                parts.append(f'<polyline points="{" ".join(segment)}" fill="none" stroke="{color}" '
                             f'stroke-width="2.5"{dash}/>')
        parts.append(f'<rect x="{left + index * 170}" y="{height - 16}" width="14" height="4" fill="{color}"/>'
                     f'<text x="{left + index * 170 + 20}" y="{height - 10}" {FONT} fill="#222">{escape(name)}</text>')
    _x_labels(parts, labels, xs, height - 34)
    return _finish(parts, title)


def describe_series(labels: Sequence[str], values: Sequence[float | None], unit: str = "") -> str:
    """A short Japanese text alternative: first, last and highest value."""
    known = [(label, value) for label, value in zip(labels, values) if value is not None]
    if not known:
        return "データがありません。"
    peak = max(known, key=lambda item: item[1])
    return (f"{known[0][0]}は{fmt(known[0][1])}{unit}、{known[-1][0]}は{fmt(known[-1][1])}{unit}。"
            f"最大は{peak[0]}の{fmt(peak[1])}{unit}。")
