"""The ward team's campaign in real headless Chromium, as each role would use it:

contractor drafts a feature with photos and a video → ward sends it back with a comment →
contractor fixes it → ward approves, publishes and announces → the LINE stand-in receives one
multicast per 500 subscribers, default-set friends included → /posts shows it.
Every console page passing axe-core at 390 px and 1366 px is tests/admin/test_console_axe.py
(all /admin routes, found from the URL map, in their richer states).
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from broadcast_helpers import PASSWORD, add_subscribers, drain, make_staff, multicasts
from PIL import Image
from sqlalchemy import select

from bot.core.testing import FakeAdapter
from browser_kit import launched_chromium, new_tab, serving, wait_until
from content.models import Article

pytestmark = pytest.mark.browser


def _photo(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    Image.new("RGB", (1000, 700), (200, 90, 40)).save(path, "JPEG")
    return path


def _log_in(tab, base: str, email: str) -> None:
    tab.goto(f"{base}/admin/login")
    tab.fill("#email", email)
    tab.fill("#password", PASSWORD)
    tab.click("button:has-text('ログイン')")
    tab.wait_for_url(f"{base}/admin/")


def _answers(tab, values: list[str]) -> None:
    queue = list(values)
    tab.on("dialog", lambda dialog: dialog.accept(queue.pop(0) if queue else ""))


def _insert_image(tab, path: Path, alt: str, caption: str) -> None:
    tab.click("button[data-editor-action=image]")
    tab.set_input_files("#inline-image", str(path))
    tab.fill("#inline-alt", alt)
    tab.fill("#inline-caption", caption)
    tab.click("#image-dialog button[type=submit]")
    wait_until(tab, "document.getElementById('body_md').value.includes('/media/inline-')")


def _contractor_drafts(tab, base: str, tmp_path: Path) -> None:
    tab.goto(f"{base}/admin/articles/new")
    tab.fill("#title", "町工場の若手職人たち")
    tab.select_option("#category", "feature")
    tab.fill("#summary", "若手職人の一日を追いました。")
    tab.click("#body_md")
    tab.click("button[data-editor-action=heading]")
    tab.keyboard.type("工場の朝")
    tab.keyboard.press("End")
    tab.keyboard.type("\n\n")
    # A long paragraph in one input event: Playwright types characters that are not on a US
    # keyboard as one input event each anyway (no key events), 600 of them here.
    tab.keyboard.insert_text("朝八時、旋盤の音が響きます。" * 40)
    tab.keyboard.type("\n\n::写真\n")
    _insert_image(tab, _photo(tmp_path, "a.jpg"), "旋盤を操作する職人", "朝の作業")
    _insert_image(tab, _photo(tmp_path, "b.jpg"), "仕上げた部品", "")
    _answers(tab, ["https://www.youtube.com/watch?v=dQw4w9WgXcQ", "工場の一日"])
    tab.click("button[data-editor-action=video]")
    wait_until(tab, "document.getElementById('body_md').value.includes('::動画')")
    assert "本文" in tab.inner_text("#body-count")
    wait_until(tab, "document.getElementById('live-preview').srcdoc.includes('video-facade')")
    tab.click("button[value=submit]")
    tab.wait_for_selector("text=レビューを依頼しました")


def _ward_sends_back(tab, base: str) -> None:
    tab.goto(f"{base}/admin/review")
    tab.click("text=レビュー依頼: 町工場の若手職人たち")
    tab.fill("#sendback-body", "2枚目の写真にキャプションを付けてください")
    tab.click("button:has-text('差し戻す')")
    tab.wait_for_selector("text=差し戻しました")


def _contractor_fixes(tab, base: str) -> None:
    tab.goto(f"{base}/admin/")
    assert "確認待ち" in tab.inner_text(".badge-link")
    tab.goto(f"{base}/admin/review")
    tab.click("text=差し戻し: 町工場の若手職人たち")
    assert "2枚目の写真にキャプションを付けてください" in tab.inner_text("#review-thread")
    body = re.sub(r"(!\[仕上げた部品\]\(/media/[^)\s]+)\)", r'\1 "完成した部品")', tab.input_value("#body_md"))
    assert '"完成した部品"' in body
    tab.fill("#body_md", body)
    tab.click("button[value=submit]")
    tab.wait_for_selector("text=レビューを依頼しました")


def _ward_publishes_and_announces(tab, base: str) -> None:
    tab.goto(f"{base}/admin/review")
    tab.click("text=レビュー依頼: 町工場の若手職人たち")
    tab.click("button[value=approve]")
    tab.wait_for_selector("text=承認しました")
    tab.click("button[value=publish]")
    tab.wait_for_url("**/announce")
    assert "特集記事" in tab.inner_text("main")
    tab.click("button[value=send]")
    tab.wait_for_selector("text=お知らせを送信待ちにしました")


def test_contractor_ward_campaign_reaches_default_set_friends_and_the_timeline(bapp, session, line_api, tmp_path):
    make_staff(session, "contractor")
    make_staff(session, "ward")
    make_staff(session, "admin")
    chosen = add_subscribers(session, 1000, topics=("features",))
    friends = FakeAdapter(session, bapp.config)
    default_set = [f"U{'d' * 31}{n}" for n in range(3)]
    for user in default_set:
        friends.follow(user)  # never open 受信設定: the default set includes features
    with serving(bapp) as base, launched_chromium() as browser:
        contractor, ward = new_tab(browser), new_tab(browser)
        _log_in(contractor, base, "contractor@example.jp")
        _log_in(ward, base, "ward@example.jp")
        _contractor_drafts(contractor, base, tmp_path)
        _ward_sends_back(ward, base)
        _contractor_fixes(contractor, base)
        _ward_publishes_and_announces(ward, base)
        drain(bapp, session)
        calls = multicasts(line_api, 200)
        assert len(calls) == math.ceil((len(chosen) + len(default_set)) / 500)
        assert all(line_api.delivered_to(u) == 1 for u in default_set + chosen[:3])
        ward.goto(f"{base}/posts")
        assert "町工場の若手職人たち" in ward.inner_text("main")
        article = session.scalar(select(Article).where(Article.title == "町工場の若手職人たち"))
        ward.goto(f"{base}/articles/{article.slug}")
        assert ward.locator(".video-facade a").count() == 1 and ward.locator("iframe").count() == 0

