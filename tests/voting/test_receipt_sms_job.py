"""A voter's SMS cost no job of their own (issue 13): a commit that queues messages
wakes the drain job, which sends them in order; a failure retries only what was
not sent, later, and the rest of the voter's messages wait behind it."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest
from redis import Redis
from rq import Queue

from jobs.sms import safety_net
from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.sms.models import SmsMessage
from pbvote.sms.services import queue_messages
from tests.helpers import outbox, run_jobs
from tests.sms.helpers import age_messages, redis_contents
from tests.voting.factories import PHONE
from tests.voting.helpers import cast, verify


def test_the_receipts_of_a_cast_wake_the_drain(client, app, election):
    cycle_id = election["cycle_id"]
    verify(client, app, cycle_id, *election["residents"][0])  # the code's job ran
    queue = Queue("sms", connection=Redis.from_url(app.config["REDIS_URL"]))
    assert queue.count == 0
    assert cast(client, election, election["projects"]["commune"][:1]).status_code
    (job,) = queue.jobs
    assert job.func_name == "jobs.sms.drain_sms" and job.args == ()
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

    # No job is kept: the worker's tick wakes a drain once the retry is due (10 s
    # after queueing for a first failure), not before, nor does another drain.
    queue = Queue("sms", connection=Redis.from_url(app.config["REDIS_URL"]))
    assert queue.count == 0 and queue.scheduled_job_registry.count == 0
    with app.app_context():
        assert safety_net() == "nothing to wake"
    FailingGateway.refused = set()
    age_messages(app, seconds=11)
    with app.app_context():
        assert safety_net() == "drain woken"
    run_jobs(app, "sms")
    assert FailingGateway.received == ["first", "second", "second", "third"]
    with app.app_context():
        assert db.session.get(SmsMessage, second) is None
        assert db.session.get(SmsMessage, third) is None


def test_an_sms_job_leaves_nothing_in_redis_once_sent(app, committed):
    """Nobody reads the drain's result: the job is deleted on success, and no key
    left in Redis names a message or a number (the job never carried any)."""
    connection = Redis.from_url(app.config["REDIS_URL"])
    with committed():
        queue_messages(PHONE, ["hello"], utcnow(), purpose="notification")
        queue_messages(
            PHONE, ["Reçu 1234-5678"], utcnow(), purpose="vote-receipt", sensitive=True
        )
    (job,) = Queue("sms", connection=connection).jobs
    assert job.args == () and job.kwargs == {}
    run_jobs(app, "sms")
    assert [m["body"] for m in outbox(app)] == ["hello", "Reçu 1234-5678"]
    keys = connection.keys("*")
    assert not [key for key in keys if key.startswith((b"rq:job:", b"pbvote:wake"))]
    everything = redis_contents(connection)
    for secret in (PHONE[1:].encode(), b"1234-5678"):
        assert secret not in everything
