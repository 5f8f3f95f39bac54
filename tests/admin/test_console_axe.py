"""Every console page passes axe-core (vendored, offline) with no serious or critical
violation, at 390 px and 1366 px, as an administrator (who may open every page) and as a
contractor (whose pages show other controls). The browser sweep runs once, on SQLite (markup
does not depend on the database); on every backend each of those pages must open.

The pages are not listed by hand: every GET route under /admin is visited, with its
parameters filled from seeded objects, and pages are seeded in their richer states (a job
in progress, a draft sent back with a thread, Discord channels read from the stand-in, the
featured-article picker with a choice). A new console page whose URL needs a parameter this
test cannot fill fails ``test_every_console_route_is_covered`` until it is added here.
"""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from console_helpers import PASSWORD, make_staff
from sqlalchemy import select

from browser_kit import launched_chromium, new_tab, serving
from content.models import Article, ArticleRevision, Company
from core.db import db, utcnow
from events import signing
from events.models import Event
from events.service import Application, register
from notifications import drafts, routing, service
from notifications.models import Broadcast
from staff.models import ConsoleJob
from testkit import make_test_app
from tests.standins.discord_api import DiscordStandin

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
WIDTHS = (390, 1366)
GUILD = "1200000000000000001"
# Files and data the pages' scripts fetch: not pages (skipped by content type too).
NOT_PAGES = {"admin.login", "admin.job_status", "content_admin.top_page_articles", "events_admin.export",
             "kpi_admin.export_csv", "kpi_admin.source_qr"}


def console_routes(app) -> list:
    return sorted((r for r in app.url_map.iter_rules()
                   if r.rule.startswith("/admin") and "GET" in r.methods and r.endpoint not in NOT_PAGES),
                  key=lambda r: r.rule)


def page_urls(app, seeds: dict) -> tuple[list[str], list[str]]:
    """(URLs to visit, routes this test cannot fill in)."""
    urls, missing = [], []
    for rule in console_routes(app):
        values = {**seeds.get("*", {}), **seeds.get(rule.endpoint, {})}
        needed = set(rule.arguments)
        if not needed <= set(values):
            missing.append(f"{rule.rule} ({rule.endpoint}) needs {sorted(needed - set(values))}")
            continue
        with app.test_request_context():
            from flask import url_for

            urls.append(url_for(rule.endpoint, **{k: values[k] for k in needed}))
    return urls, missing


def _seed(app) -> dict:
    session, now = db.session, utcnow()
    admin, contractor = make_staff("admin"), make_staff("contractor")
    make_staff("ward")
    company = Company(slug="kanagata", name="東雲金型", field="金型", open_for_tours=True)
    session.add(company)
    articles = [Article(slug=f"a-{n}", title=title, category=category, summary="要約です。", body_md="## 見出し\n\n本文です。",
                        status="published", published_at=now - timedelta(days=n + 1), company=company)
                for n, (title, category) in enumerate([("旋盤職人の一日", "feature"), ("宇宙へ飛ぶ部品", "series"),
                                                       ("区からのお知らせ", "news")])]
    articles.append(Article(slug="a-draft", title="書きかけの特集", category="feature", summary="", body_md="",
                            status="draft"))
    session.add_all(articles)
    session.flush()
    revision = ArticleRevision(article_id=articles[0].id, staff_id=admin.id, source="console",
                               snapshot={"title": articles[0].title, "body_md": "前の本文"})
    session.add(revision)
    event = Event(kind="workshop", title="親子でつくろう！", capacity=10, place="大田区産業プラザPiO",
                  starts_at=now + timedelta(days=10), deadline=now + timedelta(days=8), company=company)
    session.add(event)
    session.commit()
    registration = register(session, Application(event_id=event.id, channel="web", person_id="p1", name="大田 太郎",
                                                 contact="taro@example.jp", consent=True))
    # The top page with a picked article; a job in progress, one done, one failed.
    from content import top_page

    top_page.save(session, admin, top_page.clean(session, "町工場で、未来をつくろう。", "紹介", ["a-1", "a-0"],
                                                 list(top_page.SECTIONS)))
    session.add_all([
        ConsoleJob(kind="search_reindex", status="running", progress_done=1200, progress_total=5000, started_at=now),
        ConsoleJob(kind="kpi_demo_clear", status="done", message="デモのKPIデータを削除しました（3,000件）。",
                   progress_done=3000, progress_total=3000, finished_at=now),
        ConsoleJob(kind="line_richmenu", status="failed", message="LINEが設定されていないため、配置できません。",
                   finished_at=now)])
    # A broadcast, and a contractor's draft sent back with a thread.
    sent = service.create_broadcast(session, article=articles[2], text="お知らせです", topics=["news"],
                                    channels=["web"], staff=admin, config=app.config)
    draft = service.create_broadcast(session, article=articles[0], text="見学会のお知らせ", topics=["tours"],
                                     channels=["web"], staff=contractor, origin="draft", config=app.config)
    draft.status = "draft"
    session.flush()
    drafts.send_back(session, draft, admin, "日時を書いてください")
    drafts.add_comment(session, draft, contractor, "承知しました")
    routing.save_route(session, "*", "1300000000000000001")
    routing.save_route(session, "tours", "1300000000000000002", "1500000000000000002")
    from bot.discord import problems, settings

    settings.save(session, settings.SettingsForm(guild_id=GUILD, welcome_channel_id="1300000000000000001"))
    session.commit()
    problems.record("welcome", "1300000000000000001", status=403, code=50013)
    return {
        "*": {"article_id": articles[0].id, "revision_id": revision.id, "broadcast_id": sent.id,
              "event_id": event.id, "company_id": company.id,
              "code": signing.checkin_code(app.config["SECRET_KEY"], registration.id)},
        "notifications.draft_detail": {"broadcast_id": draft.id},
    }


