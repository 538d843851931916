"""Voting test data: a cycle in its voting phase with scopes, rules, projects and a
registry. Factories flush; the caller's ``committed()`` block commits."""

from datetime import date

from pbvote.voting.models import VoterEntry
from pbvote.voting.registry import cin_hash, phone_hash
from tests.factories import create_cycle, create_project

PHONE = "+212612345678"


def create_entry(
    cycle_id: int, district_id: int, cin: str, birth: date, phone: str | None = None
) -> VoterEntry:
    from pbvote.extensions import db

    entry = VoterEntry(
        cycle_id=cycle_id,
        cin_hash=cin_hash(cin),
        birth_date=birth,
        district_id=district_id,
        phone_hash=phone_hash(phone) if phone else None,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def create_voting_cycle(
    commune: dict,
    *,
    phase="voting",
    commune_rule="knapsack",
    district_rule="knapsack",
    residents=3,
    max_projects=None,
    min_share_pct=None,
) -> dict:
    """A cycle with a commune-wide scope (600 000 MAD) and one per district
    (200 000 MAD each), three projects per scope of the first district and the
    commune, and ``residents`` registry entries in the first district.

    Returns plain ids: cycle, scopes by key, projects by scope key, residents as
    (cin, birth date string).
    """
    districts = commune["district_ids"]
    cycle = create_cycle(
        commune["id"], current_phase=phase, total=1_200_000, district_ids=districts
    )
    scopes = {scope.key: scope for scope in cycle.scopes}
    commune_scope, district_scope = (
        scopes["commune"],
        scopes[f"district-{districts[0]}"],
    )
    commune_scope.ballot_rule = commune_rule
    district_scope.ballot_rule = district_rule
    for scope in (commune_scope, district_scope):
        if scope.ballot_rule == "approval_k":
            scope.ballot_max_projects = max_projects or 2
        if scope.ballot_rule == "approval_min_share":
            scope.ballot_min_share_pct = min_share_pct or 50
    costs = {
        "commune": [250_000, 300_000, 350_000],
        f"district-{districts[0]}": [50_000, 80_000, 120_000],
    }
    projects = {}
    for key, amounts in costs.items():
        projects[key] = [
            create_project(cycle, scopes[key], cost, title=f"{key}-{i}").id
            for i, cost in enumerate(amounts)
        ]
    people = []
    for i in range(residents):
        cin = f"AB{100000 + i}"
        birth = date(1980, 1, 1 + i)
        create_entry(cycle.id, districts[0], cin, birth)
        people.append((cin, birth.strftime("%d/%m/%Y")))
    return {
        "cycle_id": cycle.id,
        "commune_scope": commune_scope.id,
        "district_scope": district_scope.id,
        "scopes": {key: scope.id for key, scope in scopes.items()},
        "projects": projects,
        "district_key": f"district-{districts[0]}",
        "residents": people,
        "district_ids": districts,
    }
