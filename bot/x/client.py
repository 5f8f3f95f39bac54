"""The X API v2 over plain HTTP: post (POST /2/tweets), image upload (POST /2/media/upload)
and the posts' impressions (GET /2/tweets?ids=…&tweet.fields=public_metrics).

Every answer becomes an ``Outcome``: 429 waits until ``x-rate-limit-reset``; a duplicate
post fails with a clear message; 401/403 (the token was revoked or lacks a scope) switch
the channel off until staff fix it.
"""
from __future__ import annotations

import json
import time

import requests

from channels.outcome import Outcome

DUPLICATE = "同じ内容の投稿がすでにXにあるため、Xが投稿を受け付けませんでした。本文を変えて配信し直してください"
REFUSED = ("Xがアクセストークンを受け付けませんでした（HTTP {status}）。公式Xのチャンネルを停止しました。"
           "トークンを確認してから、Xの管理画面で「再開」を押してください")


LOOKUP_BATCH = 100  # ids per post lookup (X's maximum)


class ReadRefused(Exception):
    """X would not give the posts' numbers (no tweet.read scope, an API plan without reads, 429...)."""


class AuthRefused(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status


def _detail(response: requests.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text[:300]
    if not isinstance(data, dict):
        return str(data)[:300]
    errors = data.get("errors") or []
    messages = [str(data.get("detail") or data.get("title") or "")] + [
        str(e.get("message") or e.get("detail") or "") for e in errors if isinstance(e, dict)]
    return "; ".join(m for m in messages if m)[:300]


def outcome_of_error(response: requests.Response, now: float | None = None) -> Outcome:
    status, detail = response.status_code, _detail(response)
    if status == 429:
        reset = response.headers.get("x-rate-limit-reset")
        wait = max(float(reset) - (now or time.time()), 1.0) if reset and reset.isdigit() else None
        return Outcome.retry(f"Xの投稿回数の上限に達しました。{'時刻になったら' if wait else ''}自動で再送します", 429, wait)
    if status == 403 and "duplicate" in detail.lower():
        return Outcome.failed(DUPLICATE, 403)
    if status in (401, 403):
        raise AuthRefused(status, detail)
    if status >= 500:
        return Outcome.retry(f"Xが一時的に応答しません（HTTP {status}）", status)
    return Outcome.failed(f"Xが投稿を受け付けませんでした（HTTP {status}: {detail}）", status)


class XClient:
    def __init__(self, base_url: str, token: str, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.timeout = timeout

    def close(self) -> None:
        self.session.close()

    def upload_image(self, data: bytes, mime: str = "image/jpeg") -> tuple[str | None, Outcome | None]:
        response = self.session.post(f"{self.base_url}/2/media/upload", timeout=self.timeout,
                                     files={"media": ("image.jpg", data, mime)},
                                     data={"media_category": "tweet_image", "media_type": mime})
        if response.status_code >= 300:
            return None, outcome_of_error(response)
        return str(response.json()["data"]["id"]), None

    def post(self, text: str, media_ids: list[str] | None = None,
             reply_to: str | None = None) -> tuple[str | None, Outcome | None]:
        body: dict = {"text": text}
        if media_ids:
            body["media"] = {"media_ids": media_ids}
        if reply_to:
            body["reply"] = {"in_reply_to_tweet_id": reply_to}
        response = self.session.post(f"{self.base_url}/2/tweets", timeout=self.timeout, data=json.dumps(body),
                                     headers={"Content-Type": "application/json"})
        if response.status_code >= 300:
            return None, outcome_of_error(response)
        return str(response.json()["data"]["id"]), None

    def impressions(self, post_ids: list[str]) -> dict[str, int]:
        """Post id → impression count (public_metrics) for the posts X still has; at most 100 ids."""
        try:
            response = self.session.get(f"{self.base_url}/2/tweets", timeout=self.timeout,
                                        params={"ids": ",".join(post_ids), "tweet.fields": "public_metrics"})
            if response.status_code != 200:
                raise ReadRefused(f"HTTP {response.status_code}: {_detail(response)}")
            data = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise ReadRefused(f"{type(exc).__name__}: {exc}") from exc
        found = {}
        for item in (data if isinstance(data, dict) else {}).get("data") or []:
            count = (item.get("public_metrics") or {}).get("impression_count")
            if isinstance(count, int) and count >= 0:
                found[str(item.get("id"))] = count
        return found
