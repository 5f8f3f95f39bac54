"""Plausible demo activity for the dashboard, clearly marked (``is_demo``) and removable.

Writes daily roll-up rows directly (the raw → roll-up path is exercised by the
tests and the bench): ten weeks of a LINE account growing through flyers and
school visits, weekly broadcasts, web traffic, searches, event registrations
and attendance. Deterministic for a given end date.
"""
from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import delete, exists, func, insert, select
from sqlalchemy.orm import Session

from content.models import Article
from kpi import metrics as m
from kpi.models import Click, DailyMetric, KpiEvent, LineUnitStat, PageView

WEEKS = 10
PERSONA_SHARE = {"student": 0.4, "jobseeker": 0.25, "parent": 0.25, "other": 0.1}
PERSONA_CTR = {"student": 0.12, "jobseeker": 0.16, "parent": 0.09, "other": 0.06}
SOURCE_SHARE = {"event-flyer": 0.3, "school-visit": 0.25, "factory-tour": 0.15, "web-portal": 0.2, "discord": 0.1}
REFERRERS = {"google.com": 0.45, "search.yahoo.co.jp": 0.25, "t.co": 0.1, "city.ota.tokyo.jp": 0.12,
             "instagram.com": 0.08}
SEARCHES = {"旋盤": 40, "工場見学": 55, "就職": 38, "奨学金": 22, "3dプリンタ": 30, "溶接": 18, "夏休み 体験": 26,
            "宇宙": 20, "アルバイト": 9, "インターン": 14}
ZERO_SEARCHES = {"ドローン 部品": 7, "給料": 6, "寮": 4, "プログラミング教室": 5, "オンライン見学": 3}
COMMANDS = {"/記事": 0.35, "/イベント": 0.3, "/検索": 0.2, "/設定": 0.15}
DEMO_EVENTS = (("【デモ】精密加工工場見学ツアー", "local-kouwa-seiki-tour"),
               ("【デモ】親子ミニ万華鏡づくり", "local-kaleidoscope-workshop"),
               ("【デモ】3Dプリンタ体験教室", "local-3d-printer-class"),
               ("【デモ】町工場×若者 交流ナイト", "local-monozukuri-meetup-night"))
NEXT_STEP_PATHS = ("/articles/employment-support", "/articles/scholarship-repayment-support")


class DemoRows:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.values: Counter = Counter()

    def add(self, day: date, metric: str, value: float, channel: str = "", persona: str = "",
            article_id: int = 0, ref_id: int = 0, label: str = "") -> None:
        # Random rounding keeps small fractional rates right on average (0.3/day → ~2 a week).
        whole = int(value) + (1 if self.rng.random() < value - int(value) else 0)
        if whole > 0:
            self.values[(day, metric, channel, persona, article_id, ref_id, label)] += whole

    def as_dicts(self) -> list[dict]:
        keys = ("day", "metric", "channel", "persona", "article_id", "ref_id", "label")
        return [dict(zip(keys, key), value=value, is_demo=True) for key, value in self.values.items()]


def _split(rng: random.Random, total: float, shares: dict[str, float]) -> dict[str, int]:
    return {key: round(total * share * rng.uniform(0.8, 1.2)) for key, share in shares.items()}


def _articles(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Article.slug, Article.id).where(Article.status == "published")).all())


