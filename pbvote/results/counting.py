"""The steps of a tally, each called by one job in ``jobs/tally.py``.

1. :func:`prepare_run` mixes the ballots still held (voting has closed), then
   verifies the ballot box's hash chain; a chain that does not verify fails the
   run and alerts the administrators.
2. :func:`open_chunk` opens one chunk of ballots with the unwrapped private key
   and stores them as a :class:`TallyChunk` (keyed by run and chunk: idempotent),
   each choice keyed by the HMAC of its receipt under the count's shuffle secret,
   never by its chain position.
3. :func:`count_and_publish` aggregates the chunks, counts each scope with its
   rule and publishes, in the caller's one transaction, the results, the chain
   (receipts in chain order), the opened ballots (no receipts, in an order keyed
   with a secret derived from the sealing key: see :mod:`pbvote.results.record`)
   and the signature; the private chunks of opened ballots are then deleted.

Every step takes ``(run_id, attempt)`` and does nothing when the run has moved on
(published, or resumed as a later attempt), so stale or repeated jobs are harmless.
"""

import logging
from collections import Counter
from datetime import datetime
from typing import NamedTuple

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, insert, select, text
from sqlalchemy.exc import IntegrityError

from pbvote.accounts.models import User, UserRole
from pbvote.audit.services import record_action
from pbvote.cycles.models import Cycle, Scope
from pbvote.engine import Ballot as EngineBallot
from pbvote.engine import EngineError, Instance, tally
from pbvote.engine import Project as EngineProject
from pbvote.extensions import db
from pbvote.proposals.models import Project
from pbvote.results import record
from pbvote.results.errors import ChainBroken, KeyUnavailable, TallyError
from pbvote.results.models import (
    ProjectResult,
    PublicBallot,
    PublicChainEntry,
    ScopeResult,
    TallyChunk,
    TallyRun,
)
from pbvote.results.signals import results_published
from pbvote.voting.holding import mix_held
from pbvote.voting.models import Ballot, ElectionKey
from pbvote.voting.sealing import (
    GENESIS,
    SealError,
    ballot_context,
    chain_link,
    decode_choice,
    open_sealed,
    receipt_of,
    sign,
    unwrap_key,
)

log = logging.getLogger(__name__)

# The ``purpose`` under which the voting domain wraps each private key.
SEALING_PURPOSE = "sealing"
SIGNING_PURPOSE = "signing"
MES_RULES = ("mes", "mes-card")
INSERT_BATCH = 5000


class ChunksMissing(RuntimeError):
    """The count found fewer opened chunks than the run has: a chunk job failed."""


def current_run(run_id: int, attempt: int, *, lock: bool = False) -> TallyRun | None:
    """The run if this job still belongs to it (running, same attempt), else None."""
    query = select(TallyRun).where(TallyRun.id == run_id)
    run = db.session.scalar(query.with_for_update() if lock else query)
    if run is None or run.status != "running" or run.attempt != attempt:
        return None
    return run


# -- 1. the hash chain -------------------------------------------------------------


def verify_chain(cycle_id: int, key: ElectionKey) -> tuple[str, int]:
    """Recompute the chain from the stored ballots; return (head, ballot count).

    Raises ChainBroken naming the first position where it fails.
    """
    previous, expected = GENESIS, 1
    rows = db.session.execute(
        select(
            Ballot.position,
            Ballot.sealed,
            Ballot.receipt,
            Ballot.previous_hash,
            Ballot.chain_hash,
        )
        .where(Ballot.cycle_id == cycle_id)
        .order_by(Ballot.position)
        .execution_options(yield_per=2000)
    )
    for position, sealed, receipt, previous_hash, link in rows:
        if position != expected:
            raise ChainBroken(
                _(
                    "The ballot at position %(position)s of the hash chain is missing.",
                    position=expected,
                )
            )
        if receipt_of(sealed) != receipt:
            raise ChainBroken(
                _(
                    "The ballot at position %(position)s does not match its "
                    "receipt: it was changed after it was cast.",
                    position=position,
                )
            )
        if previous_hash != previous or chain_link(previous, receipt) != link:
            raise ChainBroken(
                _("The hash chain breaks at position %(position)s.", position=position)
            )
        previous, expected = link, expected + 1
    count = expected - 1
    if count != key.ballot_count or previous != key.head_hash:
        raise ChainBroken(
            _(
                "The ballot box holds %(count)s ballots ending in %(head)s, but its "
                "recorded head is %(expected)s ballots ending in %(expected_head)s: "
                "ballots were added or removed.",
                count=count,
                head=previous[:12],
                expected=key.ballot_count,
                expected_head=key.head_hash[:12],
            )
        )
    return previous, count


