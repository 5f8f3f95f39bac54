"""Several workers draining one outbox: every chunk is claimed by exactly one of them."""
from __future__ import annotations

import threading
from collections import Counter

from broadcast_helpers import add_subscribers, deliveries, multicasts, standin_config

from core.db import db
from notifications.dispatcher import Dispatcher
from notifications.service import create_broadcast
from testkit import make_test_app

CHUNKS = 16


def test_two_workers_share_a_broadcast_without_double_sends(database_url, tmp_path, line_api):
    app = make_test_app(database_url, tmp_path / "i", **standin_config(
        line_api, BROADCAST_BATCH_SIZE=2, BROADCAST_CONCURRENCY=1))
    line_api.latency = 0.05
    with app.app_context():
        session = db.session
        users = add_subscribers(session, CHUNKS * 500)
        broadcast = create_broadcast(session, text="お知らせ", channels=["line"])
        session.commit()
        sent_by: dict[str, int] = {}
        errors: list[BaseException] = []

        def worker(name: str) -> None:
            own = db.new_session()
            try:
                with Dispatcher(app.config) as dispatcher:
                    sent_by[name] = dispatcher.run_once(own, budget_seconds=30).sent
            except BaseException as exc:  # surfaced below: a thread's failure must fail the test
                errors.append(exc)
            finally:
                own.close()

        threads = [threading.Thread(target=worker, args=(name,)) for name in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors, errors

        assert sum(sent_by.values()) == CHUNKS
        assert multicasts(line_api, 409) == []  # no chunk was claimed (and sent) twice
        assert len(multicasts(line_api)) == CHUNKS
        per_recipient = Counter(r for (_key, r), n in line_api.deliveries.items() for _ in range(n))
        assert set(per_recipient) == set(users) and set(per_recipient.values()) == {1}
        assert {r.status for r in deliveries(session, broadcast.id)} == {"sent"}
        if session.get_bind().dialect.name == "postgresql":
            # SKIP LOCKED lets both make progress instead of queueing behind each other.
            assert min(sent_by.values()) > 0, sent_by
    db.session.remove()
