"""Add-friend routes: a whitelisted ``/friend/<key>`` link and QR code per place of contact.

Sources come from ``kpi/data/inflow_sources.yaml`` (always there) plus the ones
staff add in the console (``kpi_inflow_sources``). Only known keys redirect, and
only to the configured LINE/Discord URL: the request never chooses the target.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import qrcode
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from kpi.models import InflowSource

DATA_FILE = Path(__file__).resolve().parent / "data" / "inflow_sources.yaml"
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
TARGETS = {"line": "LINE_FRIEND_URL", "discord": "DISCORD_INVITE_URL"}
TARGET_LABELS = {"line": "LINE友だち追加", "discord": "Discordサーバー招待"}


class InflowError(ValueError):
    """Bad input for a new source; ``message`` is Japanese for the console."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Source:
    key: str
    label: str
    target: str = "line"
    from_file: bool = False


@lru_cache(maxsize=1)
def file_sources() -> tuple[Source, ...]:
    data = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8")) or {}
    return tuple(Source(s["key"], s["label"], s.get("target", "line"), True) for s in data.get("sources", []))


def all_sources(session: Session) -> list[Source]:
    """File sources first, then console ones (a console row never shadows a file key)."""
    known = {s.key: s for s in file_sources()}
    rows = session.scalars(select(InflowSource).where(InflowSource.active.is_(True)).order_by(InflowSource.key))
    for row in rows:
        known.setdefault(row.key, Source(row.key, row.label, row.target))
    return list(known.values())


def find_source(session: Session, key: str) -> Source | None:
    if not KEY_PATTERN.match(key or ""):
        return None
    return next((s for s in all_sources(session) if s.key == key), None)


def validate_new_source(session: Session, key: str, label: str, target: str) -> tuple[str, str, str]:
    key, label = (key or "").strip().lower(), (label or "").strip()
    if not KEY_PATTERN.match(key):
        raise InflowError("キーは半角英小文字・数字・ハイフンで2〜40文字にしてください（例：school-visit-2027）。")
    if not label or len(label) > 100:
        raise InflowError("名前（どこで配るリンクか）を100文字以内で入力してください。")
    if target not in TARGETS:
        raise InflowError("リンク先はLINEかDiscordを選んでください。")
    if any(s.key == key for s in file_sources()) or session.get(InflowSource, key) is not None:
        raise InflowError(f"キー「{key}」はすでに使われています。別のキーにしてください。")
    return key, label, target


def add_source(session: Session, key: str, label: str, target: str = "line") -> InflowSource:
    key, label, target = validate_new_source(session, key, label, target)
    row = InflowSource(key=key, label=label, target=target)
    session.add(row)
    session.flush()
    return row


def deactivate_source(session: Session, key: str) -> bool:
    row = session.get(InflowSource, key)
    if row is None or not row.active:
        return False
    row.active = False
    return True


def target_url(config, source: Source) -> str | None:
    return config.get(TARGETS.get(source.target, "")) or None


def friend_url(config, key: str) -> str:
    return f"{config['BASE_URL']}/friend/{key}"


def qr_png(url: str, box_size: int = 10) -> bytes:
    """A print-ready QR code (error correction M survives a little dirt on a flyer)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(url)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()
