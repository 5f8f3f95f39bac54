"""Projection math on inputs small enough to check by hand."""
from datetime import date, timedelta

import pytest

from kpi import projection
from kpi.projection import WeekStats

MONDAY = date(2026, 6, 1)


def weeks(followers, views, bot_views=None, delivered=None, clicks=None, registrations=None, attendances=None):
    n = len(followers)
    pick = lambda values: values if values is not None else [0] * n  # noqa: E731
    return [WeekStats(MONDAY + timedelta(weeks=i), f, v, b, d, c, r, a) for i, (f, v, b, d, c, r, a) in enumerate(zip(
        followers, views, pick(bot_views), pick(delivered), pick(clicks), pick(registrations), pick(attendances)))]


def test_steady_growth_projects_a_straight_line_with_no_spread():
    observed = weeks([100, 110, 120, 130], [200, 220, 240, 260], bot_views=[200, 220, 240, 260],
                     delivered=[100, 110, 120, 130], clicks=[10, 11, 12, 13],
                     registrations=[10, 11, 12, 13], attendances=[5, 5.5, 6, 6.5])
    result = projection.project(observed)
    assert result.weeks[0] == MONDAY + timedelta(weeks=4) and len(result.weeks) == 13
    # followers 130 + 10k; views 2 per follower; registrations 5% of views; half of them attend
    assert result.series["followers"]["mid"][-1] == pytest.approx(260)
    assert result.series["views"]["mid"][0] == pytest.approx(280)
    assert result.total("followers", "mid") == pytest.approx(260)
    assert result.total("views", "mid") == pytest.approx(2 * (13 * 130 + 10 * 91))  # 5200
    assert result.total("registrations", "mid") == pytest.approx(260)
    assert result.total("attendances", "mid") == pytest.approx(130)
    assert result.total("clicks", "mid") == pytest.approx(0.1 * 2600)
    for metric in projection.METRICS:
        assert result.series[metric]["low"] == pytest.approx(result.series[metric]["mid"])
        assert result.series[metric]["high"] == pytest.approx(result.series[metric]["mid"])


def test_the_range_comes_from_the_spread_of_weekly_rates():
    observed = weeks([100, 100, 120], [0, 0, 0])  # weekly net growth 0 and 20 → mean 10 ± 10
    rates = projection.fit_rates(observed)
    assert (rates.follower_growth.low, rates.follower_growth.mid, rates.follower_growth.high) == (0, 10, 20)
    result = projection.project(observed, horizon=2)
    assert result.series["followers"] == {"low": [120, 120], "mid": [130, 140], "high": [140, 160]}


def test_pooled_ratio_and_its_spread():
    rate = projection.pooled_ratio([1, 3], [10, 10])  # 4/20 = 0.2; weekly 0.1 and 0.3 → sd 0.1
    assert (rate.low, rate.mid, rate.high) == pytest.approx((0.1, 0.2, 0.3))
    assert projection.pooled_ratio([9, 10], [10, 10], cap=1.0).high == 1.0
    assert projection.pooled_ratio([1], [0]).mid == 0.0  # no denominator: no rate, no crash


def test_web_views_follow_a_least_squares_line():
    trend = projection.linear_trend([100, 120, 110, 130])  # slope 8, intercept 103
    assert (trend.slope, trend.intercept) == pytest.approx((8, 103))
    assert trend.at(1) == pytest.approx(103 + 8 * 4)
    assert trend.spread == pytest.approx(45 ** 0.5)  # residuals -3, 9, -9, 3
    assert trend.at(1, "low") == pytest.approx(trend.at(1) - trend.spread)


def test_residual_spread_by_hand():
    trend = projection.linear_trend([0, 10, 0])  # flat line at 10/3; residuals -10/3, 20/3, -10/3
    assert trend.slope == pytest.approx(0)
    assert trend.spread == pytest.approx((((10 / 3) ** 2 * 2 + (20 / 3) ** 2) / 3) ** 0.5)


def test_views_without_followers_come_from_the_web_trend_only():
    observed = weeks([0, 0, 0], [50, 60, 70])
    result = projection.project(observed, horizon=1)
    assert result.series["views"]["mid"] == [pytest.approx(80)]
    assert result.series["followers"]["mid"] == [0]


def test_negative_trends_never_project_below_zero():
    observed = weeks([30, 10, 0], [100, 50, 0], bot_views=[0, 0, 0])
    result = projection.project(observed, horizon=3)
    assert min(result.series["followers"]["low"]) == 0
    assert min(result.series["views"]["low"]) == 0


def test_too_little_data_gives_no_projection():
    assert projection.project(weeks([10], [10])) is None
    assert projection.project([]) is None


def test_the_method_is_explained_in_japanese():
    text = "".join(projection.METHOD_JA)
    assert "13週" in text and "標準偏差" in text and "最小二乗法" in text
