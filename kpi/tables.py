"""A dashboard table: what the page shows and what the CSV export writes, from one object."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup, escape

MISSING = "—"
NUM = ' class="num"'


class Pct(float):
    """A ratio shown as a percentage (0.123 → 12.3%)."""

    def __str__(self) -> str:
        return f"{self * 100:.1f}%"


class Change(float):
    """A week-over-week change ratio (+0.25 → +25.0%)."""

    def __str__(self) -> str:
        return f"{self * 100:+.1f}%"


def pct(value: float | None) -> Pct | None:
    """A true ratio (part of a whole) as a percentage; anything else is not shown (None → "—").

    A value above 1 means the "part" was not counted among the "whole" (clicks
    from people a broadcast did not reach, attendance of earlier applications):
    that is not a rate, so it is never displayed as one.
    """
    return None if value is None or value < 0 or value > 1 else Pct(value)


def ratio(part: int | None, whole: int | None) -> Pct | None:
    """part ÷ whole when the whole is known and non-zero and the part fits in it."""
    return pct(part / whole) if part is not None and whole else None


def change(current: float, previous: float) -> Change | None:
    return Change((current - previous) / previous) if previous else None


def cell_text(value) -> str:
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float) and not isinstance(value, (Pct, Change)):
        return f"{value:,.1f}"
    return str(value)


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    note: str = ""

    def is_numeric(self, index: int) -> bool:
        return any(isinstance(row[index], (int, float)) and not isinstance(row[index], bool)
                   for row in self.rows if index < len(row))


def to_html(table: Table, csv_url: str, level: int = 3) -> Markup:
    """The table as the dashboard shows it (with its CSV link), built in one pass of plain loops.

    Which columns are numeric is worked out once per table, not once per cell.
    """
    key, title = escape(table.key), escape(table.title)
    width = max((len(row) for row in table.rows), default=0)
    numeric = [NUM if table.is_numeric(index) else "" for index in range(width)]
    out = [f'<section class="kpi-table" id="t-{key}" aria-labelledby="t-{key}-h">\n'
           f'  <h{level} id="t-{key}-h">{title}</h{level}>']
    if table.note:
        out.append(f'<p class="hint">{escape(table.note)}</p>')
    out.append(f'\n  <div class="kpi-scroll" tabindex="0" role="region" aria-labelledby="t-{key}-h">\n'
               '    <table>\n      <thead><tr>')
    for index, column in enumerate(table.columns):
        out.append(f'<th scope="col"{NUM if index else ""}>{escape(column)}</th>')
    out.append("</tr></thead>\n      <tbody>")
    for row in table.rows:
        out.append("\n        <tr>")
        for index, value in enumerate(row):
            if index:
                out.append(f"<td{numeric[index]}>{escape(cell_text(value))}</td>")
            else:
                out.append(f'<th scope="row">{escape(cell_text(value))}</th>')
        out.append("</tr>")
    if not table.rows:
        out.append(f'\n        <tr><td colspan="{len(table.columns)}">この期間のデータはありません。</td></tr>')
    out.append(f'\n      </tbody>\n    </table>\n  </div>\n  <p class="kpi-csv"><a href="{escape(csv_url)}">'
               f"「{title}」をCSVでダウンロード</a></p>\n</section>")
    return Markup("".join(out))


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (Pct, Change)):
        return str(value)
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, float):
        return f"{value:.2f}"
    text = str(value)
    # A leading = + - @ would run as a formula in Excel (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
        return True
    except ValueError:
        return False


def to_csv(table: Table) -> bytes:
    """UTF-8 with BOM and CRLF line ends: opens correctly in Excel on Windows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_csv_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