def prepare_run(run_id: int, attempt: int, now: datetime) -> TallyRun | None:
    """Verify the chain and size the chunks. A broken chain fails the run (with
    alerts) instead of raising, so the failure is committed."""
    run = current_run(run_id, attempt, lock=True)
    if run is None:
        return None
    # Voting is closed: whatever is still held joins the chain before it is read.
    mix_held(run.cycle_id, now, force=True)
    key = db.session.get(ElectionKey, run.cycle_id)
    try:
        head, count = verify_chain(run.cycle_id, key)
    except ChainBroken as error:
        fail_run(run, error, now)
        return run
    if run.chain_head is not None and run.chain_head != head:
        # Ballots opened under another head are not these ballots: open again.
        db.session.execute(delete(TallyChunk).where(TallyChunk.run_id == run.id))
    run.chain_head, run.ballot_count = head, count
    run.chunk_count = -(-count // run.chunk_size)
    run.heartbeat_at_dt = now
    return run


def fail_run(run: TallyRun, error: TallyError, now: datetime) -> None:
    """Stop the run: it is marked failed with the reason, audited, shown as an
    alert on the staff pages and texted to administrators who have a phone."""
    run.status, run.error_code, run.error = "failed", error.code, str(error)[:1000]
    run.finished_at_dt = run.heartbeat_at_dt = now
    cycle = db.session.get(Cycle, run.cycle_id)
    record_action(
        None,
        "tally.failed",
        "cycle",
        run.cycle_id,
        now,
        {
            "run": run.id,
            "attempt": run.attempt,
            "code": error.code,
            "message": str(error),
        },
    )
    _text_admins(cycle, run, error, now)


def _text_admins(cycle: Cycle, run: TallyRun, error: TallyError, now: datetime) -> None:
    from pbvote.sms.services import queue_sms

    admins = db.session.scalars(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            User.commune_id == cycle.commune_id,
            User.kind == "staff",
            User.active.is_(True),
            User.phone.is_not(None),
            UserRole.role == "admin",
        )
    )
    # One SMS segment: the reason is in the audit trail and on the staff pages.
    body = _(
        "Ouazzane alert: the count of the %(year)s cycle stopped. See the site.",
        year=cycle.year,
    )
    for admin in admins:
        queue_sms(
            admin.phone,
            body,
            now,
            purpose="tally_alert",
            commune_id=cycle.commune_id,
            dedupe_key=f"tally-alert-{run.id}-{run.attempt}-{admin.id}",
        )


# -- 2. opening ballots ------------------------------------------------------------


def private_key(cycle_id: int, purpose: str) -> bytes:
    """Unwrap one of the cycle's private keys; raises KeyUnavailable."""
    key = db.session.get(ElectionKey, cycle_id)
    wrapped = (
        key.sealing_private_wrapped
        if purpose == SEALING_PURPOSE
        else key.signing_private_wrapped
    )
    try:
        return unwrap_key(
            current_app.config["ELECTION_KEY_WRAP"], cycle_id, purpose, wrapped
        )
    except SealError:
        raise KeyUnavailable(
            _(
                "The cycle's private key cannot be unwrapped: the "
                "server's ELECTION_KEY_WRAP is not the one it was "
                "made with."
            )
        )


