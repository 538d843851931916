"""The voting demo seed: registries, keys, and a closed ballot box to count."""

from sqlalchemy import func, select

from pbvote.core.time import utcnow
from pbvote.cycles.models import Cycle
from pbvote.extensions import db
from pbvote.voting import demo
from pbvote.voting.models import Ballot, VoterEntry, VoterMark
from pbvote.voting.services import verify_chain
from tests.factories import create_cycle


def test_the_seed_fills_both_ballot_boxes_through_the_cast_code(
    app, committed, commune
):
    from pbvote.communes.models import District

    with committed():
        districts = [db.session.get(District, i) for i in commune["district_ids"]]
        current = create_cycle(
            commune["id"], current_phase="voting", district_ids=commune["district_ids"]
        )
        past = create_cycle(
            commune["id"],
            current_phase="execution",
            year=2001,
            district_ids=commune["district_ids"],
        )
        ctx = {
            "current_cycle": current,
            "past_cycle": past,
            "districts": districts,
            "now": utcnow(),
            "lines": [],
        }
        demo.seed(ctx)
        ids = (current.id, past.id)
    current_id, past_id = ids
    with app.app_context():
        for cycle_id, registered in ((current_id, 50), (past_id, 320)):
            cycle = db.session.get(Cycle, cycle_id)
            assert (
                db.session.scalar(
                    select(func.count()).where(VoterEntry.cycle_id == cycle_id)
                )
                == registered
            )
            assert verify_chain(cycle)
        marks = db.session.scalar(
            select(func.count()).where(VoterMark.cycle_id == past_id)
        )
        ballots = db.session.scalar(
            select(func.count()).where(Ballot.cycle_id == past_id)
        )
        assert marks >= 300 and ballots == 2 * marks
    assert any("GB100000" in line for line in ctx["lines"])
