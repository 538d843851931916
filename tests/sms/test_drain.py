"""One drain job delivers every queued SMS (issue 13): commits only wake it, codes
go first, a voter's messages keep their order across workers, failures are
retried later without a hot loop, and nothing personal stays in Redis."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import func, select

from jobs.sms import drain_sms, retry_failed_sms, safety_net
from pbvote.core.jobs import wake_key
from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.sms.models import SmsMessage
from pbvote.sms.services import DRAIN_JOB, claim_batch, queue_messages, queue_sms
from tests.helpers import outbox, run_jobs
from tests.sms.helpers import age_messages, redis_contents

VOTER = "+212612000001"
NEIGHBOUR = "+212612000002"


def _queue(app) -> Queue:
    return Queue("sms", connection=Redis.from_url(app.config["REDIS_URL"]))


def _receipts(phone: str, *bodies: str) -> list[int]:
    return queue_messages(
        phone, list(bodies), utcnow(), purpose="vote-receipt", sensitive=True
    )


def _bodies(app) -> list[str]:
    return [message["body"] for message in outbox(app)]


def test_commits_wake_one_drain_while_one_is_pending(app, committed):
    queue = _queue(app)
    for number in range(5):
        with committed():
            queue_sms(VOTER, f"note {number}", utcnow(), purpose="notification")
    (job,) = queue.jobs  # five commits, one job
    assert job.func_name == DRAIN_JOB and job.args == () and job.kwargs == {}
    run_jobs(app, "sms")
    assert _bodies(app) == [f"note {number}" for number in range(5)]
    assert not queue.connection.exists(wake_key(DRAIN_JOB))  # cleared by the drain
    with committed():
        queue_sms(VOTER, "later", utcnow(), purpose="notification")
    assert queue.count == 1  # the drain ran: the next commit wakes another
    run_jobs(app, "sms")
    assert _bodies(app)[-1] == "later"


class Gateway(BaseHTTPRequestHandler):
    """An SMS gateway: refuses the bodies in ``refused``; ``on_receive`` runs
    (in the gateway's thread) for every body it gets, before it answers."""

    received: ClassVar[list] = []
    refused: ClassVar[set] = set()
    on_receive: ClassVar = None

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Gateway.received.append(body["body"])
        if Gateway.on_receive:
            Gateway.on_receive(body["body"])
        self.send_response(503 if body["body"] in Gateway.refused else 200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(app):
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Gateway.received, Gateway.refused, Gateway.on_receive = [], set(), None
    app.config.update(
        SMS_BACKEND="http", SMS_GATEWAY_URL=f"http://127.0.0.1:{server.server_port}/"
    )
    yield Gateway
    app.config.update(SMS_BACKEND="outbox", SMS_GATEWAY_URL=None)
    server.shutdown()


@pytest.mark.commits  # the gateway's thread commits through its own connection
def test_a_message_committed_while_a_drain_runs_is_delivered(app, committed, gateway):
    """The drain has cleared its flag and claimed 'first'; a request commits
    'second' meanwhile (while the gateway holds 'first'): either this drain's
    next claim or the drain that commit wakes delivers it, exactly once."""

    def commit_another(body):
        if body == "first":
            with app.app_context():
                queue_sms(NEIGHBOUR, "second", utcnow(), purpose="notification")
                db.session.commit()

    gateway.on_receive = commit_another
    with committed():
        queue_sms(VOTER, "first", utcnow(), purpose="notification")
    run_jobs(app, "sms")  # until the queue is empty: both drains, if two
    assert gateway.received == ["first", "second"]
    assert _queue(app).count == 0
    with app.app_context():
        assert set(db.session.scalars(select(SmsMessage.status))) == {"sent"}


@pytest.mark.commits  # two sessions, two connections, as two workers
def test_a_voters_receipts_are_claimed_together_by_one_worker(app, committed):
    with committed():
        first, second = _receipts(VOTER, "receipts", "key")
        third, fourth = _receipts(NEIGHBOUR, "receipts 2", "key 2")
    with app.app_context():
        mine = claim_batch(utcnow(), size=1)  # one group: the voter's two messages
        assert [row.id for row in mine] == [first, second]
        with app.app_context():  # another worker, while the first holds them
            theirs = claim_batch(utcnow())
            assert [row.id for row in theirs] == [third, fourth]
            db.session.rollback()
        db.session.rollback()


def test_a_message_waits_for_the_unsent_ones_before_it(app, committed, gateway):
    """The second receipt is not claimed while the first is unsent, even by a
    drain that does not hold the first (a failure left it 'failed')."""
    with committed():
        first, second = _receipts(VOTER, "receipts", "key")
    gateway.refused = {"receipts"}
    run_jobs(app, "sms")
    assert gateway.received == ["receipts"]
    with app.app_context():
        assert claim_batch(utcnow()) == []  # the first is not due yet
        statuses = dict(
            db.session.execute(select(SmsMessage.id, SmsMessage.status)).all()
        )
    assert statuses == {first: "failed", second: "queued"}


def test_codes_go_before_receipts_and_notifications_queued_earlier(app, committed):
    with committed():
        queue_sms(NEIGHBOUR, "notification", utcnow(), purpose="notification")
        _receipts(VOTER, "receipts", "key")
        queue_sms(NEIGHBOUR, "code 123456", utcnow(), purpose="otp-vote")
        queue_sms(VOTER, "code 654321", utcnow(), purpose="otp-login")
    run_jobs(app, "sms")
    assert _bodies(app) == [
        "code 123456",
        "code 654321",
        "notification",
        "receipts",
        "key",
    ]


def test_a_failing_gateway_is_retried_later_never_in_a_hot_loop(
    app, committed, gateway
):
    with committed():
        (message_id,) = _receipts(VOTER, "receipts")
    gateway.refused = {"receipts"}
    run_jobs(app, "sms")
    # Another commit wakes another drain: it does not retry before the time.
    with committed():
        queue_sms(NEIGHBOUR, "news", utcnow(), purpose="notification")
    run_jobs(app, "sms")
    assert gateway.received == ["receipts", "news"]
    # Long overdue (a worker was down): one attempt per drain, not all at once.
    age_messages(app, seconds=3600)
    with app.app_context():
        assert safety_net() == "drain woken"
        assert safety_net() == "nothing to wake"  # one drain pending at most
    run_jobs(app, "sms")
    assert gateway.received == ["receipts", "news", "receipts"]
    with app.app_context():
        failed = db.session.get(SmsMessage, message_id)
        assert (failed.status, failed.attempts) == ("failed", 2)


def test_after_the_last_retry_only_staff_send_it_again(app, committed, gateway):
    with committed():
        (message_id,) = _receipts(VOTER, "receipts")
    gateway.refused = {"receipts"}
    with app.app_context():
        for _attempt in range(6):  # the first try and five retries, each when due
            drain_sms()
            age_messages(app, seconds=1400)
        assert db.session.get(SmsMessage, message_id).attempts == 6
        assert safety_net() == "nothing to wake"
        assert drain_sms() == 0
    assert len(gateway.received) == 6
    gateway.refused = set()
    with app.app_context():
        assert retry_failed_sms() == 1
    run_jobs(app, "sms")
    assert gateway.received[-1] == "receipts"
    with app.app_context():
        assert db.session.get(SmsMessage, message_id) is None  # sent, deleted


def test_a_drain_run_twice_sends_each_message_once(app, committed):
    with committed():
        _receipts(VOTER, "receipts", "key")
        queue_sms(NEIGHBOUR, "news", utcnow(), purpose="notification")
    with app.app_context():
        assert drain_sms() == 3
        assert drain_sms() == 0
    run_jobs(app, "sms")  # the woken job too
    assert _bodies(app) == ["receipts", "key", "news"]


def test_nothing_personal_is_left_in_redis_once_delivered(app, committed):
    with committed():
        queue_sms(VOTER, "code 123456", utcnow(), purpose="otp-vote", sensitive=True)
        _receipts(NEIGHBOUR, "Reçu ABCD-EFGH", "key")
    run_jobs(app, "sms")
    assert len(outbox(app)) == 3
    everything = redis_contents(_queue(app).connection)
    for secret in (VOTER[1:], NEIGHBOUR[1:], "123456", "ABCD-EFGH", "rq:job:"):
        assert secret.encode() not in everything
    assert wake_key(DRAIN_JOB).encode() not in everything
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SmsMessage)) == 0


