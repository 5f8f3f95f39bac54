"""Discord sender: posts a broadcast's embed to a channel through the REST API.

Kept apart from the LINE sender so the Discord bot work (crossposting,
threads, role management) can extend it without touching the pipeline.

Rate limits are tracked by the process-wide ``bot.discord.ratelimit`` limiter of the
bot token (shared with ``bot.discord.rest``). Each post carries the outbox row's
key as an enforced nonce, so a replay after a lost answer creates no duplicate.
"""
from __future__ import annotations

import json

import requests

from bot.discord.ratelimit import limiter_for
from channels.base import Delivery
from channels.outcome import Outcome

API_VERSION = "v10"
MAX_INLINE_WAIT = 5.0  # longer waits go back to the outbox instead of blocking a sender thread
NONCE_MAX = 25


def discord_configured(config) -> bool:
    return bool(config.get("DISCORD_BOT_TOKEN"))


def nonce_for(retry_key: str) -> str:
    return retry_key.replace("-", "")[:NONCE_MAX]


def message_body(payload: dict, retry_key: str, role_ids: tuple[str, ...] = ()) -> dict:
    """The create-message JSON: the shared embed plus this row's pings and nonce."""
    body = {key: value for key, value in payload.items() if value}
    content = body.get("content", "")
    if role_ids:
        pings = " ".join(f"<@&{role}>" for role in role_ids)
        body["content"] = f"{pings} {content}".strip()
        body["allowed_mentions"] = {"parse": [], "roles": list(role_ids)}
    else:
        body["allowed_mentions"] = {"parse": []}
    body["nonce"] = nonce_for(retry_key)
    body["enforce_nonce"] = True
    return body


def _error_text(response: requests.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    if not isinstance(data, dict):
        return f"HTTP {response.status_code}"
    text = f"HTTP {response.status_code}: {data.get('message', '')} (code {data.get('code')})"
    if data.get("errors"):
        text += " " + json.dumps(data["errors"], ensure_ascii=False)
    return text[:500]


class DiscordSender:
    def __init__(self, config, timeout: float = 30.0) -> None:
        self.base = f"{config['DISCORD_API_BASE_URL'].rstrip('/')}/api/{API_VERSION}"
        self.http = requests.Session()
        self.http.headers.update({
            "Authorization": f"Bot {config.get('DISCORD_BOT_TOKEN') or ''}",
            "User-Agent": "DiscordBot (https://www.city.ota.tokyo.jp, 1.0) monozukuri-broadcast",
        })
        self.timeout = timeout
        self.limits = limiter_for(config)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> DiscordSender:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- requests ----------------------------------------------------------------------------
    def _post(self, bucket: str, path: str, body: dict) -> tuple[Outcome | None, dict | None]:
        pending = self.limits.wait(bucket, MAX_INLINE_WAIT)
        if pending:
            return Outcome.retry("Discordのレート制限の解除待ち", 429, pending), None
        try:
            response = self.http.post(self.base + path, json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            return Outcome.retry(f"通信エラー: {type(exc).__name__}: {exc}"[:500]), None
        wait = self.limits.note(bucket, response)
        if wait is not None:
            return Outcome.retry(f"Discordのレート制限: {_error_text(response)}", 429, wait), None
        if response.status_code >= 500:
            return Outcome.retry(_error_text(response), response.status_code), None
        if response.status_code >= 400:
            return Outcome.failed(_error_text(response), response.status_code), None
        return None, response.json() if response.content else {}

    def send(self, delivery: Delivery) -> Outcome:
        if delivery.target:
            return self.post_message(delivery.target, delivery.payload, delivery.retry_key, delivery.mentions)
        return self.post_direct((list(delivery.recipients) or [""])[0], delivery.payload, delivery.retry_key)

    def post_message(self, channel_id: str, payload: dict, retry_key: str,
                     role_ids: tuple[str, ...] = ()) -> Outcome:
        body = message_body(payload, retry_key, role_ids)
        problem, data = self._post(f"channels:{channel_id}", f"/channels/{channel_id}/messages", body)
        if problem:
            return problem
        return Outcome.sent(200, str((data or {}).get("id") or "") or None)

    def post_direct(self, user_id: str, payload: dict, retry_key: str) -> Outcome:
        """A direct message to one Discord user (opens the DM channel first)."""
        problem, channel = self._post("dm", "/users/@me/channels", {"recipient_id": user_id})
        if problem:
            return problem
        return self.post_message(str(channel.get("id")), payload, retry_key)
