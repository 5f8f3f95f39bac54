"""The console in real headless Chromium, as ward staff and a contractor use it:

1. Discord channels and roles are picked by name from Discord's own lists (stand-in), with a
   clear message when Discord does not answer, and the ping-role warning kept;
2. a job started with a button shows its progress and then its result, without a reload;
3. a contractor's broadcast draft is sent back with a comment, fixed, and approved;
4. the top page's featured articles are found by title, added, ordered and saved.
"""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from console_helpers import PASSWORD, make_staff
from sqlalchemy import select

from browser_kit import launched_chromium, new_tab, serving, wait_until
from content import top_page
from content.models import Article
from core.db import db, utcnow
from notifications import routing
from notifications.models import Broadcast
from staff.console_jobs import JobKind, add_job_kind, run_next
from testkit import make_test_app
from tests.standins.discord_api import DiscordStandin

pytestmark = pytest.mark.browser
GUILD, OTHER_GUILD = "1200000000000000001", "1200000000000000002"
NEWS, WELCOME, ROLE, QUIET_ROLE = "1300000000000000002", "1300000000000000004", "1500000000000000001", \
    "1500000000000000002"


@pytest.fixture
def discord_api():
    with DiscordStandin() as standin:
        standin.add_guild(GUILD, "大田区ものづくりコミュニティ")
        standin.add_channel("1300000000000000010", type=4, guild_id=GUILD, name="お知らせ")
        standin.add_channel(NEWS, type=5, guild_id=GUILD, name="区からのお知らせ", parent_id="1300000000000000010")
        standin.add_channel(WELCOME, type=0, guild_id=GUILD, name="ようこそ")
        standin.add_role(GUILD, ROLE, "見学会", mentionable=True, position=2)
        standin.add_role(GUILD, QUIET_ROLE, "静かなロール", mentionable=False, position=1)
        standin.add_guild(OTHER_GUILD, "別のテストサーバー")
        yield standin
        assert standin.response_errors == []
        assert [str(r) for r in standin.validation_errors] == []


@pytest.fixture
def console(database_url, tmp_path, discord_api):
    app = make_test_app(database_url, tmp_path / "instance", DISCORD_BOT_TOKEN=discord_api.token,
                        DISCORD_API_BASE_URL=discord_api.base_url, QUIET_HOURS="")
    with app.app_context():
        make_staff("ward")
        make_staff("contractor")
        with serving(app) as base, launched_chromium() as browser:
            yield app, base, browser
    db.session.remove()


def _log_in(browser, base: str, email: str, width: int = 1366):
    tab = new_tab(browser, viewport={"width": width, "height": 900})
    tab.goto(f"{base}/admin/login")
    tab.fill("#email", email)
    tab.fill("#password", PASSWORD)
    tab.click("button:has-text('ログイン')")
    tab.wait_for_url(f"{base}/admin/")
    return tab


def _mark(tab) -> None:
    """A flag that survives only as long as the page is not reloaded."""
    tab.evaluate("window.__sameDocument = true")


def _still_same_page(tab) -> bool:
    return tab.evaluate("window.__sameDocument === true")


