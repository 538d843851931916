"""Time a poll's secret ballot on PostgreSQL: writing N sealed votes (mark +
held ballot), one mixing into the chain, the count and publication (chain check,
opening, keyed shuffle, signature), and ``verify-poll``'s checks on the record.

    PBVOTE_ENV=development \
    PBVOTE_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/pbvote_bench_polls \
    .venv/bin/python bench/poll_count.py --voters 5000

It empties the given database and Redis database (PBVOTE_BENCH_REDIS_URL) first.
"""

import argparse
import json
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.tally_jobs import make_app, reset


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--voters", type=int, default=5000)
    args = parser.parse_args()
    database = os.environ["PBVOTE_BENCH_DATABASE_URL"]
    redis = os.environ.get("PBVOTE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
    app = make_app(database, redis)
    reset(app, redis)
    with app.app_context():
        from sqlalchemy import insert, select

        from pbvote.core.time import utcnow
        from pbvote.extensions import db
        from pbvote.polls import counting, services
        from pbvote.polls.models import Poll
        from pbvote.polls.verify import verify_document
        from pbvote.voting.holding import mix_held
        from pbvote.voting.models import VoterEntry
        from tests.factories import create_commune, create_cycle, create_staff

        now = utcnow()
        commune = create_commune()
        cycle = create_cycle(commune.id, current_phase="execution")
        admin, _secret = create_staff(commune.id, "bench", ["admin"])
        db.session.execute(
            insert(VoterEntry),
            [
                {
                    "cycle_id": cycle.id,
                    "cin_hash": f"{i:064x}",
                    "birth_date": date(1980, 1, 1),
                    "district_id": commune.districts[0].id,
                }
                for i in range(args.voters)
            ],
        )
        poll = services.save_poll(
            admin,
            commune.id,
            None,
            services.PollInput(
                "س",
                "Q",
                "",
                "",
                cycle.id,
                now - timedelta(hours=1),
                now + timedelta(days=1),
            ),
            now,
        )
        services.add_question(admin, poll, "yesno", "أ", "A", [], now)
        options = [{"ar": f"{i}", "fr": f"{i}"} for i in range(5)]
        services.add_question(admin, poll, "choice", "ب", "B", options, now)
        services.open_poll(admin, poll, now)
        db.session.commit()
        entries = list(db.session.scalars(select(VoterEntry.id)))
        q1, q2 = poll.questions
        started = time.perf_counter()
        for index, entry in enumerate(entries):
            answers = {
                str(q1.id): q1.options[index % 2].id,
                str(q2.id): None if index % 7 == 0 else q2.options[index % 5].id,
            }
            services.record_vote(poll, entry, answers, now)
            if index % 500 == 499:
                db.session.commit()
        db.session.commit()
        cast = time.perf_counter() - started
        started = time.perf_counter()
        mix_held(poll.id, now, force=True, box=services.POLL_BOX)
        db.session.commit()
        mixed = time.perf_counter() - started
        db.session.get(Poll, poll.id).closes_at_dt = now
        db.session.commit()
        started = time.perf_counter()
        result = counting.count_poll(poll.id, utcnow() + timedelta(seconds=1))
        db.session.commit()
        counted = time.perf_counter() - started
        started = time.perf_counter()
        checks = verify_document(json.loads(result.record))
        verified = time.perf_counter() - started
        assert all(check.ok for check in checks)
    n = args.voters
    print(f"voters {n}")
    print(
        f"record_vote (mark + seal + hold): {cast:.2f} s, {1000 * cast / n:.2f} ms each"
    )
    print(f"one mixing of all held ballots: {mixed:.2f} s")
    print(f"count and publish: {counted:.2f} s ({n / counted:.0f} ballots/s)")
    print(
        f"verify-poll checks: {verified:.2f} s; record {len(result.record) / 1e6:.2f} MB"
    )


if __name__ == "__main__":
    main()
