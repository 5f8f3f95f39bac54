"""Search benchmark: Whoosh (this project's engine) against SQLite FTS5 trigram.

    .venv/bin/python bench/search.py [--docs 10000] [--rounds 5] [--strict]

1. Generates N synthetic Japanese articles (deterministic: fixed seed).
2. Builds the real index (``search.indexer.write_generation``: the same
   analysis as production) in a temporary folder and reports docs/s.
3. Runs a fixed query mix through the real ranking and snippets
   (``search.engine.rank`` + ``search.snippets``; no database, no query log)
   and reports p50/p95 latency — cold (the per-index term and unit caches
   cleared before every query; the figure the goal is checked against) and
   warm (repeated queries, as when paging).
4. Loads the same corpus into SQLite FTS5 (``tokenize='trigram'``), runs the
   same queries (top 10 by bm25 + total count) and reports the same figures
   and the Whoosh/FTS5 ratios.
5. Reports peak memory (max RSS of this process, and Python heap peak during
   the Whoosh build via tracemalloc in a separate, untimed pass on 1,000 docs).

Goals (issue 3): query p95 ≤ 30 ms at 10k documents, full reindex ≤ 60 s.
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search.documents import SourceDoc  # noqa: E402
from search.engine import rank  # noqa: E402
from search.indexer import default_workers, write_generation  # noqa: E402
from search.normalize import normalize  # noqa: E402
from search.postings import SearcherData  # noqa: E402
from search.querying import parse_units  # noqa: E402
from search.scoring import WEIGHTING  # noqa: E402
from search.snippets import build as build_snippet  # noqa: E402
from search.store import IndexStore  # noqa: E402

SEED = 20261128
GOAL_P95_MS = 30.0
GOAL_REINDEX_S = 60.0
CATEGORIES = ("news", "feature", "series", "local", "admin")
COMPANIES = ["光和精機", "東雲金型製作所", "青空溶接工業", "ひかり研磨", "みなとロボティクス", "蒲田スリーディーラボ",
             "糀谷プレス", "六郷メッキ", "羽田精工", "池上樹脂", "矢口ばね製作所", "大森歯車", "雪谷電機", "下丸子機械"]
PLACES = ["蒲田", "大森", "羽田", "糀谷", "六郷", "池上", "下丸子", "雪谷", "矢口", "平和島"]
PEOPLE = ["若手職人", "二代目社長", "熟練の職人", "20代の技術者", "女性エンジニア", "大学の研究者", "高校生", "デザイナー"]
# Topic → (words that fill {w}, sentences specific to the topic). Each article is mostly about one topic,
# so word frequencies follow the uneven pattern of a real archive instead of "every word in every article".
TOPICS = {
    "宇宙": (["人工衛星", "ロケット", "超小型衛星", "宇宙実験装置", "打ち上げ", "真空"],
           ["{company}は{w}の部品を0.01ミリの精度で削り出しています。", "{w}に使う部品は、激しい振動と温度差に耐えなければなりません。",
            "宇宙では修理に行けないので、測って記録して証明するところまでが仕事です。"]),
    "医工連携": (["手術器具", "介護用品", "医療機器", "カテーテル", "内視鏡"],
             ["医師や看護師のつぶやきから、新しい{w}が生まれました。", "{company}は研磨の技で{w}の試作に取り組んでいます。",
              "患者さんを楽にしたいという思いが、医工連携の出発点です。"]),
    "STEAM教育": (["小学校", "中学校", "授業", "理科", "プログラミング"],
                ["{place}の{w}で、町工場の技術者が先生になりました。", "子どもたちは3Dプリンタで自分だけの部品を設計します。",
                 "算数で習ったことが工場では毎日使われていると知り、子どもたちは目を輝かせました。"]),
    "就職支援": (["合同面接会", "求人", "正社員", "職場体験", "仕事相談"],
             ["区内の中小企業で働きたい方に向けて、{w}を開いています。", "未経験の方や転職を考えている方も{w}を利用できます。",
              "奨学金返還支援の制度と合わせて、若者の就職を応援します。"]),
    "アート": (["作品", "アーティスト", "展示", "オブジェ", "モニュメント"],
            ["溶接の火花が、アーティストの手で{w}へと変わります。", "{company}と芸術家の共同制作による{w}が公開されました。",
             "金属の輝きを生かした{w}は、多くの来場者を集めました。"]),
    "金型": (["射出成形", "樹脂", "金型", "ワイヤー放電加工", "3D CAD"],
           ["ボールペンのキャップもゲーム機のボタンも、{w}がなければ生まれません。", "{company}は{w}を武器に試作から量産まで対応します。",
            "形のもとをつくる仕事には、ミクロン単位の精度が求められます。"]),
    "溶接": (["TIG溶接", "ステンレス", "アルミ", "板金", "火花"],
           ["{person}は{w}の薄板を美しくつなぐ技術にほれこみました。", "面をかぶった瞬間、外の音が消えて{w}だけに集中できます。",
            "溶接の資格を次々に取得し、いまでは後輩の指導も任されています。"]),
    "ロボット": (["ロボットアーム", "IoTセンサー", "自動化", "DX", "AI"],
             ["人手が足りない工場の悩みに、{w}で応えます。", "{company}は仲間の工場とともに{w}の導入を進めています。",
              "機械が止まった理由を{w}で見える化しました。"]),
    "事業承継": (["後継者", "二代目", "三代目", "事業承継", "経営者"],
             ["{company}の{w}は、父から工場を受け継いで十年になります。", "{w}として新しい分野への挑戦を続けています。",
              "町工場の事業承継は、地域のものづくりを守る大切なテーマです。"]),
    "脱炭素": (["省エネ", "太陽光パネル", "脱炭素", "電気炉", "リサイクル"],
            ["{company}は{w}に取り組み、電気代を大きく減らしました。", "{w}のための設備更新に区の補助金を活用しました。",
             "環境にやさしいものづくりが、取引先からも評価されています。"]),
}
EVENT_TITLES = ["工場見学ツアー", "親子ワークショップ", "子ども向け体験教室", "ものづくり交流会", "オープンファクトリー"]
GENERAL = [
    "{place}駅から歩いて十数分、住宅街の一角に{company}の工場があります。",
    "工場に入ると、機械の低いうなりと切削油のにおいがただよいます。",
    "「段取りの腕こそが町工場の強みです」と{person}は話します。",
    "仲間の工場と組むことで、複雑な仕事も形になります。",
    "最初の一年は先輩の横で刃物の研ぎ方や材料のクセを覚える毎日だったそうです。",
    "見学の参加は無料で、学生や若い社会人を歓迎しています。",
]
QUERY_MIX = [
    "町工場", "鉄", "3Dプリンタ", "IoT 工場", "人工衛星", "まちこうば", "子どもと一緒に参加できるイベント",
    "工場見学", "ワークショップ", "宇宙 部品", "医工連携", "奨学金返還", "溶接職人", "ものづくり", "ロボット",
    "蒲田 工場見学", "若手職人の仕事", "精密加工", "金型", "研磨", "就職支援", "DX", "すてんれす", "ばね",
    "親子で参加できるワークショップ", "0.01ミリ", "アート", "脱炭素 町工場", "事業承継", "大森",
]


def _fill(rng: random.Random, template: str, words: list[str]) -> str:
    return template.format(place=rng.choice(PLACES), company=rng.choice(COMPANIES), person=rng.choice(PEOPLE),
                           w=rng.choice(words))


def _sentence(rng: random.Random, main: str, other: str) -> str:
    roll = rng.random()
    topic = main if roll < 0.7 else other if roll < 0.85 else None
    if topic is None:
        return _fill(rng, rng.choice(GENERAL), [""])
    words, sentences = TOPICS[topic]
    return _fill(rng, rng.choice(sentences), words)


def make_corpus(count: int) -> list[SourceDoc]:
    rng = random.Random(SEED)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    names = list(TOPICS)
    docs = []
    for number in range(1, count + 1):
        main, other = rng.sample(names, 2)
        company = rng.choice(COMPANIES)
        event = rng.choice(EVENT_TITLES) if rng.random() < 0.15 else None
        body = "".join(_sentence(rng, main, other) for _ in range(rng.randint(18, 34)))
        docs.append(SourceDoc(
            article_id=number, slug=f"bench-{number}", category="local" if event else rng.choice(CATEGORIES),
            title=f"{company}の{rng.choice(TOPICS[main][0])}" + (f" ― {event}" if event else f"と{main}"),
            published_at=start + timedelta(hours=rng.randint(0, 3 * 365 * 24)),
            summary=_sentence(rng, main, other) + _sentence(rng, main, other), body=body,
            tags=[main, other, rng.choice(TOPICS[main][0])], meta=[company, rng.choice(PLACES)],
            kind="event" if event else "article",
        ))
    return docs


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (the analysis workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_whoosh(docs: list[SourceDoc], rounds: int, folder: Path) -> dict:
    store = IndexStore(folder)
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    path, count = write_generation(store, docs, workers=default_workers())
    store.publish(path, count)
    build_s, build_cpu = time.perf_counter() - started, _cpu_seconds() - cpu_started
    size_mb = sum(f.stat().st_size for f in path.iterdir()) / 2**20
    ix = store.open_current()
    now = int(datetime.now(UTC).timestamp())
    with ix.searcher(weighting=WEIGHTING) as searcher:
        data = SearcherData(searcher)
        for query in QUERY_MIX:  # warm-up: dictionary, file cache
            rank(data, parse_units(query), now=now, category=None, offset=0, limit=10)
        cold = _time_queries(data, now, rounds, cold=True)
        warm = _time_queries(data, now, rounds, cold=False)
    ix.close()
    p50, p95 = _percentiles(cold["wall"])
    return {"build_s": build_s, "build_cpu": build_cpu, "docs_per_s": count / build_s, "size_mb": size_mb,
            "p50": p50, "p95": p95, "cpu_p95": _percentiles(cold["cpu"])[1], "totals": cold["totals"],
            "warm_p50": _percentiles(warm["wall"])[0], "warm_p95": _percentiles(warm["wall"])[1]}


def _time_queries(data: SearcherData, now: int, rounds: int, *, cold: bool) -> dict:
    """Latency of the query mix, with (cold) or without clearing the per-index caches first."""
    wall, cpu, totals = [], [], {}
    for _ in range(rounds):
        for query in QUERY_MIX:
            if cold:
                data.clear_caches()
            t0, c0 = time.perf_counter(), time.thread_time()
            units = parse_units(query)
            result = rank(data, units, now=now, category=None, offset=0, limit=10)
            terms = [s for unit in units for s in unit.surfaces()]
            for ranked in result.page:
                build_snippet(data.searcher.stored_fields(ranked.docnum)["text"], terms)
            wall.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.thread_time() - c0) * 1000)
            totals[query] = result.total
    return {"wall": wall, "cpu": cpu, "totals": totals}


FTS_QUERY_SQL = (
    "SELECT rowid, bm25(docs, 4.0, 3.5, 1.8, 1.0, 1.5) AS score FROM docs WHERE {where} ORDER BY score LIMIT 10"
)


def _fts_where(query: str) -> tuple[str, list[str]]:
    """FTS5 trigram needs 3+ characters per term; shorter terms fall back to LIKE (a scan)."""
    clauses, params = [], []
    for term in normalize(query).split(" "):
        if len(term) >= 3:
            clauses.append("docs MATCH ?")
            params.append('"' + term.replace('"', '""') + '"')
        elif term:
            clauses.append("(title LIKE ? OR tags LIKE ? OR summary LIKE ? OR body LIKE ? OR meta LIKE ?)")
            params.extend([f"%{term}%"] * 5)
    return " AND ".join(clauses) or "0", params


def bench_fts5(docs: list[SourceDoc], rounds: int, folder: Path) -> dict:
    db_path = folder / "fts5.sqlite3"
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE VIRTUAL TABLE docs USING fts5(title, tags, summary, body, meta, tokenize='trigram')")
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    with conn:
        conn.executemany("INSERT INTO docs(rowid, title, tags, summary, body, meta) VALUES (?, ?, ?, ?, ?, ?)", [
            (d.article_id, normalize(d.title), normalize(" ".join(d.tags)), normalize(d.summary), normalize(d.body),
             normalize(" ".join(d.meta))) for d in docs
        ])
    build_s, build_cpu = time.perf_counter() - started, _cpu_seconds() - cpu_started
    latencies, cpu, totals = [], [], {}
    for _ in range(rounds):
        for query in QUERY_MIX:
            t0, c0 = time.perf_counter(), time.thread_time()
            where, params = _fts_where(query)
            conn.execute(FTS_QUERY_SQL.format(where=where), params).fetchall()
            total = conn.execute(f"SELECT count(*) FROM docs WHERE {where}", params).fetchone()[0]
            latencies.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.thread_time() - c0) * 1000)
            totals[query] = total
    conn.close()
    p50, p95 = _percentiles(latencies)
    return {"build_s": build_s, "build_cpu": build_cpu, "docs_per_s": len(docs) / build_s,
            "size_mb": db_path.stat().st_size / 2**20, "p50": p50, "p95": p95, "cpu_p95": _percentiles(cpu)[1],
            "totals": totals}


def python_heap_peak_mb(docs: list[SourceDoc], folder: Path) -> float:
    tracemalloc.start()
    write_generation(IndexStore(folder), docs)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def report(count: int, whoosh: dict, fts: dict, heap_mb: float) -> list[str]:
    lines = [
        f"corpus: {count} synthetic articles, {len(QUERY_MIX)} queries in the mix",
        f"{'':14}{'build s':>9}{'cpu s':>8}{'docs/s':>9}{'size MB':>9}{'p50 ms':>9}{'p95 ms':>9}{'cpu p95':>9}",
    ]
    for name, r in (("whoosh", whoosh), ("sqlite fts5", fts)):
        lines.append(f"{name:14}{r['build_s']:9.1f}{r['build_cpu']:8.1f}{r['docs_per_s']:9.0f}{r['size_mb']:9.1f}"
                     f"{r['p50']:9.2f}{r['p95']:9.2f}{r['cpu_p95']:9.2f}")
    lines.append(f"whoosh with warm per-index caches (repeated queries, paging): p50 {whoosh['warm_p50']:.2f} ms, "
                 f"p95 {whoosh['warm_p95']:.2f} ms")
    lines.append(
        f"ratio whoosh/fts5: build {whoosh['build_s'] / fts['build_s']:.1f}x, "
        f"query p50 {whoosh['p50'] / fts['p50']:.1f}x, p95 {whoosh['p95'] / fts['p95']:.1f}x"
    )
    lines.append(f"peak memory: max RSS {_max_rss_mb():.0f} MB (this process; each analysis worker also loads the "
                 f"dictionary); Python heap peak while indexing 1,000 docs in-process {heap_mb:.0f} MB")
    lines.append(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPU(s)")
    lines.append("hits per query (whoosh / fts5): " + ", ".join(
        f"{q}={whoosh['totals'][q]}/{fts['totals'][q]}" for q in QUERY_MIX[:8]) + ", …")
    return lines


def goals_met(count: int, whoosh: dict) -> tuple[bool, str]:
    scaled_build = whoosh["build_s"] * 10000 / count
    ok = whoosh["p95"] <= GOAL_P95_MS and scaled_build <= GOAL_REINDEX_S
    return ok, (f"goals: query p95 {whoosh['p95']:.1f} ms (≤ {GOAL_P95_MS:.0f}), "
                f"reindex of 10k {scaled_build:.1f} s (≤ {GOAL_REINDEX_S:.0f}) → {'MET' if ok else 'MISSED'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)
    docs = make_corpus(args.docs)
    with tempfile.TemporaryDirectory(prefix="search-bench-") as tmp:
        whoosh = bench_whoosh(docs, args.rounds, Path(tmp) / "whoosh")
        fts = bench_fts5(docs, args.rounds, Path(tmp))
        heap_mb = python_heap_peak_mb(docs[:1000], Path(tmp) / "heap")
    print("\n".join(report(len(docs), whoosh, fts, heap_mb)))
    ok, line = goals_met(len(docs), whoosh)
    print(line)
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
