"""The ward's YouTube videos: channels/playlists staff follow, imported from YouTube's public
Atom feeds (no API key) into the 動画 section and the /posts timeline, shown behind a
click-to-load facade (nothing is requested from a video host before the click)."""
from __future__ import annotations


def init_app(app) -> None:
    from core import signals
    from staff import audit
    from videos import admin, timeline, views
    from videos import signals as receivers

    app.register_blueprint(views.bp)  # /videos, /videos/<id>, thumbnails
    app.register_blueprint(admin.bp)  # /admin/videos
    audit.add_action_labels(app, admin.ACTION_LABELS)
    signals.timeline_requested.connect(timeline.entries, weak=False)
    signals.share_card_requested.connect(receivers.video_card, weak=False)  # announce a video like an article
    app.add_template_filter(views.embed_videos, "embed_videos")
    app.add_template_global(views.facade, "video_facade")