def test_discord_server_channels_and_roles_are_picked_by_name(console, discord_api):
    app, base, browser = console
    tab = _log_in(browser, base, "ward@example.jp")
    tab.goto(f"{base}/admin/discord/")
    assert tab.locator("#guild_id option").all_inner_texts() == [
        "選んでいません", "別のテストサーバー", "大田区ものづくりコミュニティ"]
    tab.select_option("#guild_id", label="大田区ものづくりコミュニティ")
    tab.click("button:has-text('保存する')")
    tab.wait_for_selector("text=Discordの設定を保存しました")
    assert tab.locator("#welcome_channel_id optgroup[label='お知らせ'] option").all_inner_texts() == [
        "#区からのお知らせ"]
    tab.select_option("#welcome_channel_id", label="#ようこそ")
    tab.click("button:has-text('保存する')")
    tab.wait_for_selector("text=Discordの設定を保存しました")
    with app.app_context():
        from bot.discord import settings

        db.session.expire_all()
        saved = settings.load(db.session)
        assert (saved.guild_id, saved.welcome_channel_id) == (GUILD, WELCOME)

    tab.goto(f"{base}/admin/broadcasts/settings")
    tours = tab.locator("tr", has=tab.locator("th", has_text="企業見学会"))
    tours.locator("select[name=route_channel_tours]").select_option(label="#区からのお知らせ（アナウンスチャンネル）")
    tours.locator("select[name=route_role_tours]").select_option(label="@静かなロール（メンションできない設定）")
    tab.click("button:has-text('保存する')")
    tab.wait_for_selector("text=配信設定を保存しました")
    warning = tab.inner_text("[data-ping-warning]")
    assert "「企業見学会」で通知するロール「静かなロール」はメンションできない設定です" in warning
    with app.app_context():
        route = routing.routes(db.session)["tours"]
        assert (route.channel_id, route.role_id) == (NEWS, QUIET_ROLE)
    assert "1500000000000000002" not in tab.inner_text("main")

    discord_api.fail_next(503, count=20)  # Discord is away: said plainly, settings kept on screen
    tab.goto(f"{base}/admin/broadcasts/settings")
    assert "Discordに接続できなかったため" in tab.inner_text("[data-discord-problem]")
    assert tours.locator("select[name=route_channel_tours] option[selected]").inner_text() == \
        "いまの設定のチャンネル（名前を読み込めません）"
    discord_api.clear_faults()


def test_a_job_shows_its_progress_and_result_without_a_reload(console):
    app, base, browser = console
    reached, proceed = threading.Event(), threading.Event()

    def counting(app_, session, progress):
        progress(0, 5000)
        progress(1200, 5000)
        reached.set()
        assert proceed.wait(30)
        progress(5000, 5000)
        return "5,000件を処理しました。"

    add_job_kind(app, JobKind("counting", "テスト用の数える作業", "進み具合の確認用です。", counting))
    tab = _log_in(browser, base, "ward@example.jp", width=390)
    tab.goto(f"{base}/admin/jobs")
    tab.click("button:has-text('テスト用の数える作業')")
    tab.wait_for_selector("text=受け付けました")
    _mark(tab)

    def worker():
        with app.app_context():
            session = db.new_session()
            try:
                run_next(app, session, progress_interval=0)
            finally:
                session.close()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert reached.wait(30)
        wait_until(tab, "document.querySelector('[data-job-progress]').textContent.includes('1,200 / 5,000 件（24%）')")
        assert tab.inner_text("[data-job-state]") == "実行中"
        assert tab.evaluate("document.querySelector('[data-job-bar]').value") == 24
        assert _still_same_page(tab)
    finally:
        proceed.set()
        thread.join(30)
    wait_until(tab, "document.querySelector('[data-job-state]').textContent === '完了'")
    assert tab.inner_text("[data-job-message]") == "5,000件を処理しました。"
    assert tab.inner_text("[data-job-progress]") == "5,000 / 5,000 件（100%）"
    assert "完了" in tab.inner_text("#job-announcer")
    assert _still_same_page(tab)  # updated in place, never reloaded
    wait_until(tab, "!document.getElementById('job-table').hasAttribute('data-job-active')")


def test_a_contractor_draft_is_sent_back_with_a_comment_fixed_and_approved(console):
    app, base, browser = console
    contractor = _log_in(browser, base, "contractor@example.jp")
    ward = _log_in(browser, base, "ward@example.jp")
    contractor.goto(f"{base}/admin/broadcasts/drafts")
    contractor.fill("#draft-text", "工場見学会のお知らせです。")
    contractor.check("input[name=topics][value=tours]")
    contractor.click("button:has-text('下書きを保存して承認を依頼')")
    contractor.wait_for_selector("text=区職員の承認を待っています")

    ward.goto(f"{base}/admin/")
    assert ward.inner_text(".badge-link .badge").startswith("1")
    ward.goto(f"{base}/admin/review")
    ward.click("text=配信の下書き: 工場見学会のお知らせです。")
    assert "工場見学会のお知らせです。" in ward.inner_text("#preview-title + div")  # what would go out
    ward.fill("#sendback-body", "日時と集合場所を入れてください")
    ward.click("button[data-send-back]")
    ward.wait_for_selector("text=差し戻しました")

    contractor.goto(f"{base}/admin/")
    assert "確認待ち" in contractor.inner_text(".badge-link")
    contractor.click(".badge-link")
    contractor.click("text=配信の差し戻し: 工場見学会のお知らせです。")
    assert "日時と集合場所を入れてください" in contractor.inner_text("#draft-thread")
    contractor.fill("#comment-body", "集合は蒲田駅でよいですか")
    contractor.click("button:has-text('コメントを書き込む')")
    contractor.wait_for_selector("text=コメントを書き込みました")
    contractor.fill("#fix-text", "工場見学会は3月5日10時、蒲田駅東口に集合です。")
    contractor.fill("#fix-note", "日時と場所を足しました")
    contractor.click("button[data-resubmit]")
    contractor.wait_for_selector("text=もう一度承認を依頼しました")

    ward.goto(f"{base}/admin/review")
    ward.click("text=配信の下書き: 工場見学会は3月5日10時、蒲田駅東口に集合です。")
    thread = ward.inner_text("#draft-thread")
    assert "集合は蒲田駅でよいですか" in thread and "日時と場所を足しました" in thread
    ward.click("button[data-approve]")
    ward.wait_for_selector("text=承認しました")
    with app.app_context():
        db.session.expire_all()
        broadcast = db.session.scalar(select(Broadcast))
        assert broadcast.status == "queued" and broadcast.text.startswith("工場見学会は3月5日10時")
    contractor.goto(f"{base}/admin/")
    assert contractor.locator(".badge-link").count() == 0


