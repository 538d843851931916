"""pbvote.core.prepared: a transaction that only read ends with COMMIT, so that
psycopg keeps the connection's prepared statements; every other transaction is
rolled back as before. On the real PostgreSQL, through the app's engine."""

import pytest
from sqlalchemy import bindparam, delete, func, insert, select, text
from sqlalchemy.exc import DBAPIError

from pbvote.core.ratelimit import RateEvent
from pbvote.core.time import utcnow
from pbvote.extensions import db

pytestmark = pytest.mark.commits  # each test uses its own connections, for real

EVENTS = RateEvent.__table__
COUNT_ONE_KEY = select(func.count()).where(EVENTS.c.key_hash == bindparam("key"))


def _prepared(connection) -> list[str]:
    return list(
        connection.scalars(text("SELECT statement FROM pg_prepared_statements"))
    )


def _events(key: str) -> int:
    with db.engine.connect() as other:
        return other.scalar(COUNT_ONE_KEY, {"key": key})


def _add_event(key: str) -> None:
    with db.engine.begin() as connection:
        connection.execute(
            insert(EVENTS), {"bucket": "test", "key_hash": key, "at_dt": utcnow()}
        )


def test_reading_transactions_keep_the_statement_prepared(app):
    with app.app_context(), db.engine.connect() as connection:
        for _ in range(7):  # psycopg prepares from the sixth run on
            connection.execute(COUNT_ONE_KEY, {"key": "nobody"})
            connection.rollback()  # as a read-only request ends
        assert any("rate_events" in sql for sql in _prepared(connection))


def test_a_transaction_that_wrote_is_rolled_back(app):
    with app.app_context():
        with db.engine.connect() as connection:
            connection.execute(
                insert(EVENTS),
                {"bucket": "test", "key_hash": "written", "at_dt": utcnow()},
            )
            connection.rollback()
        assert _events("written") == 0


def test_a_select_after_a_write_does_not_make_it_read_only(app):
    with app.app_context():
        with db.engine.connect() as connection:
            connection.execute(
                insert(EVENTS),
                {"bucket": "test", "key_hash": "then-read", "at_dt": utcnow()},
            )
            connection.execute(COUNT_ONE_KEY, {"key": "then-read"})
            connection.rollback()
        assert _events("then-read") == 0


def test_a_data_modifying_with_counts_as_a_write(app):
    with app.app_context():
        _add_event("kept")
        gone = (
            delete(EVENTS)
            .where(EVENTS.c.key_hash == "kept")
            .returning(EVENTS.c.id)
            .cte("gone")
        )
        with db.engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(gone)) == 1
            connection.rollback()
        assert _events("kept") == 1


def test_a_failed_transaction_is_rolled_back_and_the_connection_reused(app):
    with app.app_context(), db.engine.connect() as connection:
        with pytest.raises(DBAPIError):
            connection.execute(text("SELECT 1 / 0"))
        connection.rollback()
        assert connection.scalar(text("SELECT 2")) == 2


def test_row_locks_of_a_reading_transaction_are_released(app):
    """The commit ends the transaction as the rollback did: another connection
    can lock the row at once."""
    with app.app_context():
        _add_event("locked")
        lock = (
            select(EVENTS.c.id)
            .where(EVENTS.c.key_hash == "locked")
            .with_for_update(nowait=True)
        )
        with db.engine.connect() as first, db.engine.connect() as second:
            first.execute(lock)
            first.rollback()
            assert second.scalar(lock) is not None
            second.rollback()
            # The lock's commit skipped the wait for the disk for itself only
            # (SET LOCAL): the connection's next transactions wait again.
            assert first.scalar(text("SHOW synchronous_commit")) == "on"
            first.rollback()


def test_a_request_that_only_reads_leaves_its_statements_prepared(app, client, commune):
    """Through real requests: the public ballot box page only reads; once the
    pool's connection has served it often enough, its statements stay prepared."""
    with app.app_context():
        db.engine.dispose()  # one fresh connection for the requests below
    for _ in range(8):
        assert client.get("/").status_code == 200
    with app.app_context(), db.engine.connect() as connection:
        statements = _prepared(connection)
    assert statements, "no statement stayed prepared across read-only requests"
