"""Sliding-window rate limits kept in the database, so that every web process on
every machine shares them (no process memory, no Redis needed for a first run).

Check and count are atomic per (bucket, key): on PostgreSQL :func:`check` first
takes a transaction-scoped advisory lock on the key, so a concurrent request for
the same key waits until this transaction has counted (committed) or given up
(rolled back), then sees its row. Without the lock, N simultaneous requests all
counted the same rows and all passed. The lock is held only for one key, until
the end of the request's transaction. (SQLite, the embedded first run, has one
writer at a time and one process.) Rows are deleted after a day by the purge.

:func:`check_many` checks several limits in two statements whatever their number:
one that takes every key's lock (in a fixed order, so that two requests never
wait for each other), then one that counts every key's events. The count cannot
share the lock's statement: PostgreSQL takes a statement's snapshot when it starts,
so a count in the locking statement would miss the rows of the transaction it
waited for. The events are then inserted in one INSERT.

:func:`lock_keys` and :func:`counted_in_statement` split :func:`check_many` for a
caller that writes more in the same round trip (the vote's identity step,
pbvote.accounts.otp): the locks are taken first, alone, as above; then one
statement counts the events (its own snapshot, after the locks), and inserts the
events and the caller's rows only if every key is under its limit. When it
inserted nothing, :func:`raise_limited` counts again (the keys are still locked,
so the count is the same) to say which limit and for how long."""

