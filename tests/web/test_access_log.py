"""Access and server logs never write a client address in clear."""
from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date, timedelta
from types import SimpleNamespace

from gunicorn.config import Config

from core.client_tags import client_tag
from testkit import PROJECT_ROOT
from web.access_log import logger_class

SECRET = "test-secret-key"
CLIENT = "203.0.113.77"


def _logger():
    config = Config()
    config.set("accesslog", "-")
    config.set("logger_class", logger_class(SECRET))
    return config.logger_class(config)


def _access_line(logger, capsys) -> str:
    environ = {"REMOTE_ADDR": CLIENT, "REQUEST_METHOD": "GET", "RAW_URI": "/healthz", "SERVER_PROTOCOL": "HTTP/1.1",
               "PATH_INFO": "/healthz", "QUERY_STRING": "", "HTTP_USER_AGENT": "test"}
    response = SimpleNamespace(status="200 OK", sent=2, headers=[])
    request = SimpleNamespace(headers=[("X-Forwarded-For", "198.51.100.5")])
    logger.access(response, request, environ, timedelta(milliseconds=3))
    return capsys.readouterr().out


def test_tag_is_keyed_and_changes_every_day():
    today, tomorrow = date(2026, 12, 3), date(2026, 12, 4)
    assert client_tag(CLIENT, SECRET, today) == client_tag(CLIENT, SECRET, today)
    assert client_tag(CLIENT, SECRET, today) != client_tag(CLIENT, SECRET, tomorrow)
    assert client_tag(CLIENT, SECRET, today) != client_tag(CLIENT, "another key", today)
    assert CLIENT not in client_tag(CLIENT, SECRET, today)


def test_access_line_carries_a_tag_instead_of_the_address(capsys):
    line = _access_line(_logger(), capsys)
    assert "GET /healthz" in line
    assert CLIENT not in line and "198.51.100.5" not in line
    assert client_tag(CLIENT, SECRET) in line


def test_invalid_request_warnings_are_tagged_too(caplog):
    logger = _logger()
    logger.error_log.propagate = True
    with caplog.at_level(logging.WARNING, logger="gunicorn.error"):
        logger.warning(f"Invalid request from ip={CLIENT}: Invalid HTTP method")
        logger.warning("Invalid request from ip=::1: Invalid HTTP method")
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert CLIENT not in text and "ip=::1" not in text
    assert f"ip={client_tag(CLIENT, SECRET)}: Invalid HTTP method" in text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, deadline: float) -> None:
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_monozukuri_serve_writes_no_client_address(sqlite_template, tmp_path):
    database = tmp_path / "db.sqlite3"
    database.write_bytes(sqlite_template.read_bytes())
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "INSTANCE_PATH": str(tmp_path / "instance"),
           "SECRET_KEY": SECRET, "PORT": str(port), "HOST": "127.0.0.1", "APP_ENV": "development"}
    log_file = tmp_path / "serve.log"
    with log_file.open("w") as out:
        server = subprocess.Popen([sys.executable, "-m", "web.cli", "serve", "--workers", "1"], cwd=PROJECT_ROOT,
                                  env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_for(f"http://127.0.0.1:{port}/healthz", time.monotonic() + 60)
            urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=10).read()
            time.sleep(0.5)
        finally:
            server.terminate()
            server.wait(timeout=20)
    access_lines = [line for line in log_file.read_text().splitlines() if '"GET /' in line]
    assert any("/robots.txt" in line for line in access_lines), log_file.read_text()
    assert all("127.0.0.1" not in line for line in access_lines), access_lines
    assert all(client_tag("127.0.0.1", SECRET) in line for line in access_lines)
