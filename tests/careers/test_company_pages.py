"""Public company pages: what the company does, its articles, tours and openings, and the three actions."""
from __future__ import annotations

from datetime import timedelta

from careers_helpers import make_article, make_company, make_tour, page

from careers.models import Opening
from core.db import utcnow
from events.models import Event


def test_the_list_links_every_company_with_its_open_positions(app, session, company):
    other = make_company(session, slug="minato-koki", name="湊工機")
    session.add(Opening(company_id=company.id, kind="position", title="旋盤オペレーター見習い"))
    session.add(Opening(company_id=company.id, kind="internship", title="夏の職場体験", active=False))
    session.commit()
    html = page(app.test_client(), "/companies")
    assert f'href="/companies/{company.slug}"' in html and f'href="/companies/{other.slug}"' in html
    assert "光和精機</a>（精密加工） ・募集1件" in html  # the closed internship is not counted


def test_a_company_page_shows_what_it_does_articles_tours_openings_and_actions(app, session, company):
    make_article(session, company, "kouwa-day", title="光和精機の一日")
    make_article(session, company, "kouwa-draft", status="draft", title="まだ下書きの記事")
    make_article(session, None, "other-news", title="ほかの会社の記事")
    make_tour(session, company, title="光和精機 夏の見学会")
    session.add(Event(kind="tour", title="終わった見学会", starts_at=utcnow() - timedelta(days=3), capacity=5,
                      company_id=company.id))
    session.add(Opening(company_id=company.id, kind="position", title="旋盤オペレーター見習い",
                        description="未経験から旋盤を学べます。"))
    session.add(Opening(company_id=company.id, kind="internship", title="終了した体験", active=False))
    session.commit()
    html = page(app.test_client(), f"/companies/{company.slug}")
    assert "旋盤で小さな部品を削る会社です。" in html
    assert "光和精機の一日" in html and "まだ下書きの記事" not in html and "ほかの会社の記事" not in html
    assert "光和精機 夏の見学会" in html and "終わった見学会" not in html
    assert "旋盤オペレーター見習い" in html and "未経験から旋盤を学べます。" in html and "終了した体験" not in html
    for kind, label in (("tour", "見学を申し込む"), ("consult", "話を聞いてみたい（相談）"),
                        ("apply", "応募について問い合わせる")):
        assert f'href="/companies/{company.slug}/contact/{kind}"' in html and label in html
    opening = session.query(Opening).filter_by(title="旋盤オペレーター見習い").one()
    assert f"/companies/{company.slug}/contact/apply?opening={opening.id}" in html


def test_a_tour_with_an_unpublished_article_stays_hidden(app, session, company):
    draft = make_article(session, company, "secret-tour", status="draft", title="準備中の見学会の記事")
    tour = make_tour(session, company, title="準備中の見学会")
    tour.article_id = draft.id
    session.commit()
    assert "準備中の見学会" not in page(app.test_client(), f"/companies/{company.slug}")


def test_unknown_companies_and_kinds_are_404(app, session, company):
    client = app.test_client()
    assert client.get("/companies/no-such-company").status_code == 404
    assert client.get(f"/companies/{company.slug}/contact/lunch").status_code == 404
    assert client.post(f"/companies/{company.slug}/contact/lunch").status_code in (400, 404)


def test_a_company_without_openings_or_tours_says_what_to_do_instead(app, session, company):
    html = page(app.test_client(), f"/companies/{company.slug}")
    assert "いま公開している募集はありません" in html and "予定されている見学会はありません" in html


def test_features_about_a_company_end_with_its_call_to_action(app, session, company):
    article = make_article(session, company, "kouwa-feature", category="feature", title="光和精機の挑戦")
    html = page(app.test_client(), f"/articles/{article.slug}")
    assert f'/companies/{company.slug}' in html
