"""Starting, scheduling and following tallies; loading published results.

A tally is one :class:`TallyRun` per cycle. :func:`start_tally` creates it (or
resumes a failed or interrupted one) and queues its first job; the jobs in
``jobs/tally.py`` then verify the chain, open the ballots in chunks and count
(see :mod:`pbvote.results.counting`). Refusals are :class:`TallyError`
subclasses whose ``str()`` is a translated sentence.
"""

import logging
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from pbvote.audit.services import record_action
from pbvote.core.i18n import format_moment
from pbvote.core.jobs import enqueue_after_commit, redis_connection, worker_is_alive
from pbvote.core.pagination import KnownPage
from pbvote.cycles.models import Cycle, Scope
from pbvote.cycles.services import phase_span
from pbvote.extensions import db
from pbvote.results.errors import (
    NoElectionKey,
    TallyAlreadyPublished,
    TallyAlreadyRunning,
    VotingNotClosed,
)
from pbvote.results.models import (
    ProjectResult,
    PublicBallot,
    PublicChainEntry,
    ScopeResult,
    TallyChunk,
    TallyRun,
)
from pbvote.voting.models import ElectionKey
from pbvote.voting.signals import election_key_created

log = logging.getLogger(__name__)

QUEUE = "tally"
JOB_TIMEOUT = 30 * 60  # seconds; one chunk or the count of a very large cycle
# Without Redis (the embedded first run) a run with no sign of life for this long
# is taken as interrupted and may be resumed.
STALE_AFTER = timedelta(seconds=JOB_TIMEOUT)
DEFAULT_CHUNK_SIZE = 5000


def voting_end(cycle: Cycle) -> datetime | None:
    span = phase_span(cycle, "voting")
    return span[1] if span else None


def get_run(cycle_id: int) -> TallyRun | None:
    return db.session.scalar(select(TallyRun).where(TallyRun.cycle_id == cycle_id))


def runs_of(cycle_ids: list[int]) -> dict[int, TallyRun | None]:
    """{cycle id: its tally run or None}, in one statement."""
    runs = db.session.scalars(select(TallyRun).where(TallyRun.cycle_id.in_(cycle_ids)))
    found = {run.cycle_id: run for run in runs}
    return {cycle_id: found.get(cycle_id) for cycle_id in cycle_ids}


def published_run(cycle_id: int) -> TallyRun | None:
    run = get_run(cycle_id)
    return run if run is not None and run.is_published else None


def job_id(run: TallyRun, step: str) -> str:
    """RQ job ids are fixed per run, attempt and step, so a step is queued once."""
    return f"tally-{run.id}-{run.attempt}-{step}"


def run_job_ids(run: TallyRun) -> list[str]:
    ids = [job_id(run, "prepare"), job_id(run, "count")]
    ids += [job_id(run, f"chunk-{n}") for n in range(run.chunk_count or 0)]
    return ids


def run_is_active(run: TallyRun, now: datetime) -> bool:
    """Whether a job of the run's current attempt is waiting or being worked on.

    With RQ this asks Redis (after moving jobs of dead workers out of the started
    registry); without it, a recent heartbeat counts as alive.
    """
    if run.status != "running":
        return False
    connection = redis_connection()
    if connection is None:
        return run.heartbeat_at_dt > now - STALE_AFTER
    from rq import Queue
    from rq.job import Job, JobStatus
    from rq.registry import StartedJobRegistry

    StartedJobRegistry(QUEUE, connection=connection).cleanup()
    # A deferred job (the count, waiting for its chunks) is alive only through
    # the jobs it waits for, which are checked here too.
    waiting = (JobStatus.QUEUED, JobStatus.SCHEDULED)
    # A worker killed between taking a job and starting it leaves the job
    # "queued" but out of the queue (in RQ's intermediate list): not alive.
    queued_ids = set(Queue(QUEUE, connection=connection).get_job_ids())
    alive = False
    for job in Job.fetch_many(run_job_ids(run), connection=connection):
        if job is None:
            continue
        status = job.get_status(refresh=False)
        if status == JobStatus.STARTED:
            # A worker killed with SIGKILL leaves its job "started" in Redis for a
            # minute or more, and the count waits on it: the run must resume now.
            if not worker_is_alive(connection, job.worker_name):
                return False
            alive = True
        elif status == JobStatus.QUEUED and job.id not in queued_ids:
            continue
        elif status in waiting:
            alive = True
    return alive


def stalled_runs(now: datetime) -> list[TallyRun]:
    """Running counts with no live job for TALLY_RESUME_AFTER_SECONDS (default
    30), at most TALLY_AUTO_RESUMES (default 5) attempts: the safety net resumes
    them."""
    config = current_app.config
    quiet = timedelta(seconds=config.get("TALLY_RESUME_AFTER_SECONDS", 30))
    runs = db.session.scalars(
        select(TallyRun).where(
            TallyRun.status == "running",
            TallyRun.heartbeat_at_dt < now - quiet,
            TallyRun.attempt < config.get("TALLY_AUTO_RESUMES", 5),
        )
    )
    return [run for run in runs if not run_is_active(run, now)]


