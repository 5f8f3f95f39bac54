"""In-body images: uploaded from the editor's toolbar with alt text and a caption, stored with
the same checks, EXIF stripping and renditions as the main image; answers the Markdown to insert."""
from __future__ import annotations

from flask import current_app, jsonify, request

from content.admin import uploads
from content.admin.views import bp
from content.images import ImageError
from staff.auth import staff_required

ALT_MAX, CAPTION_MAX = 300, 200


def _plain(text: str, limit: int) -> str:
    # Characters that would end the Markdown image syntax early are replaced, not trusted.
    return " ".join((text or "").replace("]", "］").replace('"', "”").replace("[", "［").split())[:limit]


@bp.post("/articles/images")
@staff_required()
def inline_image_upload():
    file = request.files.get("image")
    alt = _plain(request.form.get("alt", ""), ALT_MAX)
    caption = _plain(request.form.get("caption", ""), CAPTION_MAX)
    if not uploads.has_upload(file):
        return jsonify(error="画像ファイルを選んでください"), 422
    if not alt:
        return jsonify(error="画像の説明（代替テキスト）を入力してください（目の不自由な方に読み上げられます）"), 422
    try:
        key, widths = uploads.store_hero_upload(file, current_app.instance_path, "inline")
    except ImageError as exc:
        return jsonify(error=str(exc)), 422
    url = f"/media/{key}-{max(widths)}.jpg"
    title = f' "{caption}"' if caption else ""
    return jsonify(markdown=f"![{alt}]({url}{title})", url=url)
