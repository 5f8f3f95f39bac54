"""Problems staff must fix (a missing permission, a deleted channel), shown in the console.

``record`` is an upsert per (action, target): repeated failures only count up
and keep the newest detail, so a misconfigured channel cannot flood anything.
It writes with its own session, so callers (the bot, the broadcast sender)
can record from the middle of their own transaction.
"""
from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.discord.models import DiscordProblem
from core.db import db, utcnow

log = logging.getLogger(__name__)

ACTIONS: dict[str, str] = {
    "welcome": "歓迎メッセージの投稿",
    "role": "ロールの付け外し",
    "crosspost": "アナウンスチャンネルでの公開",
    "thread": "特集記事のスレッド作成",
    "scheduled_event": "Discordイベントの作成・更新",
    "commands": "スラッシュコマンドの登録",
    "reply": "コマンドへの返信",
}
# What staff should do, by Discord error code.
ADVICE: dict[int, str] = {
    50013: "ボットのロールに必要な権限がありません。サーバー設定でボットの権限（とロールの順番）を確認してください。",
    50001: "ボットがこのチャンネルを見られません。チャンネルの権限でボットに「チャンネルを見る」を許可してください。",
    10003: "チャンネルが見つかりません。削除されていないか確認し、配信設定・Discord設定でチャンネルを選び直してください。",
    10011: "ロールが見つかりません。配信設定でロールを選び直してください。",
    50024: "このチャンネルの種類ではできない操作です（アナウンスチャンネルか確認してください）。",
}


def advice(code: int | None, fallback: str = "") -> str:
    return ADVICE.get(code or 0, fallback or "Discordが操作を受け付けませんでした。設定を確認してください。")


def record(action: str, target_id: str | int, *, status: int | None = None, code: int | None = None,
           detail: str = "") -> None:
    """Note a problem in its own transaction (never touching the caller's session)."""
    target = str(target_id or "-")[:40]
    text = (detail or advice(code))[:1000]
    log.warning("Discord problem for staff: %s on %s: HTTP %s code %s: %s", action, target, status, code, text)
    session = db.new_session()
    try:
        _upsert(session, action[:40], target, dict(status=status, code=code, detail=text))
    except Exception:  # the warning above is then all staff get; never break the caller for this
        log.exception("could not store the Discord problem")
        session.rollback()
    finally:
        session.close()


def _upsert(session: Session, action: str, target: str, values: dict, retry: bool = True) -> None:
    now = utcnow()
    values = {**values, "last_seen_at": now, "resolved_at": None}
    changed = session.execute(
        update(DiscordProblem).where(DiscordProblem.action == action, DiscordProblem.target_id == target)
        .values(count=DiscordProblem.count + 1, **values)
    ).rowcount
    if not changed:
        session.add(DiscordProblem(action=action, target_id=target, first_seen_at=now, count=1, **values))
    try:
        session.commit()
    except IntegrityError:  # a concurrent first record of the same problem: count it there
        session.rollback()
        if retry:
            _upsert(session, action, target, values, retry=False)


def open_problems(session: Session) -> list[DiscordProblem]:
    query = select(DiscordProblem).where(DiscordProblem.resolved_at.is_(None))
    return list(session.scalars(query.order_by(DiscordProblem.last_seen_at.desc())))


def recent_resolved(session: Session, limit: int = 10) -> list[DiscordProblem]:
    query = select(DiscordProblem).where(DiscordProblem.resolved_at.is_not(None))
    return list(session.scalars(query.order_by(DiscordProblem.resolved_at.desc()).limit(limit)))


def resolve(session: Session, problem_id: int) -> DiscordProblem | None:
    problem = session.get(DiscordProblem, problem_id)
    if problem is not None and problem.resolved_at is None:
        problem.resolved_at = utcnow()
    return problem


def action_label(action: str) -> str:
    return ACTIONS.get(action, action)