def start_tally(
    actor,
    cycle: Cycle,
    now: datetime,
    *,
    chunk_size: int | None = None,
    queue_jobs: bool = True,
) -> TallyRun:
    """Create the cycle's tally run, or resume a failed or interrupted one, and
    queue its first job after commit (``queue_jobs=False``: the caller runs the
    steps itself, see :func:`pbvote.results.counting.tally_inline`).

    Raises VotingNotClosed (before the voting phase ends), NoElectionKey (voting
    never opened), TallyAlreadyPublished, TallyAlreadyRunning (a job of the run is
    queued or running, or another start won the race for the row).
    """
    end = voting_end(cycle)
    if end is None or now < end:
        raise VotingNotClosed(
            _(
                "Voting is open until %(end)s: the count can start only once it has "
                "closed.",
                end=format_moment(end) if end else "?",
            )
        )
    if db.session.get(ElectionKey, cycle.id) is None:
        raise NoElectionKey(
            _(
                "This cycle has no election key: voting never opened, "
                "so there are no ballots to count."
            )
        )
    run = db.session.scalar(
        select(TallyRun).where(TallyRun.cycle_id == cycle.id).with_for_update()
    )
    if run is None:
        run = _new_run(actor, cycle, now, chunk_size)
        action = "tally.start"
    else:
        _check_resumable(run, now)
        run.status, run.attempt, run.error, run.error_code = (
            "running",
            run.attempt + 1,
            None,
            None,
        )
        run.started_by_id = getattr(actor, "id", None)
        run.heartbeat_at_dt, run.finished_at_dt = now, None
        action = "tally.resume"
    record_action(
        actor, action, "cycle", cycle.id, now, {"run": run.id, "attempt": run.attempt}
    )
    if queue_jobs:
        enqueue_after_commit(
            "jobs.tally.prepare",
            run.id,
            run.attempt,
            queue=QUEUE,
            job_id=job_id(run, "prepare"),
            timeout=JOB_TIMEOUT,
        )
    return run


def _new_run(actor, cycle: Cycle, now: datetime, chunk_size: int | None) -> TallyRun:
    size = chunk_size or current_app.config.get("TALLY_CHUNK_SIZE", DEFAULT_CHUNK_SIZE)
    run = TallyRun(
        cycle_id=cycle.id,
        status="running",
        attempt=1,
        started_by_id=getattr(actor, "id", None),
        started_at_dt=now,
        heartbeat_at_dt=now,
        chunk_size=max(1, int(size)),
    )
    db.session.add(run)
    try:
        with db.session.begin_nested():
            db.session.flush()  # the unique cycle_id refuses a simultaneous start
    except IntegrityError:
        raise TallyAlreadyRunning(
            _(
                "The count of this cycle was started a moment "
                "ago by someone else; follow it on this page."
            )
        )
    return run


def _check_resumable(run: TallyRun, now: datetime) -> None:
    if run.status == "published":
        raise TallyAlreadyPublished(
            _(
                "The results of this cycle are already "
                "published; they cannot be counted again."
            )
        )
    if run.status == "running" and run_is_active(run, now):
        raise TallyAlreadyRunning(
            _(
                "The count of this cycle is already running; "
                "follow its progress on this page."
            )
        )


def schedule_tally(cycle: Cycle, now: datetime) -> datetime | None:
    """Arrange for the tally to start by itself when voting ends.

    Called (by the voting domain) when the election key is created. After commit,
    a job schedules ``jobs.tally.start_due`` at the end of the voting phase with
    RQ's scheduler (``pbvote worker`` runs it). Without Redis nothing can be
    scheduled: run ``pbvote tally-due`` from cron, or use the staff button.
    Returns the moment chosen, or None if the cycle has no voting phase.
    """
    end = voting_end(cycle)
    if end is None:
        return None
    enqueue_after_commit(
        "jobs.tally.schedule_start", cycle.id, end.isoformat(), queue=QUEUE
    )
    return end


@election_key_created.connect
def _schedule_when_key_made(cycle: Cycle, now: datetime) -> None:
    schedule_tally(cycle, now)


def due_cycles(now: datetime) -> list[Cycle]:
    """Cycles whose voting has ended, that have an election key and no tally."""
    query = (
        select(Cycle)
        .join(ElectionKey, ElectionKey.cycle_id == Cycle.id)
        .outerjoin(TallyRun, TallyRun.cycle_id == Cycle.id)
        .where(TallyRun.id.is_(None))
        .order_by(Cycle.id)
    )
    return [
        cycle
        for cycle in db.session.scalars(query)
        if (end := voting_end(cycle)) is not None and now >= end
    ]


