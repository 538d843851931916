"""The jobs of one commit reach RQ together (one Redis transaction, issue 13), in
the order they were queued, or are all kept in the database when Redis is down;
a wake (the SMS drain) is one job whatever the commit queued."""

import pytest
from sqlalchemy import func, select

from pbvote.core.jobs import DeferredJob, enqueue_after_commit, flush_deferred_jobs
from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.sms.services import queue_messages
from tests.helpers import outbox, run_jobs


def test_the_jobs_of_one_commit_are_queued_in_order_and_all_run(app, committed):
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(app.config["REDIS_URL"])
    with committed():
        queue_messages("+212612345678", ["first", "second"], utcnow(), purpose="test")
        enqueue_after_commit("jobs.sms.retry_failed_sms")
    sms, default = (
        Queue("sms", connection=connection),
        Queue("default", connection=connection),
    )
    # Two messages to one number: one drain job, which carries nothing.
    assert (sms.count, default.count) == (1, 1)
    (job,) = sms.jobs
    assert job.func_name == "jobs.sms.drain_sms" and job.args == ()
    run_jobs(app, "sms")
    assert [m["body"] for m in outbox(app)] == ["first", "second"]
    run_jobs(app, "default")
    assert default.failed_job_registry.count == 0


@pytest.mark.commits  # the jobs are kept through their own connection (db.engine)
def test_all_jobs_of_a_commit_are_kept_when_redis_is_down(app, committed):
    real_url = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    try:
        with committed():
            queue_messages("+212612345678", ["one", "two"], utcnow(), purpose="test")
    finally:
        app.config["REDIS_URL"] = real_url
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DeferredJob)) == 1
        assert flush_deferred_jobs() == 1
    run_jobs(app, "sms")
    assert [m["body"] for m in outbox(app)] == ["one", "two"]
