"""The worker's safety net, with a real worker process: jobs kept while Redis was
down go out within seconds of its return, and held ballots are mixed once the
longest wait has passed even if no other voter comes."""

import time

from sqlalchemy import func, select

from pbvote.core.jobs import DeferredJob
from pbvote.extensions import db
from pbvote.voting.models import Ballot, HeldBallot
from tests.helpers import outbox, submit
from tests.results.worker import start_worker, stop_worker, wait_for
from tests.voting.helpers import cast, verify


def _count(app, model) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(model))
        db.session.remove()
        return count


def test_jobs_kept_while_redis_was_down_go_out_within_seconds(app, election):
    url = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    try:
        cin, birth = election["residents"][0]
        asked = submit(
            app.test_client(),
            f"/cycles/{election['cycle_id']}/vote",
            {"cin": cin, "birth_date": birth, "phone": "+212612345699"},
        )
        assert asked.status_code == 302  # the resident is not told of the outage
    finally:
        app.config["REDIS_URL"] = url
    assert _count(app, DeferredJob) == 1
    back = time.monotonic()  # Redis is back; a worker is running
    worker = start_worker(app, "sms", "default")
    try:
        sent = wait_for(
            lambda: any(m["to"] == "+212612345699" for m in outbox(app)), 20
        )
    finally:
        stop_worker(worker)
    assert sent and time.monotonic() - back < 20  # worker start included
    assert _count(app, DeferredJob) == 0


def test_a_lone_vote_is_mixed_after_the_longest_wait(app, election):
    app.config["MIX_MIN_BATCH"] = 20
    client = app.test_client()
    cin, birth = election["residents"][0]
    verify(client, app, election["cycle_id"], cin, birth)
    assert cast(client, election, mix=False).status_code == 302
    assert _count(app, HeldBallot) == 1
    worker = start_worker(app, "default", MIX_MIN_BATCH=20, MIX_MAX_WAIT_SECONDS=2)
    try:
        mixed = wait_for(lambda: _count(app, Ballot) == 2, 30, step=0.5)
    finally:
        stop_worker(worker)
    assert mixed and _count(app, HeldBallot) == 0
