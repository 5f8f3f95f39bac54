"""Bot audience tables: followers, inflow routes, channels, broadcasts, LINE insight, Discord."""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kpi import funnel, inflow, queries, sources
from kpi import metrics as m
from kpi.models import LineUnitStat
from kpi.queries import Scope
from kpi.report import builder
from kpi.report.labels import channel_label, week_label
from kpi.tables import Table, pct


def followers_daily(session: Session, scope: Scope) -> dict:
    return queries.snapshot_series(session, m.FOLLOWERS, scope)


@builder("followers")
def followers(session: Session, scope: Scope) -> Table:
    daily = followers_daily(session, scope)
    weekly = {name: queries.weekly(session, metric, scope)
              for name, metric in (("new", m.FOLLOWS), ("back", m.REFOLLOWS), ("gone", m.UNFOLLOWS))}
    table = Table("followers", "友だち・フォロワーの推移（週別）",
                  ["週（月〜日）", "週末の友だち・フォロワー数", "新規", "再追加", "ブロック・退出", "純増"])
    last_day = m.last_day_of_each_week(daily)
    weeks = sorted(set(last_day) | {w for series in weekly.values() for w in series})
    for monday in weeks:
        end_count = daily[last_day[monday]] if monday in last_day else None
        new, back, gone = (weekly[k].get(monday, 0) for k in ("new", "back", "gone"))
        table.rows.append([week_label(monday), end_count, new, back, gone, new + back - gone])
    return table


@builder("inflow")
def inflow_routes(session: Session, scope: Scope) -> Table:
    opens = queries.by_dimension(session, m.FRIEND_LINK_OPENS, replace(scope, channel=""), "label")
    friends = queries.by_dimension(session, m.FOLLOWS, scope, "label")
    table = Table("inflow", "友だち追加の流入経路", ["流入元", "キー", "リンク先", "リンク・QRを開いた数",
                                                  "新しい友だち（流入元の記録あり）"],
                  note="「リンク・QRを開いた数」は /friend/<キー> を開いた回数です。LINEは追加経路を"
                       "Botに伝えないため、友だち数は流入元が記録できた分だけです。")
    known = inflow.all_sources(session)
    for source in known:
        table.rows.append([source.label, source.key, inflow.TARGET_LABELS.get(source.target, source.target),
                           opens.get(source.key, 0), friends.get(source.key, 0)])
    for key in sorted((set(opens) | set(friends)) - {s.key for s in known} - {""}):
        table.rows.append([key, key, "—", opens.get(key, 0), friends.get(key, 0)])
    return table


@builder("channels")
def channel_comparison(session: Session, scope: Scope) -> Table:
    table = Table("channels", "チャネル比較", ["チャネル", "配信到達", "クリック", "クリック率", "ユニーク訪問者（日ごとの合計）",
                                             "ページビュー", "イベント申込", "イベント参加", "新しい友だち"],
                  note="Webのページビューは入口で分類します（ボットのリンクから来た訪問はLINE・Discordに数えます）。"
                       "Discordは投稿を見られる人数が分からないため、配信到達は「不明」とし、率の分母にしません。"
                       "公式Xの配信到達は、Xが返す投稿の表示回数です（取得できない間は「不明」）。")
    for channel in [scope.channel] if scope.channel else m.channels():
        one = replace(scope, channel=channel)
        delivered, clicks = queries.total(session, m.DELIVERED, one), queries.total(session, m.CLICKS, one)
        table.rows.append([
            channel_label(channel), reach_cell(session, one, delivered), clicks,
            pct(funnel.click_through(clicks, delivered)),
            queries.total(session, m.UNIQUE_VISITORS, one), queries.total(session, m.PAGE_VIEWS, one),
            queries.total(session, m.REGISTRATIONS, one), queries.total(session, m.ATTENDANCES, one),
            queries.total(session, m.FOLLOWS, one) + queries.total(session, m.REFOLLOWS, one),
        ])
    return table


