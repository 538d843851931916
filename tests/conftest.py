"""Fixtures: a real PostgreSQL database built by the migrations, a real Redis.

``PBVOTE_TEST_DATABASE_URL`` and ``PBVOTE_TEST_REDIS_URL`` must point at servers
(``make test`` provides them, starting throwaway ones when needed). Each test starts
from empty tables and an empty Redis database. By default a test runs in one
transaction rolled back at its end, where the app's commits release savepoints
(after-commit jobs still wait for them); tests marked ``@pytest.mark.commits``
commit for real and the tables are truncated after them. docs/DEVELOPING.md says
which to choose.
"""

import os
import warnings
from contextlib import contextmanager

import pytest
from redis import Redis
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

DATABASE_URL = os.environ.get("PBVOTE_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("PBVOTE_TEST_REDIS_URL")


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
        return f"Redis database flushed before each test: {REDIS_URL}"


def flush_test_redis() -> None:
    Redis.from_url(REDIS_URL).flushdb()


def check_redis_is_ours() -> None:
    """Refuse to wipe a Redis database that ``make test`` chose by default when it
    holds keys the tests do not make (they only make RQ's ``rq:*`` keys). A database
    named explicitly in PBVOTE_TEST_REDIS_URL is the caller's to wipe."""
    if os.environ.get("PBVOTE_TEST_REDIS_DEFAULTED") != "1":
        return
    redis = Redis.from_url(REDIS_URL)
    foreign = next(
        (key for key in redis.scan_iter(count=1000) if not key.startswith(b"rq:")),
        None,
    )
    if foreign is not None:
        pytest.exit(
            f"Refusing to flush {REDIS_URL}: it holds keys the tests did not make "
            f"(e.g. {foreign!r}). Set PBVOTE_TEST_REDIS_URL to a Redis database "
            "the tests may empty.",
            returncode=2,
        )


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
    else:
        with RolledBackDatabase(app) as database:
            yield
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


@pytest.fixture
def committing_db():
    """Ask for real commits (and truncation afterwards) in one test."""


def _truncate(app) -> None:
    from pbvote.extensions import db

    with app.app_context():
        db.session.remove()
        tables = ", ".join(f'"{name}"' for name in _table_names(app))
        with db.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


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


@pytest.fixture
def live_server(app):
    """The app served on a free local port, for browser tests."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
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
