"""Helpers for the LIFF tests: config, a page's nonce, identification through the stand-in."""
from __future__ import annotations

import re

from tests.bot.line.line_helpers import line_config
from tests.standins.line_api import LineStandin

NONCE = re.compile(r'data-nonce="([A-Za-z0-9_-]+)"')


def liff_config(line: LineStandin, **extra) -> dict:
    return {**line_config(line), "LINE_LOGIN_CHANNEL_ID": line.login_channel_id, "QUIET_HOURS": "",
            "LIFF_SDK_URL": "https://liff-sdk.test/sdk.js", "BROADCAST_RETRY_BASE_SECONDS": 0.001,
            "BROADCAST_RETRY_MAX_SECONDS": 0.01, **extra}


def page_nonce(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    assert response.headers["Cache-Control"] == "no-store"
    return NONCE.search(response.get_data(as_text=True)).group(1)


def identify(client, line: LineStandin, user_id: str, page: str, identify_url: str, **token_options):
    nonce = page_nonce(client, page)
    token = line.issue_id_token(user_id, token_options.pop("nonce", nonce), **token_options)
    return client.post(identify_url, json={"id_token": token, "nonce": nonce})
