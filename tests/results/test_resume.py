"""A count finishes by itself: a real worker process killed (SIGKILL) inside a
count job is followed by an automatic resume, and the results are published
without anyone pressing "Start the count"."""

import os
import signal
import time

from redis import Redis
from rq.registry import StartedJobRegistry

from pbvote.extensions import db
from pbvote.results import services
from tests.results.factories import create_election
from tests.results.test_jobs import start
from tests.results.worker import start_worker, stop_worker, wait_for

BALLOTS = [("p1",), ("p2", "p3"), ("p3",), ("p4",)] * 60  # 240 ballots


def _status(app, cycle_id) -> str:
    with app.app_context():
        run = services.get_run(cycle_id)
        status = run.status
        db.session.remove()
        return status


def test_a_worker_killed_inside_a_count_job_is_resumed_by_itself(
    app, committed, commune
):
    app.config["TALLY_CHUNK_SIZE"] = 3  # 80 chunk jobs: time to kill one
    try:
        with committed():
            election = create_election(commune["id"], ballots=BALLOTS)
        cycle_id = election["cycle_id"]
        start(app, cycle_id)
    finally:
        app.config.pop("TALLY_CHUNK_SIZE")
    started = StartedJobRegistry(
        "tally", connection=Redis.from_url(app.config["REDIS_URL"])
    )
    first = start_worker(app, "tally")
    try:
        assert wait_for(lambda: started.count > 0, 60), "no job started"
        os.killpg(first.pid, signal.SIGKILL)  # the worker and its work horse
        first.wait()
        assert _status(app, cycle_id) == "running"  # killed in the middle
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    second = start_worker(app, "tally")  # a worker (re)started by the supervisor
    try:
        assert wait_for(lambda: _status(app, cycle_id) == "published", 90, step=0.5)
    finally:
        stop_worker(second)
    elapsed = time.monotonic() - killed_at
    assert elapsed < 60, elapsed
    with app.app_context():
        run = services.get_run(cycle_id)
        # Resumed by RQ's retry of the abandoned job or by the safety net's new
        # attempt; either way nobody pressed the button.
        assert run.started_by_id is None
        assert run.ballot_count == len(BALLOTS)
