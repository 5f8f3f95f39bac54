"""Shared plumbing for the API stand-ins: a real HTTP server on 127.0.0.1,
call recording, fault injection and latency.

Subclasses implement :meth:`StandinServer.handle`, which turns a werkzeug
request into a :class:`Reply`. Everything else (threading, recording, the
fault queue) lives here so that the LINE and Discord stand-ins behave the
same way for tests.
"""
from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response


@dataclass
class RecordedCall:
    """One HTTP request as the stand-in saw it, with the status it got."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    json: Any
    body_bytes: bytes
    status: int = 0
    operation_id: str | None = None  # OpenAPI operationId, when routed
    response_json: Any = None

    def header(self, name: str, default: str | None = None) -> str | None:
        """Case-insensitive header lookup."""
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), default)


@dataclass
class RejectedRequest:
    """A request refused because it breaks the spec (or a documented limit)."""

    method: str
    path: str
    operation_id: str | None
    violations: list  # list[openapi_validation.Violation]

    def __str__(self) -> str:
        details = "; ".join(f"{v.property or v.location}: {v.message}" for v in self.violations)
        return f"{self.method} {self.path} ({self.operation_id}): {details}"


@dataclass
class Reply:
    status: int
    body: Any = None  # JSON-serialisable, bytes, or None for no body
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


@dataclass
class Fault:
    status: int
    remaining: int | None  # None = unlimited (ratio faults)
    path_prefix: str | None = None
    retry_after: float | None = None
    ratio: float = 1.0
    after_delivery: bool = False  # process the request, then answer `status`

    def applies_to(self, path: str) -> bool:
        return self.path_prefix is None or path.startswith(self.path_prefix)


class _QuietHandler(WSGIRequestHandler):
    """Keep werkzeug's per-request access log out of test output."""

    def log_request(self, *args, **kwargs) -> None:
        pass


class StandinServer:
    """Base class: start/stop, context manager, recording, faults."""

    #: Prefix stripped from request paths before routing (Discord: /api/v10).
    path_prefix = ""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.calls: list[RecordedCall] = []
        self.validation_errors: list[RejectedRequest] = []
        #: Stand-in answers that do not match the spec: a bug in the stand-in.
        self.response_errors: list[str] = []
        self.latency: float = 0.0
        self._faults: list[Fault] = []
        self._rng = random.Random(0)
        self._clock_offset = 0.0
        self._server = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------
    def start(self) -> StandinServer:
        if self._server is not None:
            return self
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True,
                                   request_handler=_QuietHandler)
        # A short poll interval keeps stop() fast (shutdown waits for a poll).
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        name=type(self).__name__, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("stand-in not started")
        return self._server.server_port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- time (token lifetimes) ---------------------------------------------------
    def now(self) -> float:
        """The stand-in's clock (epoch seconds); tests move it with :meth:`advance`."""
        return time.time() + self._clock_offset

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass for the stand-in, e.g. to make a reply token expire."""
        with self._lock:
            self._clock_offset += seconds

    # -- inspection -----------------------------------------------------------
    def calls_to(self, path_or_prefix: str, method: str | None = None) -> list[RecordedCall]:
        """Calls whose path equals or starts with ``path_or_prefix``."""
        with self._lock:
            return [c for c in self.calls if c.path.startswith(path_or_prefix)
                    and (method is None or c.method == method.upper())]

    def violations(self) -> list:
        """All spec violations of all rejected requests, flattened."""
        with self._lock:
            return [v for rejected in self.validation_errors for v in rejected.violations]

    # -- fault injection -------------------------------------------------------
    def fail_next(self, status: int, count: int = 1, path_prefix: str | None = None,
                  retry_after: float | None = None, after_delivery: bool = False) -> None:
        """Answer ``status`` to the next ``count`` matching (valid) requests.

        Faults are applied after authentication and validation and, unless
        ``after_delivery`` is true, *before* anything is delivered: a 500
        means "not sent". ``after_delivery=True`` models the nasty case of a
        request that was processed but whose answer was lost.
        """
        with self._lock:
            self._faults.append(Fault(status, count, path_prefix, retry_after, after_delivery=after_delivery))

    def fail_ratio(self, status: int, ratio: float, seed: int = 0, path_prefix: str | None = None,
                   retry_after: float | None = None) -> None:
        """Answer ``status`` to a random ``ratio`` of matching requests
        (deterministic for a given seed)."""
        with self._lock:
            self._rng = random.Random(seed)
            self._faults.append(Fault(status, None, path_prefix, retry_after, ratio=ratio))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def take_fault(self, path: str) -> Fault | None:
        """Consume the fault that applies to this request, if any."""
        with self._lock:
            for fault in self._faults:
                if not fault.applies_to(path):
                    continue
                if fault.remaining is None:
                    if self._rng.random() < fault.ratio:
                        return fault
                    continue
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    # -- request handling ---------------------------------------------------------
    def handle(self, request: Request, call: RecordedCall) -> Reply:  # pragma: no cover
        raise NotImplementedError

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        body = request.get_data(cache=True)
        path = request.path
        call = RecordedCall(
            method=request.method,
            path=path[len(self.path_prefix):] if path.startswith(self.path_prefix) else path,
            query={k: request.args.getlist(k) for k in request.args},
            headers=dict(request.headers.items()),
            json=_try_json(body),
            body_bytes=body,
        )
        if self.latency:
            time.sleep(self.latency)
        try:
            reply = self.handle(request, call)
        except Exception as exc:  # a stand-in bug must be visible, not a hang
            reply = Reply(500, {"message": f"stand-in error: {exc!r}"})
            with self._lock:
                self.response_errors.append(f"{call.method} {call.path}: {exc!r}")
        call.status = reply.status
        call.response_json = reply.body if not isinstance(reply.body, bytes) else None
        with self._lock:
            self.calls.append(call)
        return _to_response(reply)(environ, start_response)


def _try_json(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None


def _to_response(reply: Reply) -> Response:
    if reply.body is None:
        data, mimetype = b"", None
    elif isinstance(reply.body, bytes):
        data, mimetype = reply.body, reply.content_type
    else:
        data, mimetype = json.dumps(reply.body, ensure_ascii=False).encode(), "application/json"
    response = Response(data, status=reply.status, mimetype=mimetype)
    for name, value in reply.headers.items():
        response.headers[name] = value
    return response
