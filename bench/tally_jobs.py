"""Time a whole tally through the RQ jobs on PostgreSQL: chain check, opening the
sealed ballots in chunks, counting and publishing the record.

    PBVOTE_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/pbvote_bench \
    PBVOTE_BENCH_REDIS_URL=redis://127.0.0.1:6379/5 \
    .venv/bin/python bench/tally_jobs.py --ballots 50000 --workers 4

It empties the given database and Redis database first. ``--workers`` worker
processes (forked, like ``pbvote worker``) open the chunks in parallel.
"""

import argparse
import os
import random
import sys
import time
from multiprocessing import Process
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def make_app(database_url: str, redis_url: str):
    from pbvote import create_app

    return create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REDIS_URL": redis_url,
            "SMS_OUTBOX": "/tmp/pbvote-bench-sms",
        }
    )


def reset(app, redis_url: str) -> None:
    import flask_migrate
    from redis import Redis
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database}
        ):
            connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    with app.app_context():
        flask_migrate.upgrade()
    Redis.from_url(redis_url).flushdb()


def seed(app, ballots: int, projects: int, seed_value: int) -> int:
    from pbvote.extensions import db
    from pbvote.voting.models import ElectionKey
    from pbvote.voting.sealing import (
        ballot_context,
        chain_link,
        encode_choice,
        receipt_of,
        seal,
    )
    from tests.factories import create_commune, create_cycle, create_project
    from tests.results.factories import create_election_key

    rng = random.Random(seed_value)
    with app.app_context():
        commune = create_commune()
        cycle = create_cycle(
            commune.id,
            current_phase="tally",
            total=10_000_000,
            district_ids=[d.id for d in commune.districts],
        )
        scope_projects = {
            scope.id: [
                create_project(cycle, scope, rng.randint(50, 900) * 1000).id
                for _ in range(projects)
            ]
            for scope in cycle.scopes
        }
        for scope in cycle.scopes:
            scope.tally_rule = rng.choice(["greedy", "mes"])
        key = create_election_key(cycle)
        scopes = list(cycle.scopes)
        rows, head = [], key.head_hash
        for position in range(1, ballots + 1):
            scope = rng.choice(scopes)
            chosen = rng.sample(scope_projects[scope.id], rng.randint(1, 5))
            sealed = seal(
                key.sealing_public,
                encode_choice(scope.id, chosen),
                ballot_context(cycle.id),
            )
            receipt = receipt_of(sealed)
            link = chain_link(head, receipt)
            rows.append(
                {
                    "cycle_id": cycle.id,
                    "position": position,
                    "sealed": sealed,
                    "receipt": receipt,
                    "previous_hash": head,
                    "chain_hash": link,
                    "mixed_on": key.created_at_dt.date(),
                }
            )
            head = link
        from sqlalchemy import insert

        from pbvote.voting.models import Ballot

        for start in range(0, len(rows), 5000):
            db.session.execute(insert(Ballot), rows[start : start + 5000])
        key = db.session.get(ElectionKey, cycle.id)
        key.head_hash, key.ballot_count = head, ballots
        db.session.commit()
        return cycle.id


def work(database_url: str, redis_url: str, max_jobs: int | None = None) -> None:
    from redis import Redis
    from rq import Queue, Worker

    app = make_app(database_url, redis_url)
    connection = Redis.from_url(redis_url)
    with app.app_context():
        Worker([Queue("tally", connection=connection)], connection=connection).work(
            burst=True, max_jobs=max_jobs
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ballots", type=int, default=50_000)
    parser.add_argument("--projects", type=int, default=20, help="per scope")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--chunk", type=int, default=5000)
    args = parser.parse_args()
    database_url = os.environ["PBVOTE_BENCH_DATABASE_URL"]
    redis_url = os.environ["PBVOTE_BENCH_REDIS_URL"]
    app = make_app(database_url, redis_url)
    reset(app, redis_url)
    began = time.perf_counter()
    cycle_id = seed(app, args.ballots, args.projects, 7)
    print(
        f"seeded {args.ballots} sealed ballots in {time.perf_counter() - began:.1f} s"
    )
    from pbvote.core.time import utcnow
    from pbvote.cycles.models import Cycle
    from pbvote.extensions import db
    from pbvote.results import services

    with app.app_context():
        services.start_tally(
            None, db.session.get(Cycle, cycle_id), utcnow(), chunk_size=args.chunk
        )
        db.session.commit()
        db.engine.dispose()  # forked workers open their own connections
    began = time.perf_counter()
    first = Process(target=work, args=(database_url, redis_url, 1))  # the chain check
    first.start()
    first.join()
    print(f"hash chain verified in {time.perf_counter() - began:.1f} s")
    workers = [
        Process(target=work, args=(database_url, redis_url))
        for _ in range(args.workers)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join()
    seconds = time.perf_counter() - began
    with app.app_context():
        run = services.get_run(cycle_id)
        print(
            f"tally {run.status}: {run.ballot_count} ballots, {run.chunk_count} chunks,"
            f" {args.workers} workers: {seconds:.1f} s "
            f"({run.ballot_count / seconds:,.0f} ballots/s)"
        )


if __name__ == "__main__":
    main()