@pytest.fixture
def discord_api():
    with DiscordStandin() as standin:
        standin.add_guild(GUILD, "大田区ものづくりコミュニティ")
        standin.add_channel("1300000000000000001", name="お知らせ")
        standin.add_channel("1300000000000000002", type=5, name="区からのお知らせ")
        standin.add_role(GUILD, "1500000000000000001", "見学会", mentionable=True)
        standin.add_role(GUILD, "1500000000000000002", "静かなロール", mentionable=False)
        yield standin


@pytest.fixture
def console(database_url, tmp_path, discord_api):
    app = make_test_app(database_url, tmp_path / "instance", DISCORD_BOT_TOKEN=discord_api.token,
                        DISCORD_API_BASE_URL=discord_api.base_url, QUIET_HOURS="")
    with app.app_context():
        seeds = _seed(app)
        yield app, seeds
    db.session.remove()


def test_every_console_route_is_covered(console):
    app, seeds = console
    urls, missing = page_urls(app, seeds)
    assert not missing, "console pages this test cannot open (add their parameters to _seed):\n" + "\n".join(missing)
    assert len(urls) >= 35


def _serious(tab) -> list[str]:
    # Through DevTools, not a <script> tag: our pages' CSP (rightly) refuses inline scripts.
    tab.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    return _run_axe(tab)


def _serious_at_each_width(tab) -> list[str]:
    """One load of the page, checked at every width: the layout follows the viewport (media
    queries), so resizing gives what a load at that width gives, at half the cost."""
    tab.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    found = []
    for width in WIDTHS:
        tab.set_viewport_size({"width": width, "height": 900})
        found += [f"{width}px: {p}" for p in _run_axe(tab)]
    return found


# axe gives every violation of a rule that has an impact that impact (it overwrites its checks'),
# so a rule rated minor or moderate can never report what this test looks for: it is switched
# off (a third of axe's time), and the answer is the same. A rule without an impact still runs.
_RUN_AXE = """async () => {
    const neverSerious = axe._audit.rules.filter(r => ['minor', 'moderate'].includes(r.impact));
    const rules = Object.fromEntries(neverSerious.map(r => [r.id, {enabled: false}]));
    const result = await axe.run(document, {resultTypes: ['violations'], rules});
    return result.violations.filter(v => ['serious', 'critical'].includes(v.impact))
        .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
}"""


def _run_axe(tab) -> list[str]:
    return tab.evaluate(_RUN_AXE)


def _log_in(browser, base: str, email: str, width: int):
    tab = new_tab(browser, viewport={"width": width, "height": 900})
    tab.goto(f"{base}/admin/login")
    tab.fill("#email", email)
    tab.fill("#password", PASSWORD)
    tab.click("button:has-text('ログイン')")
    tab.wait_for_url(f"{base}/admin/")
    return tab


