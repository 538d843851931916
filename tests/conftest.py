"""Fixtures: a real PostgreSQL database built by the migrations, a real Redis.

``PBVOTE_TEST_DATABASE_URL`` and ``PBVOTE_TEST_REDIS_URL`` must point at servers
(``make test`` provides them, starting throwaway ones when needed). Each test starts
from empty tables and an empty Redis database: tests commit for real, so
after-commit jobs, concurrent casts and RQ workers behave as in production.
"""

import os
from contextlib import contextmanager

import pytest
from redis import Redis
from sqlalchemy import create_engine, text
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
    url = _ensure_empty_database(DATABASE_URL)
    application = create_app(test_config(tmp_path_factory, SQLALCHEMY_DATABASE_URI=url))
    with application.app_context():
        flask_migrate.upgrade()
    return application


def _table_names(app) -> list[str]:
    from pbvote.extensions import db

    return [table.name for table in db.metadata.sorted_tables]


@pytest.fixture(autouse=True)
def clean_state(request, app):
    """Empty every table and the Redis database after each test."""
    yield
    from pbvote.extensions import db

    with app.app_context():
        db.session.remove()
        tables = ", ".join(f'"{name}"' for name in _table_names(app))
        with db.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    Redis.from_url(REDIS_URL).flushdb()
    outbox = app.config["SMS_OUTBOX"]
    if os.path.exists(outbox):
        os.remove(outbox)


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
