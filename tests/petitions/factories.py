"""Petition test data: a cycle whose voter registry holds a few residents."""

from datetime import date

from tests.factories import create_cycle, create_staff
from tests.voting.factories import create_entry

PEOPLE = [
    ("AB100001", date(1980, 1, 2)),
    ("AB100002", date(1985, 3, 4)),
    ("CD100003", date(1990, 5, 6)),
    ("EF100004", date(1995, 7, 8)),
]


def create_registry(commune: dict) -> dict:
    """A cycle with the PEOPLE in its registry, an admin and a clerk."""
    cycle = create_cycle(commune["id"], current_phase="proposals")
    for cin, birth in PEOPLE:
        create_entry(cycle.id, commune["district_ids"][0], cin, birth)
    _admin, admin_secret = create_staff(commune["id"], "admin", ["admin"])
    _clerk, clerk_secret = create_staff(commune["id"], "clerk", ["clerk"])
    return {"cycle_id": cycle.id, "admin": admin_secret, "clerk": clerk_secret}