def open_chunk(
    run_id: int, attempt: int, chunk: int, now: datetime
) -> TallyChunk | None:
    """Open the ballots of ``chunk`` and store them once; returns the stored chunk.

    A ballot that cannot be opened, or names another scope or a project outside
    its scope, is kept as invalid (``null``) and shown as such in the record.
    """
    run = current_run(run_id, attempt)
    if run is None:
        return None
    existing = db.session.scalar(
        select(TallyChunk).where(TallyChunk.run_id == run.id, TallyChunk.chunk == chunk)
    )
    if existing is not None and existing.chain_head == run.chain_head:
        return existing
    sealing_secret = private_key(run.cycle_id, SEALING_PURPOSE)
    shuffle = record.shuffle_secret(sealing_secret, run.cycle_id, run.chain_head)
    allowed = _projects_by_scope(run.cycle_id)
    low = chunk * run.chunk_size + 1
    rows = db.session.execute(
        select(Ballot.receipt, Ballot.sealed).where(
            Ballot.cycle_id == run.cycle_id,
            Ballot.position.between(low, low + run.chunk_size - 1),
        )
    )
    # No chain position is stored: each opened ballot is keyed by the HMAC of its
    # receipt under the count's shuffle secret (unknown outside the count), and
    # the chunk is in that order, so a chunk never says which position chose what.
    opened = sorted(
        [
            record.shuffle_key(shuffle, receipt).hex(),
            *_open_one(sealing_secret, run.cycle_id, sealed, allowed),
        ]
        for receipt, sealed in rows
    )
    stored = TallyChunk(
        run_id=run.id,
        chunk=chunk,
        chain_head=run.chain_head,
        ballot_count=len(opened),
        created_at_dt=now,
        opened=opened,
        invalid_count=sum(1 for row in opened if row[2] is None),
    )
    try:
        with db.session.begin_nested():
            if existing is not None:
                db.session.delete(existing)
            db.session.add(stored)
            db.session.flush()  # the (run, chunk) key refuses a parallel duplicate
    except IntegrityError:
        return None
    return stored


def _projects_by_scope(cycle_id: int) -> dict[int, set[int]]:
    allowed: dict[int, set[int]] = {
        scope_id: set()
        for scope_id in db.session.scalars(
            select(Scope.id).where(Scope.cycle_id == cycle_id)
        )
    }
    for project_id, scope_id in db.session.execute(
        select(Project.id, Project.scope_id).where(Project.cycle_id == cycle_id)
    ):
        allowed.setdefault(scope_id, set()).add(project_id)
    return allowed


def _open_one(
    secret: bytes, cycle_id: int, sealed: bytes, allowed: dict[int, set[int]]
) -> tuple[int | None, list[int] | None]:
    """(scope id, chosen project ids) of one sealed ballot; projects None: invalid
    (scope None: it names no scope of the cycle, or cannot be opened)."""
    try:
        choice = decode_choice(open_sealed(secret, sealed, ballot_context(cycle_id)))
        scope_id, projects = choice["scope"], choice["projects"]
        if scope_id not in allowed:
            return None, None
        valid = all(isinstance(p, int) and p in allowed[scope_id] for p in projects)
    except (SealError, ValueError, KeyError, TypeError):
        return None, None
    return scope_id, (sorted(set(projects)) if valid else None)


# -- 3. counting and publishing ----------------------------------------------------


def count_and_publish(
    run_id: int, attempt: int, now: datetime, on_scope_counted=None
) -> TallyRun | None:
    """Count every scope and publish everything in the caller's transaction.

    Safe to run again: a published run is returned untouched. Raises
    ChunksMissing if a chunk has not been opened; an engine error or an
    unusable key fails the run instead (committed by the caller).
    """
    run = current_run(run_id, attempt, lock=True)
    if run is None:
        return db.session.get(TallyRun, run_id)
    cycle = db.session.get(Cycle, run.cycle_id)
    try:
        shuffle_secret = record.shuffle_secret(
            private_key(run.cycle_id, SEALING_PURPOSE), run.cycle_id, run.chain_head
        )
        chain, shuffled = _gather_ballots(run, shuffle_secret)
        choices_by_scope: dict[int, list] = {}
        for ballot in shuffled:
            choices_by_scope.setdefault(ballot.scope_id, []).append(ballot.projects)
        counted = []
        for index, scope in enumerate(sorted(cycle.scopes, key=lambda s: s.id)):
            counted.append(_count_scope(scope, choices_by_scope.get(scope.id, [])))
            if on_scope_counted:
                on_scope_counted(index + 1)
        signing_secret = private_key(run.cycle_id, SIGNING_PURPOSE)
    except (KeyUnavailable, ChainBroken) as error:
        fail_run(run, error, now)
        return run
    except EngineError as error:
        fail_run(run, _EngineFailure(str(error)), now)
        return run
    _publish(run, cycle, chain, shuffled, counted, signing_secret, now)
    return run


