"""Voting jobs."""

from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.voting import registry
from pbvote.voting.models import ImportRun


def import_registry(run_id: int) -> str:
    """Load a registry CSV in batches, committing after each so the progress page
    moves; run again after a crash, it carries on from the last committed batch, and
    a finished run is left as it is. Returns the run's status."""
    for _run in registry.import_batches(run_id, utcnow):
        db.session.commit()
    run = db.session.get(ImportRun, run_id)
    db.session.commit()
    return run.status if run else "missing"


def mix_ballots(cycle_id: int) -> int:
    """Mix the cycle's held ballots into the public chain if a batch is due.
    Returns how many were appended.

    Run after each cast's commit only without Redis (the embedded first run:
    core.jobs.after_commit_without_workers); with Redis the workers' tick
    (safety_net) mixes every due batch within a beat."""
    from pbvote.voting.holding import mix_held

    appended = mix_held(cycle_id, utcnow())
    db.session.commit()
    if appended:
        vacuum_held()
    return appended


def vacuum_held(table: str = "held_ballots") -> None:
    """VACUUM the holding table after a batch left it: its dead tuples (encrypted,
    but tied to marks by xmin) are cleared now rather than at autovacuum's pace.
    VACUUM cannot run in a transaction: an autocommit connection of the session's
    engine. SKIP_LOCKED: a long transaction holding the table never makes the
    worker wait for the table's lock (the next batch or autovacuum clears what this
    one could not); only the final truncation of empty pages may wait, up to
    PostgreSQL's 5 s, while a cast holds the table (casts themselves never wait).

    When the session is bound to a connection inside an outer transaction (a
    rolled-back test's), there is nothing to do: VACUUM cannot run inside it, and
    from another connection it could not clear rows that a still-open transaction
    deleted."""
    from sqlalchemy import Connection, text

    bind = db.session.get_bind()
    if isinstance(bind, Connection) or bind.dialect.name != "postgresql":
        return
    with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # A table name of ours (held_ballots, poll_held_ballots), never user input.
        connection.execute(text(f"VACUUM (SKIP_LOCKED) {table}"))


def safety_net() -> str:
    """Run by the worker every few seconds: mix every due batch (a mixing job may
    have been lost) and purge the personal trail."""
    from pbvote.voting.holding import cycles_with_held, mix_held
    from pbvote.voting.purge import purge_personal_trail

    mixed = 0
    for cycle_id in cycles_with_held():
        mixed += mix_held(cycle_id, utcnow())
        db.session.commit()
    if mixed:
        vacuum_held()
    purge_personal_trail(utcnow())
    db.session.commit()
    return f"{mixed} ballots mixed"