from datetime import datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import (
    Index,
    String,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import CTE, ColumnElement

from pbvote.core.security import keyed_hash
from pbvote.core.types import UTCDateTime
from pbvote.extensions import db


class RateEvent(db.Model):
    __tablename__ = "rate_events"
    __table_args__ = (
        Index("ix_rate_events_bucket_key_at", "bucket", "key_hash", "at_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(String(40))
    key_hash: Mapped[str] = mapped_column(String(64))
    at_dt: Mapped[datetime] = mapped_column(UTCDateTime())


class RateLimited(Exception):
    """Too many events in the window; ``retry_after`` is in whole seconds."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = max(1, retry_after)


def _key(bucket: str, key: str) -> str:
    return keyed_hash(f"rate:{bucket}", key)


def _lock(key_hashes: list[str]) -> None:
    if db.session.get_bind().dialect.name != "postgresql" or not key_hashes:
        return
    ordered = sorted(set(key_hashes))
    db.session.execute(
        _lock_statement(len(ordered)), {f"k{i}": key for i, key in enumerate(ordered)}
    )


@lru_cache(maxsize=16)
def _lock_statement(size: int):
    calls = ", ".join(
        f"pg_advisory_xact_lock(hashtextextended(:k{i}, 0))" for i in range(size)
    )
    return text(f"SELECT {calls}")


Limit = tuple[str, str, int, timedelta]  # bucket, key, limit, window


@lru_cache(maxsize=16)
def _count_statement(size: int):
    """The count of ``size`` keys' events in their windows, built once per size
    with bound parameters b<i>, k<i>, s<i> (building it per request was a good
    part of the sign-in and vote requests' Python time, issue 13)."""
    events = RateEvent.__table__  # plain columns: no ORM compilation per call
    return (
        select(
            events.c.bucket,
            events.c.key_hash,
            func.count().label("events"),
            func.min(events.c.at_dt).label("oldest"),
        )
        .where(
            or_(
                *(
                    and_(
                        events.c.bucket == bindparam(f"b{i}"),
                        events.c.key_hash == bindparam(f"k{i}"),
                        events.c.at_dt > bindparam(f"s{i}"),
                    )
                    for i in range(size)
                )
            )
        )
        .group_by(events.c.bucket, events.c.key_hash)
    )


Hashed = tuple[str, str, int, timedelta]  # bucket, key's hash, limit, window


def lock_keys(limits: list[Limit]) -> list[Hashed]:
    """Hash the limits' keys and lock them until the transaction ends (one
    statement on PostgreSQL, see the module); returns the hashed limits."""
    hashed = [
        (bucket, _key(bucket, key), limit, window)
        for bucket, key, limit, window in limits
    ]
    _lock([key_hash for _b, key_hash, _l, _w in hashed])
    return hashed


def _counted(hashed: list[Hashed], now: datetime) -> dict:
    """{(bucket, key hash): (events in the window, the oldest's time)}, one query."""
    if not hashed:
        return {}
    rows = db.session.execute(
        _count_statement(len(hashed)), statement_parameters(hashed, now)
    )
    return {(bucket, key): (count, oldest) for bucket, key, count, oldest in rows}


def _first_limited(hashed: list[Hashed], now: datetime) -> RateLimited | None:
    counted = _counted(hashed, now)
    for bucket, key_hash, limit, window in hashed:
        count, oldest = counted.get((bucket, key_hash), (0, None))
        if count >= limit:
            return RateLimited(int((oldest + window - now).total_seconds()) + 1)
    return None


def raise_limited(hashed: list[Hashed], now: datetime):
    """Raise :class:`RateLimited` for the first limit reached, after a
    :func:`counted_in_statement` statement inserted nothing (the keys are locked
    by this transaction: counting again finds what that statement found)."""
    raise _first_limited(hashed, now) or RateLimited(1)


def statement_parameters(hashed: list[Hashed], now: datetime) -> dict:
    """The bound parameters of :func:`_count_statement` and
    :func:`counted_in_statement`: b<i>, k<i>, s<i> (window's start), l<i>, now."""
    values = {"now": now}
    for i, (bucket, key_hash, limit, window) in enumerate(hashed):
        values.update(
            {f"b{i}": bucket, f"k{i}": key_hash, f"s{i}": now - window, f"l{i}": limit}
        )
    return values


class Counted(NamedTuple):
    """Pieces of one statement that counts ``size`` keys' events and counts one
    more for each: ``allowed`` is true when every key is under its limit (the
    caller's own inserts select WHERE it); ``hits``, the events' INSERT (a CTE
    that only inserts when allowed; the statement must name it: ``add_cte``)."""

    allowed: ColumnElement
    hits: CTE


@lru_cache(maxsize=16)
def counted_in_statement(size: int) -> Counted:
    """Built once per number of keys, with :func:`statement_parameters`."""
    counted = _count_statement(size).cte("counted")
    reached = or_(
        *(
            and_(
                counted.c.bucket == bindparam(f"b{i}"),
                counted.c.key_hash == bindparam(f"k{i}"),
                counted.c.events >= bindparam(f"l{i}"),
            )
            for i in range(size)
        )
    )
    verdict = select((~exists().where(reached)).label("ok")).cte("allowed")
    allowed = select(verdict.c.ok).scalar_subquery()
    events = union_all(
        *(
            select(
                bindparam(f"b{i}", type_=String()).label("bucket"),
                bindparam(f"k{i}", type_=String()).label("key_hash"),
            )
            for i in range(size)
        )
    ).subquery("events")
    at = bindparam("now", type_=RateEvent.__table__.c.at_dt.type)
    hits = (
        insert(RateEvent.__table__)
        .from_select(
            ["bucket", "key_hash", "at_dt"],
            select(events.c.bucket, events.c.key_hash, at).where(allowed),
        )
        .cte("hits")
    )
    return Counted(allowed, hits)


def check_many(limits: list[Limit], now: datetime, *, hit_all: bool = False) -> None:
    """Raise :class:`RateLimited` for the first of ``limits`` whose key already has
    ``limit`` events in its window; ``hit_all``: otherwise count one event for each.

    Locks every key until the transaction ends (see the module), so the events
    counted here are seen by any concurrent check of the same keys."""
    hashed = lock_keys(limits)
    limited = _first_limited(hashed, now)
    if limited is not None:
        raise limited
    if hit_all and hashed:
        # One INSERT of plain rows, now (the keys are locked until the end of
        # the transaction): no ORM objects to build and flush.
        db.session.execute(
            insert(RateEvent.__table__),
            [
                {"bucket": bucket, "key_hash": key_hash, "at_dt": now}
                for bucket, key_hash, _limit, _window in hashed
            ],
        )


def check(bucket: str, key: str, limit: int, window: timedelta, now: datetime) -> None:
    """Raise :class:`RateLimited` if ``key`` already has ``limit`` events in the window.

    Locks the key until the transaction ends, so a :func:`hit` in the same
    transaction is counted before any concurrent check of the key."""
    check_many([(bucket, key, limit, window)], now)


def hit(bucket: str, key: str, now: datetime) -> None:
    db.session.add(RateEvent(bucket=bucket, key_hash=_key(bucket, key), at_dt=now))


def check_and_hit(
    bucket: str, key: str, limit: int, window: timedelta, now: datetime
) -> None:
    """Count one event unless the limit is reached (atomic: see the module)."""
    check_many([(bucket, key, limit, window)], now, hit_all=True)
    db.session.flush()  # the row exists before the lock is released at commit


def clear(bucket: str, key: str) -> None:
    db.session.execute(
        delete(RateEvent).where(
            RateEvent.bucket == bucket, RateEvent.key_hash == _key(bucket, key)
        )
    )


def purge_older_than(moment: datetime) -> int:
    result = db.session.execute(delete(RateEvent).where(RateEvent.at_dt < moment))
    return result.rowcount or 0
