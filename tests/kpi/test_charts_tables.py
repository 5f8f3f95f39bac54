"""SVG chart helper and the table/CSV model."""
import re

import pytest

from kpi import svg
from kpi.tables import Change, Pct, Table, cell_text, change, to_csv, to_html


def test_nice_axis_maximum():
    assert [svg.nice_ceiling(v) for v in (0, 0.7, 3, 7, 12, 99, 101, 2400)] == [1, 1, 5, 10, 20, 100, 200, 2500]
    assert svg.ticks(7) == [0, 2.5, 5, 7.5, 10]


def test_line_chart_is_an_accessible_image_with_escaped_text():
    out = str(svg.line_chart(["1/1", "1/2", "1/3"], [("A&B <x>", [1, 5, None])], title="推移 <テスト>",
                             desc="説明 & 数値", band=([0, 4, None], [2, 6, None])))
    assert out.startswith("<svg") and 'role="img"' in out
    ids = re.search(r'aria-labelledby="([^" ]+) ([^"]+)"', out).groups()
    assert f'<title id="{ids[0]}">推移 &lt;テスト&gt;</title>' in out
    assert f'<desc id="{ids[1]}">説明 &amp; 数値</desc>' in out
    assert "A&amp;B &lt;x&gt;" in out and "<x>" not in out
    assert out.count("<polyline") == 1 and "<polygon" in out  # the None point ends the line


def test_bars_have_one_rect_per_value_with_a_tooltip():
    out = str(svg.hbar_chart(["配信", "クリック"], [100, 12], title="t", desc="d"))
    assert out.count("<rect") == 2 and ">100<" in out and ">12<" in out
    bars = str(svg.bar_chart(["月", "火"], [3, 0], title="t", desc="d"))
    assert "<title>月: 3</title>" in bars


def test_a_chart_knows_its_title_for_the_visible_caption():
    chart = svg.hbar_chart(["a"], [1], title="ファネル", desc="d")
    assert chart.title == "ファネル" and str(chart).startswith("<svg")


def test_chart_ids_are_unique_on_a_page():
    first, second = str(svg.bar_chart(["a"], [1], title="t", desc="d")), str(svg.bar_chart(["a"], [1], title="t", desc="d"))
    assert re.search(r'id="([^"]+)-t"', first).group(1) != re.search(r'id="([^"]+)-t"', second).group(1)


def test_text_alternative_describes_first_last_and_peak():
    assert svg.describe_series(["1/1", "1/2", "1/3"], [5, 9, 7], "人") == "1/1は5人、1/3は7人。最大は1/2の9人。"
    assert svg.describe_series([], []) == "データがありません。"


def test_cells_are_formatted_for_people():
    assert [cell_text(v) for v in (None, 1234, Pct(0.1234), Change(-0.05), 2.25, "x")] == \
        ["—", "1,234", "12.3%", "-5.0%", "2.2", "x"]
    assert change(120, 100) == pytest.approx(0.2) and change(5, 0) is None


def test_csv_has_bom_crlf_and_defuses_formulas():
    table = Table("t", "T", ["名前", "件数", "率"], [["=HYPERLINK(\"x\")", 3, Pct(0.5)], ["-12", -4, None]])
    data = to_csv(table)
    assert data.startswith("\ufeff".encode()) and data.endswith(b"\r\n")
    text = data.decode("utf-8-sig")
    assert text.splitlines() == ["名前,件数,率", '"\'=HYPERLINK(""x"")",3,50.0%', "-12,-4,"]


def test_a_table_as_html_escapes_text_and_marks_numeric_columns_once():
    table = Table("t1", "記事 <上位>", ["記事", "件数", "メモ"], note="a & b",
                  rows=[["<script>", 1234, "x"], ["B&C", None, "y"]])
    out = str(to_html(table, "/admin/kpi/export/t1.csv?from=2026-01-01&to=2026-01-31", 4))
    assert out.startswith('<section class="kpi-table" id="t-t1" aria-labelledby="t-t1-h">')
    assert '<h4 id="t-t1-h">記事 &lt;上位&gt;</h4><p class="hint">a &amp; b</p>' in out
    assert '<th scope="col">記事</th><th scope="col" class="num">件数</th>' in out
    assert '<tr><th scope="row">&lt;script&gt;</th><td class="num">1,234</td><td>x</td></tr>' in out
    assert '<tr><th scope="row">B&amp;C</th><td class="num">—</td><td>y</td></tr>' in out
    assert 'href="/admin/kpi/export/t1.csv?from=2026-01-01&amp;to=2026-01-31">「記事 &lt;上位&gt;」をCSVでダウンロード' in out
    assert "<script>" not in out and out.endswith("</section>")
    empty = str(to_html(Table("t2", "空", ["a", "b"]), "/x.csv"))
    assert '<tr><td colspan="2">この期間のデータはありません。</td></tr>' in empty and "hint" not in empty
