"""The check-in QR code: the PNG the project draws carries the signed check-in URL."""
from __future__ import annotations

import base64
import io

from events_helpers import apply
from PIL import Image

from events import qr, signing


def modules_of(png: bytes) -> list[list[bool]]:
    """Read the module grid back from the PNG (one sample in the middle of each module)."""
    image = Image.open(io.BytesIO(png)).convert("L")
    size = image.width // qr.BOX_SIZE
    half = qr.BOX_SIZE // 2
    return [[image.getpixel((x * qr.BOX_SIZE + half, y * qr.BOX_SIZE + half)) < 128 for x in range(size)]
            for y in range(size)]


def test_qr_png_encodes_the_signed_checkin_url(app, client, workshop):
    registration = apply(workshop, "A")
    response = client.get(f"/registrations/{registration.token}/qr.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    png = response.get_data()
    assert png.startswith(b"\x89PNG")
    expected_url = signing.checkin_url(app.config["BASE_URL"], app.config["SECRET_KEY"], registration.id)
    assert modules_of(png) == qr.qr_matrix(expected_url)
    assert signing.read_checkin_code(app.config["SECRET_KEY"], expected_url) == registration.id


def test_checkin_code_cannot_be_forged():
    code = signing.checkin_code("secret-a", 42)
    assert signing.read_checkin_code("secret-a", code) == 42
    assert signing.read_checkin_code("secret-b", code) is None
    payload, signature = code.split(".")
    other_id = base64.urlsafe_b64encode(b"43").decode().rstrip("=")
    assert payload != other_id
    assert signing.read_checkin_code("secret-a", f"{other_id}.{signature}") is None  # another id, old signature
    assert signing.read_checkin_code("secret-a", "") is None
    assert signing.read_checkin_code("secret-a", "x" * 500) is None


def test_no_qr_for_waitlisted_registrations(client, workshop):
    apply(workshop, "A", adults=10)
    waiting = apply(workshop, "B")
    assert client.get(f"/registrations/{waiting.token}/qr.png").status_code == 404
    assert "qr.png" not in client.get(f"/registrations/{waiting.token}").get_data(as_text=True)
