"""Languages, CSRF, jobs after commit, SMS backends, configuration, migrations."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest
from sqlalchemy import select

from pbvote.core.jobs import enqueue_after_commit
from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.sms.models import SmsMessage
from pbvote.sms.services import queue_sms
from tests.helpers import outbox, run_jobs, submit


def test_language_switch_is_remembered_and_sets_direction(client, commune):
    response = client.get("/lang/fr?next=/cycles")
    assert response.status_code == 302 and response.location.endswith("/cycles")
    page = client.get("/").get_data(as_text=True)
    assert 'lang="fr" dir="ltr"' in page
    client.get("/lang/en")
    assert 'lang="en" dir="ltr"' in client.get("/").get_data(as_text=True)
    client.get("/lang/ar")
    assert 'lang="ar" dir="rtl"' in client.get("/").get_data(as_text=True)


def test_arabic_and_french_pages_are_translated(client, commune):
    client.set_cookie("lang", "ar")
    page = client.get("/login").get_data(as_text=True)
    assert "رقم" in page  # "Mobile number" in Arabic
    client.set_cookie("lang", "fr")
    assert "Numéro de mobile" in client.get("/login").get_data(as_text=True) or (
        "mobile" in client.get("/login").get_data(as_text=True)
    )


def test_amounts_and_dates_are_formatted_for_the_reader(
    app, client, commune, committed
):
    from tests.factories import create_cycle

    with committed():
        cycle_id = create_cycle(commune["id"], total=1_234_567).id
    client.set_cookie("lang", "fr")
    page = client.get(f"/cycles/{cycle_id}").get_data(as_text=True)
    assert "1\u202f234\u202f567\xa0MAD" in page  # narrow no-break spaces
    client.set_cookie("lang", "ar")
    page = client.get(f"/cycles/{cycle_id}").get_data(as_text=True)
    # The currency as a word: the symbol "د.م." doubled a sentence's full stop.
    assert "1.234.567\xa0درهم" in page and "د.م." not in page


def test_language_switch_refuses_foreign_redirects(client, commune):
    response = client.get("/lang/fr?next=https://evil.example/")
    assert response.location == "/"


def test_a_form_without_csrf_token_is_refused_clearly(client, commune):
    response = client.post("/login", data={"phone": "0612345678"})
    assert response.status_code == 400
    assert "form has expired" in response.get_data(as_text=True) or (
        "expired" in response.get_data(as_text=True)
    )


def test_security_headers(client, commune):
    response = client.get("/")
    policy = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; "
        "script-src 'self'; object-src 'none'; frame-ancestors 'none'; "
        "base-uri 'self'; form-action 'self'"
    )
    assert response.headers.getlist("Content-Security-Policy") == [policy]
    assert response.headers.getlist("X-Content-Type-Options") == ["nosniff"]
    assert response.headers.getlist("Referrer-Policy") == ["same-origin"]


def test_a_views_own_security_header_is_kept(app):
    from pbvote.app_setup import _security_headers

    with app.test_request_context("/"):
        response = app.make_response("x")
        response.headers["content-security-policy"] = "default-src 'none'; sandbox"
        _security_headers(response)
    assert response.headers.getlist("Content-Security-Policy") == [
        "default-src 'none'; sandbox"
    ]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_job_is_enqueued_only_after_commit_and_run_by_a_real_worker(app, committed):
    from redis import Redis
    from rq import Queue

    queue = Queue("sms", connection=Redis.from_url(app.config["REDIS_URL"]))
    with app.app_context():
        message = queue_sms("+212612345678", "Bonjour", utcnow(), purpose="test")
        assert queue.count == 0  # not before commit
        db.session.rollback()
    assert queue.count == 0  # a rollback drops it
    with committed():
        queue_sms("+212612345678", "Bonjour", utcnow(), purpose="test")
    assert queue.count == 1
    run_jobs(app, "sms")
    assert [m["body"] for m in outbox(app)] == ["Bonjour"]
    with app.app_context():
        message = db.session.scalar(select(SmsMessage))
        assert message.status == "sent" and message.attempts == 1


def test_notification_with_dedupe_key_is_sent_once(app, committed):
    for _ in range(2):
        with committed():
            queue_sms(
                "+212612345678",
                "Mise à jour",
                utcnow(),
                purpose="test",
                dedupe_key="update:1:follower:1",
            )
    run_jobs(app, "sms")
    assert len(outbox(app)) == 1


class GatewayHandler(BaseHTTPRequestHandler):
    received: ClassVar[list] = []
    fail = False

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        GatewayHandler.received.append((self.headers.get("Authorization"), body))
        self.send_response(503 if GatewayHandler.fail else 200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway():
    server = HTTPServer(("127.0.0.1", 0), GatewayHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    GatewayHandler.received, GatewayHandler.fail = [], False
    yield f"http://127.0.0.1:{server.server_port}/send"
    server.shutdown()


def test_http_gateway_backend_and_retry_after_failure(app, committed, gateway):
    from jobs.sms import drain_sms
    from tests.sms.helpers import age_messages

    app.config.update(
        SMS_BACKEND="http", SMS_GATEWAY_URL=gateway, SMS_GATEWAY_TOKEN="t0ken"
    )
    try:
        GatewayHandler.fail = True
        with committed():
            message_id = queue_sms(
                "+212612345678", "Code 123456", utcnow(), purpose="test", sensitive=True
            )
        run_jobs(app, "sms")
        with app.app_context():
            message = db.session.get(SmsMessage, message_id)
            assert message.status == "failed" and "503" in message.last_error
        # Its retry is due 10 s after it was queued; a later drain delivers it.
        GatewayHandler.fail = False
        age_messages(app, seconds=11)
        with app.app_context():
            assert drain_sms() == 1
            # A sent code is deleted, not only wiped (issue 9).
            assert db.session.get(SmsMessage, message_id) is None
        assert GatewayHandler.received[-1] == (
            "Bearer t0ken",
            {"to": "+212612345678", "body": "Code 123456", "sender": "Ouazzane"},
        )
    finally:
        app.config.update(SMS_BACKEND="outbox", SMS_GATEWAY_URL=None)


def test_failed_sms_shows_on_the_code_page(app, client, commune, gateway):
    app.config.update(SMS_BACKEND="http", SMS_GATEWAY_URL=gateway)
    GatewayHandler.fail = True
    try:
        submit(client, "/login", {"phone": "0612345678"})
        run_jobs(app, "sms")
        page = client.get("/login/code").get_data(as_text=True)
        assert "The SMS could not be sent yet. We keep trying automatically" in page
    finally:
        app.config.update(SMS_BACKEND="outbox", SMS_GATEWAY_URL=None)


def test_production_refuses_to_start_without_secrets(monkeypatch):
    from pbvote import create_app
    from pbvote.config import ConfigError

    for name in ("SECRET_KEY", "VOTER_ID_KEY", "ELECTION_KEY_WRAP", "PBVOTE_ENV"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"ENV_NAME": "production"})


def test_migrations_match_the_models(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with app.app_context():
        connection = db.session.connection()
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_a_job_enqueued_after_commit_runs_to_the_end(app):
    from redis import Redis
    from rq import Queue

    with app.app_context():
        enqueue_after_commit("jobs.sms.retry_failed_sms")
        db.session.commit()
    queue = Queue("default", connection=Redis.from_url(app.config["REDIS_URL"]))
    assert queue.count == 1  # enqueued by the commit, not before
    run_jobs(app, "default")
    assert queue.failed_job_registry.count == 0
    assert queue.finished_job_registry.count == 1


def test_openapi_document_lists_the_api(client, commune):
    document = client.get("/api/v1/openapi.json").get_json()
    assert (
        document["openapi"].startswith("3.") and "/api/v1/cycles" in document["paths"]
    )


@pytest.mark.commits  # the job is kept through its own connection (db.engine)
def test_a_job_is_kept_when_redis_is_down_and_sent_later(app, committed):
    from sqlalchemy import func

    from pbvote.core.jobs import DeferredJob, flush_deferred_jobs

    real_url = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    try:
        with committed():
            queue_sms("+212612345678", "Reçu ABC", utcnow(), purpose="test")
    finally:
        app.config["REDIS_URL"] = real_url
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DeferredJob)) == 1
        assert flush_deferred_jobs() == 1
        assert db.session.scalar(select(func.count()).select_from(DeferredJob)) == 0
    run_jobs(app, "sms")
    assert [m["body"] for m in outbox(app)] == ["Reçu ABC"]


def test_a_savepoint_does_not_release_jobs_before_the_real_commit(app):
    from redis import Redis
    from rq import Queue

    queue = Queue("sms", connection=Redis.from_url(app.config["REDIS_URL"]))
    with app.app_context():
        queue_sms("+212612345678", "Bonjour", utcnow(), purpose="test")
        with db.session.begin_nested():
            pass
        assert queue.count == 0
        db.session.commit()
    assert queue.count == 1
