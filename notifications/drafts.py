"""Review of broadcast drafts between contractor (委託事業者) and ward staff (区職員).

A draft (status "draft") waits for ward staff. They approve it (→ "queued": the worker
sends it), send it back with a reason (差し戻し → "returned": it waits for its writer,
who fixes it and hands it over again), or cancel it. Both sides write in one comment
thread per draft. Plain functions taking a session; the caller commits. Every step is
audited in the same transaction.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from channels import registry
from core.db import utcnow
from notifications import compose, validation
from notifications.models import Broadcast, BroadcastComment
from notifications.quiet_hours import deliver_at
from notifications.service import status_label
from notifications.validation import BroadcastError
from staff import audit

COMMENT_MAX = 2000
KIND_LABELS = {"comment": "コメント", "sendback": "差し戻し", "resubmit": "直して再依頼", "approve": "承認",
               "cancel": "取り消し"}
OPEN = ("draft", "returned")  # still under review: comments and changes are possible
REVIEWER_ROLES = ("ward", "admin")


def is_reviewer(staff) -> bool:
    return staff is not None and staff.role in REVIEWER_ROLES


def get_draft(session: Session, broadcast_id: int) -> Broadcast | None:
    """A broadcast that started as a draft (other broadcasts are not reviewed here)."""
    if broadcast_id >= 2**31:
        return None
    broadcast = session.get(Broadcast, broadcast_id)
    return broadcast if broadcast is not None and broadcast.origin == "draft" else None


def drafts(session: Session, statuses=OPEN, limit: int = 100) -> list[Broadcast]:
    query = (select(Broadcast).where(Broadcast.origin == "draft", Broadcast.status.in_(statuses))
             .order_by(Broadcast.created_at.desc(), Broadcast.id.desc()).limit(limit))
    return list(session.scalars(query))


def thread(session: Session, broadcast_id: int) -> list[BroadcastComment]:
    query = select(BroadcastComment).where(BroadcastComment.broadcast_id == broadcast_id)
    return list(session.scalars(query.order_by(BroadcastComment.id)))


def _clean(body: str) -> str:
    body = (body or "").strip()
    if len(body) > COMMENT_MAX:
        raise BroadcastError(f"コメントは{COMMENT_MAX}文字以内にしてください")
    return body


def _note(session: Session, broadcast: Broadcast, staff, kind: str, body: str) -> BroadcastComment:
    comment = BroadcastComment(broadcast_id=broadcast.id, staff_id=staff.id if staff else None, kind=kind, body=body)
    session.add(comment)
    session.flush()
    audit.record(session, staff, f"broadcast.{kind}", "broadcast", broadcast.id,
                 {"title": broadcast.title, "comment": body})
    return comment


def add_comment(session: Session, broadcast: Broadcast, staff, body: str) -> BroadcastComment:
    body = _clean(body)
    if not body:
        raise BroadcastError("コメントを入力してください")
    if broadcast.status not in OPEN:
        raise BroadcastError("この下書きのやりとりは終わっています（承認または取り消し済みです）")
    return _note(session, broadcast, staff, "comment", body)


def _move(session: Session, broadcast: Broadcast, before: str, after: str, **values) -> None:
    """Change the status only if it still is ``before`` (a second click or another person loses)."""
    done = session.execute(update(Broadcast).where(Broadcast.id == broadcast.id, Broadcast.status == before)
                           .values(status=after, **values)).rowcount
    session.refresh(broadcast)
    if done != 1:
        raise BroadcastError(f"この下書きはすでに状態が変わっています（いまの状態: {status_label(broadcast.status)}）。"
                             "ページを開き直してください")


def send_back(session: Session, broadcast: Broadcast, staff, reason: str) -> BroadcastComment:
    """差し戻し: the draft goes back to its writer with the reason; nothing is sent."""
    if not is_reviewer(staff):
        raise BroadcastError("差し戻しは区職員または管理者のみ行えます")
    reason = _clean(reason)
    if not reason:
        raise BroadcastError("差し戻しの理由を書いてください（書いた人に表示されます）")
    _move(session, broadcast, "draft", "returned")
    return _note(session, broadcast, staff, "sendback", reason)


def resubmit(session: Session, broadcast: Broadcast, staff, *, article, text: str, topics, channels,
             note: str = "", config=None) -> Broadcast:
    """The writer's fixed version goes back to ward staff (checked like a new draft)."""
    config = config if config is not None else current_app.config
    note = _clean(note)
    req = validation.check_request(session, config, article=article, text=text, topics=topics, personas=(),
                                   channels=channels, at=None, unit=None)
    _move(session, broadcast, "returned", "draft")
    broadcast.article, broadcast.text, broadcast.title = article, req.text, compose.headline(req.text, article)
    broadcast.topics, broadcast.channels = req.topics, req.channels
    broadcast.web_post = any(registry.get(name, config).public for name in req.channels)
    broadcast.payloads = None
    _note(session, broadcast, staff, "resubmit", note)
    return broadcast


def approve(session: Session, broadcast: Broadcast, staff, note: str = "", config=None) -> Broadcast:
    """Ward approval: the worker sends the draft (after quiet hours)."""
    if not is_reviewer(staff):
        raise BroadcastError("承認は区職員または管理者のみ行えます")
    config = config if config is not None else current_app.config
    now = utcnow()
    _move(session, broadcast, "draft", "queued", approved_at=now, approved_by_id=staff.id,
          send_at=deliver_at(config, now, False))
    _note(session, broadcast, staff, "approve", _clean(note))
    return broadcast


def cancel(session: Session, broadcast: Broadcast, staff, note: str = "") -> Broadcast:
    """Ward staff stop a draft for good (nothing is sent)."""
    if not is_reviewer(staff):
        raise BroadcastError("取り消しは区職員または管理者のみ行えます")
    before = broadcast.status if broadcast.status in OPEN else "draft"
    _move(session, broadcast, before, "cancelled", cancelled_at=utcnow())
    _note(session, broadcast, staff, "cancel", _clean(note))
    return broadcast


def waiting(session: Session, staff) -> list[Broadcast]:
    """Drafts waiting for this person: for ward staff to decide, for writers to fix."""
    if staff is None:
        return []
    mine_returned = (Broadcast.status == "returned") & (Broadcast.created_by_id == staff.id)
    condition = or_(Broadcast.status == "draft", mine_returned) if is_reviewer(staff) else mine_returned
    query = select(Broadcast).where(Broadcast.origin == "draft", condition).order_by(Broadcast.created_at)
    return list(session.scalars(query))
