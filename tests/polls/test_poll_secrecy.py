"""What a database administrator sees of a poll: the voter side holds no ballot
link, the holding table no receipt, and the chain is in mixed order (the budget
vote's mixing, run on the poll's tables through holding.BoxTables)."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select

from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.polls import services
from pbvote.polls.models import Poll, PollBallot, PollHeldBallot, PollMark
from pbvote.voting.models import VoterEntry
from tests.polls.factories import create_open_poll
from tests.voting.factories import create_voting_cycle

VOTERS = 20


def test_held_rows_hide_receipts_and_the_chain_is_shuffled(app, committed, commune):
    app.config["MIX_MIN_BATCH"] = VOTERS
    with committed():
        registry = create_voting_cycle(commune, phase="execution", residents=VOTERS)
        poll = create_open_poll(commune, registry, start=-timedelta(hours=1))
        entries = list(
            db.session.scalars(
                select(VoterEntry.id)
                .where(VoterEntry.cycle_id == registry["cycle_id"])
                .order_by(VoterEntry.id)
            )
        )
    receipts = []
    for number, entry_id in enumerate(entries):  # one transaction per cast
        with committed():
            row = db.session.get(Poll, poll["poll_id"])
            answers = {str(poll["yesno"]): poll["yes"], str(poll["choice"]): None}
            receipts.append(services.record_vote(row, entry_id, answers, utcnow()))
        with app.app_context():
            held = db.session.scalars(select(PollHeldBallot.payload)).all()
            assert len(held) == number + 1
            for payload in held:  # encrypted again: no receipt, no sealed ballot
                for receipt in receipts:
                    assert receipt.encode() not in payload
                    assert bytes.fromhex(receipt) not in payload
    from jobs.polls import mix_ballots

    with app.app_context():
        assert mix_ballots(poll["poll_id"]) == VOTERS
        chain = db.session.scalars(
            select(PollBallot.receipt).order_by(PollBallot.position)
        ).all()
        assert sorted(chain) == sorted(receipts)
        # 20! orders: the cast order comes back with probability 4e-19.
        assert chain != receipts
        assert db.session.scalars(select(PollHeldBallot)).all() == []
        # The voter side names no ballot, receipt, position or time of day.
        assert {c.key for c in inspect(PollMark).columns} == {
            "poll_id",
            "registry_entry_id",
            "voted_on",
        }


def test_a_count_waits_for_the_casts_in_flight(app, committed, commune):
    """A cast that passed the period check holds the box open: the count started
    meanwhile waits for its commit and counts its ballot; a cast after the count
    published is refused."""
    import threading

    from sqlalchemy import text

    from pbvote.polls import counting
    from pbvote.polls.errors import PollClosed
    from pbvote.polls.models import PollResult

    with committed():
        registry = create_voting_cycle(commune, phase="execution", residents=2)
        poll = create_open_poll(commune, registry, start=-timedelta(hours=1))
        entries = list(
            db.session.scalars(
                select(VoterEntry.id).where(VoterEntry.cycle_id == registry["cycle_id"])
            )
        )
    locked, commit_now = threading.Event(), threading.Event()
    answers = {str(poll["yesno"]): poll["no"], str(poll["choice"]): None}

    def cast_in_flight():
        with app.app_context():
            row = db.session.get(Poll, poll["poll_id"])
            services._hold_the_box_open(row)
            services.record_vote(row, entries[0], answers, utcnow())
            locked.set()
            commit_now.wait(30)
            db.session.commit()

    def count():
        with app.app_context():
            counting.count_poll(poll["poll_id"], utcnow() + timedelta(days=2))
            db.session.commit()

    caster = threading.Thread(target=cast_in_flight)
    caster.start()
    assert locked.wait(30)
    counter = threading.Thread(target=count)
    counter.start()
    with app.app_context():  # until the count waits for the cast's lock
        waiting = 0
        for _ in range(3000):
            waiting = db.session.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type"
                    " = 'Lock' AND datname = current_database()"
                )
            )
            db.session.rollback()
            if waiting:
                break
        assert waiting
    commit_now.set()
    caster.join(30)
    counter.join(30)
    with app.app_context():
        result = db.session.get(PollResult, poll["poll_id"])
        assert json.loads(result.payload)["ballot_count"] == 1
        row = db.session.get(Poll, poll["poll_id"])
        with pytest.raises(PollClosed):
            services._hold_the_box_open(row)