def test_featured_articles_are_found_by_title_ordered_and_saved(console):
    app, base, browser = console
    with app.app_context():
        now = utcnow()
        for n, (slug, title) in enumerate([("lathe", "旋盤職人の一日"), ("rocket", "宇宙へ飛ぶ部品"),
                                           ("welder", "溶接の火花"), ("lathe-school", "旋盤教室のご案内")]):
            db.session.add(Article(slug=slug, title=title, category="feature", summary="要約", body_md="本文",
                                   status="published", published_at=now - timedelta(days=n + 1)))
        db.session.commit()
    tab = _log_in(browser, base, "ward@example.jp", width=390)
    tab.goto(f"{base}/admin/top-page")
    _mark(tab)
    tab.fill("#featured-search", "旋盤")
    wait_until(tab, "document.querySelectorAll('#featured-found li').length === 2")
    tab.click("#featured-found button[aria-label='「旋盤教室のご案内」を追加']")
    tab.click("#featured-found button[aria-label='「旋盤職人の一日」を追加']")
    tab.fill("#featured-search", "")
    tab.press("#featured-search", "Enter")  # searches; never submits the form
    wait_until(tab, "document.querySelectorAll('#featured-found li').length === 2")
    tab.click("#featured-found button[aria-label='「宇宙へ飛ぶ部品」を追加']")
    titles = "Array.from(document.querySelectorAll('#featured-list .picker-title')).map(e => e.textContent)"
    assert tab.evaluate(titles) == ["旋盤教室のご案内", "旋盤職人の一日", "宇宙へ飛ぶ部品"]
    tab.click("button[aria-label='「宇宙へ飛ぶ部品」を上へ']")
    tab.click("button[aria-label='「宇宙へ飛ぶ部品」を上へ']")
    assert tab.evaluate(titles) == ["宇宙へ飛ぶ部品", "旋盤教室のご案内", "旋盤職人の一日"]
    assert tab.evaluate("document.activeElement.getAttribute('aria-label')") == "「宇宙へ飛ぶ部品」を下へ"
    tab.click("button[aria-label='「旋盤教室のご案内」を外す']")
    assert tab.evaluate(titles) == ["宇宙へ飛ぶ部品", "旋盤職人の一日"]
    wait_until(tab, "document.getElementById('featured-announcer').textContent.includes('外しました')")
    assert tab.inner_text("#featured-count").startswith("2 / 6")
    assert _still_same_page(tab)  # all of it in the page
    tab.press("#hero_title", "Enter")  # Enter in a text field saves (it never moves an article)
    tab.wait_for_selector("text=トップページを更新しました")
    with app.app_context():
        db.session.expire_all()
        assert top_page.live(db.session)["featured"] == ["rocket", "lathe"]
    tab.goto(f"{base}/")
    featured = tab.inner_text("#sec-featured >> xpath=../..")
    assert featured.index("宇宙へ飛ぶ部品") < featured.index("旋盤職人の一日")
    assert "旋盤教室のご案内" not in featured
