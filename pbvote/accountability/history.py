"""Records as they stood at a past moment, rebuilt from the append-only history of
published updates: what a report for a finished period shows, whenever it is
made. Pure reading."""

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from pbvote.accountability.models import ExecutionRecord, ExecutionUpdate
from pbvote.extensions import db


@dataclass
class PastState:
    """A record's public values at a moment (those the history keeps)."""

    status_key: str = "planned"
    status_reason: str = ""
    progress: int = 0
    committed: int = 0
    spent: int = 0


def records_at(commune_id: int, moment: datetime) -> list[ExecutionRecord]:
    """The commune's records opened before ``moment`` (the winning projects known
    then), oldest first."""
    return list(
        db.session.scalars(
            select(ExecutionRecord)
            .where(
                ExecutionRecord.commune_id == commune_id,
                ExecutionRecord.created_at_dt < moment,
            )
            .options(
                selectinload(ExecutionRecord.project),
                selectinload(ExecutionRecord.cycle),
            )
            .order_by(ExecutionRecord.id)
        )
    )


def states_at(records, moment: datetime, needs_reason: set[str]) -> dict:
    """{record id: PastState} at ``moment``: each record's published updates up to
    then, applied in order. ``needs_reason`` are the status keys that carry a
    public reason (the others clear it)."""
    states = {record.id: PastState() for record in records}
    updates = db.session.scalars(
        select(ExecutionUpdate)
        .where(
            ExecutionUpdate.record_id.in_(list(states) or [-1]),
            ExecutionUpdate.state == "published",
            ExecutionUpdate.published_at_dt < moment,
        )
        .order_by(ExecutionUpdate.published_at_dt, ExecutionUpdate.id)
    )
    for update in updates:
        _apply(states[update.record_id], update, needs_reason)
    return states


def states_at_each(record_ids, moments, needs_reason: set[str]) -> dict:
    """{moment: {record id: PastState}}: :func:`states_at` at several moments
    from one read of the updates (plain columns), each moment's states taken
    when the updates reach it."""
    moments = sorted(set(moments))
    states = {record_id: PastState() for record_id in record_ids}
    updates = db.session.execute(
        select(
            ExecutionUpdate.record_id,
            ExecutionUpdate.subproject_id,
            ExecutionUpdate.progress_after,
            ExecutionUpdate.committed_after,
            ExecutionUpdate.spent_after,
            ExecutionUpdate.status_after,
            ExecutionUpdate.reason,
            ExecutionUpdate.published_at_dt,
        )
        .where(
            ExecutionUpdate.record_id.in_(list(states) or [-1]),
            ExecutionUpdate.state == "published",
            ExecutionUpdate.published_at_dt < moments[-1],
        )
        .order_by(ExecutionUpdate.published_at_dt, ExecutionUpdate.id)
    )
    taken: dict = {}
    for update in updates:
        while moments[len(taken)] <= update.published_at_dt:
            taken[moments[len(taken)]] = dict(states)
        # A changed state is a new object: the moments taken keep the old one.
        state = states[update.record_id] = replace(states[update.record_id])
        _apply(state, update, needs_reason)
    for moment in moments[len(taken) :]:
        taken[moment] = dict(states)
    return taken


def _apply(state: PastState, update: ExecutionUpdate, needs_reason) -> None:
    # The *_after columns keep the record's values once the entry was published;
    # a sub-project's entry has its status in status_after, not the record's.
    state.progress = update.progress_after
    state.committed, state.spent = update.committed_after, update.spent_after
    if update.subproject_id is not None:
        return
    changed = update.status_after != state.status_key
    state.status_key = update.status_after
    if update.status_after not in needs_reason:
        state.status_reason = ""
    elif update.reason.strip() or changed:
        state.status_reason = update.reason.strip()


def updates_between(record_ids, since: datetime, until: datetime) -> int:
    """How many entries of these records were published in [since, until)."""
    from sqlalchemy import func

    return (
        db.session.scalar(
            select(func.count(ExecutionUpdate.id)).where(
                ExecutionUpdate.record_id.in_(list(record_ids) or [-1]),
                ExecutionUpdate.state == "published",
                ExecutionUpdate.published_at_dt >= since,
                ExecutionUpdate.published_at_dt < until,
            )
        )
        or 0
    )
