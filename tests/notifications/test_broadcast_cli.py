"""``monozukuri broadcast`` (fixed interface): queue, print the id, clear errors."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from broadcast_helpers import DISCORD_CHANNEL, add_subscribers, drain, make_article
from sqlalchemy import func, select

from core.db import utcnow
from notifications import routing
from notifications.models import Broadcast
from web.cli import main

JST = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def cli_env(bapp, monkeypatch):
    """The CLI builds its app from the environment: point it at the test database and stand-ins."""
    for key in ("DATABASE_URL", "INSTANCE_PATH", "SECRET_KEY", "BASE_URL", "LINE_CHANNEL_ACCESS_TOKEN",
                "LINE_CHANNEL_SECRET", "LINE_API_BASE_URL", "DISCORD_BOT_TOKEN", "DISCORD_API_BASE_URL",
                "QUIET_HOURS"):
        monkeypatch.setenv(key, str(bapp.config[key] if bapp.config[key] is not None else ""))
    return bapp


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main(["broadcast", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _broadcasts(session) -> list[Broadcast]:
    session.expire_all()
    return list(session.scalars(select(Broadcast).order_by(Broadcast.id)))


def test_broadcast_an_article_prints_the_id_and_the_worker_delivers(cli_env, session, capsys, line_api,
                                                                     discord_api):
    routing.save_route(session, "news", DISCORD_CHANNEL)
    session.commit()
    users = add_subscribers(session, 4, topics=("news",))
    article = make_article(session)
    code, out, err = _run(capsys, "--article", article.slug, "--text", "新着記事です")
    assert code == 0
    (broadcast,) = _broadcasts(session)
    assert out.strip() == str(broadcast.id)
    assert "配信を予約しました" in err
    # Without --topic an article goes to its category's topics; every set-up channel is used.
    assert broadcast.topics == ["news"] and broadcast.channels == ["line", "discord", "web"]
    assert broadcast.origin == "cli" and broadcast.status == "queued"

    drain(cli_env, session)
    assert all(line_api.delivered_to(u) == 1 for u in users)
    assert len(discord_api.messages_in(DISCORD_CHANNEL)) == 1


def test_topics_channels_schedule_and_urgent(cli_env, session, capsys):
    article = make_article(session)
    at = (datetime.now(JST) + timedelta(days=1)).replace(hour=22, minute=0, second=0, microsecond=0)
    code, _out, _err = _run(capsys, "--article", article.slug, "--topic", "news", "local", "--topic", "tours",
                            "--channel", "line,web", "--at", at.strftime("%Y-%m-%dT%H:%M"), "--urgent")
    assert code == 0
    (broadcast,) = _broadcasts(session)
    assert broadcast.topics == ["news", "local", "tours"] and broadcast.channels == ["line", "web"]
    assert broadcast.urgent and broadcast.send_at == at  # naive --at is Japan time; urgent ignores quiet hours


def test_text_only_to_everyone(cli_env, session, capsys):
    code, _out, _err = _run(capsys, "--text", "臨時のお知らせ", "--everyone", "--channel", "web")
    assert code == 0
    (broadcast,) = _broadcasts(session)
    assert broadcast.topics == [] and broadcast.title == "臨時のお知らせ"


@pytest.mark.parametrize("argv, message", [
    (["--article", "no-such-slug"], "記事が見つかりません: no-such-slug"),
    (["--text", "x", "--topic", "robots"], "不明なトピックです: robots"),
    (["--text", "x", "--channel", "line,fax"], "不明なチャンネルです: fax"),
    (["--text", "x", "--at", "tomorrow"], "--at の日時が読み取れません"),
    (["--text", "x", "--at", "2001-01-01T09:00"], "配信日時が過去"),
    ([], "本文を入力するか、記事を選んでください"),
])
def test_clear_errors_and_nothing_queued(cli_env, session, capsys, argv, message):
    code, out, err = _run(capsys, *argv)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err
    assert session.scalar(select(func.count()).select_from(Broadcast)) == 0


def test_unpublished_article_is_refused(cli_env, session, capsys):
    draft = make_article(session, slug="draft-piece", status="draft")
    code, _out, err = _run(capsys, "--article", draft.slug)
    assert code == 2 and "公開されていません" in err


def test_queued_broadcast_waits_for_its_time(cli_env, session, capsys, line_api):
    add_subscribers(session, 2)
    at = utcnow() + timedelta(hours=3)
    assert _run(capsys, "--text", "あとで", "--channel", "line", "--at", at.isoformat())[0] == 0
    drain(cli_env, session)
    assert line_api.calls_to("/v2/bot/message/multicast") == []
    assert _broadcasts(session)[0].status == "queued"
