"""The behaviour-change funnel: 認知 → 興味 → 体験 → 相談・応募 → 就業.

One grouped query per stage metric over the chosen period (all dimensions at
once); every breakdown (channel, persona, article, series, company) is summed
from those rows in Python. Rates are true ratios only (kpi.tables.ratio): 興味
is a subset of 認知 by construction (kpi.stage_rollup caps clickers by reach);
a later stage larger than the one before it gets no rate ("—"), because people
also arrive there without passing the earlier stage.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy.orm import Session

from content.models import SERIES
from kpi import funnel, queries, sources
from kpi import metrics as m
from kpi.queries import Scope
from kpi.report import builder
from kpi.report.labels import channel_label, persona_label
from kpi.tables import Table, ratio

DIMS = ("channel", "persona", "article", "ref", "label")


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    counts: str


STAGES = (
    Stage("reach", "認知", "配信が届いた人数（LINE）と、公式Xの投稿の表示回数（Xが返す値。取得できない間は「不明」）。"
                           "Discordは見られる人数が分からないため数えません（「不明」）。"),
    Stage("interest", "興味", "配信のリンクを開いた人（同じ日に何度開いても1人。届いた人数を上限に数えます）。"),
    Stage("experience", "体験", "イベント・見学会への申込（取消を除く）。リンクから来た申込は、そのリンクのチャネル・記事に数えます。"),
    Stage("consult", "相談・応募", "会社ページからの見学・相談・応募の問い合わせと、職員が記録した「応募」。"),
    Stage("work", "就業", "職員が記録した「就職」（本人の同意がない場合も匿名で人数に含めます）。"),
)
SCENARIO_JA = (
    "若い人が、LINEやDiscordの配信・記事で大田区の町工場を知り（認知）、記事を開き（興味）、"
    "見学会や体験教室に参加し（体験）、会社に話を聞いたり応募したりして（相談・応募）、"
    "区内の会社で働き始める（就業）までの流れを、段階ごとに数えます。",
    "前の段階からの割合は、前の段階に含まれる人だけを数えられる場合の目安です。"
    "前の段階を通らずに来た人（検索や直接の訪問など）がいて前の段階より多くなる場合は、割合を表示しません（—）。",
    "就業・応募は、本人の同意がある場合は名前と結びつけ、ない場合は名前を残さず人数だけを数えます。",
)


def _stage_rows(session: Session, scope: Scope) -> dict[str, tuple]:
    """Stage key → rows (channel, persona, article, ref, label, value): one query per metric."""
    def rows(metric: str) -> tuple:
        return queries.grouped(session, metric, scope, DIMS)

    outcomes = rows(m.OUTCOMES)
    return {
        "reach": rows(m.DELIVERED), "interest": rows(m.CLICKERS), "experience": rows(m.REGISTRATIONS),
        "consult": rows(m.CONTACTS) + tuple(r for r in outcomes if r[4] == "applied"),
        "work": tuple(r for r in outcomes if r[4] == "hired"),
    }


class Lookups:
    """Titles, series and companies of the articles, events and companies in the rows (3 queries)."""

    def __init__(self, session: Session, stage_rows: dict[str, tuple]) -> None:
        every = [row for rows in stage_rows.values() for row in rows]
        self.articles = sources.article_facts(session, {row[2] for row in every})
        self.event_company = sources.event_companies(session, {row[3] for row in stage_rows["experience"]})
        company_ids = {c for _t, _s, c in self.articles.values() if c} | {c for c in self.event_company.values() if c}
        company_ids |= {row[3] for key in ("consult", "work") for row in stage_rows[key]}
        self.companies = sources.company_names(session, company_ids)

    def company_of(self, stage: str, row: tuple) -> int:
        _channel, _persona, article_id, ref, _label, _value = row
        if stage in ("consult", "work"):
            return ref
        if stage == "experience" and self.event_company.get(ref):
            return self.event_company[ref]
        return (self.articles.get(article_id) or ("", None, 0))[2] or 0

    def series_of(self, article_id: int) -> str:
        return (self.articles.get(article_id) or ("", None, None))[1] or ""


def _rows_and_lookups(session: Session, scope: Scope) -> tuple[dict[str, tuple], Lookups]:
    """Read once per request: every stage table of the dashboard uses the same rows and names."""
    cache = queries.request_cache(session)
    key = ("stages", scope)
    if key not in cache:
        stage_rows = _stage_rows(session, scope)
        cache[key] = (stage_rows, Lookups(session, stage_rows))
    return cache[key]


def breakdown(session: Session, scope: Scope, by: str) -> dict[object, dict[str, int]]:
    """{group: {stage: count}}; by = total | channel | persona | article | series | company."""
    stage_rows, look = _rows_and_lookups(session, scope)
    out: dict[object, dict[str, int]] = defaultdict(lambda: {s.key: 0 for s in STAGES})
    for stage, rows in stage_rows.items():
        for row in rows:
            channel, persona, article_id = row[0], row[1], row[2]
            key = {"total": "", "channel": channel, "persona": persona, "article": article_id,
                   "series": look.series_of(article_id), "company": look.company_of(stage, row)}[by]
            out[key][stage] += row[5]
    return dict(out)


def reach_known(by: str, key, reach: int | None = None) -> bool:
    """Whether 認知 means anything for this row (the web, Discord, X without reported impressions
    and segment-less clicks have no reach)."""
    if by == "channel":
        return key != "web" and not funnel.reach_unknown(key, reach)
    return not (by == "persona" and key == m.PERSONA_UNKNOWN)


def stage_row(label, values: dict[str, int], known_reach: bool = True) -> list:
    counts = [values.get(s.key, 0) for s in STAGES]
    if not known_reach:
        counts[0] = None
    rates = [ratio(later, earlier) for earlier, later in zip(counts, counts[1:])]
    return [label, *counts, *rates]


COLUMNS = [s.label for s in STAGES] + [f"{b.label}÷{a.label}" for a, b in zip(STAGES, STAGES[1:])]


@builder("stages")
def stages_total(session: Session, scope: Scope) -> Table:
    values = breakdown(session, scope, "total").get("", {})
    table = Table("stages", "行動変容ファネル（認知→就業）", ["段階", "数えているもの", "件数・人数", "前の段階からの割合"])
    counts = [values.get(s.key, 0) for s in STAGES]
    previous = None
    for stage, count in zip(STAGES, counts):
        table.rows.append([stage.label, stage.counts, count, ratio(count, previous) if previous is not None else None])
        previous = count
    return table


def _labelled(session: Session, scope: Scope, by: str, title: str, first: str, label, note: str = "") -> Table:
    data = breakdown(session, scope, by)
    table = Table(f"stages_{by}", title, [first, *COLUMNS], note=note)
    for key in sorted(data, key=lambda k: (-data[k]["reach"], -data[k]["interest"], str(k))):
        table.rows.append(stage_row(label(key), data[key], reach_known(by, key, data[key]["reach"])))
    return table


@builder("stages_channel")
def stages_by_channel(session: Session, scope: Scope) -> Table:
    return _labelled(session, scope, "channel", "行動変容ファネル（チャネル別）", "チャネル", channel_label,
                     "申込・問い合わせは、リンクから来た場合そのリンクのチャネル（LINE・Discord）に数えます。")


@builder("stages_persona")
def stages_by_persona(session: Session, scope: Scope) -> Table:
    return _labelled(session, scope, "persona", "行動変容ファネル（ペルソナ別）", "ペルソナ", persona_label,
                     "「区分なし」は、ペルソナの分からないリンク（区分なしの一斉配信）からのクリックです。")


@builder("stages_article")
def stages_by_article(session: Session, scope: Scope) -> Table:
    titles = {}

    def label(article_id):
        if not article_id:
            return "記事なし"
        if not titles:
            titles.update(sources.article_titles(session, breakdown(session, scope, "article")))
        return titles.get(article_id, (f"記事 #{article_id}", ""))[0]

    return _labelled(session, scope, "article", "行動変容ファネル（記事別）", "記事", label)


def series_label(series: str) -> str:
    """A series as readers see it on the site (テーマ別記事「企業」), never its stored key."""
    if not series:
        return "シリーズなし・記事なし"
    return f"テーマ別記事「{SERIES.get(series, 'その他')}」"


@builder("stages_series")
def stages_by_series(session: Session, scope: Scope) -> Table:
    return _labelled(session, scope, "series", "行動変容ファネル（シリーズ別）", "シリーズ", series_label)


@builder("stages_company")
def stages_by_company(session: Session, scope: Scope) -> Table:
    names = {}

    def label(company_id):
        if not company_id:
            return "会社なし"
        if not names:
            names.update(Lookups(session, _stage_rows(session, scope)).companies)
        return names.get(company_id, f"会社 #{company_id}")

    return _labelled(session, scope, "company", "行動変容ファネル（会社別）", "会社", label,
                     "記事の会社、見学会の会社、問い合わせ・記録の会社で数えます。")
