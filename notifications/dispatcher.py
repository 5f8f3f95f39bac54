"""The delivery loop the worker runs: start due broadcasts, then drain the outbox.

Per batch: claim rows (committed), send them in parallel (no transaction is
held while waiting on the network), then write every result and close the
finished broadcasts in one short transaction.
"""
from __future__ import annotations

import logging
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from channels import registry
from channels.base import Delivery, Sender
from channels.outcome import Outcome
from core.db import utcnow
from notifications import outbox
from notifications.launch import payload_of, start_due
from notifications.models import Broadcast
from notifications.outbox import ClaimedRow, Decision
from notifications.pacing import TokenBucket, backoff_seconds
from notifications.settings import DeliverySettings, delivery_settings

log = logging.getLogger(__name__)


@dataclass
class RunStats:
    started: list[int] = field(default_factory=list)
    attempts: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    stopped: int = 0

    def add(self, decision: Decision) -> None:
        self.attempts += 1
        if decision.status == "sent":
            self.sent += 1
        elif decision.status == "pending":
            self.retried += 1
        elif decision.status == "failed":
            self.failed += 1
        else:
            self.stopped += 1


@dataclass(frozen=True)
class Job:
    """One claimed row with what is needed to send it (read once per batch)."""

    row: ClaimedRow
    broadcast_status: str
    payload: list | dict | None
    unit: str | None


class Dispatcher:
    def __init__(self, config, settings: DeliverySettings | None = None, rng: random.Random | None = None,
                 share_of: int = 1):
        """``share_of``: worker processes sending at once; LINE's rate limit is per channel, so each takes 1/N."""
        self.config = config
        self.settings = settings or delivery_settings(config)
        self.bucket = TokenBucket(self.settings.requests_per_second / max(1, share_of))
        self.rng = rng or random.Random()
        self.channels = {channel.name: channel for channel in registry.all_channels(config)}
        self.senders: dict[str, Sender | None] = {}  # opened on first use, one per channel
        self._senders_lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=self.settings.concurrency, thread_name_prefix="deliver")
        self._out_of_quota: set[int] = set()  # broadcasts stopped during the current batch

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        for sender in self.senders.values():
            if sender is not None:
                sender.close()

    def __enter__(self) -> Dispatcher:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- the loop ----------------------------------------------------------------------
    def run_once(self, session: Session, budget_seconds: float | None = None) -> RunStats:
        """Start due broadcasts, then send until nothing is due or the time budget is spent.

        At least one batch is sent per run: on a busy machine, starting a large broadcast
        can take the whole budget, and a run that then sent nothing would make no progress.
        """
        budget = self.settings.run_budget_seconds if budget_seconds is None else budget_seconds
        deadline = time.monotonic() + budget
        stats = RunStats(started=start_due(session, self.config))
        while True:
            rows = outbox.claim(session, utcnow(), self.settings.batch_size, self.settings.lease_seconds)
            if not rows:
                break
            self._deliver_batch(session, rows, stats)
            if time.monotonic() >= deadline:
                break
        self._close_finished(session)
        return stats

    def _deliver_batch(self, session: Session, rows: list[ClaimedRow], stats: RunStats) -> None:
        jobs = self._jobs(session, rows)
        self._out_of_quota.clear()  # from the next batch on, the broadcast's status says it
        outcomes = list(self._pool.map(self._attempt, jobs))
        now = utcnow()
        results, stops = [], {}
        for job, outcome in zip(jobs, outcomes):
            decision = self.decide(job.row, outcome, now)
            if outcome.result == "quota":
                stops[job.row.broadcast_id] = outcome.error
            results.append((job.row, outcome, decision))
            stats.add(decision)
        outbox.record(session, results, now)
        for broadcast_id, reason in stops.items():
            outbox.stop_broadcast(session, broadcast_id, reason, now)
        outbox.finish_broadcasts(session, {row.broadcast_id for row in rows}, now)
        session.commit()

    def _jobs(self, session: Session, rows: list[ClaimedRow]) -> list[Job]:
        ids = {row.broadcast_id for row in rows}
        info = {b.id: b for b in session.execute(
            select(Broadcast.id, Broadcast.status, Broadcast.payloads, Broadcast.aggregation_unit)
            .where(Broadcast.id.in_(ids))
        )}
        jobs = []
        for row in rows:
            b = info[row.broadcast_id]
            payload = payload_of(b.payloads, row.channel, row.segment)
            jobs.append(Job(row, b.status, payload, b.aggregation_unit))
        return jobs

    def _close_finished(self, session: Session) -> None:
        outbox.finish_broadcasts(session, outbox.sending_broadcast_ids(session), utcnow())
        session.commit()

    # -- one attempt (runs in a sender thread) ---------------------------------------------
    def _attempt(self, job: Job) -> Outcome:
        if job.broadcast_status == "cancelled":
            return Outcome("cancelled", error="配信が取り消されたため送信しませんでした")
        channel = self.channels.get(job.row.channel)
        if channel is None:
            return Outcome.failed(f"未対応のチャンネルです: {job.row.channel}")
        out_of_quota = job.broadcast_status == "stopped" or job.row.broadcast_id in self._out_of_quota
        if channel.quota_limited and out_of_quota:
            return Outcome("stopped", error=f"{channel.label}の今月の送信上限に達したため送信しませんでした")
        try:
            outcome = self._send(channel.name, job)
        except Exception as exc:  # a bug must not leave the row locked until its lease ends
            log.exception("delivery %s raised", job.row.id)
            return Outcome.retry(f"内部エラー: {type(exc).__name__}: {exc}"[:500])
        if outcome.result == "quota":
            self._out_of_quota.add(job.row.broadcast_id)
        return outcome

    def _sender(self, name: str) -> Sender | None:
        with self._senders_lock:
            if name not in self.senders:
                self.senders[name] = self.channels[name].sender(self.config, self.settings.request_timeout)
            return self.senders[name]

    def _send(self, name: str, job: Job) -> Outcome:
        sender = self._sender(name)
        if sender is None:
            channel = self.channels[name]
            return Outcome.failed(f"{channel.label}が設定されていません（{channel.setup_hint()}）")
        if self.channels[name].paced:
            self.bucket.acquire()  # the platform's request rate, shared by every chunk
        row = job.row
        delivery = Delivery(broadcast_id=row.broadcast_id, retry_key=row.retry_key, payload=job.payload,
                            recipients=row.recipients or [], target=row.target,
                            mentions=tuple(r for r in (row.mention or "").split(",") if r), unit=job.unit,
                            segment=row.segment)
        return sender.send(delivery)

    # -- what an outcome means ----------------------------------------------------------------
    def decide(self, row: ClaimedRow, outcome: Outcome, now: datetime) -> Decision:
        if outcome.result in ("sent", "failed"):
            return Decision(outcome.result)
        if outcome.result in ("quota", "stopped"):
            return Decision("stopped")
        if outcome.result == "cancelled":
            return Decision("cancelled")
        if row.attempts >= self.settings.max_attempts:
            return Decision("failed")
        wait = backoff_seconds(row.attempts, self.settings.retry_base_seconds, self.settings.retry_max_seconds,
                               self.rng)
        wait = max(wait, outcome.retry_after or 0.0)
        return Decision("pending", now + timedelta(seconds=wait))
