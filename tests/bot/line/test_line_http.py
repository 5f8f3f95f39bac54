"""bot.line.http: replies and pushes on one keep-alive connection per client, errors as the SDK raises them."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from linebot.v3.messaging import ApiClient, Configuration, MessagingApi
from linebot.v3.messaging.exceptions import ApiException

from bot.line.http import poster_for


class _Server:
    """An HTTP/1.1 server counting connections; answers with ``status`` and closes after ``close_after`` requests."""

    def __init__(self, status: int = 200, close_after: int | None = None):
        self.connections, self.requests = 0, []
        self.closed = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                server.connections += 1
                self.served = 0

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                server.requests.append((self.path, dict(self.headers), json.loads(body)))
                self.served += 1
                answer = b"{}" if status == 200 else b'{"message":"Invalid reply token"}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
                if close_after is not None and self.served >= close_after:
                    self.close_connection = True

            def do_GET(self):
                server.requests.append((self.path, dict(self.headers), None))
                answer = json.dumps({"userId": "U1", "displayName": "大田 花子"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *_args):
                pass

        class Httpd(ThreadingHTTPServer):
            def shutdown_request(self, request):
                super().shutdown_request(request)  # the socket is closed now
                server.closed.set()

        self.httpd = Httpd(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(request):
    started = _Server(**getattr(request, "param", {}))
    yield started
    started.stop()


def _api(url: str) -> MessagingApi:
    return MessagingApi(ApiClient(Configuration(host=url, access_token="token-1")))


def test_posts_reuse_one_connection_with_the_sdk_headers(server):
    api = _api(server.url)
    poster = poster_for(api)
    assert poster is poster_for(api)
    for n in range(3):
        poster.post("/v2/bot/message/reply", {"replyToken": f"t{n}", "messages": [{"type": "text", "text": "こんにちは"}]})
    assert server.connections == 1 and len(server.requests) == 3
    path, headers, body = server.requests[0]
    assert path == "/v2/bot/message/reply" and body["messages"][0]["text"] == "こんにちは"
    assert headers["Authorization"] == "Bearer token-1" and headers["User-Agent"].startswith("line-bot-sdk-python")
    poster.close()


@pytest.mark.parametrize("server", [{"close_after": 1}], indirect=True)
def test_a_connection_closed_by_the_server_is_replaced_before_the_next_post(server):
    poster = poster_for(_api(server.url))
    poster.post("/v2/bot/message/push", {"to": "U1", "messages": []}, {"X-Line-Retry-Key": "k1"})
    assert server.closed.wait(5)  # the server has hung up the idle connection
    poster.post("/v2/bot/message/push", {"to": "U1", "messages": []}, {"X-Line-Retry-Key": "k2"})
    assert server.connections == 2 and [r[1]["X-Line-Retry-Key"] for r in server.requests] == ["k1", "k2"]
    poster.close()


@pytest.mark.parametrize("server", [{"status": 400}], indirect=True)
def test_refusals_raise_the_sdk_exception_with_status_and_body(server):
    poster = poster_for(_api(server.url))
    with pytest.raises(ApiException) as raised:
        poster.post("/v2/bot/message/reply", {"replyToken": "t", "messages": []})
    assert raised.value.status == 400 and b"Invalid reply token" in raised.value.body
    poster.close()


def test_behind_a_proxy_the_sdk_client_is_used():
    settings = Configuration(host="http://127.0.0.1:9", access_token="t")
    settings.proxy = "http://127.0.0.1:3128"
    assert poster_for(MessagingApi(ApiClient(settings))) is None


def test_a_profile_is_read_on_the_same_connection_with_the_user_id_quoted(server):
    from bot.line.processor import fetch_display_name

    api = _api(server.url)
    poster_for(api).post("/v2/bot/message/reply", {"replyToken": "t", "messages": []})
    assert fetch_display_name(api, "U1/../x?y") == "大田 花子"
    assert server.connections == 1 and server.requests[-1][0] == "/v2/bot/profile/U1%2F..%2Fx%3Fy"
    poster_for(api).close()


def test_a_failed_connect_is_tried_again_and_then_reported(server, monkeypatch):
    import http.client

    poster = poster_for(_api(server.url))
    real, failures = http.client.HTTPConnection.connect, []

    def flaky_connect(self):
        if len(failures) < 2:
            failures.append(1)
            raise ConnectionRefusedError("refused")
        real(self)

    monkeypatch.setattr(http.client.HTTPConnection, "connect", flaky_connect)
    poster.post("/v2/bot/message/reply", {"replyToken": "t", "messages": []})  # third attempt connects
    assert len(server.requests) == 1
    poster.close()
    failures.clear()
    monkeypatch.setattr(http.client.HTTPConnection, "connect", lambda self: (_ for _ in ()).throw(OSError("down")))
    with pytest.raises(OSError):
        poster.post("/v2/bot/message/reply", {"replyToken": "t", "messages": []})
    assert len(server.requests) == 1
