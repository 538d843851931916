"""CPU of SMS delivery on both sides of RQ: the commits that queue the messages
(what a web request pays after its commit, in this process) and the
``pbvote worker sms`` process that sends them (non-forking, as in production;
its CPU read from /proc).

    .venv/bin/python bench/sms_drain.py --redis redis://127.0.0.1:6379/15 \
        [--groups 400 --rounds 3 --code DIR]

A voter's pattern: every other group is a code (one message), the others a voter's
two receipts; each group is queued and committed on its own, as by a request.
Three modes: ``backlog`` commits every group while the worker is stopped
(SIGSTOP), then lets it deliver them all (jobs wait while workers are busy: what
coalescing saves); ``paced`` commits ``--rate`` groups a second (bench/cast.py's
flow at 240 requests/s queues about 70) with the worker running; ``trickle``
commits a group, waits until it is delivered, then the next (an idle worker, each
message alone: the worst case for a drain).
Medians of ``--rounds``. ``--code DIR`` runs another checkout's code (e.g. the
base before a change) in this process and in the worker.

It creates (and empties) the database ``pbvote_bench_voting`` (or
``$PBVOTE_BENCH_DB``) on 127.0.0.1:5432.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# This checkout's bench helpers, whatever checkout --code measures.
from bench.cast import environment, prepare_database, start_sms_worker


def queue_group(number: int, now) -> int:
    from pbvote.sms.services import queue_messages, queue_sms

    phone = f"+2126{10000000 + number}"
    if number % 2:
        queue_sms(phone, f"code {number:06d}", now, purpose="otp-vote", sensitive=True)
        return 1
    queue_messages(
        phone,
        [f"Receipts: {number:04d}-0000", "results key ABCD"],
        now,
        purpose="vote-receipt",
        sensitive=True,
    )
    return 2


def remaining(app) -> int:
    from pbvote.extensions import db

    with app.app_context():
        left = db.session.execute(db.text("SELECT count(*) FROM sms_messages"))
        return left.scalar()


def wait_until_delivered(app, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while remaining(app):
        if time.monotonic() > deadline:
            raise RuntimeError("messages not delivered in time")
        time.sleep(0.002)


def one_round(app, connection, worker, groups: int, mode: str, rate: float) -> dict:
    from bench.cast import _cpu_seconds
    from pbvote.core.time import utcnow
    from pbvote.extensions import db

    messages, commit_cpu, jobs = 0, 0.0, 0
    worker_before = _cpu_seconds(worker.pid)
    jobs_before = worker_jobs(connection)
    if mode == "backlog":
        worker.send_signal(signal.SIGSTOP)
    started = time.monotonic()
    for number in range(groups):
        if mode == "paced":
            time.sleep(max(0.0, started + number / rate - time.monotonic()))
        start = time.process_time()
        with app.app_context():
            messages += queue_group(number, utcnow())
            db.session.commit()  # the wake (or the job) goes to Redis here
        commit_cpu += time.process_time() - start
        if mode == "trickle":
            wait_until_delivered(app)
    if mode == "backlog":
        worker.send_signal(signal.SIGCONT)
    wait_until_delivered(app)
    time.sleep(0.2)  # the last job's end
    jobs = worker_jobs(connection) - jobs_before
    return {
        "messages": messages,
        "jobs": jobs,
        "commit_ms_per_group": 1000 * commit_cpu / groups,
        "worker_ms_per_message": 1000
        * (_cpu_seconds(worker.pid) - worker_before)
        / messages,
    }


def worker_jobs(connection) -> int:
    """Jobs the worker has run so far (RQ counts them in the worker's hash)."""
    from rq import Worker

    return sum(
        worker.successful_job_count + worker.failed_job_count
        for worker in Worker.all(connection=connection)
    )


def start_worker(code: Path, env: dict) -> subprocess.Popen:
    worker = start_sms_worker(code, env)
    time.sleep(3)  # imports and registration, before anything is measured
    return worker


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", required=True, metavar="URL")
    parser.add_argument("--groups", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rate", type=float, default=70, help="paced: groups/s")
    parser.add_argument("--code", metavar="DIR")
    args = parser.parse_args()
    code = Path(args.code).resolve() if args.code else ROOT
    sys.path.insert(0, str(code))  # before pbvote is first imported

    from redis import Redis

    outbox = f"/tmp/pbvote-smsdrain-outbox-{os.getpid()}.jsonl"
    env = environment(outbox, args.redis)
    prepare_database(1, outbox, env)
    os.environ.clear()
    os.environ.update(env)
    from pbvote import create_app

    app = create_app()
    connection = Redis.from_url(args.redis)
    connection.flushdb()
    worker = start_worker(code, env)
    print(f"code: {code}; {args.groups} groups (codes and receipt pairs) per round")
    try:
        one_round(app, connection, worker, 20, "trickle", 0)  # warm-up, not counted
        for mode in ("backlog", "paced", "trickle"):
            rounds = [
                one_round(app, connection, worker, args.groups, mode, args.rate)
                for _ in range(args.rounds)
            ]
            print(
                f"{mode:8} {rounds[0]['messages']} messages, "
                f"{statistics.median(r['jobs'] for r in rounds):g} jobs; "
                "CPU ms: commit (queue + commit + after-commit) per group "
                f"{statistics.median(r['commit_ms_per_group'] for r in rounds):.3f}, "
                "worker per message "
                f"{statistics.median(r['worker_ms_per_message'] for r in rounds):.3f}"
            )
    finally:
        worker.send_signal(signal.SIGCONT)
        worker.terminate()
        worker.wait()
        connection.flushdb()
        if os.path.exists(outbox):
            os.remove(outbox)


if __name__ == "__main__":
    main()
