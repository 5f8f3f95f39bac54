"""The editor for non-technical staff: toolbar, live preview, inline images, gallery, video facade."""
from __future__ import annotations

import io
import re
from pathlib import Path

from console_helpers import csrf_from, fresh_page, login, make_staff
from PIL import Image

from content.blocks import uses_third_party
from content.markdown import render_markdown


def _ward(app):
    make_staff("ward")
    client = app.test_client()
    assert login(client, "ward@example.jp").status_code == 302
    return client


def test_blocks_render_captions_gallery_and_a_video_facade_without_third_party_requests():
    html = render_markdown(
        '![旋盤](/media/a-800.jpg "旋盤の前で")\n\n::写真\n![一](/m/1.jpg "一枚目")\n![二](/m/2.jpg)\n\n'
        "::動画 https://www.youtube.com/watch?v=dQw4w9WgXcQ 工場の一日\n")
    assert '<figure><img src="/media/a-800.jpg" alt="旋盤" title="旋盤の前で"><figcaption>旋盤の前で</figcaption>' in html
    assert '<ul class="photo-gallery"' in html and html.count("<li><figure>") == 2
    assert 'data-youtube-id="dQw4w9WgXcQ"' in html and "工場の一日を再生する" in html
    assert not uses_third_party(html)  # a plain link until the visitor clicks
    assert "<iframe" not in html


def test_a_bad_video_line_stays_text_and_raw_html_is_still_refused():
    html = render_markdown('::動画 https://evil.example/x"><script>alert(1)</script>\n')
    assert "<script" not in html and "video-facade" not in html


def test_editor_page_has_the_toolbar_live_preview_and_no_inline_script(app):
    client = _ward(app)
    html = fresh_page(client, "/admin/articles/new")
    for label in ("見出し", "太字", "リスト", "リンク", "画像", "動画"):
        assert 'data-editor-action' in html and f">{label}</button>" in html
    assert 'id="live-preview"' in html and 'id="body-count"' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # every script is a static file
    assert "本文（Markdown）" not in html


def _photo_with_gps() -> bytes:
    image = Image.new("RGB", (900, 600), (30, 120, 200))
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (35.0, 33.0, 42.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def test_inline_image_upload_strips_exif_needs_alt_and_answers_markdown(app):
    client = _ward(app)
    token = csrf_from(fresh_page(client, "/admin/articles/new"))
    refused = client.post("/admin/articles/images", data={
        "csrf_token": token, "alt": "", "image": (io.BytesIO(_photo_with_gps()), "p.jpg")})
    assert refused.status_code == 422 and "代替テキスト" in refused.get_json()["error"]
    answer = client.post("/admin/articles/images", data={
        "csrf_token": token, "alt": "旋盤を操作する職人", "caption": "大田区の工場で",
        "image": (io.BytesIO(_photo_with_gps()), "p.jpg")}).get_json()
    assert re.fullmatch(r'!\[旋盤を操作する職人\]\(/media/inline-[^)]+\.jpg "大田区の工場で"\)', answer["markdown"])
    stored = Path(app.instance_path, "media", answer["url"].removeprefix("/media/"))
    with Image.open(stored) as image:
        assert not image.getexif().get_ifd(0x8825)
    assert client.get(answer["url"]).status_code == 200
