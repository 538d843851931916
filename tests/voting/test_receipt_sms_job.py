"""A voter's SMS cost two jobs, the code and the receipts (issue 13): the messages
to one number go in one job, in order, and a failure retries only what was not
sent."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest
from redis import Redis
from rq import Queue

from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.sms.models import SmsMessage
from pbvote.sms.services import queue_messages
from tests.helpers import outbox, run_jobs
from tests.voting.factories import PHONE
from tests.voting.helpers import cast, verify


def test_the_receipts_of_a_cast_are_one_job(client, app, election):
    cycle_id = election["cycle_id"]
    verify(client, app, cycle_id, *election["residents"][0])  # the code's job ran
    queue = Queue("sms", connection=Redis.from_url(app.config["REDIS_URL"]))
    assert queue.count == 0
    assert cast(client, election, election["projects"]["commune"][:1]).status_code
    (job,) = queue.jobs
    assert len(job.args) == 2
    sent_before = len(outbox(app))
    run_jobs(app, "sms")
    receipts = outbox(app)[sent_before:]
    assert [m["to"] for m in receipts] == [PHONE, PHONE]
    assert "Receipts: " in receipts[0]["body"]  # in order: receipts, then the key
    assert "results key" in receipts[1]["body"]


class FailingGateway(BaseHTTPRequestHandler):
    """An SMS gateway that refuses the bodies in ``refused``."""

    received: ClassVar[list] = []
    refused: ClassVar[set] = set()

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FailingGateway.received.append(body["body"])
        self.send_response(503 if body["body"] in FailingGateway.refused else 200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(app):
    server = HTTPServer(("127.0.0.1", 0), FailingGateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FailingGateway.received, FailingGateway.refused = [], set()
    app.config.update(
        SMS_BACKEND="http", SMS_GATEWAY_URL=f"http://127.0.0.1:{server.server_port}/"
    )
    yield
    app.config.update(SMS_BACKEND="outbox", SMS_GATEWAY_URL=None)
    server.shutdown()


def test_a_failed_second_message_is_retried_alone_and_the_order_kept(
    app, committed, gateway
):
    with committed():
        first, second, third = queue_messages(
            PHONE,
            ["first", "second", "third"],
            utcnow(),
            purpose="vote-receipt",
            sensitive=True,
        )
    FailingGateway.refused = {"second"}
    run_jobs(app, "sms")
    # The first is sent (and deleted); the second failed, visible to staff; the
    # third waits behind it, not sent out of order.
    assert FailingGateway.received == ["first", "second"]
    with app.app_context():
        assert db.session.get(SmsMessage, first) is None
        failed = db.session.get(SmsMessage, second)
        assert failed.status == "failed" and "503" in failed.last_error
        assert failed.attempts == 1
        assert db.session.get(SmsMessage, third).status == "queued"

    # RQ keeps the one job for a retry: run it now, the gateway back.
    queue = Queue("sms", connection=Redis.from_url(app.config["REDIS_URL"]))
    (job_id,) = queue.scheduled_job_registry.get_job_ids()
    queue.scheduled_job_registry.requeue(job_id)
    FailingGateway.refused = set()
    run_jobs(app, "sms")
    assert FailingGateway.received == ["first", "second", "second", "third"]
    with app.app_context():
        assert db.session.get(SmsMessage, second) is None
        assert db.session.get(SmsMessage, third) is None


def test_an_sms_job_leaves_nothing_in_redis_once_sent(app, committed):
    """Nobody reads an SMS job's result: the job is deleted on success, even for
    a message that is not sensitive (a notification)."""
    from rq.job import Job

    connection = Redis.from_url(app.config["REDIS_URL"])
    with committed():
        queue_messages(PHONE, ["hello"], utcnow(), purpose="notification")
    (job,) = Queue("sms", connection=connection).jobs
    run_jobs(app, "sms")
    assert [m["body"] for m in outbox(app)] == ["hello"]
    assert not Job.exists(job.id, connection=connection)
