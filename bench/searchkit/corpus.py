"""Synthetic archive for the search bench: topic-clustered Japanese articles, seeded into a database.

``make_corpus(count)`` is deterministic (fixed seed): ~1,000 characters per
article, each mostly about one topic, so word frequencies are as uneven as in
a real archive. ``seed_articles`` writes them (with their tags) through plain
bulk inserts, fast enough for 20,000 articles.
"""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from search.documents import SourceDoc

SEED = 20261128
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


def seed_articles(database_url: str, docs: list[SourceDoc], batch: int = 1000) -> None:
    """Insert ``docs`` as published articles with tags (the tag rows are created once)."""
    from sqlalchemy import create_engine, insert, select

    from content.models import Article, Tag, article_tags

    engine = create_engine(database_url)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        names = sorted({tag for doc in docs for tag in doc.tags})
        known = dict(conn.execute(select(Tag.name, Tag.id)).all())
        missing = [{"name": name} for name in names if name not in known]
        if missing:
            conn.execute(insert(Tag), missing)
            known = dict(conn.execute(select(Tag.name, Tag.id)).all())
        for start in range(0, len(docs), batch):
            chunk = docs[start:start + batch]
            rows = [{"slug": doc.slug, "title": doc.title, "category": doc.category, "summary": doc.summary,
                     "body_md": doc.body, "status": "published", "published_at": doc.published_at,
                     "author": "", "hero_sizes": [], "created_at": now, "updated_at": now} for doc in chunk]
            ids = conn.execute(insert(Article).returning(Article.id, Article.slug), rows).all()
            by_slug = {slug: article_id for article_id, slug in ids}
            links = [{"article_id": by_slug[doc.slug], "tag_id": known[tag]} for doc in chunk for tag in set(doc.tags)]
            conn.execute(insert(article_tags), links)
    engine.dispose()
