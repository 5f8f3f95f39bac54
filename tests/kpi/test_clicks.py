"""Tracked-link clicks: recorded with their attribution, never for bad tokens or link previewers."""
from urllib.parse import urlsplit

from kpi_helpers import BROWSER_UA
from sqlalchemy import select

from channels import links
from kpi import pageviews
from kpi.metrics import jst_day
from kpi.models import Click


def clicks(session):
    session.expire_all()
    return session.scalars(select(Click)).all()


def follow(client, url, ua=BROWSER_UA):
    return client.get(urlsplit(url).path, headers={"User-Agent": ua}, environ_base={"REMOTE_ADDR": "203.0.113.1"})


def test_click_is_recorded_with_channel_broadcast_article_and_hashed_recipient(app, client, session):
    url = links.tracked_url(app.config, "/articles/space", channel="line", article_id=7, broadcast_id=12,
                            recipient="U0123456789abcdef0123456789abcdef")
    assert follow(client, url).status_code == 302
    [click] = clicks(session)
    assert (click.channel, click.broadcast_id, click.article_id) == ("line", 12, 7)
    assert click.campaign == "broadcast-12" and click.path == "/articles/space"
    assert click.recipient_hash == links.hash_recipient(app.config["SECRET_KEY"], "U0123456789abcdef0123456789abcdef")
    assert click.day == jst_day()
    stored = " ".join(str(getattr(click, c.key)) for c in Click.__table__.columns)
    assert "U0123456789abcdef" not in stored and "203.0.113.1" not in stored


def test_campaign_of_a_next_step_link_is_kept(app, client, session):
    url = links.tracked_url(app.config, "/articles/employment-support", channel="discord", campaign="next-step")
    follow(client, url)
    [click] = clicks(session)
    assert (click.channel, click.campaign, click.broadcast_id, click.recipient_hash) == ("discord", "next-step", None, None)


def test_tampered_token_is_404_and_nothing_is_recorded(app, client, session):
    url = links.tracked_url(app.config, "/", channel="line", broadcast_id=3)
    token = urlsplit(url).path.rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/r/{tampered}", headers={"User-Agent": BROWSER_UA}).status_code == 404
    assert client.get("/r/not-a-token", headers={"User-Agent": BROWSER_UA}).status_code == 404
    assert clicks(session) == []


def test_link_preview_fetchers_are_redirected_but_not_counted(app, client, session):
    url = links.tracked_url(app.config, "/", channel="line")
    assert follow(client, url, ua="facebookexternalhit/1.1;line-poker/1.0").status_code == 302
    assert clicks(session) == []


def test_the_landing_page_view_carries_the_bot_channel(app, client, session):
    from kpi_helpers import add_html_page

    from kpi.models import PageView

    add_html_page(app)
    url = links.tracked_url(app.config, "/kpi-test-page", channel="line", broadcast_id=5)
    target = follow(client, url).headers["Location"]
    parts = urlsplit(target)
    client.get(f"{parts.path}?{parts.query}", headers={"User-Agent": BROWSER_UA})
    pageviews.flush(app)
    [view] = session.scalars(select(PageView)).all()
    assert (view.channel, view.utm_campaign) == ("line", "broadcast-5")
