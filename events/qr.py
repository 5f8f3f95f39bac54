"""Check-in QR codes, drawn by the project (qrcode + Pillow) as PNG."""
from __future__ import annotations

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M

BOX_SIZE = 8  # pixels per module: sharp on phones, still small (a few KB)
BORDER = 4  # the quiet zone the QR standard asks for


def _code(data: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=BOX_SIZE, border=BORDER)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_matrix(data: str) -> list[list[bool]]:
    """The modules (True = dark), quiet zone included."""
    return _code(data).get_matrix()


def qr_png(data: str) -> bytes:
    image = _code(data).make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
