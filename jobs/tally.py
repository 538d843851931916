"""Tally jobs (queue "tally"): scheduling, chain check, chunk opening, counting.

Each entry point takes ids and plain values, calls one step of
:mod:`pbvote.results.counting` and commits. ``prepare`` fans out one job per
chunk and a count job that depends on all of them, so several workers open
ballots in parallel; without Redis the same steps run one after the other here.
"""

import logging
from datetime import datetime

from rq import get_current_job

from pbvote.core.jobs import redis_connection
from pbvote.core.time import utcnow
from pbvote.extensions import db

log = logging.getLogger(__name__)


def schedule_start(cycle_id: int, end_iso: str) -> str:
    """Schedule :func:`start_due` at the end of voting (RQ's scheduler)."""
    from pbvote.results.services import JOB_TIMEOUT, QUEUE

    connection = redis_connection()
    if connection is None:
        log.info(
            "no Redis: the tally of cycle %s starts with `pbvote tally-due` or "
            "the staff button",
            cycle_id,
        )
        return "not scheduled"
    from rq import Queue

    Queue(QUEUE, connection=connection).enqueue_at(
        datetime.fromisoformat(end_iso),
        "jobs.tally.start_due",
        cycle_id,
        job_id=f"tally-due-{cycle_id}",
        job_timeout=JOB_TIMEOUT,
    )
    return f"scheduled at {end_iso}"


def start_due(cycle_id: int) -> str:
    """Start the tally of a cycle whose voting should have ended (scheduled job).

    A refusal is logged, not raised: the count was already started by hand, or
    the voting dates moved (then the start is scheduled again at the new end).
    """
    from pbvote.cycles.models import Cycle
    from pbvote.results.errors import TallyError, VotingNotClosed
    from pbvote.results.services import schedule_tally, start_tally

    try:
        cycle = db.session.get(Cycle, cycle_id)
        if cycle is None:
            return "no such cycle"
        now = utcnow()
        try:
            run = start_tally(None, cycle, now)
        except VotingNotClosed:
            db.session.rollback()
            schedule_tally(cycle, now)
            db.session.commit()
            return "voting not closed yet: scheduled again"
        except TallyError as error:
            db.session.rollback()
            log.info("tally of cycle %s not started: %s", cycle_id, error.code)
            return error.code
        db.session.commit()
        return f"run {run.id} started"
    finally:
        db.session.remove()


def prepare(run_id: int, attempt: int) -> str:
    """Verify the hash chain, then queue the chunk jobs and the count job."""
    from pbvote.results.counting import prepare_run

    try:
        run = prepare_run(run_id, attempt, utcnow())
        db.session.commit()
        if run is None or run.status != "running":
            return "stopped" if run is not None else "stale"
        chunks = run.chunk_count
        _fan_out(run)
        return f"{chunks} chunks"
    finally:
        db.session.remove()


def _fan_out(run) -> None:
    from pbvote.results.services import JOB_TIMEOUT, QUEUE, job_id

    connection = redis_connection()
    run_id, attempt, chunks = run.id, run.attempt, run.chunk_count
    if connection is None:  # the embedded first run: the same steps, in order
        for chunk in range(chunks):
            open_chunk(run_id, attempt, chunk)
        count(run_id, attempt)
        return
    from rq import Queue

    queue = Queue(QUEUE, connection=connection)
    # Both steps are idempotent, so RQ may retry them after a passing failure.
    chunk_jobs = [
        queue.enqueue(
            "jobs.tally.open_chunk",
            run_id,
            attempt,
            chunk,
            job_id=job_id(run, f"chunk-{chunk}"),
            job_timeout=JOB_TIMEOUT,
            retry=_retry(),
        )
        for chunk in range(chunks)
    ]
    queue.enqueue(
        "jobs.tally.count",
        run_id,
        attempt,
        job_id=job_id(run, "count"),
        job_timeout=JOB_TIMEOUT,
        depends_on=chunk_jobs or None,
        retry=_retry(),
    )


def _retry():
    from rq import Retry

    return Retry(max=3, interval=[10, 60, 300])


def open_chunk(run_id: int, attempt: int, chunk: int) -> str:
    """Open one chunk of ballots and store it (idempotent)."""
    from pbvote.results.counting import open_chunk as open_step
    from pbvote.results.errors import KeyUnavailable
    from pbvote.results.models import TallyRun

    try:
        try:
            stored = open_step(run_id, attempt, chunk, utcnow())
        except KeyUnavailable as error:
            db.session.rollback()
            _fail(db.session.get(TallyRun, run_id), error)
            return "key unavailable"
        db.session.commit()
        return "stale" if stored is None else f"{stored.ballot_count} ballots"
    finally:
        db.session.remove()


def count(run_id: int, attempt: int) -> str:
    """Count every scope and publish, in one transaction (safe to run again)."""
    from pbvote.results.counting import count_and_publish

    job = get_current_job()

    def report(scopes_counted: int) -> None:
        if job is not None:  # progress for the staff page; results live in the DB
            job.meta["scopes_counted"] = scopes_counted
            job.save_meta()

    try:
        run = count_and_publish(run_id, attempt, utcnow(), on_scope_counted=report)
        db.session.commit()
        return run.status if run is not None else "missing"
    finally:
        db.session.remove()


def _fail(run, error) -> None:
    from pbvote.results.counting import fail_run

    if run is not None and run.status == "running":
        fail_run(run, error, utcnow())
        db.session.commit()


def safety_net() -> str:
    """Run by the worker every few seconds: start the count of every cycle whose
    voting has ended and that has none (a lost scheduled job), and resume every
    count left without a live job (a worker killed inside it). Nobody has to
    press "Start the count"."""
    from pbvote.cycles.models import Cycle
    from pbvote.results.errors import TallyError
    from pbvote.results.services import due_cycles, stalled_runs, start_tally

    now = utcnow()
    started = 0
    cycle_ids = [c.id for c in due_cycles(now)] + [
        r.cycle_id for r in stalled_runs(now)
    ]
    db.session.rollback()
    for cycle_id in cycle_ids:
        try:
            start_tally(None, db.session.get(Cycle, cycle_id), now)
        except TallyError as error:
            db.session.rollback()
            log.info("safety net: count of cycle %s not started: %s", cycle_id, error)
            continue
        db.session.commit()
        started += 1
    return f"{started} counts started or resumed"
