"""Keep PostgreSQL's prepared statements across requests: a transaction that
wrote nothing ends with COMMIT, not ROLLBACK.

psycopg prepares a statement on the server once a connection has run it five
times, so that PostgreSQL stops parsing and planning it. But psycopg forgets
every prepared statement of the connection (and sends ``DEALLOCATE ALL``) at
each ROLLBACK, because it cannot tell what the rolled-back transaction changed.
A request that only reads ends its transaction with a rollback (Flask-SQLAlchemy's
teardown closes the session; some views roll back on purpose to end a row lock),
so with one read-only request in between, no statement ever stayed prepared:
PostgreSQL parsed and planned every statement of the voting flow (issue 13,
bench/RESULTS.md).

A transaction that wrote nothing ends the same whether it commits or rolls back
(its row and advisory locks are released either way). So, just before a rollback
on PostgreSQL, a transaction whose statements were all plain SELECTs is committed
first; SQLAlchemy's rollback then finds the connection idle and psycopg does
nothing. Anything else (an INSERT, UPDATE or DELETE, a ``WITH`` that may modify
data, a SAVEPOINT, a statement that failed) keeps the rollback exactly as before.
"""

import re

from psycopg import pq
from sqlalchemy import event
from sqlalchemy.engine import Engine

_WROTE = "pbvote_transaction_wrote"
_LOCKED = "pbvote_transaction_locked_rows"
# Plain SELECTs only: a ``WITH … (DELETE …)`` starts with WITH and counts as a
# write, as does anything this does not recognise.
_READS_ONLY = re.compile(r"\s*SELECT\b", re.IGNORECASE)
_LOCKS_ROWS = re.compile(
    r"\bFOR\s+(?:NO\s+KEY\s+)?(?:KEY\s+)?(?:UPDATE|SHARE)\b", re.IGNORECASE
)


@event.listens_for(Engine, "begin")
def _transaction_begins(conn) -> None:
    conn.info[_WROTE] = False
    conn.info[_LOCKED] = False


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(conn, _cursor, statement, _parameters, _context, _many) -> None:
    if not _READS_ONLY.match(statement):
        conn.info[_WROTE] = True
    elif _LOCKS_ROWS.search(statement):
        conn.info[_LOCKED] = True


@event.listens_for(Engine, "rollback")
def _commit_what_only_read(conn) -> None:
    if conn.invalidated or conn.dialect.name != "postgresql":
        return
    if conn.info.pop(_WROTE, True):
        return
    raw = conn.connection.dbapi_connection
    # Only a healthy open transaction: a failed one (INERROR) is rolled back.
    if raw is None or raw.info.transaction_status != pq.TransactionStatus.INTRANS:
        return
    try:
        if conn.info.pop(_LOCKED, False):
            # A row lock gave the transaction an id, so its commit would wait
            # for the WAL to reach the disk, where the rollback did not: nothing
            # but the locks is lost if this commit's record is.
            raw.execute("SET LOCAL synchronous_commit TO OFF")
        raw.commit()
    except Exception:  # noqa: BLE001 - the rollback that follows cleans up
        return