def _sweep(tab, base: str, urls: list[str], who: str, must_open: bool) -> tuple[list[str], int]:
    problems, checked = [], 0
    for url in urls:
        response = tab.goto(base + url)
        if response.status != 200:
            if must_open:
                problems.append(f"{who}: {url} answered {response.status}")
            continue  # pages the role may not open are not in its menu (tests/admin/test_roles.py)
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        checked += 1
        problems += [f"{who} {url} {p}" for p in _serious_at_each_width(tab)]
    return problems, checked


def test_every_console_page_opens_for_each_role(console, discord_api):
    """On every backend, every page the sweep below checks opens in its seeded state: for the
    administrator as an HTML page, for the contractor as a page or a refusal (never an error);
    also the Discord pages when Discord does not answer."""
    app, seeds = console
    from console_helpers import fresh_page, login
    from flask import g

    urls, missing = page_urls(app, seeds)
    assert not missing and urls
    problems = []
    for email, allowed in (("admin@example.jp", {200}), ("contractor@example.jp", {200, 403})):
        client = app.test_client()
        assert login(client, email).status_code == 302
        for url in urls:
            g.pop("csrf_token", None)  # as in fresh_page: the test's app context outlives requests
            response = client.get(url)
            if response.status_code not in allowed:
                problems.append(f"{email}: {url} answered {response.status_code}")
            elif response.status_code == 200 and not response.content_type.startswith("text/html"):
                problems.append(f"{email}: {url} is {response.content_type}")
    assert not problems, "\n".join(problems)
    discord_api.fail_next(503, count=100)
    client = app.test_client()
    assert login(client, "admin@example.jp").status_code == 302
    for url in ("/admin/discord/", "/admin/broadcasts/settings"):
        assert "Discordに接続できなかったため" in fresh_page(client, url), url


# The markup and layout axe checks do not depend on the database, and the sweep is the
# suite's most expensive test: it runs on SQLite only. That every page opens in the same
# seeded states on PostgreSQL too is test_every_console_page_opens_for_each_role above.
@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_console_page_passes_axe_at_390_and_1366(console, discord_api):
    app, seeds = console
    urls, missing = page_urls(app, seeds)
    assert not missing
    problems, checked = [], 0
    with serving(app) as base, launched_chromium() as browser:
        for email, must_open in (("admin@example.jp", True), ("contractor@example.jp", False)):
            tab = _log_in(browser, base, email, WIDTHS[0])
            found, count = _sweep(tab, base, urls, email, must_open)
            problems += found
            checked += count
            tab.context.close()
        # The states staff meet when Discord does not answer.
        discord_api.fail_next(503, count=100)
        tab = _log_in(browser, base, "admin@example.jp", WIDTHS[0])
        found, _ = _sweep(tab, base, ["/admin/discord/", "/admin/broadcasts/settings"], "Discord away", True)
        problems += found
        assert "Discordに接続できなかったため" in tab.inner_text("[data-discord-problem]")
        tab.context.close()
        discord_api.clear_faults()
        for width in WIDTHS:
            login = new_tab(browser, viewport={"width": width, "height": 900})
            login.goto(f"{base}/admin/login")
            problems += [f"login {width}px: {p}" for p in _serious(login)]
            login.context.close()
    assert checked >= len(urls), checked  # the administrator's sweep opened every page
    assert not problems, "\n".join(problems)


def test_the_seeded_states_are_really_on_the_pages(console):
    """The sweep above would prove little if the rich states were not rendered."""
    app, seeds = console
    from console_helpers import fresh_page, login

    client = app.test_client()
    login(client, "admin@example.jp")
    assert "1,200 / 5,000 件（24%）" in fresh_page(client, "/admin/jobs")
    assert "@静かなロール（メンションできない設定）" in fresh_page(client, "/admin/broadcasts/settings")
    assert "#お知らせ" in fresh_page(client, "/admin/discord/")
    draft = seeds["notifications.draft_detail"]["broadcast_id"]
    html = fresh_page(client, f"/admin/broadcasts/drafts/{draft}")
    assert "日時を書いてください" in html and "承知しました" in html
    assert "宇宙へ飛ぶ部品" in fresh_page(client, "/admin/top-page").split('id="featured-list"', 1)[1]
    assert db.session.scalar(select(Broadcast).where(Broadcast.id == draft)).status == "returned"
