"""Posting one broadcast to X: the image first (if any), then the post or the thread."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from bot.x import problems, progress
from bot.x.client import REFUSED, AuthRefused, XClient
from channels.base import Delivery
from channels.outcome import Outcome

MANUAL = "手動投稿待ち: Xのアクセストークンが未設定のため、Xの管理画面の「手動で投稿」から投稿してください"


def x_token(config: Mapping) -> str | None:
    return (config.get("X_USER_ACCESS_TOKEN") or "").strip() or None


class ManualSender:
    """No token: nothing is sent; staff post by hand and paste the address."""

    def send(self, delivery: Delivery) -> Outcome:
        return Outcome("stopped", error=MANUAL)

    def close(self) -> None:
        pass


class XSender:
    def __init__(self, config: Mapping, timeout: float) -> None:
        self.client = XClient(config.get("X_API_BASE_URL") or "https://api.x.com", x_token(config), timeout)
        self.media_dir = Path(config.get("INSTANCE_PATH") or "instance") / "media"

    def close(self) -> None:
        self.client.close()

    def _image(self, name: str | None) -> tuple[list[str], Outcome | None]:
        path = self.media_dir / name if name else None
        if path is None or path.parent != self.media_dir or not path.is_file():
            return [], None
        media_id, problem = self.client.upload_image(path.read_bytes())
        return ([media_id] if media_id else []), problem

    def send(self, delivery: Delivery) -> Outcome:
        posts = list((delivery.payload or {}).get("posts") or [])
        if not posts:
            return Outcome.failed("Xに送る本文がありません")
        try:
            return self._send_thread(delivery.retry_key, posts, (delivery.payload or {}).get("image"))
        except AuthRefused as refused:
            problems.switch_off(refused.status, str(refused))
            return Outcome.failed(REFUSED.format(status=refused.status), refused.status)

    def _send_thread(self, key: str, posts: list[str], image: str | None) -> Outcome:
        """Post the parts not yet on X (progress is in the database, see bot.x.progress)."""
        done = progress.posted_parts(key)
        media_ids: list[str] = []
        if not done:
            media_ids, problem = self._image(image)
            if problem:
                return problem
        for index in range(len(done), len(posts)):
            post_id, problem = self.client.post(posts[index], media_ids if index == 0 else None,
                                                done[-1] if done else None)
            if problem:
                return _with_progress(problem, len(done), len(posts))
            progress.record_part(key, index, post_id)
            done.append(post_id)
        return Outcome.sent(201, done[0])


def _with_progress(problem: Outcome, posted: int, total: int) -> Outcome:
    """Staff see how far a thread got when it stopped half way."""
    if not posted or total < 2:
        return problem
    note = (f"（スレッドは{total}件中{posted}件目まで投稿済みです。再送すると続きから投稿します）" if problem.result != "retry"
            else f"（スレッドは{total}件中{posted}件目まで投稿済みです。続きから投稿します）")
    return replace(problem, error=f"{problem.error or ''}{note}")
