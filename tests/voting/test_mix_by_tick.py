"""Casts queue no mixing job where workers run (issue 13): the workers' tick
mixes every due batch within a beat. Without Redis (the embedded first run, no
worker) the cast's commit mixes in-process."""

from redis import Redis
from rq import Queue
from sqlalchemy import func, select

from pbvote.core.jobs import run_tick_tasks
from pbvote.extensions import db
from pbvote.voting.models import Ballot, HeldBallot
from tests.voting.helpers import cast, verify


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _cast_two(app, election, *, redis: bool = True) -> None:
    """Two residents verify (codes through Redis) and cast, with or without it."""
    pick = election["projects"]["commune"][:1]
    url = app.config["REDIS_URL"]
    for number, (cin, birth) in enumerate(election["residents"][:2]):
        client = app.test_client()
        phone = f"+2126123456{number}0"
        verify(client, app, election["cycle_id"], cin, birth, phone=phone)
        app.config["REDIS_URL"] = url if redis else None
        try:
            assert cast(client, election, pick, mix=False).status_code == 302
        finally:
            app.config["REDIS_URL"] = url


def test_casts_queue_no_job_and_the_tick_mixes_them(app, election):
    connection = Redis.from_url(app.config["REDIS_URL"])
    before = set(connection.keys("*"))
    _cast_two(app, election)
    assert Queue("default", connection=connection).count == 0
    new_keys = {key.decode() for key in set(connection.keys("*")) - before}
    assert not any("mix" in key for key in new_keys), new_keys  # no flag either
    assert _count(app, HeldBallot) == 2
    with app.app_context():
        run_tick_tasks()  # what each worker runs every WORKER_HEARTBEAT_SECONDS
    assert _count(app, HeldBallot) == 0
    assert _count(app, Ballot) == 4  # a ballot per scope


def test_without_redis_the_casts_commit_mixes_them(app, election):
    _cast_two(app, election, redis=False)
    assert _count(app, HeldBallot) == 0
    assert _count(app, Ballot) == 4
