"""The LINE queue loop of one worker process: claimed jobs answered in batches, each user's in order.

The loop claims up to ``capacity`` due jobs in one statement and splits them into
batches by *lane* (the jobs of one user form a lane: answers arrive in the order
the user wrote, and two turns of one user never race on their subscriber row).
A few batch threads answer the batches (``processor.answer_batch``: the
conversations one after another, each committed alone; then the answers; then
every outcome in one commit). Sending is mostly waiting for LINE, so a batch
hands its answers to a pool of sender threads, one task per lane, and waits for
them. The loop claims again as soon as half the slots are free, and looks for new
events every ``IDLE_POLL_SECONDS`` when idle, so a fresh event waits at most that
long and its reply token is still good (when busy, at most ``BUSY_WAIT_SECONDS``).

Several worker processes may run this loop at once (PostgreSQL): claiming is
exclusive (``queue.claim_jobs``), so no job runs twice.
"""
from __future__ import annotations

import logging
import math
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor

from bot.line import processor, queue
from bot.line.client import messaging_api
from bot.line.models import BotJob
from core.worker import job_session

log = logging.getLogger(__name__)

IDLE_POLL_SECONDS = 0.1
# Busy: claim again when half the slots are free (one claim, full batches), or after this long at most.
BUSY_WAIT_SECONDS = 1.0
DEFAULT_THREADS = 16
# Conversations are CPU work: a few threads overlap one's database round trips with
# another's Python; more would only take turns on the interpreter lock.
BATCH_THREADS = 4
MIN_BATCH = 8  # jobs: smaller batches spend more on their own bookkeeping (session, outcomes) than they save
SLOTS_PER_THREAD = 4  # claimed jobs in flight per sender thread (capacity)


class QueueRunner:
    def __init__(self, app, threads: int = DEFAULT_THREADS, capacity: int | None = None):
        self.app = app
        self.capacity = capacity or threads * SLOTS_PER_THREAD
        self._batch_threads = max(1, min(BATCH_THREADS, threads))
        self._batches = ThreadPoolExecutor(self._batch_threads, thread_name_prefix="line-batch")
        self._senders = ThreadPoolExecutor(threads, thread_name_prefix="line-send")
        self._lock = threading.Lock()
        self._slot_freed = threading.Condition(self._lock)
        # Lanes a batch of this process is answering → their jobs claimed since (answered next by that batch).
        self._lanes: dict[str, deque[BotJob]] = {}
        self._inflight = 0
        self._local = threading.local()
        self._api_contexts: list = []

    # -- claiming -------------------------------------------------------------------------------
    def claim_and_dispatch(self) -> int:
        """Claim as many due jobs as there are free slots and start answering them; returns how many."""
        free = self.capacity - self._inflight
        if free <= 0:
            return 0
        with job_session(self.app) as session:
            claimed = queue.claim_jobs(session, free, channel="line")
        if not claimed:
            return 0
        with self._lock:
            fresh: dict[str, list[BotJob]] = {}
            for job in claimed:
                self._inflight += 1
                lane = queue.lane_of_job(job)
                if lane in self._lanes:  # a batch is answering this user: it takes this job next
                    self._lanes[lane].append(job)
                else:
                    fresh.setdefault(lane, []).append(job)
            for lane, jobs in fresh.items():
                self._lanes[lane] = deque(jobs)
            for lanes in self._split(fresh):
                self._batches.submit(self._answer_lanes, lanes)
        return len(claimed)

    def _split(self, lanes: dict[str, list[BotJob]]) -> list[list[str]]:
        """Lanes spread over up to ``BATCH_THREADS`` batches of similar size (at least MIN_BATCH jobs each)."""
        total = sum(len(jobs) for jobs in lanes.values())
        if not total:
            return []
        count = max(1, min(self._batch_threads, math.ceil(total / MIN_BATCH), len(lanes)))
        groups: list[list[str]] = [[] for _ in range(count)]
        sizes = [0] * count
        for lane, jobs in lanes.items():  # oldest first; each lane to the smallest batch so far
            smallest = sizes.index(min(sizes))
            groups[smallest].append(lane)
            sizes[smallest] += len(jobs)
        return groups

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
            self._slot_freed.wait_for(lambda: self.capacity - self._inflight >= refill, BUSY_WAIT_SECONDS)

    def wait_idle(self, timeout: float | None = None) -> bool:
        with self._lock:
            return self._slot_freed.wait_for(lambda: self._inflight == 0, timeout)

    def close(self) -> None:
        self._batches.shutdown(wait=True)
        self._senders.shutdown(wait=True)
        for context, api in self._api_contexts:
            poster = api.__dict__.get("_json_poster")
            if poster is not None:
                poster.close()
            context.__exit__(None, None, None)
        self._api_contexts.clear()

    # -- answering (batch threads) --------------------------------------------------------------
    def _answer_lanes(self, lanes: list[str]) -> None:
        """Answer the jobs of ``lanes``, and those claimed for them meanwhile, until none are left."""
        while True:
            with self._lock:
                jobs = [job for lane in lanes for job in self._lanes[lane]]
                if not jobs:
                    for lane in lanes:
                        del self._lanes[lane]
                    return
                for lane in lanes:
                    self._lanes[lane].clear()
            jobs.sort(key=lambda job: job.id)
            try:
                self._answer(jobs)
            except Exception:  # answer_batch contains job failures; this is the session itself
                log.exception("LINE queue: a batch of %d job(s) could not be answered", len(jobs))
            finally:
                with self._lock:
                    self._inflight -= len(jobs)
                    self._slot_freed.notify_all()

    def _answer(self, jobs: list[BotJob]) -> None:
        with job_session(self.app) as session:
            for job in jobs:
                session.add(job)  # loaded by the claim: nothing is read again
            processor.answer_batch(session, self._api(), jobs, self.app.config, send_all=self._send_all)

    def _send_all(self, deliveries: list[processor.Delivery]) -> dict[int, queue.Outcome]:
        """Send a batch's answers: the lanes at once on the sender threads, each lane's in order."""
        lanes: dict[str, list[processor.Delivery]] = {}
        for delivery in deliveries:
            lanes.setdefault(delivery.lane, []).append(delivery)
        if len(lanes) == 1:
            return processor.send_in_order(self._api(), deliveries)
        futures = [(items, self._senders.submit(self._send_lane, items)) for items in lanes.values()]
        outcomes: dict[int, queue.Outcome] = {}
        for items, future in futures:
            try:
                outcomes.update(future.result())
            except Exception as exc:  # no client for that thread, say: those answers wait for a retry
                log.exception("LINE queue: %d answer(s) could not be sent", len(items))
                outcomes.update((item.job_id, queue.Retry(f"{type(exc).__name__}: {exc}")) for item in items)
        return outcomes

    def _send_lane(self, deliveries: list[processor.Delivery]) -> dict[int, queue.Outcome]:
        return processor.send_in_order(self._api(), deliveries)

    def _api(self):
        """One Messaging API client per thread (its own keep-alive connections)."""
        api = getattr(self._local, "api", None)
        if api is None:
            context = messaging_api(self.app.config)
            api = self._local.api = context.__enter__()
            with self._lock:
                self._api_contexts.append((context, api))
        return api
