"""Background jobs that start only once the data they need is committed.

Views and services call :func:`enqueue_after_commit`. The job waits in the session
until the transaction commits (a rollback drops it), so a worker never looks for a
row that is not there yet. With ``REDIS_URL`` set the job goes to RQ; without it
(the embedded first run) the same function runs in-process right after the commit,
in a fresh application context and so with its own database session.
"""

import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry, SimpleWorker, Worker
from sqlalchemy import JSON, String, delete, event, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from pbvote.core.time import utcnow
from pbvote.core.types import UTCDateTime
from pbvote.extensions import db

log = logging.getLogger(__name__)

PENDING_KEY = "pbvote_pending_jobs"
QUEUE_NAMES = ("default", "sms", "tally", "followup")


@dataclass
class PendingJob:
    func: str  # dotted path, e.g. "jobs.sms.deliver_sms"
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    queue: str = "default"
    job_id: str | None = None
    timeout: int | None = None
    retry: int = 0
    result_ttl: int | None = None  # seconds Redis keeps the job after success
    failure_ttl: int | None = None  # ... and after failure
    at_front: bool = False  # ahead of the jobs already waiting in its queue
    wake_key: str | None = None  # a wake (see wake_after_commit): queued once


def enqueue_after_commit(
    func: str,
    *args,
    queue="default",
    job_id=None,
    timeout=None,
    retry=0,
    result_ttl=None,
    failure_ttl=None,
    at_front=False,
    wake_key=None,
    **kwargs,
) -> None:
    """Queue ``func(*args, **kwargs)`` to run once the current transaction commits.

    ``job_id`` makes enqueueing idempotent on RQ (the same id is not queued twice
    while it waits). ``retry`` is how many times RQ retries a failing job; give it
    only to idempotent jobs. ``result_ttl``/``failure_ttl`` shorten how long Redis
    keeps the job (voting and SMS jobs: their enqueue times are personal data).
    ``at_front`` puts the job ahead of those already waiting in its queue (a code
    someone waits for on a page, not behind receipts and notifications).
    ``wake_key``: see :func:`wake_after_commit`, which sets it.
    """
    pending = db.session().info.setdefault(PENDING_KEY, [])
    pending.append(
        PendingJob(
            func,
            args,
            kwargs,
            queue,
            job_id,
            timeout,
            retry,
            result_ttl,
            failure_ttl,
            at_front,
            wake_key,
        )
    )


# How long a wake flag lives at most: while it is set, commits queue no other
# job. The job clears it once it starts; the expiry only matters when a job was
# lost between the flag and the queue (a process killed there), and when jobs
# wait longer than this in a busy queue (then a second one is queued: harmless).
WAKE_SECONDS = 30


def wake_key(func: str, *args) -> str:
    """The Redis key that says a ``func(*args)`` job is pending (see
    :func:`wake_after_commit`); its args are ids of ours, never personal data."""
    return ":".join(("pbvote:wake", func, *(str(arg) for arg in args)))


def wake_after_commit(func: str, *args, queue="default", **options) -> None:
    """Make sure one ``func(*args)`` job is pending once the transaction commits:
    coalesced work (deliver every queued SMS) costs a job per wake, not per
    commit.

    After commit one ``SET wake_key NX EX`` goes to Redis in the commit's pipeline;
    only when it succeeds (no job pending) is the job queued. The job must call
    :func:`clear_wake` before its last read of the work in the database, then do
    *all* the work that read finds: a commit whose flag was still set is thus
    seen by the job that flag announced (docs/performance.md, "One drain for every SMS"). Without
    Redis the job runs in-process after the commit, once per commit; Redis
    unreachable, it is kept in the database as any job (:class:`DeferredJob`).
    """
    enqueue_after_commit(
        func, *args, queue=queue, wake_key=wake_key(func, *args), **options
    )


def after_commit_without_workers(func: str, *args) -> None:
    """For work the workers' tick does every few seconds anyway (TICK_TASKS:
    mixing the held ballots of a due batch): with Redis nothing is queued, as a
    job per commit would cost the web an enqueue and a worker a job (a fork on
    the default queue) for a batch that is due once in MIX_MIN_BATCH votes;
    without Redis (the embedded first run, which has no worker and so no tick)
    ``func(*args)`` runs in-process after the commit."""
    if redis_connection() is None:
        enqueue_after_commit(func, *args)


