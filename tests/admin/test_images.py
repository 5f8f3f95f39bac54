"""Hero image upload: real images only, EXIF (GPS) stripped, bombs refused, nothing half-saved."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from console_helpers import FORM, create, edit_form
from console_helpers import find_article as article
from PIL import ExifTags, Image

GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (35.0, 33.0, 42.0),
    ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (139.0, 43.0, 5.0),
}


def photo_with_gps(fmt: str, size=(1200, 800)) -> bytes:
    image = Image.new("RGB", size, (200, 120, 60))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestCam"
    exif[ExifTags.IFD.GPSInfo] = GPS
    buffer = io.BytesIO()
    image.save(buffer, fmt, exif=exif)
    data = buffer.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the fixture really has GPS
    return data


def media_files(app) -> list[Path]:
    return sorted(Path(app.instance_path, "media").glob("*"))


def upload(client, data: bytes, name: str, **changes):
    return create(client, hero_image=(io.BytesIO(data), name), hero_alt="工場の外観", **changes)


@pytest.mark.parametrize("fmt,name", [("JPEG", "photo.jpg"), ("PNG", "photo.png")])
def test_upload_strips_exif_and_gps_and_makes_renditions(app, ward_client, fmt, name):
    response = upload(ward_client, photo_with_gps(fmt), name)
    assert response.status_code == 302, response.get_data(as_text=True)
    saved = article()
    assert saved.hero_image.startswith("machikoba-spring-")
    assert saved.hero_sizes == [480, 960, 1200]
    files = media_files(app)
    assert len(files) == 6  # three widths × (WebP + JPEG); the original is not kept
    for path in files:
        with Image.open(path) as rendition:
            assert not rendition.getexif(), path.name
            assert "exif" not in rendition.info, path.name
        assert b"TestCam" not in path.read_bytes()


def test_image_needs_alt_text(app, ward_client):
    response = create(ward_client, hero_image=(io.BytesIO(photo_with_gps("PNG")), "photo.png"), hero_alt="")
    assert response.status_code == 422
    assert "代替テキスト" in response.get_data(as_text=True)
    assert article() is None and media_files(app) == []


def test_garbage_file_is_refused_and_nothing_saved(app, ward_client):
    response = upload(ward_client, b"this is not an image at all" * 100, "photo.jpg")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "画像として読み込めませんでした" in html
    assert "/tmp" not in html and "cannot identify" not in html
    assert article() is None
    assert media_files(app) == []
    assert list(Path(app.instance_path, "tmp").glob("*")) == []


def test_wrong_extension_is_refused(app, ward_client):
    response = upload(ward_client, photo_with_gps("PNG"), "photo.svg")
    assert response.status_code == 422
    assert "JPEG・PNG・WebP・GIF" in response.get_data(as_text=True)


def test_decompression_bomb_is_refused(app, ward_client):
    buffer = io.BytesIO()
    Image.new("1", (8000, 6000)).save(buffer, "PNG")  # 48 million pixels in a few kilobytes
    assert len(buffer.getvalue()) < 200_000
    response = upload(ward_client, buffer.getvalue(), "bomb.png")
    assert response.status_code == 422
    assert "画素数が多すぎます" in response.get_data(as_text=True)
    assert article() is None and media_files(app) == []


def test_replacing_the_image_on_edit(app, ward_client):
    upload(ward_client, photo_with_gps("JPEG"), "first.jpg")
    first = article().hero_image
    saved = article()
    data = {**FORM, **edit_form(ward_client, saved.id), "hero_alt": "新しい写真", "action": "save",
            "hero_image": (io.BytesIO(photo_with_gps("PNG", (800, 600))), "second.png")}
    assert ward_client.post(f"/admin/articles/{saved.id}", data=data).status_code == 302
    assert article().hero_image != first and article().hero_sizes == [480, 800]
    assert article().hero_alt == "新しい写真"


def test_oversized_request_gets_a_japanese_page(app, ward_client):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    response = upload(ward_client, b"\xff" * (2 * 1024 * 1024), "huge.jpg")
    assert response.status_code == 413
    assert "大きすぎます（1MBまで）" in response.get_data(as_text=True)
    assert article() is None