class Simulation:
    """Day-by-day demo activity; ``followers`` carries state between days."""

    def __init__(self, session: Session, end: date, seed: int = 8) -> None:
        self.rng = random.Random(seed)
        self.rows = DemoRows(self.rng)
        self.start = end - timedelta(days=WEEKS * 7 - 1)
        self.end = end
        self.articles = _articles(session)
        self.article_slugs = sorted(self.articles)
        self.line = Counter({p: round(140 * share) for p, share in PERSONA_SHARE.items()})  # LINE friends
        self.followers = {"line": sum(self.line.values()), "discord": 35}
        self.recent: dict[str, list[float]] = {title: [] for title, _slug in DEMO_EVENTS}
        self.unit_stats: list[dict] = []

    def run(self) -> None:
        for day in m.days_between(self.start, self.end):
            progress = (day - self.start).days / (WEEKS * 7)
            self.follows(day, progress)
            clicks = self.broadcast(day) if day.weekday() == 1 else {}
            self.web(day, progress, clicks)
            self.events(day, progress)
            self.searches_and_commands(day)

    def _pick(self, shares: dict[str, float], count: int) -> Counter:
        return Counter(self.rng.choices(list(shares), weights=list(shares.values()), k=count))

    def follows(self, day: date, progress: float) -> None:
        rng, weekend = self.rng, day.weekday() >= 5
        new = round(rng.uniform(3, 7) * (1 + 1.5 * progress) * (1.8 if weekend else 1.0))
        back, gone = round(new * rng.uniform(0.03, 0.1)), round(new * rng.uniform(0.1, 0.2))
        sources, personas = self._pick(SOURCE_SHARE, new), list(self._pick(PERSONA_SHARE, new).elements())
        for source, count in sources.items():
            for persona in (personas.pop() for _ in range(count)):
                self.rows.add(day, m.FOLLOWS, 1, "line", persona, label=source)
                self.line[persona] += 1
            self.rows.add(day, m.FRIEND_LINK_OPENS, count * rng.uniform(1.4, 2.0), "line", label=source)
        for persona, count in self._pick(PERSONA_SHARE, back).items():
            self.rows.add(day, m.REFOLLOWS, count, "line", persona)
            self.line[persona] += count
        for persona, count in self._pick(PERSONA_SHARE, gone).items():
            self.rows.add(day, m.UNFOLLOWS, count, "line", persona)
            self.line[persona] -= count
        joins = round(rng.uniform(0.3, 2.2))
        self.rows.add(day, m.DISCORD_JOINS, joins, "discord")
        self.followers["discord"] += joins
        self.followers["line"] = sum(self.line.values())
        for persona, count in self.line.items():
            self.rows.add(day, m.FOLLOWERS, count, "line", persona)
        self.rows.add(day, m.FOLLOWERS, self.followers["discord"], "discord")

    def broadcast(self, day: date) -> dict[tuple[str, str, int], int]:
        """A weekly Tuesday broadcast on LINE and Discord featuring one article."""
        number = (day - self.start).days // 7 + 1
        broadcast_id = 900 + number
        slug = self.article_slugs[number % len(self.article_slugs)] if self.article_slugs else ""
        article_id, title = self.articles.get(slug, 0), f"【デモ】週刊ものづくり便り 第{number}号"
        # One multicast message without segment tags: clicks cannot be told apart by persona
        # (PERSONA_UNKNOWN), exactly as real traffic of such a broadcast; Discord reach is unknown (posts only).
        line_clicks_total = 0
        for persona, share in PERSONA_SHARE.items():
            reach = round(self.followers["line"] * share)
            self.rows.add(day, m.DELIVERED, reach, "line", persona, article_id, broadcast_id, title)
            line_clicks_total += round(reach * PERSONA_CTR[persona] * self.rng.uniform(0.8, 1.2))
        self.rows.add(day, m.DISCORD_POSTS, 1, "discord", "", article_id, broadcast_id, title)
        clicks = {("line", m.PERSONA_UNKNOWN, article_id): line_clicks_total,
                  ("discord", m.PERSONA_UNKNOWN, article_id): round(self.followers["discord"] * self.rng.uniform(0.15, 0.25))}
        for (channel, persona, article), count in clicks.items():
            self.rows.add(day, m.CLICKS, count, channel, persona, article, broadcast_id, f"broadcast-{broadcast_id}")
            if channel == "line":  # people, not taps; never more than the broadcast reached
                self.rows.add(day, m.CLICKERS, min(round(count * 0.85), self.followers["line"]), channel, persona,
                              article, broadcast_id)
        line_clicks = sum(v for (c, _p, _a), v in clicks.items() if c == "line")
        self.unit_stats.append({"unit": f"demo_broadcast_{number}", "period_from": day, "period_to": day,
                                "unique_impression": round(self.followers["line"] * 0.72),
                                "unique_click": round(line_clicks * 0.85)})
        return clicks

    def web(self, day: date, progress: float, clicks: dict) -> None:
        rng, weekend = self.rng, day.weekday() >= 5
        organic = rng.uniform(90, 140) * (1 + 0.6 * progress) * (0.7 if weekend else 1.0)
        pages = {"/": 0.25, "/events": 0.08, "/category/feature": 0.05}
        for slug in self.article_slugs:
            pages[f"/articles/{slug}"] = 0.62 / max(1, len(self.article_slugs)) * rng.uniform(0.3, 2.0)
        views = 0
        for path, share in pages.items():
            count = organic * share
            slug = path.removeprefix("/articles/")
            self.rows.add(day, m.PAGE_VIEWS, count, "web", article_id=self.articles.get(slug, 0), label=path)
            views += round(count)
            if path in NEXT_STEP_PATHS:
                self.rows.add(day, m.NEXT_STEP_VIEWS, count, "web", label=path)
        for (channel, _persona, article_id), count in clicks.items():
            slug = next((s for s, i in self.articles.items() if i == article_id), "")
            self.rows.add(day, m.PAGE_VIEWS, count * 0.92, channel, article_id=article_id, label=f"/articles/{slug}")
            self.rows.add(day, m.CAMPAIGNS, count * 0.92, channel, label=f"broadcast-{900 + (day - self.start).days // 7 + 1}")
            self.rows.add(day, m.UNIQUE_VISITORS, count * 0.9, channel)
            self.rows.add(day, m.NEXT_STEP_VIEWS, count * 0.06, channel, label=NEXT_STEP_PATHS[0])
            views += round(count * 0.92)
        self.rows.add(day, m.UNIQUE_VISITORS, organic * 0.72, "web")
        self.rows.add(day, m.UNIQUE_VISITORS, organic * 0.72 + sum(clicks.values()) * 0.9)
        for domain, count in _split(rng, organic * 0.45, REFERRERS).items():
            self.rows.add(day, m.REFERRERS, count, label=domain)

    def events(self, day: date, progress: float) -> None:
        """Applications every day; each event's session on Saturday draws ~70% of last week's applicants."""
        rng = self.rng
        for title, slug in DEMO_EVENTS:
            article_id = self.articles.get(slug, 0)
            applied = rng.uniform(0.2, 1.4) * (1 + progress) * (1.5 if day.weekday() in (1, 2) else 1.0)
            for persona in ("student", "jobseeker", "parent"):
                share = PERSONA_SHARE[persona] / 0.9
                self.rows.add(day, m.REGISTRATIONS, applied * share, "line", persona, article_id, 0, title)
            self.rows.add(day, m.REGISTRATIONS, applied * 0.3, "web", "", article_id, 0, title)
            self.recent[title] = (self.recent[title] + [applied * 1.3])[-7:]
            if day.weekday() == 5:
                came = sum(self.recent[title]) * rng.uniform(0.6, 0.8)
                for persona in ("student", "jobseeker", "parent"):
                    share = PERSONA_SHARE[persona] / 0.9 / 1.3
                    self.rows.add(day, m.ATTENDANCES, came * share, "line", persona, article_id, 0, title)
                self.rows.add(day, m.ATTENDANCES, came * 0.3 / 1.3, "web", "", article_id, 0, title)

    def searches_and_commands(self, day: date) -> None:
        rng = self.rng
        for query, weekly in {**SEARCHES, **ZERO_SEARCHES}.items():
            count = weekly / 7 * rng.uniform(0.4, 1.6)
            channel = rng.choice(("web", "web", "line", "discord"))
            self.rows.add(day, m.SEARCHES, count, channel, label=query)
            if query in ZERO_SEARCHES:
                self.rows.add(day, m.ZERO_RESULT_SEARCHES, count, channel, label=query)
        for command, count in _split(rng, rng.uniform(4, 12), COMMANDS).items():
            self.rows.add(day, m.BOT_COMMANDS, count, "discord", label=command)


