"""3-month (13-week) projection from observed weekly rates: pure functions, no database.

The model (explained to staff on the dashboard, in Japanese, by ``METHOD_JA``):

1. Followers grow linearly: F(T+k) = F(T) + k·g, where g is the mean weekly net
   change of followers over the observed weeks.
2. Reach and clicks: reach = F · d (deliveries per follower and week),
   clicks = reach · CTR.
3. Page views = web views + bot views. Web views (visits not coming through a
   bot link: search, direct, other sites) follow a straight line fitted by
   least squares to the observed weeks; bot views scale with followers:
   F · v (bot-link views per follower and week).
4. Registrations = views · r (registrations per view);
   attendance = registrations · a (attendance per registration).

Rates d, CTR, v, r, a are pooled over the window (sum of numerators / sum of
denominators). The low/high range uses the spread of the weekly values: each
rate ± one (population) standard deviation of its weekly values, negative
values clipped to 0 and the attendance rate capped at 1. "Low" combines every
low rate, "high" every high rate, so the band is deliberately wide.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from math import sqrt

HORIZON_WEEKS = 13
MIN_WEEKS = 2  # at least one week-over-week change is needed for a trend


@dataclass(frozen=True)
class WeekStats:
    week: date  # Monday
    followers: int  # at the end of the week
    views: int  # all page views
    bot_views: int = 0  # of which arrived through a bot link (utm_medium=bot)
    delivered: int = 0
    clicks: int = 0
    registrations: int = 0
    attendances: int = 0


@dataclass(frozen=True)
class Rate:
    mid: float
    low: float
    high: float

    def pick(self, scenario: str) -> float:
        return getattr(self, scenario)


@dataclass(frozen=True)
class Rates:
    follower_growth: Rate  # net followers per week
    deliveries_per_follower: Rate
    ctr: Rate
    bot_views_per_follower: Rate
    web_views_trend: Trend
    registrations_per_view: Rate
    attendance_per_registration: Rate


@dataclass(frozen=True)
class Trend:
    """A least-squares line over weeks 0..n-1 and the spread of its residuals."""

    intercept: float
    slope: float
    spread: float
    weeks: int

    def at(self, k: int, scenario: str = "mid") -> float:
        """Value k weeks after the last observed week."""
        centre = self.intercept + self.slope * (self.weeks - 1 + k)
        offset = {"low": -self.spread, "mid": 0.0, "high": self.spread}[scenario]
        return max(0.0, centre + offset)


@dataclass
class Projection:
    rates: Rates
    start_followers: int
    weeks: list[date] = field(default_factory=list)
    series: dict[str, dict[str, list[float]]] = field(default_factory=dict)  # metric -> scenario -> values

    def total(self, metric: str, scenario: str) -> float:
        values = self.series[metric][scenario]
        return values[-1] if metric == "followers" else sum(values)


SCENARIOS = ("low", "mid", "high")
METRICS = ("followers", "reach", "clicks", "views", "registrations", "attendances")


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def pstdev(values: list[float]) -> float:
    if len(values) < 2:
        return 0.0
    centre = mean(values)
    return sqrt(sum((v - centre) ** 2 for v in values) / len(values))


def spread(values: list[float], *, floor: float | None = None) -> Rate:
    """Mean ± one standard deviation of weekly values."""
    centre, sd = mean(values), pstdev(values)
    low = centre - sd if floor is None else max(floor, centre - sd)
    return Rate(centre, low, centre + sd)


def pooled_ratio(numerators: list[float], denominators: list[float], cap: float | None = None) -> Rate:
    """Sum/sum as the central rate; the spread of the weekly ratios as the range."""
    total = sum(denominators)
    centre = sum(numerators) / total if total else 0.0
    weekly = [n / d for n, d in zip(numerators, denominators) if d]
    sd = pstdev(weekly)
    low, high = max(0.0, centre - sd), centre + sd
    if cap is not None:
        centre, high = min(cap, centre), min(cap, high)
    return Rate(centre, low, high)


def linear_trend(values: list[float]) -> Trend:
    n = len(values)
    if n < 2:
        return Trend(values[0] if values else 0.0, 0.0, 0.0, n)
    xs = range(n)
    x_mean, y_mean = mean(list(xs)), mean(values)
    slope = sum((x - x_mean) * (y - y_mean) for x, y in zip(xs, values)) / sum((x - x_mean) ** 2 for x in xs)
    intercept = y_mean - slope * x_mean
    residuals = [y - (intercept + slope * x) for x, y in zip(xs, values)]
    return Trend(intercept, slope, pstdev(residuals) if n > 2 else 0.0, n)


def fit_rates(weeks: list[WeekStats]) -> Rates:
    followers = [w.followers for w in weeks]
    return Rates(
        follower_growth=spread([b - a for a, b in zip(followers, followers[1:])]),
        deliveries_per_follower=pooled_ratio([w.delivered for w in weeks], followers),
        ctr=pooled_ratio([w.clicks for w in weeks], [w.delivered for w in weeks], cap=1.0),
        bot_views_per_follower=pooled_ratio([w.bot_views for w in weeks], followers),
        web_views_trend=linear_trend([float(w.views - w.bot_views) for w in weeks]),
        registrations_per_view=pooled_ratio([w.registrations for w in weeks], [w.views for w in weeks]),
        attendance_per_registration=pooled_ratio([w.attendances for w in weeks],
                                                 [w.registrations for w in weeks], cap=1.0),
    )


def _scenario(rates: Rates, start_followers: int, scenario: str, horizon: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {name: [] for name in METRICS}
    growth = rates.follower_growth.pick(scenario)
    for k in range(1, horizon + 1):
        followers = max(0.0, start_followers + k * growth)
        reach = followers * rates.deliveries_per_follower.pick(scenario)
        views = rates.web_views_trend.at(k, scenario) + followers * rates.bot_views_per_follower.pick(scenario)
        registrations = views * rates.registrations_per_view.pick(scenario)
        for name, value in (("followers", followers), ("reach", reach),
                            ("clicks", reach * rates.ctr.pick(scenario)), ("views", views),
                            ("registrations", registrations),
                            ("attendances", registrations * rates.attendance_per_registration.pick(scenario))):
            out[name].append(value)
    return out


def project(weeks: list[WeekStats], horizon: int = HORIZON_WEEKS) -> Projection | None:
    """The next ``horizon`` weeks after the last observed week; None with too little data."""
    if len(weeks) < MIN_WEEKS:
        return None
    weeks = sorted(weeks, key=lambda w: w.week)
    rates = fit_rates(weeks)
    projection = Projection(rates=rates, start_followers=weeks[-1].followers)
    projection.weeks = [weeks[-1].week + timedelta(weeks=k) for k in range(1, horizon + 1)]
    per_scenario = {s: _scenario(rates, weeks[-1].followers, s, horizon) for s in SCENARIOS}
    projection.series = {name: {s: per_scenario[s][name] for s in SCENARIOS} for name in METRICS}
    return projection


METHOD_JA = (
    "直近の完了した週（最大8週）の実績から、次の13週（約3か月）を見込みます。",
    "友だち・フォロワー数は、週ごとの純増数の平均が続くと仮定した直線的な増加で見込みます。",
    "配信到達数＝フォロワー数×（1人あたり週の配信到達数）、クリック数＝配信到達数×クリック率です。",
    "ページビューは「ボットのリンク経由」と「それ以外（検索・直接など）」に分けます。ボット経由はフォロワー数に比例、"
    "それ以外は過去の週の値に当てはめた直線（最小二乗法）の延長で見込みます。",
    "イベント申込＝ページビュー×申込率（申込÷ページビュー）、参加＝申込×参加率（参加÷申込）です。",
    "各率は期間合計の比で求め、幅（低位〜高位）は週ごとの値のばらつき（平均±標準偏差1つ分。直線の場合は直線からのずれ）で示します。"
    "低位はすべての率が低めに、高位はすべての率が高めに出た場合で、幅は意図的に広めです。",
    "季節要因（夏休み・年度末など）や新しい施策の効果は含みません。目安としてご覧ください。",
)
