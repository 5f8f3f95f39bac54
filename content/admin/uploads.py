"""Hero image upload: check the file, write clean renditions, never keep the original.

The upload is written to a private temporary file (outside ``media/``) and
handed to ``content.images.store_renditions``, which verifies it is a real
image within the byte and pixel limits and re-encodes the pixels only (no
EXIF, so no GPS position).
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from werkzeug.datastructures import FileStorage

from content.images import MAX_BYTES, ImageError, store_renditions, validate_image

ALLOWED_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif"}


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
            validate_image(Path(handle.name))  # first: store_renditions reads headers unguarded
            return store_renditions(Path(handle.name), Path(instance_path, "media"), slug or "upload")
        except ImageError as exc:
            raise ImageError(_friendly(str(exc))) from exc


def _friendly(message: str) -> str:
    # Pillow's own wording (and our temporary path) mean nothing to editors.
    if message.startswith("画像として読み込めません"):
        return "画像として読み込めませんでした。壊れていない JPEG・PNG などの画像ファイルを選んでください"
    return message
