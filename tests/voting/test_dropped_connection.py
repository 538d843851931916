"""A database connection that drops INSIDE the cast's transaction (a PostgreSQL
restart, a failover): the cast is retried once on a fresh connection, or the
voter gets a 503 that says whether the vote was recorded, and the receipt page
says so when they come back.

The drop is real: a SQLAlchemy listener on the app's engine, registered here,
has another connection terminate the request's own backend
(``pg_terminate_backend``) just before the cast writes its held ballot (on
PostgreSQL with the verification and the mark, in one statement), after the
claim's code was deleted in the same transaction."""

from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy import event, func, select

from pbvote.extensions import db
from pbvote.voting.models import HeldBallot, VoterMark
from tests.voting.helpers import token_for_ballot, verify


@contextmanager
def backend_killed_before(app, marker: str, times: int):
    """Terminate the request's backend the first ``times`` times a statement
    containing ``marker`` is about to run on the app's engine."""
    url = app.config["SQLALCHEMY_DATABASE_URI"].replace(
        "postgresql+psycopg", "postgresql"
    )
    killed = []

    def kill(connection, _cursor, statement, *_args):
        if marker not in statement or len(killed) >= times:
            return
        pid = connection.connection.dbapi_connection.info.backend_pid
        with psycopg.connect(url, autocommit=True) as outsider:  # not from the pool
            # With a timeout, PostgreSQL waits until the backend has exited.
            assert outsider.execute(
                "SELECT pg_terminate_backend(%s, 5000)", (pid,)
            ).fetchone()[0]
        killed.append(pid)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", kill)
    try:
        yield killed
    finally:
        event.remove(engine, "before_cursor_execute", kill)


def _cast_form(client, election):
    return {
        "csrf_token": token_for_ballot(client, election["cycle_id"]),
        f"scope-{election['commune_scope']}": [election["projects"]["commune"][0]],
        f"scope-{election['district_scope']}": [],
    }


def _recorded(app) -> tuple[int, int]:
    with app.app_context():
        marks = db.session.scalar(select(func.count()).select_from(VoterMark))
        held = db.session.scalar(select(func.count()).select_from(HeldBallot))
        return marks, held


def _come_back(app, election, phone):
    """The voter, in a new browser, verifies again and opens the receipt page."""
    back = app.test_client()
    cin, birth = election["residents"][0]
    verify(back, app, election["cycle_id"], cin, birth, phone=phone)
    return back, back.get(f"/cycles/{election['cycle_id']}/vote/done")


@pytest.mark.commits  # the outsider connection and the retry see committed rows
def test_a_connection_dropped_inside_the_cast_is_retried_once(app, election):
    client = app.test_client()
    cin, birth = election["residents"][0]
    verify(client, app, election["cycle_id"], cin, birth)
    form = _cast_form(client, election)
    with backend_killed_before(app, "INSERT INTO held_ballots", 1) as killed:
        response = client.post(f"/cycles/{election['cycle_id']}/vote/cast", data=form)
    assert len(killed) == 1  # the first try's transaction really lost its backend
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith("/vote/done")
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "your vote is recorded" in done
    assert _recorded(app) == (1, 1)  # once: the dropped try left nothing
    page = _come_back(app, election, "+212612345601")[1].get_data(as_text=True)
    assert "Your vote is in the ballot box" in page


@pytest.mark.commits
def test_a_cast_whose_retry_drops_too_answers_503_not_recorded(app, election):
    client = app.test_client()
    cin, birth = election["residents"][0]
    verify(client, app, election["cycle_id"], cin, birth)
    form = _cast_form(client, election)
    with backend_killed_before(app, "INSERT INTO held_ballots", 2) as killed:
        response = client.post(f"/cycles/{election['cycle_id']}/vote/cast", data=form)
    assert len(killed) == 2
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "Your vote was not recorded" in page
    assert _recorded(app) == (0, 0)
    # Coming back, the receipt page does not claim a vote; the voter casts again.
    back, done = _come_back(app, election, "+212612345602")
    assert done.status_code == 302
    again = back.post(
        f"/cycles/{election['cycle_id']}/vote/cast", data=_cast_form(back, election)
    )
    assert again.status_code == 302
    assert _recorded(app) == (1, 1)


@pytest.mark.commits
def test_a_commit_that_reached_the_database_before_the_drop_is_reported_recorded(
    app, election
):
    """The first try commits, then its connection is cut before the request ends
    (the answer to COMMIT lost): the retry finds the mark and says the vote is
    recorded, with a 503, and the receipt page says so on return."""
    client = app.test_client()
    cin, birth = election["residents"][0]
    verify(client, app, election["cycle_id"], cin, birth)
    form = _cast_form(client, election)
    url = app.config["SQLALCHEMY_DATABASE_URI"].replace(
        "postgresql+psycopg", "postgresql"
    )
    state = {"done": False}

    def commit_then_drop(connection):
        # The engine's "commit" event runs just before SQLAlchemy's COMMIT: commit
        # here first, then cut the backend and open a new transaction on it, so
        # that SQLAlchemy's own COMMIT meets the dead connection.
        if state["done"]:
            return
        state["done"] = True
        raw = connection.connection.dbapi_connection
        marks = raw.execute("SELECT count(*) FROM voter_marks").fetchone()[0]
        if not marks:
            return  # not the cast's commit
        raw.commit()
        pid = raw.info.backend_pid
        with psycopg.connect(url, autocommit=True) as outsider:
            outsider.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))
        try:
            raw.execute("SELECT 1")  # opens a transaction on the dead backend
        except psycopg.OperationalError:
            pass

    with app.app_context():
        engine = db.engine
    event.listen(engine, "commit", commit_then_drop)
    try:
        response = client.post(f"/cycles/{election['cycle_id']}/vote/cast", data=form)
    finally:
        event.remove(engine, "commit", commit_then_drop)
    assert state["done"]
    page = response.get_data(as_text=True)
    assert response.status_code == 503, page
    assert "Your vote is recorded" in page
    assert _recorded(app) == (1, 1)
    back = _come_back(app, election, "+212612345603")[1].get_data(as_text=True)
    assert "Your vote is in the ballot box" in back
