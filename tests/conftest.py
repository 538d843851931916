"""Fixtures: a real PostgreSQL database built by the migrations, a real Redis.

``PBVOTE_TEST_DATABASE_URL`` and ``PBVOTE_TEST_REDIS_URL`` must point at servers
(``make test`` provides them, starting throwaway ones when needed). Each test starts
from empty tables and an empty Redis database. By default a test runs in one
transaction rolled back at its end, where the app's commits release savepoints
(after-commit jobs still wait for them); tests marked ``@pytest.mark.commits``
commit for real and the tables are truncated after them. docs/DEVELOPING.md says
which to choose.

Under pytest-xdist (``make test`` runs ``-n auto``) each worker has its own
database and Redis database, derived from those two settings
(``worker_database_url``, ``worker_redis_url``).
"""

import os
import warnings
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest
from redis import Redis
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

# --- One database and one Redis database per xdist worker --------------------


def worker_number() -> int:
    """0 in a plain run and in xdist's first worker ``gw0``; N in worker ``gwN``."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))


def worker_database_url(url: str | None, number: int) -> str | None:
    """Worker N > 0 uses the database ``<name>_gwN``."""
    if number == 0 or not url:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_gw{number}").render_as_string(
        hide_password=False
    )


def worker_redis_url(url: str | None, number: int) -> str | None:
    """Worker N > 0 uses the Redis database N places after the configured one
    (``redis://host/8`` -> ``/9`` for gw1)."""
    if number == 0 or not url:
        return url
    parts = urlsplit(url)
    index = int(parts.path.strip("/") or 0) + number
    return urlunsplit(parts._replace(path=f"/{index}"))


DATABASE_URL = worker_database_url(
    os.environ.get("PBVOTE_TEST_DATABASE_URL"), worker_number()
)
REDIS_URL = worker_redis_url(os.environ.get("PBVOTE_TEST_REDIS_URL"), worker_number())


def require_services() -> None:
    """Fail loudly (never skip) when the real servers are not configured. Only tests
    that use the app need them: the pure tally engine's tests run anywhere."""
    if not DATABASE_URL or not REDIS_URL:
        pytest.fail(
            "Set PBVOTE_TEST_DATABASE_URL and PBVOTE_TEST_REDIS_URL (PostgreSQL "
            "and Redis), or run the tests with `make test`, which provides them.",
            pytrace=False,
        )


def pytest_report_header(config):
    if REDIS_URL:
        line = f"Redis database flushed before each test: {REDIS_URL}"
        if getattr(config.option, "numprocesses", None):
            line += " (xdist worker gwN: the database N after it, and <database>_gwN)"
        return line


def flush_test_redis() -> None:
    Redis.from_url(REDIS_URL).flushdb()


def foreign_redis_key(number: int) -> tuple[str, bytes] | None:
    """A key the tests did not make (they only make RQ's ``rq:*`` keys) in the
    Redis database of worker ``number``, when that database is not the caller's
    to wipe: ``make test`` chose it by default, or xdist derived it from the one
    named in PBVOTE_TEST_REDIS_URL (the one named is the caller's to wipe)."""
    chosen_by_us = os.environ.get("PBVOTE_TEST_REDIS_DEFAULTED") == "1"
    if not chosen_by_us and number == 0:
        return None
    url = worker_redis_url(os.environ.get("PBVOTE_TEST_REDIS_URL"), number)
    keys = Redis.from_url(url).scan_iter(count=1000)
    foreign = next((key for key in keys if not key.startswith(b"rq:")), None)
    return None if foreign is None else (url, foreign)


def refuse_foreign_redis(found: tuple[str, bytes] | None) -> None:
    if found is not None:
        url, key = found
        pytest.exit(
            f"Refusing to flush {url}: it holds keys the tests did not make "
            f"(e.g. {key!r}). Set PBVOTE_TEST_REDIS_URL to a Redis database "
            "the tests may empty (xdist worker gwN uses the database N after it).",
            returncode=2,
        )


def check_redis_is_ours() -> None:
    refuse_foreign_redis(foreign_redis_key(worker_number()))


def pytest_sessionstart(session):
    """Under xdist, check every worker's Redis database before any worker starts,
    so that a refusal is printed as such (a worker that exits shows as crashed)."""
    config = session.config
    workers = getattr(config.option, "numprocesses", None) or 0
    if hasattr(config, "workerinput") or not isinstance(workers, int) or not REDIS_URL:
        return
    from redis.exceptions import ConnectionError as RedisDown

    try:
        for number in range(workers):
            refuse_foreign_redis(foreign_redis_key(number))
    except RedisDown:
        return  # the workers' app fixture says so


def _ensure_empty_database(url: str) -> str:
    from pbvote.config import normalise_database_url

    url = normalise_database_url(url)
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def test_config(tmp_path_factory, **extra) -> dict:
    base = tmp_path_factory.mktemp("instance")
    config = {
        "ENV_NAME": "testing",
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": "test-secret-key",
        "VOTER_ID_KEY": "test-voter-id-key",
        "ELECTION_KEY_WRAP": "test-election-key-wrap",
        "SMS_BACKEND": "outbox",
        "SMS_OUTBOX": str(base / "sms-outbox.jsonl"),
        "EMAIL_OUTBOX": str(base / "email-outbox.jsonl"),
        "UPLOAD_DIR": str(base / "uploads"),
        "REPORT_DIR": str(base / "reports"),
        "SERVER_NAME": None,
        # Assertions read English; tests of Arabic set the "lang" cookie (or this).
        "DEFAULT_LANGUAGE": "en",
    }
    config.update(extra)
    return config


test_config.__test__ = False  # not a test, despite its name


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    import flask_migrate

    from pbvote import create_app

    require_services()
    check_redis_is_ours()
    flush_test_redis()
    url = _ensure_empty_database(DATABASE_URL)
    application = create_app(test_config(tmp_path_factory, SQLALCHEMY_DATABASE_URI=url))
    with application.app_context():
        flask_migrate.upgrade()
    return application


def _table_names(app) -> list[str]:
    from pbvote.extensions import db

    return [table.name for table in db.metadata.sorted_tables]


# A test function that names one of these starts threads, whose sessions cannot
# share the test's connection: it commits for real without needing the mark.
THREAD_NAMES = {"threading", "Thread", "ThreadPoolExecutor", "concurrent"}


def needs_commits(request) -> bool:
    """Tests whose data must really be committed: another connection or thread
    reads it (a live server, concurrent casts, a job that runs elsewhere)."""
    node = request.node
    code = getattr(getattr(node, "function", None), "__code__", None)
    return (
        node.get_closest_marker("commits") is not None
        or node.get_closest_marker("browser") is not None
        or "live_server" in request.fixturenames
        or "committing_db" in request.fixturenames
        or (code is not None and not THREAD_NAMES.isdisjoint(code.co_names))
    )


@pytest.fixture(autouse=True)
def clean_state(request, app):
    """Each test sees empty tables and an empty Redis database.

    By default the test runs inside one outer transaction rolled back at the end
    (``RolledBackDatabase``): the app's commits only release savepoints, so jobs
    still wait for the commit and run with ``run_jobs``. Tests marked
    ``@pytest.mark.commits`` (or using ``committing_db`` or ``live_server``) commit
    for real and the tables are truncated afterwards.
    """
    if needs_commits(request):
        yield
        _truncate(app)
        _vacuum_held_ballots(app)
    else:
        with RolledBackDatabase(app) as database:
            yield
        _vacuum_held_ballots(app)
        if database.foreign_threads:
            pytest.fail(
                "This test used the database from another thread, which cannot "
                "share the test's rolled-back transaction: mark it "
                "@pytest.mark.commits (see docs/DEVELOPING.md).",
                pytrace=False,
            )
    flush_test_redis()
    for outbox in (app.config["SMS_OUTBOX"], app.config["EMAIL_OUTBOX"]):
        if os.path.exists(outbox):
            os.remove(outbox)


def _vacuum_held_ballots(app) -> None:
    """Leave no dead rows in the tables a job VACUUMs (jobs.voting.vacuum_held:
    the voting and the polls' holding tables).
    Otherwise, in the next rolled-back test, that VACUUM finds pages to give back
    (the rows of a rolled-back or truncated test are dead), cannot take the lock
    for it while the test's transaction holds the table, and waits the 5 s that
    PostgreSQL allows before giving up: 5 s per mixed batch in every voting test."""
    from pbvote.extensions import db

    with app.app_context():
        sizes = " UNION ALL ".join(
            f"SELECT '{name}' WHERE pg_relation_size('{name}') > 0"
            for name in _table_names(app)
            if name.endswith("held_ballots")  # held_ballots, poll_held_ballots
        )
        with db.engine.connect() as connection:
            filled = connection.scalars(text(sizes)).all()
        if filled:
            with db.engine.connect().execution_options(
                isolation_level="AUTOCOMMIT"
            ) as connection:
                for name in filled:
                    connection.execute(text(f"VACUUM {name}"))


@pytest.fixture
def committing_db():
    """Ask for real commits (and truncation afterwards) in one test."""


def _truncate(app) -> None:
    """Empty every table that holds a row and restart every sequence. Only the
    tables found filled are named: TRUNCATE costs ~25 ms a table even when the
    table is empty (new files for it and its indexes), ~2 s for all of them."""
    from pbvote.extensions import db

    with app.app_context():
        db.session.remove()
        names = _table_names(app)
        filled = " UNION ALL ".join(
            f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM \"{name}\")" for name in names
        )
        with db.engine.begin() as connection:
            tables = ", ".join(f'"{name}"' for name in connection.scalars(text(filled)))
            if tables:
                connection.execute(text(f"TRUNCATE {tables} CASCADE"))
            connection.execute(RESTART_SEQUENCES)


RESTART_SEQUENCES = text(
    "SELECT setval(oid::regclass, 1, false) FROM pg_class "
    "WHERE relkind = 'S' AND relnamespace = 'public'::regnamespace"
)


class RolledBackDatabase:
    """Binds every session of ``db`` to one connection whose transaction is rolled
    back on exit (Warehouse's pattern). Sessions join it with
    ``join_transaction_mode="create_savepoint"``, so ``session.commit()`` releases
    a savepoint and fires ``after_commit`` as a real commit would. Flask-SQLAlchemy
    3 ignores a session's ``bind`` (pallets-eco/flask-sqlalchemy#1167), hence the
    ``get_bind`` override; sessions of an app on another database (the SQLite
    first run) keep their own engine."""

    def __init__(self, app):
        self.app = app
        self.foreign_threads: list[int] = []

    def __enter__(self):
        from pbvote.extensions import db

        with self.app.app_context():
            engine = db.engine
        self.connection = engine.connect()
        self.transaction = self.connection.begin()
        # Ids start at 1 in every test, as after a truncation (setval is never
        # rolled back, so this also undoes what the previous test used).
        self.connection.execute(RESTART_SEQUENCES)
        self.engine = engine
        event.listen(engine, "engine_connect", self._other_connection)
        self.factory = db.session.session_factory
        self.saved = (self.factory.class_, dict(self.factory.kw))
        self.factory.class_ = _bound_session_class(self)
        self.factory.configure(
            bind=self.connection, join_transaction_mode="create_savepoint"
        )
        return self

    def _other_connection(self, connection) -> None:
        warnings.warn(
            "This rolled-back test opened a second database connection (db.engine), "
            "which does not see the test's data: if it must, mark the test "
            "@pytest.mark.commits (docs/DEVELOPING.md).",
            stacklevel=2,
        )

    def __exit__(self, *exc_info):
        event.remove(self.engine, "engine_connect", self._other_connection)
        # Sessions were closed when their app contexts ended.
        self.factory.class_, self.factory.kw = self.saved
        self.transaction.rollback()
        self.connection.close()


def _bound_session_class(database: RolledBackDatabase):
    import threading

    from flask_sqlalchemy.session import Session

    owner = threading.get_ident()
    url = database.connection.engine.url

    class BoundSession(Session):
        def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
            engine = super().get_bind(mapper, clause, bind, **kwargs)
            if engine.url != url:
                return engine  # another database: not ours to roll back
            if threading.get_ident() != owner:
                database.foreign_threads.append(threading.get_ident())
                raise RuntimeError("a rolled-back test's session used in a thread")
            return self.bind

    return BoundSession


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def committed(app):
    """``with committed() as session:`` runs in a fresh app context and commits."""
    from pbvote.extensions import db

    @contextmanager
    def scope():
        with app.app_context():
            yield db.session
            db.session.commit()
            db.session.expunge_all()

    return scope


@pytest.fixture
def commune(committed):
    """The commune of Ouazzane with its districts; returns plain ids."""
    from tests.factories import create_commune

    with committed():
        commune = create_commune()
        return {"id": commune.id, "district_ids": [d.id for d in commune.districts]}


@pytest.fixture(scope="session")
def demo_snapshot(app):
    """The demo seeded once per session (per xdist worker), copied and emptied
    again: ``seeded_demo`` puts the copy back in each test that asks."""
    from pbvote.demo import seed_demo
    from pbvote.extensions import db
    from tests.snapshot import Snapshot

    with app.app_context():
        lines = seed_demo()
        db.session.remove()
    snapshot = Snapshot.take(app)
    _truncate(app)
    flush_test_redis()
    for outbox in (app.config["SMS_OUTBOX"], app.config["EMAIL_OUTBOX"]):
        if os.path.exists(outbox):
            os.remove(outbox)
    return snapshot, lines


@pytest.fixture
def seeded_demo(app, demo_snapshot) -> list[str]:
    """The tables and Redis database exactly as ``seed_demo()`` left them (a copy
    of one seeding per session); returns the lines it printed."""
    snapshot, lines = demo_snapshot
    snapshot.restore(app)
    return lines


@pytest.fixture
def live_server(app):
    """The app served on a free local port, for browser tests."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    # Polled every 50 ms (not 0.5 s) for the shutdown at the end of the test.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


class StatementLog(list):
    """The SQL statements one block sent, savepoints left out (a rolled-back
    test's commits add them, a real request does not)."""

    def __repr__(self) -> str:
        return f"{len(self)} statements:\n" + "\n".join(self)


SAVEPOINT_WORDS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@pytest.fixture
def count_statements(app):
    """``with count_statements() as log: client.get(url)``; then ``len(log)`` is
    the number of SQL statements the block sent (``log`` lists them). Listens to
    the engine's ``before_cursor_execute``, so it sees every connection of the
    app's engine, the rolled-back test's one included."""
    from pbvote.extensions import db

    with app.app_context():
        engine = db.engine

    @contextmanager
    def counting():
        log = StatementLog()

        def record(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(SAVEPOINT_WORDS):
                log.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            yield log
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return counting


@pytest.fixture
def process_caches(app):
    """The per-process caches on, as in production (tests run with them off)."""
    from pbvote.core import processcache

    before = app.config["PROCESS_CACHE_SECONDS"]
    app.config["PROCESS_CACHE_SECONDS"] = 60
    processcache.clear_all()
    yield
    processcache.clear_all()
    app.config["PROCESS_CACHE_SECONDS"] = before
