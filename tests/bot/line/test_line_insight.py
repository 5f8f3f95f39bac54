"""LINE per-unit statistics fetched through the real SDK against the LINE stand-in (insight.yml)."""
from datetime import date

import pytest
from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, MulticastRequest, TextMessage
from sqlalchemy import select

from bot.line import insight
from kpi import jobs
from kpi.models import LineUnitStat
from kpi.queries import Scope
from kpi.report.audience import line_insight
from tests.standins.line_api import LineStandin

USERS = ["U" + f"{n:032x}" for n in range(1, 4)]
TODAY = date(2026, 6, 30)


@pytest.fixture
def line():
    with LineStandin() as standin:
        yield standin


def send(line, unit: str, recipients: list[str]) -> None:
    config = Configuration(host=line.base_url, access_token=line.access_token)
    with ApiClient(config) as client:
        MessagingApi(client).multicast(MulticastRequest(
            to=recipients, messages=[TextMessage(text="新着記事のお知らせです")], custom_aggregation_units=[unit]))


def line_config(line) -> dict:
    return {"LINE_API_BASE_URL": line.base_url, "LINE_CHANNEL_ACCESS_TOKEN": line.access_token}


def test_statistics_of_every_unit_are_stored(app, session, line):
    send(line, "broadcast_1", USERS)
    send(line, "broadcast_2", USERS[:1])
    assert insight.fetch_all(session, line_config(line), TODAY) == 2
    session.commit()
    rows = {r.unit: r for r in session.scalars(select(LineUnitStat))}
    assert rows["broadcast_1"].unique_impression == 3 and rows["broadcast_2"].unique_impression == 1
    assert rows["broadcast_1"].unique_click == 0 and rows["broadcast_1"].impressions == 3
    assert (rows["broadcast_1"].period_from, rows["broadcast_1"].period_to) == (date(2026, 5, 31), TODAY)
    assert line.validation_errors == [] and line.response_errors == []
    [call, *_] = line.calls_to("/v2/bot/insight/message/event/aggregation")
    assert call.query["from"] == ["20260531"] and call.query["to"] == ["20260630"]


def test_fetching_twice_on_a_day_replaces_the_row(app, session, line):
    send(line, "broadcast_1", USERS[:2])
    insight.fetch_all(session, line_config(line), TODAY)
    send(line, "broadcast_1", USERS[2:])
    insight.fetch_all(session, line_config(line), TODAY)
    session.commit()
    [row] = session.scalars(select(LineUnitStat)).all()
    assert row.unique_impression == 3


def test_one_failing_unit_does_not_lose_the_others(app, session, line):
    send(line, "broadcast_1", USERS)
    send(line, "broadcast_2", USERS)
    line.fail_next(500, path_prefix="/v2/bot/insight")
    assert insight.fetch_all(session, line_config(line), TODAY) == 1


def test_stored_statistics_appear_on_the_dashboard_table(app, session, line):
    send(line, "broadcast_7", USERS)
    insight.fetch_all(session, line_config(line), TODAY)
    session.commit()
    table = line_insight(session, Scope(date(2026, 6, 1), TODAY))
    assert table.rows[0][0] == "broadcast_7" and table.rows[0][3] == 3


def test_without_a_line_token_nothing_is_called(app, session):
    with pytest.raises(insight.InsightUnavailable):
        insight.fetch_all(session, {"LINE_API_BASE_URL": "http://127.0.0.1:9"}, TODAY)
    assert jobs.insight_job(app) == 0  # the worker job just logs it
