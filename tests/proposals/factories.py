"""Proposal test data: a cycle with scopes and categories, proposals in any state."""

from datetime import timedelta

from pbvote.core.time import utcnow
from pbvote.proposals.models import Proposal, ProposalEvent, Support
from pbvote.proposals.services import ensure_categories
from pbvote.proposals.text import normalise
from tests.factories import create_cycle, create_resident

DESCRIPTION = (
    "Installer des lampadaires solaires le long de la rue principale "
    "pour la sécurité des habitants le soir."
)


def setup_cycle(commune: dict, phase="proposals", total=1_000_000, year=None) -> dict:
    """A cycle (in ``phase``) with a commune-wide scope and one per district, and the
    default categories. Returns plain ids."""
    cycle = create_cycle(
        commune["id"],
        current_phase=phase,
        total=total,
        district_ids=commune["district_ids"],
        year=year,
    )
    categories = {c.key: c.id for c in ensure_categories(commune["id"])}
    scopes = {s.district_id: s.id for s in cycle.scopes}
    return {
        "cycle_id": cycle.id,
        "commune_scope": scopes[None],
        "district_scopes": [scopes[d] for d in commune["district_ids"]],
        "categories": categories,
    }


def create_proposal(
    setup: dict,
    author_id: int,
    *,
    title="Éclairage de la rue",
    description=DESCRIPTION,
    status="submitted",
    cost=120_000,
    scope_id=None,
    category="roads",
    beneficiaries="everyone",
    association_id=None,
    supports=0,
    submitted_at=None,
) -> Proposal:
    now = utcnow()
    from pbvote.extensions import db

    proposal = Proposal(
        cycle_id=setup["cycle_id"],
        author_id=author_id,
        association_id=association_id,
        scope_id=scope_id or setup["commune_scope"],
        category_id=setup["categories"][category],
        title=title,
        description=description,
        beneficiaries=f",{beneficiaries},",
        estimated_cost=cost,
        status=status,
        support_count=supports,
        search_text=normalise(f"{title} {description}"),
        created_at_dt=now,
        updated_at_dt=now,
        submitted_at_dt=None if status == "draft" else (submitted_at or now),
    )
    proposal.events.append(ProposalEvent(status=status, at_dt=now))
    db.session.add(proposal)
    db.session.flush()
    return proposal


def create_supporters(
    proposal: Proposal, commune_id: int, count: int, first_phone=612000100
) -> None:
    from pbvote.extensions import db

    for index in range(count):
        user = create_resident(commune_id, phone=f"+212{first_phone + index}")
        db.session.add(
            Support(
                proposal_id=proposal.id,
                user_id=user.id,
                created_at_dt=utcnow() - timedelta(minutes=index),
            )
        )
    proposal.support_count += count
    db.session.flush()
