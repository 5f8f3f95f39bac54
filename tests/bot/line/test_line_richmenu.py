"""Rich menus: data → images → an idempotent deploy → per-persona links."""
from __future__ import annotations

import io
from dataclasses import replace

import pytest
from linebot.v3.messaging.exceptions import ApiException
from PIL import Image
from sqlalchemy import select

from bot.line import richmenu
from bot.line.jobs import process_pending
from bot.line.models import LineRichMenu
from bot.line.richmenu_deploy import deploy
from bot.line.richmenu_image import menu_image
from tests.bot.line.line_helpers import USER, jobs, post_events
from tests.standins.line_webhook import follow_event, postback_event, text_event

REQUIRED_LABELS = {"新着", "検索のしかた", "イベント・見学", "受信設定", "就職・見学"}


def _ids(session) -> dict[str, str]:
    session.expire_all()
    return {row.key: row.rich_menu_id for row in session.scalars(select(LineRichMenu))}


def test_definitions_have_the_required_areas_and_a_parents_menu():
    menus = {m.key: m for m in richmenu.load_definitions()}
    assert {a.label for a in menus["default"].areas} == REQUIRED_LABELS
    assert menus["default"].is_default and "parent" in menus["parent"].personas
    assert "体験教室" in {a.label for a in menus["parent"].areas}
    for menu in menus.values():
        assert menu.size == (2500, 1686)
        for area in menu.areas:  # areas stay on the canvas
            x, y, w, h = area.bounds
            assert x >= 0 and y >= 0 and x + w <= 2500 and y + h <= 1686


@pytest.mark.parametrize("key", ["default", "parent"])
def test_menu_images_are_2500x1686_png_under_1mb(key):
    menu = next(m for m in richmenu.load_definitions() if m.key == key)
    data, content_type = menu_image(menu)
    image = Image.open(io.BytesIO(data))
    assert (content_type, image.format, image.size) == ("image/png", "PNG", (2500, 1686))
    assert len(data) <= 1024 * 1024
    assert len(image.convert("RGB").getcolors(maxcolors=1 << 20)) > 10  # drawn, not a blank canvas


def test_broken_definitions_give_a_clear_error(tmp_path):
    path = tmp_path / "menus.yaml"
    path.write_text("size: {width: 2500, height: 1686}\nmenus:\n  - key: x\n    alias: x\n    areas: [{label: a}]\n")
    with pytest.raises(richmenu.RichMenuDefinitionError, match="incomplete area"):
        richmenu.load_definitions(path)


def test_deploy_twice_leaves_one_set_of_menus(line_app, line, session):
    first = deploy(session, line_app.config)
    assert sorted(first.created) == ["default", "parent"]
    store = line.rich_menus
    assert len(store.menus) == 2 and set(store.images) == set(store.menus)
    ids = _ids(session)
    assert store.default == ids["default"] == first.default_menu_id
    assert store.aliases == {"menu-default": ids["default"], "menu-parent": ids["parent"]}
    creates = len(line.calls_to("/v2/bot/richmenu", "POST"))

    second = deploy(session, line_app.config)
    assert second.created == [] and sorted(second.reused) == ["default", "parent"] and second.deleted == []
    assert len(line.calls_to("/v2/bot/richmenu", "POST")) == creates
    assert len(store.menus) == 2 and _ids(session) == ids
    assert line.validation_errors == []
    _, png = store.images[ids["default"]]
    assert Image.open(io.BytesIO(png)).size == (2500, 1686)


def test_changed_menu_replaces_the_old_one(line_app, line, session, monkeypatch):
    deploy(session, line_app.config)
    old = _ids(session)
    original = richmenu.load_definitions()

    def changed(path=richmenu.DEFINITIONS):
        return [replace(m, chat_bar_text="ひらく") if m.key == "parent" else m for m in original]

    monkeypatch.setattr(richmenu, "load_definitions", changed)
    report = deploy(session, line_app.config)
    new = _ids(session)
    assert report.created == ["parent"] and len(report.deleted) == 1
    assert new["default"] == old["default"] and new["parent"] != old["parent"]
    assert set(line.rich_menus.menus) == set(new.values())
    assert line.rich_menus.aliases["menu-parent"] == new["parent"]


def test_deploy_interrupted_before_the_image_completes_on_rerun(line_app, line, session):
    line.fail_next(500, path_prefix="/v2/bot/richmenu/richmenu-")  # the first image upload fails
    with pytest.raises(ApiException):
        deploy(session, line_app.config)
    assert len(line.rich_menus.menus) == 1 and line.rich_menus.images == {}
    deploy(session, line_app.config)
    store = line.rich_menus
    assert len(store.menus) == 2 and set(store.images) == set(store.menus)