def reach_cell(session: Session, scope: Scope, delivered: int):
    """Discord reach is not known (a post is not people): 「不明」 with the number of posts;
    X's is 「不明」 until X reported impressions."""
    if scope.channel == "discord" and not delivered:
        posts = queries.total(session, m.DISCORD_POSTS, scope)
        return f"不明（投稿{posts}件）"
    if funnel.reach_unknown(scope.channel or "", delivered):
        return "不明"
    return delivered


@builder("broadcasts")
def broadcasts(session: Session, scope: Scope) -> Table:
    delivered = queries.by_dimension(session, m.DELIVERED, scope, "ref")
    clicks = queries.by_dimension(session, m.CLICKS, scope, "ref")
    ids = [i for i in set(delivered) | set(clicks) if i]
    titles = sources.broadcast_titles(session, ids)
    # Rows may carry the title themselves (demo data, deleted broadcasts).
    for ref, label, _value in queries.grouped(session, m.DELIVERED, scope, ("ref", "label")):
        if label:
            titles.setdefault(ref, label)
    table = Table("broadcasts", "配信ごとの到達とクリック（上位30件）", ["配信", "配信到達", "クリック", "クリック率"])
    for broadcast_id in sorted(ids, key=lambda i: (-delivered.get(i, 0), i))[:30]:
        reach, click = delivered.get(broadcast_id, 0), clicks.get(broadcast_id, 0)
        table.rows.append([titles.get(broadcast_id, f"配信 #{broadcast_id}"), reach, click,
                           pct(funnel.click_through(click, reach))])
    return table


def latest_unit_stats(session: Session, scope: Scope, limit: int = 30) -> list[LineUnitStat]:
    newest = (select(LineUnitStat.unit, func.max(LineUnitStat.fetched_day).label("day"))
              .where(LineUnitStat.fetched_day <= scope.end).group_by(LineUnitStat.unit).subquery())
    return list(session.scalars(
        select(LineUnitStat).join(newest, (LineUnitStat.unit == newest.c.unit) & (LineUnitStat.fetched_day == newest.c.day))
        .where(LineUnitStat.period_to >= scope.start)
        .order_by(LineUnitStat.period_to.desc(), LineUnitStat.unit).limit(limit)
    ))


@builder("line_insight")
def line_insight(session: Session, scope: Scope) -> Table:
    stats = latest_unit_stats(session, scope)
    names = sources.broadcast_for_units(session, [s.unit for s in stats])
    table = Table("line_insight", "LINE公式の統計（集計単位ごと）",
                  ["集計単位", "配信", "集計期間", "ユニーク表示", "ユニーククリック", "クリック率", "取得日"],
                  note="LINEのinsight API（customAggregationUnit）から毎日取得した値です。")
    for stat in stats:
        title = names.get(stat.unit, (0, "—"))[1]
        rate = stat.unique_click / stat.unique_impression if stat.unique_impression and stat.unique_click is not None else None
        table.rows.append([stat.unit, title, f"{stat.period_from:%m/%d}〜{stat.period_to:%m/%d}",
                           stat.unique_impression, stat.unique_click, pct(rate), stat.fetched_day])
    return table


@builder("discord")
def discord(session: Session, scope: Scope) -> Table:
    one = replace(scope, channel="discord")
    joins = queries.weekly(session, m.DISCORD_JOINS, one)
    commands = queries.weekly(session, m.BOT_COMMANDS, one)
    table = Table("discord", "Discord：参加とコマンド利用（週別）", ["週（月〜日）", "サーバー参加", "コマンド利用"])
    for monday in sorted(set(joins) | set(commands)):
        table.rows.append([week_label(monday), joins.get(monday, 0), commands.get(monday, 0)])
    return table


@builder("commands")
def commands(session: Session, scope: Scope) -> Table:
    table = Table("commands", "ボットのコマンド利用（上位20件）", ["チャネル", "コマンド", "回数"])
    for channel, label, count in queries.grouped(session, m.BOT_COMMANDS, scope, ("channel", "label"), limit=20):
        table.rows.append([channel_label(channel), label, count])
    return table
