"""The 3-month projection tables (model: kpi.projection)."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy.orm import Session

from kpi import metrics as m
from kpi import projection, queries
from kpi.queries import Scope
from kpi.report import builder
from kpi.report.labels import week_label
from kpi.tables import Table, pct

OBSERVED_WEEKS = 8


def observed_window(scope: Scope) -> Scope:
    """The last OBSERVED_WEEKS complete Monday–Sunday weeks up to the scope's end."""
    last_sunday = scope.end if scope.end.weekday() == 6 else m.week_start(scope.end) - timedelta(days=1)
    start = m.week_start(last_sunday) - timedelta(weeks=OBSERVED_WEEKS - 1)
    return replace(scope, start=start, end=last_sunday)


def weekly_stats(session: Session, scope: Scope) -> list[projection.WeekStats]:
    window = observed_window(scope)
    flows = {name: queries.weekly(session, metric, window) for name, metric in (
        ("views", m.PAGE_VIEWS), ("delivered", m.DELIVERED), ("clicks", m.CLICKS),
        ("registrations", m.REGISTRATIONS), ("attendances", m.ATTENDANCES))}
    bot_views: dict = {}
    for channel in ("line", "discord"):
        if window.channel in ("", channel):
            for monday, value in queries.weekly(session, m.PAGE_VIEWS, replace(window, channel=channel)).items():
                bot_views[monday] = bot_views.get(monday, 0) + value
    followers_daily = queries.snapshot_series(session, m.FOLLOWERS, window)
    last_day = m.last_day_of_each_week(followers_daily)
    weeks = []
    for k in range(OBSERVED_WEEKS):
        monday = window.start + timedelta(weeks=k)
        weeks.append(projection.WeekStats(
            week=monday, followers=followers_daily[last_day[monday]] if monday in last_day else 0,
            bot_views=bot_views.get(monday, 0),
            **{name: series.get(monday, 0) for name, series in flows.items()}))
    # Weeks before measurement started would pull every rate towards zero.
    while weeks and not _has_data(weeks[0]):
        weeks.pop(0)
    return weeks


def _has_data(week: projection.WeekStats) -> bool:
    return any((week.followers, week.views, week.delivered, week.registrations))


def current_projection(session: Session, scope: Scope) -> projection.Projection | None:
    return projection.project(weekly_stats(session, scope))


def _triple(value: float) -> int:
    return round(value)


@builder("projection")
def projection_weeks(session: Session, scope: Scope) -> Table:
    result = current_projection(session, scope)
    names = (("followers", "友だち・フォロワー"), ("views", "ページビュー"), ("registrations", "申込"),
             ("attendances", "参加"))
    columns = ["週（月〜日）"] + [f"{label}（{s}）" for _k, label in names for s in ("低位", "見込み", "高位")]
    table = Table("projection", "3か月（13週）の見込み（週別）", columns)
    if result is None:
        table.note = "見込みを出すには、2週間以上の実績が必要です。"
        return table
    for index, monday in enumerate(result.weeks):
        row = [week_label(monday)]
        for key, _label in names:
            row += [_triple(result.series[key][s][index]) for s in projection.SCENARIOS]
        table.rows.append(row)
    return table


@builder("projection_summary")
def projection_summary(session: Session, scope: Scope) -> Table:
    result = current_projection(session, scope)
    table = Table("projection_summary", "3か月後の見込み（まとめ）", ["指標", "低位", "見込み", "高位"],
                  note="友だち・フォロワーは13週後の人数、それ以外は13週間の合計です。")
    if result is None:
        table.note = "見込みを出すには、2週間以上の実績が必要です。"
        return table
    for key, label in (("followers", "友だち・フォロワー（13週後）"), ("reach", "配信到達（13週合計）"),
                       ("clicks", "リンククリック（13週合計）"), ("views", "ページビュー（13週合計）"),
                       ("registrations", "イベント申込（13週合計）"), ("attendances", "イベント参加（13週合計）")):
        table.rows.append([label] + [_triple(result.total(key, s)) for s in ("low", "mid", "high")])
    return table


@builder("projection_rates")
def projection_rates(session: Session, scope: Scope) -> Table:
    weeks = weekly_stats(session, scope)
    table = Table("projection_rates", "見込みに使った週あたりの率", ["率", "見込み", "低位", "高位"],
                  note=f"直近{len(weeks)}週（{week_label(weeks[0].week) if weeks else '—'}から）の実績から計算。")
    if len(weeks) < projection.MIN_WEEKS:
        return table
    rates = projection.fit_rates(weeks)
    for label, rate, as_pct in (
        ("友だち・フォロワーの週あたり純増（人）", rates.follower_growth, False),
        ("1人あたり週の配信到達数", rates.deliveries_per_follower, False),
        ("クリック率（クリック÷配信到達）", rates.ctr, True),
        ("1人あたり週のボット経由ページビュー", rates.bot_views_per_follower, False),
        ("申込率（申込÷ページビュー）", rates.registrations_per_view, True),
        ("参加率（参加÷申込）", rates.attendance_per_registration, True),
    ):
        values = (rate.mid, rate.low, rate.high)
        table.rows.append([label] + [pct(v) if as_pct else round(v, 2) for v in values])
    trend = rates.web_views_trend
    table.rows.append(["ボット以外のページビュー：直線の週あたり増減（件）", round(trend.slope, 2), None, None])
    table.rows.append(["ボット以外のページビュー：直線からのずれ（件）", None, round(-trend.spread, 2),
                       round(trend.spread, 2)])
    return table