def create_demo(session: Session, end: date) -> int:
    """Replace the demo rows with a fresh simulation ending on ``end``; returns rows written."""
    clear_demo(session)
    simulation = Simulation(session, end)
    simulation.run()
    values = simulation.rows.as_dicts()
    session.execute(insert(DailyMetric), values)
    for stat in simulation.unit_stats:
        session.add(LineUnitStat(fetched_day=end, is_demo=True, **stat))
    session.flush()
    return len(values)


def clear_demo(session: Session) -> int:
    removed = session.execute(delete(DailyMetric).where(DailyMetric.is_demo.is_(True))).rowcount or 0
    session.execute(delete(LineUnitStat).where(LineUnitStat.is_demo.is_(True)))
    return removed


def clear_demo_in_batches(session: Session, progress=None, batch: int = 500) -> int:
    """``clear_demo`` for the console's button: commits every ``batch`` rows and reports
    ``progress(done, total)`` in between (a rerun after an interruption finishes the job)."""
    demo = DailyMetric.is_demo.is_(True)
    total = session.scalar(select(func.count()).select_from(DailyMetric).where(demo)) or 0
    done = 0
    if progress:
        progress(0, total)
    while True:
        ids = list(session.scalars(select(DailyMetric.id).where(demo).order_by(DailyMetric.id).limit(batch)))
        if not ids:
            break
        done += session.execute(delete(DailyMetric).where(DailyMetric.id.in_(ids))).rowcount or 0
        session.commit()
        if progress:
            progress(min(done, total), total)
    session.execute(delete(LineUnitStat).where(LineUnitStat.is_demo.is_(True)))
    session.commit()
    return done


def kpi_tables_empty(session: Session) -> bool:
    return not any(session.scalar(select(exists().select_from(table))) for table in
                   (DailyMetric, PageView, Click, KpiEvent))


def demo_step(app) -> None:
    """``make run`` (setup-demo): fill demo activity only when there is no KPI data at all."""
    from core.db import db

    if kpi_tables_empty(db.session):
        written = create_demo(db.session, m.jst_day())
        db.session.commit()
        app.logger.info("KPI demo activity created (%d daily rows)", written)
