"""Image uploads: decode cost bounded by the header, and a bounded number processed at once."""
from __future__ import annotations

import io
import threading
import time

from console_helpers import FORM, csrf_from, fresh_page, login, make_staff
from console_helpers import find_article as article
from PIL import Image, ImageFile

from content import images
from content.admin import uploads


def _png(size) -> bytes:
    buffer = io.BytesIO()
    Image.new("1", size).save(buffer, "PNG")  # tiny file, many pixels
    return buffer.getvalue()


def _form(client, slug: str) -> dict:
    token = csrf_from(fresh_page(client, "/admin/articles/new"))
    return {**FORM, "slug": slug, "action": "save", "csrf_token": token, "hero_alt": "工場の外観"}


def _post(client, data: dict, image: bytes):
    return client.post("/admin/articles/new", data={**data, "hero_image": (io.BytesIO(image), "photo.png")})


def test_over_20_megapixels_is_refused_before_decoding(app, ward_client, monkeypatch):
    big = _png((5000, 4001))  # 20.005 MP
    decoded = []
    real_load = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(self.size) or real_load(self))
    response = _post(ward_client, _form(ward_client, "too-big"), big)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "2000万画素まで" in html
    assert (5000, 4001) not in decoded  # refused from the header, no pixel decoded
    assert article("too-big") is None


def test_the_limit_itself_is_20_megapixels():
    assert images.MAX_PIXELS == 20_000_000


def test_upload_beyond_the_slots_waits_briefly_then_gets_a_clear_busy_error(app, ward, monkeypatch):
    app.config["IMAGE_SLOT_WAIT_SECONDS"] = 0.3
    uploads.install_slots(app)  # IMAGE_PROCESSING_SLOTS defaults to 1
    first, second = app.test_client(), app.test_client()
    other = make_staff("contractor", "other@example.jp")
    assert login(first, ward.email).status_code == 302 and login(second, other.email).status_code == 302
    started, release = threading.Event(), threading.Event()
    real_store = uploads.store_renditions

    def slow_store(*args):
        started.set()
        release.wait(10)
        return real_store(*args)

    monkeypatch.setattr(uploads, "store_renditions", slow_store)
    first_data, second_data = _form(first, "first-upload"), _form(second, "second-upload")
    results = {}
    worker = threading.Thread(target=lambda: results.update(first=_post(first, first_data, _png((400, 300)))))
    worker.start()
    try:
        assert started.wait(10)
        began = time.monotonic()
        busy = _post(second, second_data, _png((400, 300)))
        waited = time.monotonic() - began
        public = app.test_client().get("/")  # public pages answer while the slot is taken
    finally:
        release.set()
        worker.join(20)
    assert busy.status_code == 503
    assert "混み合っています" in busy.get_data(as_text=True)
    assert 0.25 <= waited < 5
    assert public.status_code == 200
    assert results["first"].status_code == 302  # the upload holding the slot finished normally
    assert article("first-upload") is not None and article("second-upload") is None
