"""Text-message jobs: one drain delivers every queued message (issue 13)."""

import time
from datetime import timedelta

from flask import current_app

from pbvote.core.jobs import (
    WAKE_SECONDS,
    clear_wake,
    heartbeat_seconds,
    redis_connection,
    wake_now,
)
from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.sms import services

# How long a woken drain waits before it claims: the SMS of that moment go in one
# job (and cost the web one Redis command each), at the price of this much delay.
DRAIN_WINDOW = 0.05


def drain_sms() -> int:
    """Deliver every queued message and every failed one due for a retry, codes
    first, a batch of groups per transaction; returns how many were sent.

    Woken by the commits that queue messages (services.wake_drain); it first
    waits DRAIN_WINDOW (setting SMS_DRAIN_WINDOW_SECONDS), its flag still set,
    so that the commits of that moment wake no other job: they are sent by this
    one (with an idle worker every message would otherwise cost a job, issue
    13). While a window brings messages, it keeps its flag and claims again
    after the next window, for at most one worker beat (its tick, and other
    jobs of the queue, wait no longer): under a steady flow of votes the web
    then queues no job at all and the worker runs one job per beat, not one per
    window (each cost RQ's bookkeeping on both sides). Not in-process: there the
    request that committed is waiting.

    Why nothing committed is left behind: while the flag is set, a commit that
    finds it set is claimed by this job's next claim, which starts after that
    commit. The flag is cleared *before* the last claim. A message committed
    before the clear is committed before that claim's statement starts, so the
    claim sees it (READ COMMITTED: each statement sees what was committed when
    it began), unless another drain holds it (SKIP LOCKED), and that drain sends
    it. A message committed after the clear makes its request's SET NX either
    succeed, and queue another drain, or find the flag set by a later wake whose
    drain has not cleared it yet, and will claim after that commit. So the last
    round may stop at the first claim that is not full: what it did not see was
    committed after the clear (or is held by another drain, which sends its
    groups whole; the worker's tick, safety_net, wakes a drain for anything left
    queued over 10 s).

    Safe to run twice and in parallel: claimed rows are locked, sent ones are
    deleted or 'sent', and a row is tried at most once per drain (a message
    that fails is skipped until the next drain: a failing gateway is tried once
    per message and drain, then at RETRY_AFTER_SECONDS from the worker's tick).
    A worker killed mid-batch resends that batch (at least once, never lost).
    """
    failed: set[int] = set()
    sent = 0
    if redis_connection() is not None:
        window = current_app.config.get("SMS_DRAIN_WINDOW_SECONDS", DRAIN_WINDOW)
        kept_until = time.monotonic() + heartbeat_seconds()
        time.sleep(window)
        while time.monotonic() < kept_until:
            delivered = _deliver_claimable(failed)
            sent += delivered
            if not delivered:
                break
            time.sleep(window)
    clear_wake(services.DRAIN_JOB)
    return sent + _deliver_claimable(failed)


def _deliver_claimable(failed: set[int]) -> int:
    """Claim and send batches until one is not full (see drain_sms); the
    messages that fail join ``failed``, skipped by this drain from then on."""
    sent = 0
    while True:
        rows = services.claim_batch(utcnow(), skip=failed)
        delivered, failures = services.deliver_batch(rows, utcnow())
        db.session.commit()
        failed.update(failures)
        sent += delivered
        if len({row.head for row in rows}) < services.DRAIN_BATCH:
            return sent


def deliver_sms(*message_ids: int) -> int:
    """The job of an older release (one per message group), still queued when
    this one started: the drain delivers these messages, in order, with the rest."""
    return drain_sms()


def safety_net() -> str:
    """Run by every worker's tick: wake a drain for a message nobody takes care
    of (due for a retry, or still queued after its wake was lost, e.g. a web
    process killed between the flag and the job). At most one drain is pending."""
    stale = timedelta(seconds=WAKE_SECONDS // 3)
    if services.has_claimable(utcnow(), stale):
        db.session.commit()
        if wake_now(services.DRAIN_JOB, **services.DRAIN_JOB_OPTIONS):
            return "drain woken"
    db.session.commit()
    return "nothing to wake"


def retry_failed_sms() -> int:
    """Queue every failed message again (staff's retry); returns how many wait."""
    count = services.requeue_failed()
    db.session.commit()
    return count
