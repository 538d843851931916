"""Casts wake one mixing job per cycle, not one each (issue 13): while a job is
pending, a cast only finds its flag; the job mixes every ballot held when it runs."""

from redis import Redis
from rq import Queue
from sqlalchemy import func, select

from pbvote.core.jobs import wake_key
from pbvote.extensions import db
from pbvote.voting.models import Ballot, HeldBallot
from tests.helpers import run_jobs
from tests.voting.helpers import cast, verify


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_casts_wake_one_mixing_job_that_mixes_them_all(app, election):
    cycle_id = election["cycle_id"]
    pick = election["projects"]["commune"][:1]
    for number, (cin, birth) in enumerate(election["residents"][:2]):
        client = app.test_client()
        verify(client, app, cycle_id, cin, birth, phone=f"+21261234560{number}")
        assert cast(client, election, pick, mix=False).status_code == 302
    default = Queue("default", connection=Redis.from_url(app.config["REDIS_URL"]))
    (job,) = default.jobs  # two casts, one job
    assert job.func_name == "jobs.voting.mix_ballots" and job.args == (cycle_id,)
    assert _count(app, HeldBallot) == 2
    run_jobs(app, "default")
    assert (
        _count(app, HeldBallot) == 0 and _count(app, Ballot) == 4
    )  # a ballot per scope
    assert not default.connection.exists(wake_key("jobs.voting.mix_ballots", cycle_id))
