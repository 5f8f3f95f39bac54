"""The dashboard's charts, built from the same tables (and roll-ups) the page lists."""
from __future__ import annotations

from sqlalchemy.orm import Session

from kpi import metrics as m
from kpi import queries, svg
from kpi.queries import Scope
from kpi.report.audience import followers_daily
from kpi.report.labels import short_day, week_label
from kpi.report.outlook import current_projection, weekly_stats
from kpi.svg import Chart
from kpi.tables import Table


def funnel_chart(table: Table) -> Chart:
    labels = [row[0] for row in table.rows]
    values = [row[1] or 0 for row in table.rows]
    desc = "、".join(f"{label} {svg.fmt(value)}件" for label, value in zip(labels, values)) + "。"
    return svg.hbar_chart(labels, values, title=f"ファネル（{table.columns[1]}）", desc=desc)


def followers_chart(session: Session, scope: Scope) -> Chart:
    series = followers_daily(session, scope)
    days = sorted(series)
    labels, values = [short_day(d) for d in days], [series[d] for d in days]
    return svg.line_chart(labels, [("友だち・フォロワー数", values)], title="友だち・フォロワー数の推移（日別）",
                          desc=svg.describe_series(labels, values, "人"))


def new_friends_chart(table: Table) -> Chart:
    """Weekly new friends (new + returning) from the followers table."""
    labels = [row[0].split("〜")[0] for row in table.rows]
    values = [(row[2] or 0) + (row[3] or 0) for row in table.rows]
    return svg.bar_chart(labels, values, title="新しい友だち・フォロワー（週別、新規＋再追加）",
                         desc=svg.describe_series(labels, values, "人"), color=svg.PALETTE[2])


def traffic_chart(session: Session, scope: Scope) -> Chart:
    views = queries.daily(session, m.PAGE_VIEWS, scope)
    uniques = queries.daily(session, m.UNIQUE_VISITORS, scope)
    days = m.days_between(scope.start, scope.end)
    labels = [short_day(d) for d in days]
    view_values = [views.get(d, 0) for d in days]
    return svg.line_chart(
        labels, [("ページビュー", view_values), ("ユニーク訪問者", [uniques.get(d, 0) for d in days])],
        title="Webのページビューとユニーク訪問者（日別）",
        desc="ページビュー：" + svg.describe_series(labels, view_values, "件"),
    )


def channel_chart(table: Table) -> Chart:
    labels = [row[0] for row in table.rows]
    values = [row[5] or 0 for row in table.rows]  # page views
    desc = "、".join(f"{label} {svg.fmt(value)}件" for label, value in zip(labels, values)) + "。"
    return svg.hbar_chart(labels, values, title="入口チャネル別のページビュー", desc=desc, color=svg.PALETTE[2])


def top_articles_chart(table: Table) -> Chart:
    rows = table.rows[:10]
    labels = [_shorten(row[0]) for row in rows]
    values = [row[1] for row in rows]
    desc = "、".join(f"{row[0]} {svg.fmt(row[1])}件" for row in rows) + "。" if rows else "データがありません。"
    return svg.hbar_chart(labels, values, title="よく読まれた記事（上位10件）", desc=desc, color=svg.PALETTE[1])


def _shorten(text: str, limit: int = 14) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


PROJECTED = (("followers", "友だち・フォロワー数（週末）", "人"), ("views", "ページビュー（週）", "件"),
             ("registrations", "イベント申込（週）", "件"))


def projection_charts(session: Session, scope: Scope) -> list[Chart]:
    observed = weekly_stats(session, scope)
    result = current_projection(session, scope)
    if result is None:
        return []
    labels = [week_label(w.week).split("〜")[0] for w in observed] + \
             [week_label(w).split("〜")[0] for w in result.weeks]
    gap = [None] * len(observed)
    charts = []
    for key, title, unit in PROJECTED:
        actual = [float(getattr(w, key)) for w in observed] + [None] * len(result.weeks)
        mid, low, high = (gap + result.series[key][s] for s in ("mid", "low", "high"))
        desc = (f"実績の最終週は{svg.fmt(actual[len(observed) - 1])}{unit}。13週後の見込みは"
                f"{svg.fmt(mid[-1])}{unit}（低位{svg.fmt(low[-1])}〜高位{svg.fmt(high[-1])}{unit}）。")
        charts.append(svg.line_chart(labels, [("実績", actual), ("見込み", mid)], band=(low, high),
                                     title=f"{title}の実績と見込み", desc=desc))
    return charts


def build(session: Session, scope: Scope, tables: dict[str, Table]) -> dict[str, object]:
    return {
        "funnel": funnel_chart(tables["funnel"]),
        "followers": followers_chart(session, scope),
        "new_friends": new_friends_chart(tables["followers"]),
        "traffic": traffic_chart(session, scope),
        "channels": channel_chart(tables["channels"]),
        "top_articles": top_articles_chart(tables["top_articles"]),
        "projection": projection_charts(session, scope),
    }