class _EngineFailure(TallyError):
    code = "engine_error"


class ChainLink(NamedTuple):
    position: int
    receipt: str
    previous_hash: str
    chain_hash: str


class Choice(NamedTuple):
    scope_id: int | None
    projects: list | None  # None: invalid


def _gather_ballots(
    run: TallyRun, shuffle: bytes
) -> tuple[list[ChainLink], list[Choice]]:
    """The chain in order, and every opened choice in published (shuffled) order.

    Checks that the chunks hold exactly one opened ballot per receipt of the chain
    (by their shuffle keys) without ever pairing a choice with its position."""
    chunks = list(
        db.session.scalars(
            select(TallyChunk)
            .where(TallyChunk.run_id == run.id, TallyChunk.chain_head == run.chain_head)
            .order_by(TallyChunk.chunk)
        )
    )
    if len(chunks) != run.chunk_count:
        raise ChunksMissing(
            f"run {run.id}: {len(chunks)} of {run.chunk_count} chunks opened"
        )
    opened = sorted(tuple(row) for chunk in chunks for row in chunk.opened)
    chain = [
        ChainLink(*row)
        for row in db.session.execute(
            select(
                Ballot.position, Ballot.receipt, Ballot.previous_hash, Ballot.chain_hash
            )
            .where(Ballot.cycle_id == run.cycle_id)
            .order_by(Ballot.position)
            .execution_options(yield_per=5000)
        )
    ]
    expected = sorted(record.shuffle_key(shuffle, link.receipt).hex() for link in chain)
    if [row[0] for row in opened] != expected or len(chain) != run.ballot_count:
        raise ChainBroken(_("The ballot box changed during the count."))
    if chain and chain[-1].chain_hash != run.chain_head:
        raise ChainBroken(_("The ballot box changed during the count."))
    if any(row[1] is None for row in opened):
        raise ChainBroken(
            _("A ballot of the chain cannot be opened with the election key.")
        )
    return chain, [Choice(row[1], row[2]) for row in opened]


def _count_scope(scope: Scope, mine: list[list[int] | None]) -> dict:
    """Tally one scope from its ballots' choices (None: invalid)."""
    projects = list(
        db.session.scalars(
            select(Project).where(Project.scope_id == scope.id).order_by(Project.id)
        )
    )
    groups = Counter(tuple(choice) for choice in mine if choice is not None)
    invalid = sum(1 for choice in mine if choice is None)
    instance = Instance(
        [EngineProject(str(p.id), p.cost, p.title_fr or p.title_ar) for p in projects],
        scope.amount,
        [
            EngineBallot(frozenset(str(p) for p in choice), weight)
            for choice, weight in sorted(groups.items())
        ],
        {"vote_type": "approval"},
    )
    fill = bool(scope.tally_greedy_fill) and scope.tally_rule in MES_RULES
    min_votes = scope.min_votes_for(sum(groups.values()))
    result = tally(instance, scope.tally_rule, greedy_fill=fill, min_score=min_votes)
    return {
        "scope": scope,
        "projects": projects,
        "result": result,
        "greedy_fill": fill,
        "voters": sum(groups.values()),
        "invalid": invalid,
    }


def _publish(
    run: TallyRun,
    cycle: Cycle,
    chain: list[ChainLink],
    shuffled: list[Choice],
    counted: list[dict],
    signing_secret: bytes,
    now: datetime,
) -> None:
    from pbvote.results.services import export_scopes
    from pbvote.voting.reports import report_counts

    key = db.session.get(ElectionKey, run.cycle_id)
    for item in counted:
        _store_scope(run, item)
    _store_chain(run, chain)
    _store_opened(run, shuffled)
    _analyze_record()
    db.session.flush()  # export_scopes reads the stored scope results
    shown = record.shown_payload(
        cycle, now, export_scopes(run), report_counts(cycle.id)
    )
    payload = record.canonical_json(
        record.results_payload(cycle, run, shuffled, counted, key.sealing_public, shown)
    )
    # The chunks are choices keyed by a secret of the count; once published they
    # are no longer needed, and a database should not keep them.
    db.session.execute(delete(TallyChunk).where(TallyChunk.run_id == run.id))
    run.signed_payload = payload
    run.signature = sign(signing_secret, payload.encode())
    run.signing_public, run.sealing_public = key.signing_public, key.sealing_public
    run.status, run.finished_at_dt, run.heartbeat_at_dt = "published", now, now
    results_published.send(cycle.id, now=now)  # followers hear after commit
    winners = [int(pid) for item in counted for pid in item["result"].winners]
    record_action(
        None,
        "tally.publish",
        "cycle",
        cycle.id,
        now,
        {
            "run": run.id,
            "attempt": run.attempt,
            "ballots": run.ballot_count,
            "winners": winners,
        },
    )
    _open_execution(cycle.id, winners, now)


