"""Lean JSON calls to the Messaging API on one keep-alive connection (the worker's replies, pushes, profiles).

The SDK's client (its REST wrapper over urllib3's pool manager) spent twice the CPU of
the request itself on every answer; a worker thread only ever talks to one host, so a
plain ``http.client`` connection per thread does the same job. Same contract as the
SDK: the headers of the SDK client (User-Agent, bearer token), TLS verified against the
SDK's CA bundle, non-2xx answers raised as the SDK's ``ApiException`` (status, reason,
body, headers), network failures as ``OSError``/``http.client.HTTPException``.
A connection the server closed while idle is noticed before it is reused (never a
request sent into a dead socket and then retried: a reply token works only once).
"""
from __future__ import annotations

import http.client
import json
import select
import ssl
from urllib.parse import urlsplit

from linebot.v3.messaging import MessagingApi
from linebot.v3.messaging.exceptions import ApiException

from bot.line.client import REQUEST_TIMEOUT

CONNECT_ATTEMPTS = 3


class JsonPoster:
    def __init__(self, api: MessagingApi, timeout: tuple[float, float] = REQUEST_TIMEOUT):
        client = api.api_client
        settings = client.configuration
        url = urlsplit(settings.host)
        self._https = url.scheme == "https"
        self._host, self._port = url.hostname, url.port
        self._prefix = url.path.rstrip("/")
        self._headers = {**client.default_headers, "Content-Type": "application/json"}
        self._connect_timeout, self._read_timeout = timeout
        self._context = None
        if self._https:
            self._context = ssl.create_default_context(cafile=settings.ssl_ca_cert or _ca_bundle())
        self._connection: http.client.HTTPConnection | None = None

    def post(self, path: str, body: dict, headers: dict | None = None) -> bytes:
        """POST ``body`` as JSON; the response body of a 2xx answer, ``ApiException`` otherwise."""
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        return self._request("POST", path, data, headers)

    def get_json(self, path: str):
        """GET ``path``; the decoded JSON of a 2xx answer, ``ApiException`` otherwise."""
        return json.loads(self._request("GET", path, None, None))

    def _request(self, method: str, path: str, data: bytes | None, headers: dict | None) -> bytes:
        connection = self._open()
        try:
            connection.request(method, self._prefix + path, body=data, headers={**self._headers, **(headers or {})})
            response = connection.getresponse()
            content = response.read()
        except BaseException:
            self.close()
            raise
        if response.will_close:
            self.close()
        if not 200 <= response.status <= 299:
            error = ApiException(status=response.status, reason=response.reason)
            error.body, error.headers = content, response.headers
            raise error
        return content

    def _open(self) -> http.client.HTTPConnection:
        connection = self._connection
        if connection is not None and connection.sock is not None and _closed_by_peer(connection.sock):
            self.close()
            connection = None
        if connection is None:
            connection = self._connect()
            connection.sock.settimeout(self._read_timeout)
            self._connection = connection
        return connection

    def _connect(self) -> http.client.HTTPConnection:
        """A new connection; a failed connect is tried again (nothing was sent yet), as urllib3 does by default."""
        for attempt in range(CONNECT_ATTEMPTS):
            if self._https:
                connection = http.client.HTTPSConnection(self._host, self._port, timeout=self._connect_timeout,
                                                         context=self._context)
            else:
                connection = http.client.HTTPConnection(self._host, self._port, timeout=self._connect_timeout)
            try:
                connection.connect()
                return connection
            except OSError:
                connection.close()
                if attempt == CONNECT_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _closed_by_peer(sock) -> bool:
    """An idle keep-alive socket that is readable was closed by the server (or holds garbage): not reusable."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def _ca_bundle() -> str | None:
    try:
        import certifi
    except ModuleNotFoundError:  # the system's certificates then
        return None
    return certifi.where()


def poster_for(api: MessagingApi) -> JsonPoster | None:
    """The poster of this client (made on first use; clients are per thread); None behind a proxy (the SDK's path)."""
    poster = api.__dict__.get("_json_poster")
    if poster is None:
        if api.api_client.configuration.proxy:
            return None
        poster = api.__dict__["_json_poster"] = JsonPoster(api)
    return poster
