"""The LINE queue loop of one worker process: many jobs in flight, each user's in order.

Answering an event is mostly waiting (the reply call to LINE, the database), so
one process keeps up to ``capacity`` claimed jobs in flight on a thread pool.
Jobs of the same user form a *lane* and run one after another, oldest first:
answers arrive in the order the user wrote, and two turns of one user never
race on their subscriber row. The loop claims again as soon as half the slots
are free, and looks for new events every ``IDLE_POLL_SECONDS`` when idle, so a
fresh event waits at most that long and its reply token is still good.

Several worker processes may run this loop at once (PostgreSQL): claiming is
exclusive (``queue.claim_lanes``), so no job runs twice.
"""
from __future__ import annotations

import logging
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor

from bot.line import queue
from bot.line.client import messaging_api
from bot.line.models import BotJob
from bot.line.processor import run_job
from core.worker import job_session

log = logging.getLogger(__name__)

IDLE_POLL_SECONDS = 0.1
DEFAULT_THREADS = 16


class QueueRunner:
    def __init__(self, app, threads: int = DEFAULT_THREADS, capacity: int | None = None):
        self.app = app
        self.capacity = capacity or threads * 2
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="line-job")
        self._lock = threading.Lock()
        self._slot_freed = threading.Condition(self._lock)
        self._lanes: dict[str, deque[int]] = {}
        self._inflight = 0
        self._local = threading.local()
        self._api_contexts: list = []

    # -- claiming -------------------------------------------------------------------------------
    def claim_and_dispatch(self) -> int:
        """Claim as many due jobs as there are free slots and start them; returns how many."""
        free = self.capacity - self._inflight
        if free <= 0:
            return 0
        with job_session(self.app) as session:
            claimed = queue.claim_lanes(session, free, channel="line")
        with self._lock:
            for job_id, lane in claimed:
                self._inflight += 1
                if lane in self._lanes:  # this user already has a job running: queue behind it
                    self._lanes[lane].append(job_id)
                else:
                    self._lanes[lane] = deque([job_id])
                    self._pool.submit(self._drain_lane, lane)
        return len(claimed)

    def run_forever(self, stop: threading.Event) -> None:
        log.info("LINE queue loop started (%d jobs in flight at most)", self.capacity)
        while not stop.is_set():
            try:
                claimed = self.claim_and_dispatch()
            except Exception:  # a lost database must not end the loop; the next round retries
                log.exception("LINE queue: claiming failed")
                stop.wait(1)
                continue
            self._wait_for_work(claimed)
        self.wait_idle()

    def _wait_for_work(self, claimed: int) -> None:
        """Idle: poll again shortly. Busy: wait until half the slots are free (one claim, many jobs)."""
        with self._lock:
            if claimed == 0:
                self._slot_freed.wait(IDLE_POLL_SECONDS)
                return
            refill = max(1, self.capacity // 2)
            self._slot_freed.wait_for(lambda: self.capacity - self._inflight >= refill, IDLE_POLL_SECONDS)

    def wait_idle(self, timeout: float | None = None) -> bool:
        with self._lock:
            return self._slot_freed.wait_for(lambda: self._inflight == 0, timeout)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        for context in self._api_contexts:
            context.__exit__(None, None, None)
        self._api_contexts.clear()

    # -- running (pool threads) -----------------------------------------------------------------
    def _drain_lane(self, lane: str) -> None:
        while True:
            with self._lock:
                pending = self._lanes[lane]
                if not pending:
                    del self._lanes[lane]
                    return
                job_id = pending.popleft()
            try:
                self._run(job_id)
            except Exception:  # run_job already contains job failures; this is the session itself
                log.exception("LINE queue: job %s could not be run", job_id)
            finally:
                with self._lock:
                    self._inflight -= 1
                    self._slot_freed.notify_all()

    def _api(self):
        """One Messaging API client per pool thread (its own keep-alive connections)."""
        api = getattr(self._local, "api", None)
        if api is None:
            context = messaging_api(self.app.config)
            api = self._local.api = context.__enter__()
            with self._lock:
                self._api_contexts.append(context)
        return api

    def _run(self, job_id: int) -> None:
        with job_session(self.app) as session:
            job = session.get(BotJob, job_id)
            if job is not None:
                run_job(session, self._api(), job, self.app.config)
