"""The LINE queue loop of one worker process: claimed jobs answered in batches, each user's in order.

The loop claims up to ``capacity`` due jobs in one statement and splits them into
batches by *lane* (the jobs of one user form a lane: answers arrive in the order
the user wrote, and two turns of one user never race on their subscriber row).
A few batch threads answer the batches (``processor.answer_batch``: the
conversations one after another, each committed alone; then every outcome in one
commit). Sending is mostly waiting for LINE, so a batch hands each answer, as soon
as it is prepared, to a pool of sender threads (one task per lane drains that
lane's answers in order) and waits for them before recording the outcomes: a user
waits for their own turn, not for the rest of the batch. The loop claims again as
soon as half the slots are free, and looks for new events every
``IDLE_POLL_SECONDS`` when idle, so a fresh event waits at most that long and its
reply token is still good (when busy, at most ``BUSY_WAIT_SECONDS``).

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
# Conversations are mostly waits on the database: a few threads overlap one's round trips
# with another's Python. Measured on a 3,000-event backlog (PostgreSQL and SQLite, 50 ms LINE
# latency): 4 threads 213–238 events/s, 6 threads 254–282, 8 no better than 6 (the
# interpreter lock is then held most of the time).
BATCH_THREADS = 6
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
            processor.answer_batch(session, self._api(), jobs, self.app.config, dispatcher=_LaneSender(self))

    def _api(self):
        """One Messaging API client per thread (its own keep-alive connections)."""
        api = getattr(self._local, "api", None)
        if api is None:
            context = messaging_api(self.app.config)
            api = self._local.api = context.__enter__()
            with self._lock:
                self._api_contexts.append((context, api))
        return api


class _LaneSender:
    """A batch's answers sent on the sender threads while the batch goes on: the lanes at
    once, each lane's in order (one task per lane drains what was handed over for it)."""

    def __init__(self, runner: QueueRunner):
        self._runner = runner
        self._lock = threading.Lock()
        self._waiting: dict[str, deque[processor.Delivery]] = {}
        self._tasks: list = []
        self._handed: list[processor.Delivery] = []
        self._outcomes: dict[int, queue.Outcome] = {}

    def submit(self, delivery: processor.Delivery) -> None:
        self._handed.append(delivery)
        with self._lock:
            waiting = self._waiting.get(delivery.lane)
            if waiting is not None:  # that lane's task is still sending: it takes this one next
                waiting.append(delivery)
                return
            self._waiting[delivery.lane] = deque([delivery])
        self._tasks.append(self._runner._senders.submit(self._drain, delivery.lane))

    def _drain(self, lane: str) -> None:
        api = self._runner._api()
        while True:
            with self._lock:
                waiting = self._waiting[lane]
                if not waiting:
                    del self._waiting[lane]
                    return
                delivery = waiting.popleft()
            outcome = processor.send_answer(api, delivery)
            with self._lock:
                self._outcomes[delivery.job_id] = outcome

    def wait(self) -> dict[int, queue.Outcome]:
        failure: BaseException | None = None
        for task in self._tasks:
            try:
                task.result()
            except Exception as exc:  # no client for that thread, say: its answers wait for a retry
                log.exception("LINE queue: answers could not be sent")
                failure = exc
        with self._lock:
            outcomes = dict(self._outcomes)
            self._waiting.clear()
        for delivery in self._handed:
            if delivery.job_id not in outcomes:
                error = f"{type(failure).__name__}: {failure}" if failure else "not sent"
                outcomes[delivery.job_id] = queue.Retry(error)
        return outcomes
