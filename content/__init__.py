"""Articles, companies, Markdown import, the public archive and the article editor."""
from __future__ import annotations


def init_app(app) -> None:
    from content.admin import inline_images, review_views, revision_views, uploads  # noqa: F401  (editor routes)
    from content.admin import views as admin_views
    from content.publishing import STATUS_LABELS
    from content.views import archive, feeds, media

    for blueprint in (archive.bp, feeds.bp, media.bp, admin_views.bp):
        app.register_blueprint(blueprint)
    app.context_processor(lambda: {"status_labels": STATUS_LABELS})
    uploads.install_slots(app)  # bounded image processing (uploads never starve public pages)

    from staff.navigation import add_waiting_source

    add_waiting_source(app, review_views.waiting_articles)