def clear_wake(func: str, *args) -> None:
    """Called by a woken job before its last read of its work: from now on a
    commit sets the flag again and queues another job. Without Redis there is
    no flag."""
    connection = redis_connection()
    if connection is not None:
        connection.delete(wake_key(func, *args))


def wake_now(func: str, *args, queue="default", **options) -> bool:
    """Outside a request's transaction (the worker's safety net): queue the job
    unless one is already pending. Returns whether one was queued."""
    connection = redis_connection()
    if connection is None:
        return False
    key = wake_key(func, *args)
    if not connection.set(key, 1, nx=True, ex=WAKE_SECONDS):
        return False
    _enqueue_rq(connection, PendingJob(func, args, queue=queue, **options))
    return True


def redis_connection() -> Redis | None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    ext = current_app.extensions.setdefault("pbvote_redis", {})
    if url not in ext:
        ext[url] = Redis.from_url(url)
    return ext[url]


def get_queue(name: str = "default") -> Queue:
    connection = redis_connection()
    if connection is None:
        raise RuntimeError("REDIS_URL is not set: jobs run in-process")
    return Queue(name, connection=connection)


class DeferredJob(db.Model):
    """A committed job that could not reach Redis; re-enqueued by the worker.

    This keeps the promise that a job is never lost when Redis is briefly down.
    """

    __tablename__ = "deferred_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    payload: Mapped[dict] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(300))
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())


def _dispatch(jobs: list[PendingJob]) -> None:
    jobs = _one_per_wake(jobs)
    connection = redis_connection()
    if connection is None:
        for job in jobs:
            run_in_process(job)
        return
    # The jobs of one commit (and its wake flags) go in one transaction, one
    # round trip: all are queued or, Redis unreachable, all kept in the database.
    # A wake whose flag was not set (a job is pending) queues nothing more; one
    # that set it queues its job in a second round trip.
    wakes = [job for job in jobs if job.wake_key]
    unsent = jobs
    try:
        # Wakes alone (a vote's commit) need no MULTI: each SET NX stands alone.
        with connection.pipeline(transaction=len(wakes) < len(jobs)) as pipeline:
            for job in jobs:
                if not job.wake_key:
                    _enqueue_rq(connection, job, pipeline)
            # After RQ's commands: RQ starts the pipeline's MULTI itself.
            for job in wakes:
                pipeline.set(job.wake_key, 1, nx=True, ex=WAKE_SECONDS)
            results = pipeline.execute()
        flags = results[len(results) - len(wakes) :]
        unsent = [job for job, flag in zip(wakes, flags, strict=True) if flag]
        if unsent:
            with connection.pipeline() as pipeline:
                for job in unsent:
                    _enqueue_rq(connection, job, pipeline)
                pipeline.execute()
    except RedisError as error:
        for job in unsent:
            _defer(job, error)


def _one_per_wake(jobs: list[PendingJob]) -> list[PendingJob]:
    """The commit's jobs, each wake once (a commit may queue several SMS)."""
    seen = set()
    kept = []
    for job in jobs:
        if job.wake_key:
            if job.wake_key in seen:
                continue
            seen.add(job.wake_key)
        kept.append(job)
    return kept


def _defer(job: PendingJob, error: Exception) -> None:
    # The session that committed cannot run SQL inside after_commit: use the engine.
    log.warning("Redis unreachable, job %s kept in the database: %s", job.func, error)
    with db.engine.begin() as connection:
        connection.execute(
            insert(DeferredJob).values(
                payload=asdict(job) | {"args": list(job.args)},
                reason=str(error)[:300],
                created_at_dt=utcnow(),
            )
        )


def flush_deferred_jobs() -> int:
    """Enqueue the jobs kept while Redis was unreachable; returns how many went."""
    connection = redis_connection()
    if connection is None:
        return 0
    sent = 0
    rows = (
        db.session.execute(
            select(DeferredJob)
            .order_by(DeferredJob.id)
            .with_for_update(skip_locked=True)
        )
        .scalars()
        .all()
    )
    for row in rows:
        payload = dict(row.payload)
        payload["args"] = tuple(payload["args"])
        _enqueue_rq(connection, PendingJob(**payload))
        db.session.execute(delete(DeferredJob).where(DeferredJob.id == row.id))
        sent += 1
    db.session.commit()
    return sent


