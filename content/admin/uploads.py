"""Hero image upload: check the file, write clean renditions, never keep the original.

The upload is written to a private temporary file (outside ``media/``) and
handed to ``content.images.store_renditions``, which verifies it is a real
image within the byte and pixel limits and re-encodes the pixels only (no
EXIF, so no GPS position).

Decoding and re-encoding take a request thread for a second or more, so at
most ``IMAGE_PROCESSING_SLOTS`` uploads are processed at once per process
(default 1, below gunicorn's 4 threads): public pages never wait behind
uploads. A further upload waits ``IMAGE_SLOT_WAIT_SECONDS`` for a slot, then
gets a clear "混み合っています" error instead of queueing.
"""
from __future__ import annotations

import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage

from content.images import MAX_BYTES, ImageError, store_renditions, validate_image

ALLOWED_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif"}
DEFAULT_SLOTS = 1
DEFAULT_WAIT_SECONDS = 3.0
SLOTS_KEY = "content_image_slots"
BUSY_MESSAGE = "ただいま画像の処理が混み合っています。30秒ほど待ってから、もう一度保存してください"


class ImageBusy(ImageError):
    """Every image-processing slot stayed taken for the whole wait."""


def install_slots(app) -> None:
    slots = app.config.get("IMAGE_PROCESSING_SLOTS") or DEFAULT_SLOTS
    app.extensions[SLOTS_KEY] = threading.BoundedSemaphore(max(1, int(slots)))


@contextmanager
def processing_slot():
    slots = current_app.extensions[SLOTS_KEY]
    wait = float(current_app.config.get("IMAGE_SLOT_WAIT_SECONDS", DEFAULT_WAIT_SECONDS))
    if not slots.acquire(timeout=wait):
        raise ImageBusy(BUSY_MESSAGE)
    try:
        yield
    finally:
        slots.release()


def has_upload(file: FileStorage | None) -> bool:
    return file is not None and bool(file.filename)


def _check_name(file: FileStorage) -> None:
    suffix = Path(file.filename or "").suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ImageError("画像は JPEG・PNG・WebP・GIF のいずれかを選んでください")


def _copy_limited(file: FileStorage, target) -> None:
    copied = 0
    while chunk := file.stream.read(1024 * 1024):
        copied += len(chunk)
        if copied > MAX_BYTES:
            raise ImageError(f"画像が大きすぎます（{MAX_BYTES // 1024 // 1024}MBまで）")
        target.write(chunk)
    if copied == 0:
        raise ImageError("画像ファイルが空です")


def store_hero_upload(file: FileStorage, instance_path: str, slug: str) -> tuple[str, list[int]]:
    """Return (hero_image key, widths); raise ImageError with a Japanese message."""
    _check_name(file)
    scratch = Path(instance_path, "tmp")
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=scratch, suffix=".upload") as handle:
        _copy_limited(file, handle)
        handle.flush()
        try:
            with processing_slot():
                validate_image(Path(handle.name))  # first: store_renditions reads headers unguarded
                return store_renditions(Path(handle.name), Path(instance_path, "media"), slug or "upload")
        except ImageBusy:
            raise
        except ImageError as exc:
            raise ImageError(_friendly(str(exc))) from exc


def _friendly(message: str) -> str:
    # Pillow's own wording (and our temporary path) mean nothing to editors.
    if message.startswith("画像として読み込めません"):
        return "画像として読み込めませんでした。壊れていない JPEG・PNG などの画像ファイルを選んでください"
    return message
