"""Featured articles on the top page are picked (search by title, 追加, 上へ/下へ, 外す), not typed as
addresses. These drive the form without JavaScript; the browser test drives the script."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from console_helpers import csrf_from, fresh_page, login, make_staff

from content import top_page
from content.models import Article
from core.db import db, utcnow

PAGE = "/admin/top-page"


@pytest.fixture
def articles(app):
    now = utcnow()
    made = {}
    for n, (slug, title) in enumerate([("lathe", "旋盤職人の一日"), ("rocket", "宇宙へ飛ぶ部品"),
                                       ("welder", "溶接の火花"), ("robot", "町工場のロボット")]):
        made[slug] = Article(slug=slug, title=title, category="feature", summary="要約", body_md="本文",
                             status="published", published_at=now - timedelta(days=n + 1))
    made["draft"] = Article(slug="secret-draft", title="旋盤の下書き", category="feature", summary="", body_md="",
                            status="draft")
    db.session.add_all(made.values())
    db.session.commit()
    return made


@pytest.fixture
def ward(app):
    make_staff("ward")
    client = app.test_client()
    assert login(client, "ward@example.jp").status_code == 302
    return client


def _form(html: str) -> dict:
    """The top-page form as the browser would send it (hidden featured inputs in order)."""
    return {"csrf_token": csrf_from(html), "hero_title": "町工場で、未来をつくろう。", "hero_text": "紹介",
            "featured": re.findall(r'name="featured" value="([^"]+)"', html),
            **{f"order_{k}": str(i + 1) for i, k in enumerate(top_page.SECTIONS)}}


def _press(client, html: str, **button) -> str:
    response = client.post(PAGE, data={**_form(html), **button})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _chosen_titles(html: str) -> list[str]:
    block = html.split('id="featured-list"', 1)[1].split("</ol>", 1)[0]
    return re.findall(r'class="picker-title">([^<]+)<', block)


def test_no_address_field_only_published_articles_by_title(ward, articles):
    html = fresh_page(ward, PAGE)
    assert '<textarea id="featured"' not in html and "URLの末尾" not in html
    found = html.split('id="featured-found"', 1)[1].split("</ul>", 1)[0]
    assert "旋盤職人の一日" in found and "町工場のロボット" in found
    assert "旋盤の下書き" not in found  # not published: cannot be featured


def test_add_order_remove_without_javascript_then_save(app, ward, articles):
    html = fresh_page(ward, PAGE)
    html = _press(ward, html, featured_add="lathe")
    html = _press(ward, html, featured_add="welder")
    html = _press(ward, html, featured_add="rocket")
    assert _chosen_titles(html) == ["旋盤職人の一日", "溶接の火花", "宇宙へ飛ぶ部品"]
    assert "まだ保存していません" in html
    assert top_page.live(db.session)["featured"] == []  # nothing saved yet
    html = _press(ward, html, featured_up="3")
    assert _chosen_titles(html) == ["旋盤職人の一日", "宇宙へ飛ぶ部品", "溶接の火花"]
    html = _press(ward, html, featured_down="1")
    assert _chosen_titles(html) == ["宇宙へ飛ぶ部品", "旋盤職人の一日", "溶接の火花"]
    html = _press(ward, html, featured_remove="3")
    assert _chosen_titles(html) == ["宇宙へ飛ぶ部品", "旋盤職人の一日"]
    found = html.split('id="featured-found"', 1)[1].split("</ul>", 1)[0]
    assert "溶接の火花" in found and "宇宙へ飛ぶ部品" not in found  # chosen ones are not offered twice
    assert ward.post(PAGE, data=_form(html)).status_code == 302
    assert top_page.live(db.session)["featured"] == ["rocket", "lathe"]
    public = app.test_client().get("/").get_data(as_text=True)
    assert public.index("宇宙へ飛ぶ部品") < public.index("旋盤職人の一日")


def test_search_by_title_without_javascript(ward, articles):
    html = _press(ward, fresh_page(ward, PAGE), featured_find="1", q="旋盤")
    found = html.split('id="featured-found"', 1)[1].split("</ul>", 1)[0]
    assert re.findall(r'class="picker-title">([^<]+)<', found) == ["旋盤職人の一日"]
    html = _press(ward, html, featured_find="1", q="存在しない題名")
    assert "「存在しない題名」を題名に含む公開中の記事は見つかりませんでした" in html


def test_the_search_the_script_uses_answers_published_articles_as_json(ward, articles):
    data = ward.get(f"{PAGE}/articles?q=旋盤").get_json()
    assert data == {"articles": [{"slug": "lathe", "title": "旋盤職人の一日", "category": "特集記事"}]}
    data = ward.get(f"{PAGE}/articles?q=&exclude=lathe&exclude=rocket").get_json()
    assert [a["slug"] for a in data["articles"]] == ["welder", "robot"]  # newest first
    assert ward.get(f"{PAGE}/articles?q=%25").get_json() == {"articles": []}  # % is a character, not a wildcard


def test_seven_are_refused_and_an_unpublished_pick_is_named(ward, articles):
    html = fresh_page(ward, PAGE)
    form = {**_form(html), "featured": ["lathe", "rocket", "welder", "robot", "lathe2", "x", "y"]}
    response = ward.post(PAGE, data=form)
    assert response.status_code == 422 and "おすすめ記事は6件までです" in response.get_data(as_text=True)
    response = ward.post(PAGE, data={**_form(html), "featured": ["lathe", "secret-draft"]})
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "公開されていない記事はおすすめにできません（旋盤の下書き）" in text
    assert "公開されていないため、サイトには表示されません" in text  # marked in the chosen list
    assert top_page.live(db.session)["featured"] == []


def test_a_contractor_picks_too_but_the_change_waits_for_ward_approval(app, articles):
    make_staff("contractor")
    client = app.test_client()
    login(client, "contractor@example.jp")
    html = _press(client, fresh_page(client, PAGE), featured_add="robot")
    assert client.post(PAGE, data=_form(html)).status_code == 302
    assert top_page.live(db.session)["featured"] == [] and top_page.pending(db.session)["featured"] == ["robot"]