def test_without_redis_the_drain_runs_in_process_after_commit(app, committed):
    url = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = None
    try:
        with committed():
            _receipts(VOTER, "receipts", "key")
            queue_sms(NEIGHBOUR, "code 123456", utcnow(), purpose="otp-vote")
            assert outbox(app) == []  # not before the commit
        assert _bodies(app) == ["code 123456", "receipts", "key"]
    finally:
        app.config["REDIS_URL"] = url
    assert _queue(app).count == 0


def test_staff_send_failed_messages_again(app, client, committed, commune, gateway):
    from tests.factories import create_staff
    from tests.helpers import login_staff, submit

    with committed():
        _, secret = create_staff(commune["id"], "amina", ["admin"])
        (message_id,) = _receipts(VOTER, "receipts")
    gateway.refused = {"receipts"}
    run_jobs(app, "sms")
    gateway.refused = set()
    login_staff(client, "amina", secret)
    response = submit(client, "/staff/sms/retry", {}, form_url="/staff/sms")
    assert response.status_code == 302
    run_jobs(app, "sms")  # at once, not at the retry's time
    assert gateway.received == ["receipts", "receipts"]
    with app.app_context():
        assert db.session.get(SmsMessage, message_id) is None


def test_a_message_that_cannot_be_opened_fails_alone(app, committed):
    """A body sealed under another SECRET_KEY does not stop the drain."""
    with committed():
        (broken,) = _receipts(VOTER, "receipts")
        db.session.execute(
            SmsMessage.__table__.update()
            .where(SmsMessage.id == broken)
            .values(body_enc=b"not a sealed body")
        )
        queue_sms(NEIGHBOUR, "news", utcnow(), purpose="notification")
    run_jobs(app, "sms")
    assert _bodies(app) == ["news"]
    with app.app_context():
        failed = db.session.get(SmsMessage, broken)
        assert failed.status == "failed" and "SECRET_KEY" in failed.last_error