def _enqueue_rq(connection: Redis, job: PendingJob, pipeline=None) -> None:
    """Queue ``job`` on RQ, in ``pipeline`` (executed by the caller) when given."""
    options = {}
    if job.job_id:
        options["job_id"] = job.job_id
    if job.timeout:
        options["job_timeout"] = job.timeout
    if job.retry:
        options["retry"] = Retry(max=job.retry, interval=[10, 30, 60, 300, 900])
    for name in ("result_ttl", "failure_ttl"):
        if getattr(job, name) is not None:
            options[name] = getattr(job, name)
    if pipeline is not None:
        options["pipeline"] = pipeline
    Queue(job.queue, connection=connection).enqueue(
        job.func, *job.args, **job.kwargs, at_front=job.at_front, **options
    )


def run_in_process(job: PendingJob) -> None:
    """Run a job now, in its own app context (a fresh session), logging failures.

    The request that committed has already succeeded; a failing job must not turn
    it into an error page, and jobs record their own failures (an SMS stays
    'failed' and is retried by ``pbvote sms-retry``).
    """
    from importlib import import_module

    module_name, _, attr = job.func.rpartition(".")
    func = getattr(import_module(module_name), attr)
    app = current_app._get_current_object()
    with app.app_context():
        try:
            func(*job.args, **job.kwargs)
        except Exception:
            log.exception("in-process job %s failed", job.func)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # only a savepoint ended (SQLAlchemy 2.1 signals it too): wait
    jobs = session.info.pop(PENDING_KEY, None)
    if jobs:
        _dispatch(jobs)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(PENDING_KEY, None)


# Run by the worker every WORKER_HEARTBEAT_SECONDS, each in its own transaction:
# the safety net that finishes what a lost job, a dead worker or a Redis outage left.
TICK_TASKS = (
    "jobs.sms.safety_net",
    "jobs.voting.safety_net",
    "jobs.tally.safety_net",
    "jobs.polls.safety_net",
)
DEFAULT_HEARTBEAT_SECONDS = 5


def heartbeat_seconds() -> int:
    return int(
        current_app.config.get("WORKER_HEARTBEAT_SECONDS", DEFAULT_HEARTBEAT_SECONDS)
    )


def worker_is_alive(connection: Redis, name: str | None) -> bool:
    """Whether the RQ worker ``name`` has sent a heartbeat lately (three beats).

    A worker killed with SIGKILL leaves its key behind for a minute or more;
    its ``last_heartbeat`` stops moving at once."""
    from rq.utils import utcparse

    if not name:
        return False
    beat = connection.hget(
        Worker.redis_worker_namespace_prefix + name, "last_heartbeat"
    )
    if beat is None:
        return False
    age = (utcnow() - utcparse(beat.decode())).total_seconds()
    return age < 3 * heartbeat_seconds() + 5


def run_tick_tasks() -> None:
    """Send deferred jobs, then each safety-net task; a failing task is logged and
    does not stop the others."""
    from importlib import import_module

    for path in ("pbvote.core.jobs.flush_deferred_jobs", *TICK_TASKS):
        module_name, _, attr = path.rpartition(".")
        try:
            getattr(import_module(module_name), attr)()
        except Exception:
            log.exception("worker safety net %s failed", path)
            db.session.rollback()


class _Beat:
    """pbvote's beat for an RQ worker class (see :class:`PbvoteWorker`)."""

    def __init__(self, *args, **kwargs):
        beat = heartbeat_seconds()
        kwargs.setdefault("worker_ttl", beat + 15)  # RQ blocks worker_ttl - 15 s
        kwargs.setdefault("maintenance_interval", beat)
        kwargs.setdefault("job_monitoring_interval", beat)
        super().__init__(*args, **kwargs)

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        try:
            run_tick_tasks()
        finally:
            # The next job may run in a forked child: no connection crosses a fork.
            db.session.remove()
            db.engine.dispose()


class PbvoteWorker(_Beat, Worker):
    """RQ's forking worker with a short beat (WORKER_HEARTBEAT_SECONDS, default 5):
    it waits for jobs that long at most, then runs RQ's maintenance (which also
    re-queues abandoned jobs with retries left) and pbvote's safety net: jobs kept
    while Redis was down go out within seconds of its return, due mixing batches
    and counts that should be running are started, personal data is purged."""


class PbvoteSimpleWorker(_Beat, SimpleWorker):
    """The same beat, but each job runs in the worker's own process, without a
    fork: for the ``sms`` queue, where a fork per message cost more than sending
    it and codes fell behind the web (issue 13). Each job starts with a fresh
    database session, as a forked child would."""

    def execute_job(self, job, queue):
        db.session.remove()
        try:
            return super().execute_job(job, queue)
        finally:
            db.session.remove()
