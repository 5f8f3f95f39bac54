"""Headline numbers and the funnel tables."""
from __future__ import annotations

from sqlalchemy.orm import Session

from kpi import funnel, queries, sources
from kpi import metrics as m
from kpi.queries import Scope
from kpi.report import builder
from kpi.report.labels import channel_label, persona_label, week_label
from kpi.tables import Table, change, pct

HEADLINES = (
    ("友だち・フォロワー数（期間末）", (m.FOLLOWERS,), "snapshot"),
    ("新しい友だち（新規＋再追加）", (m.FOLLOWS, m.REFOLLOWS), "sum"),
    ("ブロック・退出", (m.UNFOLLOWS,), "sum"),
    ("ページビュー", (m.PAGE_VIEWS,), "sum"),
    ("ユニーク訪問者（日ごとの合計）", (m.UNIQUE_VISITORS,), "sum"),
    ("ボットのリンククリック", (m.CLICKS,), "sum"),
    ("イベント申込", (m.REGISTRATIONS,), "sum"),
    ("イベント参加", (m.ATTENDANCES,), "sum"),
    ("次の一歩（就職情報・支援）", (m.NEXT_STEP_VIEWS,), "sum"),
)


def _headline_value(session: Session, metrics: tuple[str, ...], how: str, scope: Scope) -> int:
    if how == "snapshot":
        return sum(queries.snapshot(session, metric, scope) for metric in metrics)
    return sum(queries.total(session, metric, scope) for metric in metrics)


@builder("headline")
def headline(session: Session, scope: Scope) -> Table:
    this_week = scope.last_week()
    previous = this_week.shifted(-7)
    table = Table("headline", "主要指標（直近7日と前の7日）", ["指標", "直近7日", "前の7日", "前週比"],
                  note=f"直近7日＝{this_week.start:%m/%d}〜{this_week.end:%m/%d}。")
    for label, metrics, how in HEADLINES:
        now = _headline_value(session, metrics, how, this_week)
        before = _headline_value(session, metrics, how, previous)
        table.rows.append([label, now, before, change(now, before)])
    return table


@builder("funnel")
def funnel_total(session: Session, scope: Scope) -> Table:
    """Bot channels (all steps comparable) and, without a channel filter, every channel."""
    if scope.channel:
        main = funnel.totals(session, scope)
        columns = ["ステップ", f"件数（{channel_label(scope.channel)}）", "前のステップからの割合"]
    else:
        main = funnel.bot_totals(session, scope)
        columns = ["ステップ", "件数（ボット経由：LINE・Discord）", "前のステップからの割合", "全チャネル合計"]
    everything = funnel.totals(session, scope)
    ordered = [main[step.key] for step in funnel.STEPS]
    table = Table("funnel", "ファネル（期間合計）", columns,
                  note="配信到達はLINE・Discordの配信数、記事閲覧は記事ページのビュー（入口のチャネル別）です。"
                       "申込・参加は申し込んだチャネルで数えます。ステップごとに数え方が異なるため、割合は目安です。")
    for step, value, rate in zip(funnel.STEPS, ordered, funnel.conversions(ordered)):
        row = [step.label, value, pct(rate)]
        table.rows.append(row if scope.channel else row + [everything[step.key]])
    return table


def _step_columns() -> list[str]:
    return [step.label for step in funnel.STEPS] + ["クリック率", "申込→参加率"]


def _funnel_row(label, values: dict) -> list:
    ordered = [values.get(step.key) for step in funnel.STEPS]
    attend_rate = (values["attendances"] / values["registrations"]
                   if values.get("registrations") and values.get("attendances") is not None else None)
    return [label, *ordered, pct(funnel.click_through(values.get("clicks"), values.get("delivered"))),
            pct(attend_rate)]


@builder("funnel_channel")
def funnel_by_channel(session: Session, scope: Scope) -> Table:
    data = funnel.breakdown(session, scope, "channel")
    table = Table("funnel_channel", "ファネル（チャネル別）", ["チャネル", *_step_columns()],
                  note="公式Xの配信到達は、Xが返す投稿の表示回数（インプレッション）です。"
                       "取得できない間とDiscordは「不明」（—）で、クリック率の分母にしません。")
    for channel in [c for c in m.channels() if c in data] + sorted(set(data) - set(m.channels())):
        table.rows.append(_funnel_row(channel_label(channel), data[channel]))
    return table


@builder("funnel_persona")
def funnel_by_persona(session: Session, scope: Scope) -> Table:
    data = funnel.breakdown(session, scope, "persona")
    table = Table("funnel_persona", "ファネル（ペルソナ別）", ["ペルソナ", *_step_columns()],
                  note="記事閲覧と次の一歩は、Cookieを使わない計測のためペルソナ別には分かりません（—）。")
    for persona in sorted(data, key=lambda p: (p == "", p)):
        table.rows.append(_funnel_row(persona_label(persona), data[persona]))
    return table


@builder("funnel_article")
def funnel_by_article(session: Session, scope: Scope) -> Table:
    data = funnel.breakdown(session, scope, "article")
    titles = sources.article_titles(session, data)
    ranked = sorted(data, key=lambda a: -(data[a].get("article_views") or 0))[:30]
    table = Table("funnel_article", "ファネル（記事別・上位30件）", ["記事", *_step_columns()],
                  note="申込・参加は、その記事に紐づくイベントの件数です。")
    for article_id in ranked:
        title = titles.get(article_id, (f"記事 #{article_id}", ""))[0]
        table.rows.append(_funnel_row(title, data[article_id]))
    return table


@builder("funnel_week")
def funnel_by_week(session: Session, scope: Scope) -> Table:
    data = funnel.breakdown(session, scope, "week")
    table = Table("funnel_week", "ファネル（週別）", ["週（月〜日）", *_step_columns()],
                  note="期間の最初と最後の週は、期間内の日だけを数えています。")
    for monday in sorted(data):
        table.rows.append(_funnel_row(week_label(monday), data[monday]))
    return table
