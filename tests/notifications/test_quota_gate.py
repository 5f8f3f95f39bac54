"""A LINE broadcast larger than the month's remaining quota is stopped before anything is sent."""
from __future__ import annotations

from broadcast_helpers import add_subscribers, login, make_article, make_staff, multicasts, post_form
from sqlalchemy import select

from notifications.models import Broadcast
from notifications.quota_gate import JST, next_month_start
from web.cli import main


def _cli_env(monkeypatch, app):
    for key in ("DATABASE_URL", "INSTANCE_PATH", "SECRET_KEY", "BASE_URL", "LINE_CHANNEL_ACCESS_TOKEN",
                "LINE_CHANNEL_SECRET", "LINE_API_BASE_URL", "DISCORD_BOT_TOKEN", "DISCORD_API_BASE_URL",
                "QUIET_HOURS"):
        monkeypatch.setenv(key, str(app.config[key] if app.config[key] is not None else ""))


def test_cli_stops_with_the_numbers_and_the_choices(bapp, session, line_api, monkeypatch, capsys):
    line_api.quota_limit = 3
    add_subscribers(session, 5, topics=("news",))
    article = make_article(session)
    _cli_env(monkeypatch, bapp)
    assert main(["broadcast", "--article", article.slug, "--channel", "line"]) == 2
    err = capsys.readouterr().err
    assert "残り送信数（3通）" in err and "5通" in err and "--over-quota part" in err and "--over-quota wait" in err
    assert session.scalar(select(Broadcast)) is None and not multicasts(line_api)

    assert main(["broadcast", "--article", article.slug, "--channel", "line", "--over-quota", "wait"]) == 0
    broadcast = session.scalar(select(Broadcast))
    assert broadcast.send_at.astimezone(JST).day == 1 and broadcast.send_at == next_month_start()


def test_console_stops_and_offers_part_wait_cancel(bapp, session, line_api):
    line_api.quota_limit = 2
    add_subscribers(session, 4, topics=("news",))
    ward = make_staff(session, "ward")
    client = bapp.test_client()
    login(client, ward)
    form = {"channels": ["line"], "audience": "topics", "topics": ["news"], "text": "お知らせ", "timing": "now",
            "action": "send"}
    response = post_form(client, "/admin/broadcasts/new", "/admin/broadcasts/new", form)
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "残り送信数（2通）" in html and "4通" in html
    assert "残りの送信数の分だけ送る" in html and "来月まで待って送る" in html and "送信をやめる" in html
    assert session.scalar(select(Broadcast)) is None
    cancel = {**form, "quota_choice": "cancel"}
    cancel.pop("action")
    assert post_form(client, "/admin/broadcasts/new", "/admin/broadcasts/new", cancel).status_code == 302
    assert session.scalar(select(Broadcast)) is None
    part = {**form, "quota_choice": "part"}
    part.pop("action")
    assert post_form(client, "/admin/broadcasts/new", "/admin/broadcasts/new", part).status_code == 302
    assert session.scalar(select(Broadcast)).status == "queued"
