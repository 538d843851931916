"""Starting tallies on time: the scheduled job at the end of voting, and
``pbvote tally-due``."""

from datetime import timedelta

from redis import Redis
from rq import Queue
from rq.registry import ScheduledJobRegistry

from pbvote.core.time import utcnow
from pbvote.cycles.models import Cycle
from pbvote.extensions import db
from pbvote.results import services
from tests.helpers import run_jobs
from tests.results.factories import create_election


def test_schedule_tally_puts_the_start_at_the_end_of_voting(app, committed, commune):
    with committed():
        election = create_election(commune["id"], phase="voting")
    with app.app_context():
        cycle = db.session.get(Cycle, election["cycle_id"])
        end = services.schedule_tally(cycle, utcnow())
        db.session.commit()
    run_jobs(app, "tally")  # the job that talks to RQ's scheduler
    connection = Redis.from_url(app.config["REDIS_URL"])
    registry = ScheduledJobRegistry(queue=Queue("tally", connection=connection))
    job_id = f"tally-due-{election['cycle_id']}"
    assert registry.get_job_ids() == [job_id]
    assert abs(registry.get_scheduled_time(job_id) - end) < timedelta(seconds=1)


def test_start_due_reschedules_while_voting_is_open(app, committed, commune):
    with committed():
        election = create_election(commune["id"], phase="voting")
    connection = Redis.from_url(app.config["REDIS_URL"])
    Queue("tally", connection=connection).enqueue(
        "jobs.tally.start_due", election["cycle_id"]
    )
    run_jobs(app, "tally")
    with app.app_context():
        assert services.get_run(election["cycle_id"]) is None
    registry = ScheduledJobRegistry(queue=Queue("tally", connection=connection))
    assert registry.get_job_ids() == [f"tally-due-{election['cycle_id']}"]


def test_start_due_counts_a_closed_vote_once(app, committed, commune):
    with committed():
        election = create_election(commune["id"])
    queue = Queue("tally", connection=Redis.from_url(app.config["REDIS_URL"]))
    queue.enqueue("jobs.tally.start_due", election["cycle_id"])
    run_jobs(app, "tally")
    queue.enqueue("jobs.tally.start_due", election["cycle_id"])  # again: refused
    run_jobs(app, "tally")
    with app.app_context():
        run = services.get_run(election["cycle_id"])
        assert run.status == "published" and run.attempt == 1


def test_tally_due_starts_only_closed_cycles_without_a_count(
    app, committed, commune, runner
):
    with committed():
        closed = create_election(commune["id"], year=2001)
        create_election(commune["id"], phase="voting", year=2002)
    result = runner.invoke(args=["tally-due"])
    assert result.exit_code == 0, result.output
    assert result.output.count("count started") == 1 and "2001" in result.output
    run_jobs(app, "tally")
    with app.app_context():
        assert services.get_run(closed["cycle_id"]).status == "published"
    assert "No cycle is waiting" in runner.invoke(args=["tally-due"]).output
