"""Image intake: verify, strip metadata, write responsive WebP + JPEG renditions."""
from __future__ import annotations

import hashlib
from pathlib import Path

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

RENDITION_WIDTHS = (480, 960, 1600)
# Decode cost bound, checked from the header before any pixel is decoded: 20 MP is a
# full-size photo from any phone or compact camera (~60 MB of RGB once decoded).
MAX_PIXELS = 20_000_000
MAX_BYTES = 15 * 1024 * 1024
TOO_MANY_PIXELS = (
    f"画像の画素数が多すぎます（{MAX_PIXELS // 10_000}万画素まで）。"
    "画像編集ソフトやスマートフォンで小さくしてから、もう一度選んでください"
)


class ImageError(ValueError):
    """The file is not an image we can safely use."""


def _open_verified(path: Path) -> Image.Image:
    if path.stat().st_size > MAX_BYTES:
        raise ImageError(f"画像が大きすぎます（{MAX_BYTES // 1024 // 1024}MBまで）")
    try:
        with Image.open(path) as probe:
            probe.verify()  # detects truncated/corrupt files without decoding everything
        image = Image.open(path)  # reads the header only
        if image.width * image.height > MAX_PIXELS:
            image.close()
            raise ImageError(TOO_MANY_PIXELS)
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ImageError(f"画像として読み込めません: {exc}") from exc
    return image


def _clean_rgb(image: Image.Image) -> Image.Image:
    # Apply the EXIF rotation, then rebuild pixels only: EXIF (incl. GPS) is not carried over.
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P"):
        background = Image.new("RGB", image.size, (255, 255, 255))
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.split()[-1])
        return background
    return image.convert("RGB")


def content_key(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def validate_image(path: Path) -> None:
    _open_verified(path).close()


def _rendition_widths(source: Path) -> list[int]:
    with Image.open(source) as probe:  # reads the header only
        turned = probe.getexif().get(ExifTags.Base.Orientation, 1) in (5, 6, 7, 8)
        width = probe.height if turned else probe.width
    return sorted({min(w, width) for w in RENDITION_WIDTHS})


def _rendition_exists(media_dir: Path, key: str, width: int) -> bool:
    return (media_dir / f"{key}-{width}.jpg").exists() and (media_dir / f"{key}-{width}.webp").exists()


def store_renditions(source: Path, media_dir: Path, name: str) -> tuple[str, list[int]]:
    """Write ``{key}-{w}.webp`` and ``.jpg`` renditions; return (key, widths).

    The key contains a content hash, so re-importing an unchanged image is free
    and a changed image gets new URLs (safe to cache forever).
    """
    key = f"{name}-{content_key(source)}"
    widths = _rendition_widths(source)
    if all(_rendition_exists(media_dir, key, width) for width in widths):
        return key, widths  # unchanged image: skip decoding and re-encoding
    image = _clean_rgb(_open_verified(source))
    media_dir.mkdir(parents=True, exist_ok=True)
    for width in widths:
        jpg, webp = media_dir / f"{key}-{width}.jpg", media_dir / f"{key}-{width}.webp"
        if _rendition_exists(media_dir, key, width):
            continue
        resized = image if width == image.width else image.resize(
            (width, round(image.height * width / image.width)), Image.LANCZOS
        )
        resized.save(webp, "WEBP", quality=80, method=4)
        resized.save(jpg, "JPEG", quality=82, optimize=True, progressive=True)
    return key, widths