def test_parents_get_their_menu_and_others_the_default(line_app, line, session):
    deploy(session, line_app.config)
    ids = _ids(session)
    client = line_app.test_client()
    post_events(client, [follow_event(USER, reply_token=line.issue_reply_token(USER)),
                         postback_event(USER, "a=persona&p=parent", reply_token=line.issue_reply_token(USER))])
    process_pending(line_app)  # the persona change queues the link job
    process_pending(line_app)
    assert line.rich_menus.per_user[USER] == ids["parent"]
    post_events(client, [postback_event(USER, "a=persona&p=student", reply_token=line.issue_reply_token(USER))])
    process_pending(line_app)
    process_pending(line_app)
    assert USER not in line.rich_menus.per_user  # back on the default menu
    assert {j.status for j in jobs(session, "line_richmenu_link")} == {"done"}


def test_turns_that_keep_the_persona_queue_no_link(line_app, line, session):
    deploy(session, line_app.config)
    client = line_app.test_client()
    post_events(client, [follow_event(USER, reply_token=line.issue_reply_token(USER)),
                         postback_event(USER, "a=persona&p=parent", reply_token=line.issue_reply_token(USER))])
    process_pending(line_app)
    assert len(jobs(session, "line_richmenu_link")) == 1
    post_events(client, [postback_event(USER, "a=persona&p=parent", reply_token=line.issue_reply_token(USER)),
                         postback_event(USER, "a=topic&t=workshops&v=0", reply_token=line.issue_reply_token(USER)),
                         text_event(USER, "新着", reply_token=line.issue_reply_token(USER))])
    process_pending(line_app)
    assert len(jobs(session, "line_richmenu_link")) == 1  # the same persona again, a topic, a question: no link


def test_erasing_ones_data_puts_the_default_menu_back(line_app, line, session):
    deploy(session, line_app.config)
    client = line_app.test_client()
    post_events(client, [follow_event(USER, reply_token=line.issue_reply_token(USER)),
                         postback_event(USER, "a=persona&p=parent", reply_token=line.issue_reply_token(USER))])
    process_pending(line_app)
    process_pending(line_app)
    assert line.rich_menus.per_user[USER] == _ids(session)["parent"]
    post_events(client, [postback_event(USER, "a=erase&v=1", reply_token=line.issue_reply_token(USER))])
    process_pending(line_app)
    process_pending(line_app)
    assert USER not in line.rich_menus.per_user


def test_link_waits_for_a_deploy(line_app, line, session):
    post_events(line_app.test_client(), [postback_event(USER, "a=persona&p=parent",
                                                         reply_token=line.issue_reply_token(USER))])
    process_pending(line_app)
    process_pending(line_app)
    assert [j.status for j in jobs(session, "line_richmenu_link")] == ["skipped"]
    assert line.calls_to(f"/v2/bot/user/{USER}/richmenu") == []


def test_redeploying_a_changed_parents_menu_relinks_parents(line_app, line, session, monkeypatch):
    deploy(session, line_app.config)
    post_events(line_app.test_client(), [postback_event(USER, "a=persona&p=parent",
                                                         reply_token=line.issue_reply_token(USER))])
    process_pending(line_app)
    process_pending(line_app)
    original = richmenu.load_definitions()
    monkeypatch.setattr(richmenu, "load_definitions", lambda path=None: [
        replace(m, chat_bar_text="保護者メニュー") if m.key == "parent" else m for m in original])
    report = deploy(session, line_app.config)
    assert report.relinks_queued == 1
    process_pending(line_app)
    assert line.rich_menus.per_user[USER] == _ids(session)["parent"]


def test_cli_deploy_runs_against_the_configured_api(line, tmp_path, monkeypatch, capsys, database_url):
    from web.cli import main

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "cli-instance"))
    monkeypatch.setenv("SECRET_KEY", "cli-secret")
    monkeypatch.setenv("LINE_CHANNEL_SECRET", "s")
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", line.access_token)
    monkeypatch.setenv("LINE_API_BASE_URL", line.base_url)
    assert main(["line", "richmenu", "deploy"]) == 0
    assert main(["line", "richmenu", "deploy"]) == 0
    assert len(line.rich_menus.menus) == 2
    assert "reused ['default', 'parent']" in capsys.readouterr().out


def test_cli_deploy_refuses_when_line_is_off(tmp_path, monkeypatch, capsys, database_url):
    from web.cli import main

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "cli-instance"))
    monkeypatch.setenv("SECRET_KEY", "cli-secret")
    monkeypatch.delenv("LINE_CHANNEL_ACCESS_TOKEN", raising=False)
    assert main(["line", "richmenu", "deploy"]) == 2
    assert "LINE is off" in capsys.readouterr().err
