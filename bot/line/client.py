"""Messaging API clients from the app config (created per use, never at import).

The SDK is imported where a client is made, not when this module is: web processes
import this module (settings, the console) and only the worker and a few console
actions talk to LINE; the SDK costs ~60 MB in every process that loads it.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linebot.v3 import insight
    from linebot.v3.messaging import Configuration, MessagingApi, MessagingApiBlob
    from linebot.v3.messaging.exceptions import ApiException

PUBLIC_API = "https://api.line.me"
PUBLIC_DATA_API = "https://api-data.line.me"
REQUEST_TIMEOUT = (5, 15)  # connect, read (seconds): a stuck call must not stall the worker


class LineNotConfigured(RuntimeError):
    """The LINE channel is off: no access token configured."""


def configuration(config: Mapping, host: str | None = None) -> Configuration:
    """The SDK configuration of our channel (the messaging API host unless ``host`` is given)."""
    token = config.get("LINE_CHANNEL_ACCESS_TOKEN")
    if not token:
        raise LineNotConfigured("LINE_CHANNEL_ACCESS_TOKEN is not set; the LINE channel is off")
    from linebot.v3.messaging import Configuration

    return Configuration(host=host or str(config["LINE_API_BASE_URL"]).rstrip("/"), access_token=token)


def data_api_host(api_base: str) -> str:
    """Uploads go to api-data.line.me in production; a stand-in serves both on one host."""
    return PUBLIC_DATA_API if api_base.rstrip("/") == PUBLIC_API else api_base


def is_configured(config: Mapping) -> bool:
    return bool(config.get("LINE_CHANNEL_SECRET") and config.get("LINE_CHANNEL_ACCESS_TOKEN"))


@contextmanager
def messaging_api(config: Mapping) -> Iterator[MessagingApi]:
    from linebot.v3.messaging import ApiClient, MessagingApi

    with ApiClient(configuration(config, config["LINE_API_BASE_URL"].rstrip("/"))) as client:
        yield MessagingApi(client)


@contextmanager
def blob_api(config: Mapping) -> Iterator[MessagingApiBlob]:
    from linebot.v3.messaging import ApiClient, MessagingApiBlob

    with ApiClient(configuration(config, data_api_host(config["LINE_API_BASE_URL"].rstrip("/")))) as client:
        yield MessagingApiBlob(client)


@contextmanager
def insight_api(config: Mapping) -> Iterator[insight.Insight]:
    from linebot.v3 import insight

    settings = configuration(config, config["LINE_API_BASE_URL"].rstrip("/"))
    with insight.ApiClient(insight.Configuration(host=settings.host, access_token=settings.access_token)) as client:
        yield insight.Insight(client)


def error_message(exc: ApiException) -> str:
    body = exc.body.decode("utf-8", "replace") if isinstance(exc.body, (bytes, bytearray)) else (exc.body or "")
    return f"LINE API {exc.status}: {body[:500] or exc.reason}"


def is_retryable(exc: Exception) -> bool:
    """Rate limits, server errors and network failures are worth another try; 4xx are not."""
    from linebot.v3.messaging.exceptions import ApiException

    if isinstance(exc, ApiException):
        return exc.status is None or exc.status == 429 or exc.status >= 500
    return True
