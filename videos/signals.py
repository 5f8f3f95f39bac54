"""The videos domain's receivers: a video as the card of a broadcast (core.signals.share_card_requested)."""
from __future__ import annotations

from messages.text import shorten
from videos import service

SUMMARY_MAX = 120
CARD_IMAGE_TYPES = ("image/jpeg", "image/png")  # what LINE shows in a bubble (and Discord in an embed)


def video_card(kind: str, session, key: str = "", **_) -> dict | None:
    """Our page of an imported video, for the composer's card; None for other kinds or unknown ids."""
    if kind != "video":
        return None
    video = service.find_video(session, key or "")
    if video is None:
        return None
    has_image = bool(video.thumbnail) and video.thumbnail_type in CARD_IMAGE_TYPES
    return {
        "title": video.title, "path": f"/videos/{video.video_id}", "label": "動画",
        "summary": shorten(" ".join((video.description or "").split()), SUMMARY_MAX),
        "image_path": f"/videos/{video.video_id}/thumbnail" if has_image else None, "button": "動画を見る",
    }
