"""Content tables: top articles, searches, events, referrers and campaigns."""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from core.timefmt import date_ja
from kpi import metrics as m
from kpi import queries, sources
from kpi.queries import Scope
from kpi.report import builder
from kpi.report.labels import channel_label
from kpi.tables import Table, pct

TOP = 20


@builder("top_articles")
def top_articles(session: Session, scope: Scope) -> Table:
    views = queries.grouped(session, m.PAGE_VIEWS, scope, ("article",), articles_only=True, limit=TOP)
    ids = [article_id for article_id, _ in views]
    from_bots = {}
    for channel in ("line", "discord"):
        if scope.channel in ("", channel):
            for article_id, value in queries.by_dimension(session, m.PAGE_VIEWS, replace(scope, channel=channel),
                                                          "article", articles_only=True).items():
                from_bots[article_id] = from_bots.get(article_id, 0) + value
    clicks = queries.by_dimension(session, m.CLICKS, scope, "article")
    registrations = queries.by_dimension(session, m.REGISTRATIONS, scope, "article")
    titles = sources.article_titles(session, ids)
    table = Table("top_articles", f"よく読まれた記事（上位{TOP}件）",
                  ["記事", "ページビュー", "うちボット経由", "ボットのクリック", "イベント申込"])
    for article_id, count in views:
        table.rows.append([titles.get(article_id, (f"記事 #{article_id}", ""))[0], count,
                           from_bots.get(article_id, 0), clicks.get(article_id, 0), registrations.get(article_id, 0)])
    return table


@builder("searches")
def top_searches(session: Session, scope: Scope) -> Table:
    zero = queries.by_dimension(session, m.ZERO_RESULT_SEARCHES, scope, "label")
    table = Table("searches", f"よく検索された言葉（上位{TOP}件）", ["検索語", "回数", "うち結果なし"])
    for label, count in queries.grouped(session, m.SEARCHES, scope, ("label",), limit=TOP):
        table.rows.append([label, count, zero.get(label, 0)])
    return table


@builder("zero_searches")
def zero_result_searches(session: Session, scope: Scope) -> Table:
    table = Table("zero_searches", f"結果が0件だった検索（上位{TOP}件）", ["検索語", "回数"],
                  note="記事づくりやキーワードの同義語登録のヒントになります。")
    for label, count in queries.grouped(session, m.ZERO_RESULT_SEARCHES, scope, ("label",), limit=TOP):
        table.rows.append([label, count])
    return table


def _by_event(session: Session, metric: str, scope: Scope) -> dict[tuple[int, str], int]:
    return {(ref, label): value for ref, label, value in queries.grouped(session, metric, scope, ("ref", "label"))}


@builder("events")
def events(session: Session, scope: Scope) -> Table:
    registrations = _by_event(session, m.REGISTRATIONS, scope)
    waitlisted = _by_event(session, m.WAITLISTED, scope)
    attended = _by_event(session, m.ATTENDANCES, scope)
    keys = set(registrations) | set(attended)
    details = sources.event_titles(session, [ref for ref, _label in keys])
    table = Table("events", "イベントごとの申込と参加", ["イベント", "開催日", "申込", "うちキャンセル待ち", "参加", "参加率"],
                  note="申込は期間内に受け付けた件数（取消を除く）、参加は期間内に出席が記録された件数です。")
    # Known events in date order, then rows that only carry a label (demo data, deleted events).
    ordered = sorted(keys, key=lambda k: (0, details[k[0]][1], k) if k[0] in details else (1, 0, k))
    for key in ordered:
        ref, label = key
        title, starts_at = details.get(ref, (label or f"イベント #{ref}", None))
        count, came = registrations.get(key, 0), attended.get(key, 0)
        table.rows.append([title, date_ja(starts_at) if starts_at else "—", count, waitlisted.get(key, 0), came,
                           pct(came / count if count else None)])
    return table


@builder("referrers")
def referrers(session: Session, scope: Scope) -> Table:
    table = Table("referrers", f"参照元サイト（上位{TOP}件）", ["参照元ドメイン", "ページビュー"],
                  note="外部サイトのドメインだけを記録しています（URL全体やサイト内の移動は記録しません）。")
    for label, count in queries.grouped(session, m.REFERRERS, scope, ("label",), limit=TOP):
        table.rows.append([label, count])
    return table


@builder("campaigns")
def campaigns(session: Session, scope: Scope) -> Table:
    table = Table("campaigns", f"UTMキャンペーン（上位{TOP}件）", ["utm_source", "utm_campaign", "ページビュー"])
    for channel, label, count in queries.grouped(session, m.CAMPAIGNS, scope, ("channel", "label"), limit=TOP):
        table.rows.append([channel_label(channel) if channel in m.channels() else channel, label, count])
    return table
