"""The login lockout holds when many wrong passwords arrive at the same moment (real threads)."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from console_helpers import PASSWORD, csrf_from, login

from staff import login as login_service
from staff import throttle

PARALLEL = 40


def _count_password_checks(monkeypatch) -> list:
    """Record every password check; each takes as long as a production argon2 hash would."""
    checked = []
    lock = threading.Lock()
    real_verify = login_service.verify_password

    def slow_verify(password_hash, password):
        with lock:
            checked.append(password)
        time.sleep(0.05)
        return real_verify(password_hash, password)

    monkeypatch.setattr(login_service, "verify_password", slow_verify)
    return checked


def _guess(app, email: str, barrier: threading.Barrier) -> int:
    client = app.test_client()
    token = csrf_from(client.get("/admin/login").get_data(as_text=True))
    barrier.wait()
    data = {"email": email, "password": "wrong password!!", "csrf_token": token}
    return client.post("/admin/login", data=data).status_code


def test_parallel_wrong_passwords_never_get_past_the_limit(app, ward, monkeypatch):
    checked = _count_password_checks(monkeypatch)
    barrier = threading.Barrier(PARALLEL)
    with ThreadPoolExecutor(PARALLEL) as pool:
        statuses = list(pool.map(lambda _: _guess(app, ward.email, barrier), range(PARALLEL)))
    assert statuses == [401] * PARALLEL
    assert len(checked) <= throttle.MAX_FAILURES
    # Still locked for the right password from that address.
    response = login(app.test_client(), ward.email, PASSWORD)
    assert response.status_code == 401
    assert "一時的にロックしています" in response.get_data(as_text=True)