def progress(run: TallyRun) -> dict:
    """Ballots opened and scopes counted so far, for the staff page."""
    scopes_total = len(run.cycle.scopes)
    if run.is_published:  # its chunks were deleted when it was published
        opened, chunks = run.ballot_count or 0, run.chunk_count or 0
        counted = scopes_total
    else:
        opened, chunks = db.session.execute(
            select(
                func.coalesce(func.sum(TallyChunk.ballot_count), 0), func.count()
            ).where(
                TallyChunk.run_id == run.id,
                TallyChunk.chain_head == (run.chain_head or ""),
            )
        ).one()
        counted = _count_job_meta(run).get("scopes_counted", 0)
    total = run.ballot_count
    return {
        "ballots_opened": int(opened),
        "ballots_total": total,
        "chunks_done": int(chunks),
        "chunks_total": run.chunk_count,
        "scopes_counted": counted,
        "scopes_total": scopes_total,
        "percent": (100 * int(opened) // total)
        if total
        else (100 if total == 0 else 0),
    }


def _count_job_meta(run: TallyRun) -> dict:
    connection = redis_connection()
    if connection is None:
        return {}
    from rq.job import Job

    job = Job.fetch_many([job_id(run, "count")], connection=connection)[0]
    return dict(job.get_meta(refresh=True)) if job is not None else {}


def scope_results(run: TallyRun) -> list[ScopeResult]:
    """A run's results per scope with their scope, district, project results and
    projects: three statements, whatever the number of projects."""
    return list(
        db.session.scalars(
            select(ScopeResult)
            .where(ScopeResult.run_id == run.id)
            .options(
                joinedload(ScopeResult.scope).joinedload(Scope.district),
                selectinload(ScopeResult.projects).joinedload(ProjectResult.project),
            )
            .order_by(ScopeResult.scope_id)
        )
    )


def published_cycles(commune_id: int) -> list[tuple[Cycle, TallyRun]]:
    rows = db.session.execute(
        select(Cycle, TallyRun)
        .join(TallyRun, TallyRun.cycle_id == Cycle.id)
        .where(Cycle.commune_id == commune_id, TallyRun.status == "published")
        .order_by(Cycle.year.desc())
    )
    return [(cycle, run) for cycle, run in rows]


def runs_needing_attention(commune_id: int) -> list[TallyRun]:
    """Failed runs: the staff pages show them as alerts."""
    return list(
        db.session.scalars(
            select(TallyRun)
            .join(Cycle, Cycle.id == TallyRun.cycle_id)
            .where(Cycle.commune_id == commune_id, TallyRun.status == "failed")
        )
    )


def export_scopes(run: TallyRun) -> list[dict]:
    """Scopes as described in the downloads: rule, budget, projects, winners."""
    scopes = []
    for result in scope_results(run):
        scope = result.scope
        district = scope.district
        scopes.append(
            {
                "scope_id": scope.id,
                "key": scope.key,
                "name_ar": district.name_ar if district else "الجماعة كلها",
                "name_fr": district.name_fr if district else "Toute la commune",
                "budget": result.budget,
                "rule": result.rule,
                "greedy_fill": result.greedy_fill,
                "budget_used": result.budget_used,
                "voters": result.voters,
                "invalid": result.invalid,
                "winners": [str(w) for w in result.winners],
                "projects": [
                    {
                        "id": str(pr.project_id),
                        "cost": pr.project.cost,
                        "name": pr.project.title_fr or pr.project.title_ar,
                        "title_ar": pr.project.title_ar,
                        "title_fr": pr.project.title_fr,
                        "votes": pr.votes,
                        "selected": pr.selected,
                    }
                    for pr in sorted(result.projects, key=lambda p: p.project_id)
                ],
            }
        )
    return scopes


def chain_query(run: TallyRun, *, receipt: str = ""):
    """The published chain in chain order; ``receipt``: only receipts starting
    with these hex digits."""
    query = select(PublicChainEntry).where(PublicChainEntry.run_id == run.id)
    if receipt:
        query = query.where(PublicChainEntry.receipt.startswith(receipt))
    return query.order_by(PublicChainEntry.position)


def ballots_query(run: TallyRun, *, scope_id: int | None = None):
    """The published opened ballots in their shuffled order."""
    query = select(PublicBallot).where(PublicBallot.run_id == run.id)
    if scope_id is not None:
        query = query.where(PublicBallot.scope_id == scope_id)
    return query.order_by(PublicBallot.shuffled_index)


def numbered_page(query, column, total: int, number: int, size: int) -> KnownPage:
    """Page ``number`` of a published list whose ``column`` numbers its rows
    1..``total`` without gaps (chain positions, shuffled indexes), ``total``
    being the stored ballot count: a range of the (run, column) index, never a
    ``count(*)`` nor a deep OFFSET, so the last page of 100,000 ballots costs
    what the first does. Out-of-range pages show the last."""
    number = min(max(1, number), max(1, -(-total // size)))
    first = (number - 1) * size
    items = list(
        db.session.scalars(
            query.where(column > first, column <= first + size).limit(size)
        )
    )
    return KnownPage(items, number, size, total)
