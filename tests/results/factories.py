"""Election keys and ballots made exactly as a cast makes them (pbvote.voting.sealing),
so that the tally opens real sealed ballots."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from pbvote.core.time import day_of, utcnow
from pbvote.extensions import db
from pbvote.voting.models import Ballot, ElectionKey
from pbvote.voting.sealing import (
    GENESIS,
    ballot_context,
    chain_link,
    encode_choice,
    new_wrapped_keys,
    receipt_of,
    seal,
)
from tests.factories import create_cycle, create_project


def create_election_key(cycle) -> ElectionKey:
    key = ElectionKey(
        cycle_id=cycle.id,
        **new_wrapped_keys(current_app.config["ELECTION_KEY_WRAP"], cycle.id),
        head_hash=GENESIS,
        ballot_count=0,
        created_at_dt=utcnow() - timedelta(days=12),
    )
    db.session.add(key)
    db.session.flush()
    return key


def cast_ballot(cycle, scope, project_ids) -> Ballot:
    """Append one sealed ballot to the cycle's hash chain (as the mixing job
    does, one at a time)."""
    key = db.session.get(ElectionKey, cycle.id)
    sealed = seal(
        key.sealing_public,
        encode_choice(scope.id, project_ids),
        ballot_context(cycle.id),
    )
    receipt = receipt_of(sealed)
    link = chain_link(key.head_hash, receipt)
    ballot = Ballot(
        cycle_id=cycle.id,
        position=key.ballot_count + 1,
        sealed=sealed,
        receipt=receipt,
        previous_hash=key.head_hash,
        chain_hash=link,
        mixed_on=day_of(utcnow()),
    )
    db.session.add(ballot)
    key.head_hash, key.ballot_count = link, key.ballot_count + 1
    db.session.flush()
    return ballot


# Budget 100 in the commune-wide scope; hand-checked outcomes in test_jobs.py.
HAND_COSTS = {"p1": 60, "p2": 50, "p3": 30, "p4": 10}
HAND_BALLOTS = [("p1",)] * 6 + [("p2", "p3")] * 4 + [("p3",)] * 3 + [("p4",)] * 2


def create_election(
    commune_id: int,
    *,
    rule="greedy",
    greedy_fill=False,
    phase="tally",
    costs=None,
    ballots=None,
    budget=100,
    district_ids=(),
    year=None,
    min_votes=None,
    min_share_pct=None,
) -> dict:
    """A cycle whose voting is over (``phase``), its projects and cast ballots.

    ``ballots`` are tuples of project names from ``costs``; all go to the
    commune-wide scope. Returns plain ids: cycle, scope, projects by name.
    """
    costs = costs or HAND_COSTS
    ballots = HAND_BALLOTS if ballots is None else ballots
    cycle = create_cycle(
        commune_id,
        current_phase=phase,
        total=budget,
        district_ids=district_ids,
        year=year,
    )
    scope = next(s for s in cycle.scopes if s.district_id is None)
    scope.tally_rule, scope.tally_greedy_fill = rule, greedy_fill
    scope.tally_min_votes, scope.tally_min_share_pct = min_votes, min_share_pct
    projects = {
        name: create_project(cycle, scope, cost, title=name)
        for name, cost in costs.items()
    }
    create_election_key(cycle)
    for choice in ballots:
        cast_ballot(cycle, scope, [projects[name].id for name in choice])
    return {
        "cycle_id": cycle.id,
        "scope_id": scope.id,
        "projects": {name: p.id for name, p in projects.items()},
        "names": {p.id: name for name, p in projects.items()},
    }


def ballots_of(cycle_id: int) -> list[Ballot]:
    return list(
        db.session.scalars(
            select(Ballot).where(Ballot.cycle_id == cycle_id).order_by(Ballot.position)
        )
    )
