"""Review in the console: comment thread, 差し戻し, what waits for me, the top page (①)."""
from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for

from content import publishing, review, top_page
from content.admin.views import _load_editable, bp
from content.models import Article
from core.db import db
from staff.auth import current_staff, staff_required
from staff.navigation import waiting_for


def _back(article_id: int):
    return redirect(url_for("content_admin.article_edit", article_id=article_id) + "#review-thread")


@bp.post("/articles/<int:article_id>/comments")
@staff_required()
def article_comment(article_id: int):
    article = _load_editable(article_id)
    try:
        review.add_comment(db.session, article, current_staff(), request.form.get("body", ""))
    except publishing.WorkflowError as exc:
        db.session.rollback()
        flash(str(exc))
        return _back(article.id)
    db.session.commit()
    flash("コメントを書き込みました。")
    return _back(article.id)


@bp.post("/articles/<int:article_id>/send-back")
@staff_required("ward")
def article_send_back(article_id: int):
    article = _load_editable(article_id)
    staff = current_staff()
    try:
        review.send_back(db.session, article, staff, request.form.get("body", ""))
    except publishing.WorkflowError as exc:
        db.session.rollback()
        flash(str(exc))
        return _back(article.id)
    db.session.commit()
    _mail_writer(article, staff)
    flash("差し戻しました。書いた人の「確認待ち」に表示されます。")
    return _back(article.id)


def _mail_writer(article: Article, staff) -> None:
    writer = article.created_by_id and db.session.get(type(staff), article.created_by_id)
    if writer:
        review.notify_by_mail(current_app.config, [writer], f"【差し戻し】{article.title}",
                              f"{staff.display_name}さんから記事「{article.title}」が差し戻されました。"
                              "管理画面の「確認待ち」からご確認ください。")


def mail_reviewers(article: Article) -> None:
    """After a contractor hands an article over for review."""
    review.notify_by_mail(current_app.config, review.reviewers(db.session), f"【確認依頼】{article.title}",
                          f"記事「{article.title}」のレビュー依頼が届きました。管理画面の「確認待ち」からご確認ください。")


@bp.get("/review")
@staff_required()
def review_queue():
    waiting = waiting_for(db.session, current_staff())
    return render_template("admin/review.html", waiting=waiting)


def waiting_articles(session, staff) -> list[tuple[str, str]]:
    """Waiting source for the console badge (registered in content.init_app)."""
    reviewer = publishing.is_reviewer(staff)
    out = []
    for article in review.waiting_articles(session, staff):
        what = "レビュー依頼" if reviewer else "差し戻し"
        out.append((f"{what}: {article.title}", url_for("content_admin.article_edit", article_id=article.id)))
    if reviewer and top_page.pending(session):
        out.append(("トップページの変更の承認", url_for("content_admin.top_page")))
    return out


# --- ① top page ---------------------------------------------------------------------------
# The featured articles are picked, not typed: a search of published articles by title, and
# the chosen list with 上へ / 下へ / 外す. The buttons work without JavaScript (the form comes
# back with the change, not yet saved); js/top-page.js does the same in the page.

def _top_page(error: str | None = None, values: dict | None = None, status: int = 200, query: str = "",
              notice: str = ""):
    session = db.session
    values = values or top_page.pending(session) or top_page.live(session)
    featured = list(values.get("featured") or [])
    return render_template(
        "admin/top_page.html", values=values, pending=top_page.pending(session), sections=top_page.SECTIONS,
        error=error, notice=notice, is_reviewer=publishing.is_reviewer(current_staff()),
        max_featured=top_page.MAX_FEATURED, chosen=top_page.chosen(session, featured), query=query,
        found=top_page.find_published(session, query, exclude=featured, limit=10),
    ), status


@bp.get("/top-page", endpoint="top_page")
@staff_required()
def top_page_edit():
    return _top_page()[0]


@bp.get("/top-page/articles", endpoint="top_page_articles")
@staff_required()
def top_page_articles():
    """Published articles by title, for the featured-article picker's search (JSON)."""
    words = request.args.get("q", "")[:100]
    exclude = request.args.getlist("exclude")[:50]
    found = top_page.find_published(db.session, words, exclude=exclude, limit=20)
    return jsonify(articles=[{"slug": a.slug, "title": a.title, "category": a.category_label} for a in found])


def _picked(form) -> tuple[list[str], str]:
    """The featured list as submitted, with a picker button (add/up/down/remove) applied."""
    lines = [line.strip() for value in form.getlist("featured") for line in value.replace("、", "\n").splitlines()]
    featured = [line for line in lines if line]
    featured = list(dict.fromkeys(featured))
    if form.get("featured_add"):
        slug = form["featured_add"].strip()
        if slug not in featured:
            featured.append(slug)
        return featured, "add"
    for action in ("featured_up", "featured_down", "featured_remove"):
        if action in form:
            index = _position(form.get(action, "")) - 1
            if 0 <= index < len(featured):
                if action == "featured_remove":
                    featured.pop(index)
                else:
                    other = index - 1 if action == "featured_up" else index + 1
                    if 0 <= other < len(featured):
                        featured[index], featured[other] = featured[other], featured[index]
            return featured, action
    return featured, "find" if "featured_find" in form else ""


@bp.post("/top-page")
@staff_required()
def top_page_save():
    session, form = db.session, request.form
    order = sorted(top_page.SECTIONS, key=lambda k: _position(form.get(f"order_{k}", "")))
    featured, action = _picked(form)
    if action:  # a picker button: show the change, save nothing yet
        values = {"hero_title": form.get("hero_title", ""), "hero_text": form.get("hero_text", ""),
                  "featured": featured, "order": order}
        note = "" if len(featured) <= top_page.MAX_FEATURED else \
            f"おすすめ記事は{top_page.MAX_FEATURED}件までです。どれかを外してください。"
        return _top_page(note or None, values, query=form.get("q", "").strip()[:100],
                         notice="まだ保存していません。よければ下の保存ボタンを押してください。")
    try:
        values = top_page.clean(session, form.get("hero_title", ""), form.get("hero_text", ""), featured, order)
    except top_page.TopPageError as exc:
        values = {"hero_title": form.get("hero_title", ""), "hero_text": form.get("hero_text", ""),
                  "featured": featured, "order": order}
        return _top_page(str(exc), values, status=422)
    where = top_page.save(session, current_staff(), values)
    session.commit()
    flash("トップページを更新しました。" if where == "live" else "変更を保存しました。区職員の承認後にサイトへ反映されます。")
    return redirect(url_for("content_admin.top_page"))


def _position(text: str) -> int:
    return int(text) if text.strip().isdigit() and len(text.strip()) < 4 else 99


@bp.post("/top-page/approve")
@staff_required("ward")
def top_page_approve():
    try:
        top_page.approve(db.session, current_staff())
    except (top_page.TopPageError, publishing.WorkflowError) as exc:
        db.session.rollback()
        flash(str(exc))
        return redirect(url_for("content_admin.top_page"))
    db.session.commit()
    flash("トップページの変更を承認し、サイトへ反映しました。")
    return redirect(url_for("content_admin.top_page"))


@bp.post("/top-page/send-back")
@staff_required("ward")
def top_page_send_back():
    top_page.send_back(db.session, current_staff())
    db.session.commit()
    flash("トップページの変更を差し戻しました（サイトは変わりません）。")
    return redirect(url_for("content_admin.top_page"))