def _store_scope(run: TallyRun, item: dict) -> None:
    result, scope = item["result"], item["scope"]
    row = ScopeResult(
        run_id=run.id,
        cycle_id=run.cycle_id,
        scope_id=scope.id,
        rule=result.rule,
        greedy_fill=item["greedy_fill"],
        budget=result.budget,
        budget_used=result.budget_used,
        voters=item["voters"],
        invalid=item["invalid"],
        winners=[int(w) for w in result.winners],
        engine_result=result.to_dict(),
    )
    decisions = {d.project: d for d in result.decisions}
    order = sorted(
        item["projects"], key=lambda p: (-result.votes.get(str(p.id), 0), p.cost, p.id)
    )
    for rank, project in enumerate(order, start=1):
        decision = decisions[str(project.id)]
        row.projects.append(
            ProjectResult(
                project_id=project.id,
                votes=decision.votes,
                selected=decision.selected,
                rank=rank,
                reason=decision.reason,
                step=decision.step,
                decision=decision.to_dict(),
            )
        )
    db.session.add(row)


def _store_chain(run: TallyRun, ballots: list[ChainLink]) -> None:
    """The published chain: receipts and links in chain order, no content."""
    for start in range(0, len(ballots), INSERT_BATCH):
        db.session.execute(
            insert(PublicChainEntry),
            [
                {
                    "run_id": run.id,
                    "position": b.position,
                    "receipt": b.receipt,
                    "previous_hash": b.previous_hash,
                    "chain_hash": b.chain_hash,
                }
                for b in ballots[start : start + INSERT_BATCH]
            ],
        )


def _store_opened(run: TallyRun, shuffled: list[Choice]) -> None:
    """The published opened ballots in shuffled order: scope and choice only."""
    for start in range(0, len(shuffled), INSERT_BATCH):
        db.session.execute(
            insert(PublicBallot),
            [
                {
                    "run_id": run.id,
                    "shuffled_index": index,
                    "scope_id": b.scope_id,
                    "projects": b.projects,
                }
                for index, b in enumerate(
                    shuffled[start : start + INSERT_BATCH], start=start + 1
                )
            ],
        )


def _analyze_record() -> None:
    """Fresh planner statistics for the record's tables, in the publishing
    transaction (PostgreSQL counts its own inserted rows, and the statistics
    become visible with the commit): without them a chain page took 440 ms after
    a count of 100,000 ballots, until autovacuum came by. SQLite has no need."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE public_chain_entries, public_ballots"))


def _open_execution(cycle_id: int, winners: list[int], now: datetime) -> None:
    """Winning projects get their execution records in the same transaction."""
    try:
        from pbvote.accountability.services import open_execution_records
    except ImportError:
        log.warning(
            "pbvote.accountability.services.open_execution_records is not "
            "available: no execution records opened for cycle %s",
            cycle_id,
        )
        return
    open_execution_records(cycle_id, winners, now)


def tally_inline(run: TallyRun, now: datetime) -> TallyRun:
    """All steps one after the other in the caller's transaction (the demo seed,
    which must know the winners before it commits). Same result as the jobs."""
    run_id, attempt = run.id, run.attempt
    prepared = prepare_run(run_id, attempt, now)
    if prepared is None or prepared.status != "running":
        return run
    for chunk in range(prepared.chunk_count):
        open_chunk(run_id, attempt, chunk, now)
    return count_and_publish(run_id, attempt, now)
