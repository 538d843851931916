"""What a database administrator sees of a poll: the voter side holds no ballot
link, the holding table no receipt, and the chain is in mixed order (the budget
vote's mixing, run on the poll's tables through holding.BoxTables)."""

from datetime import timedelta

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
