"""Read-only queries on the other domains' tables for the indicators. Each returns
sets of ids or aggregates only: nothing here leaves the server per person."""

from datetime import datetime

from sqlalchemy import func, select

from pbvote.accountability.models import Rating
from pbvote.communes.models import District
from pbvote.cycles.models import Cycle, Scope
from pbvote.extensions import db
from pbvote.indicators.models import CensusCell
from pbvote.petitions.models import Petition, PetitionSignature
from pbvote.proposals.models import Comment, Proposal, Support
from pbvote.reviews.models import AdvisoryBody, Review
from pbvote.voting.models import ParticipationProfile, VoterEntry, VoterMark


def _proposals_in(commune_id: int, district_id: int | None):
    """Proposals of the commune (and of one district's scope)."""
    query = (
        select(Proposal.id)
        .join(Cycle, Cycle.id == Proposal.cycle_id)
        .where(Cycle.commune_id == commune_id)
    )
    if district_id is not None:
        query = query.join(Scope, Scope.id == Proposal.scope_id).where(
            Scope.district_id == district_id
        )
    return query


def account_participants(
    commune_id: int, start: datetime, end: datetime, district_id: int | None = None
) -> set[int]:
    """Accounts that proposed, supported, commented, signed or rated a project."""
    ours = _proposals_in(commune_id, district_id).scalar_subquery()
    queries = [
        select(Proposal.author_id).where(
            Proposal.id.in_(ours),
            Proposal.submitted_at_dt >= start,
            Proposal.submitted_at_dt < end,
        ),
        select(Support.user_id).where(
            Support.proposal_id.in_(ours),
            Support.created_at_dt >= start,
            Support.created_at_dt < end,
        ),
        select(Comment.author_id).where(
            Comment.proposal_id.in_(ours),
            Comment.created_at_dt >= start,
            Comment.created_at_dt < end,
        ),
        _signers(commune_id, start, end, district_id).where(
            PetitionSignature.user_id.is_not(None)
        ),
    ]
    if district_id is None:  # ratings carry no district
        queries.append(
            select(Rating.user_id).where(
                Rating.created_at_dt >= start, Rating.created_at_dt < end
            )
        )
    ids: set[int] = set()
    for query in queries:
        ids.update(db.session.scalars(query).all())
    return ids


def _signers(commune_id, start, end, district_id):
    query = (
        select(PetitionSignature.user_id)
        .join(Petition, Petition.id == PetitionSignature.petition_id)
        .where(
            Petition.commune_id == commune_id,
            PetitionSignature.signed_at_dt >= start,
            PetitionSignature.signed_at_dt < end,
        )
    )
    if district_id is not None:
        query = query.where(PetitionSignature.district_id == district_id)
    return query


def paper_signatures(commune_id, start, end, district_id=None) -> int:
    """Signatures collected on paper (no account): each is one person."""
    query = _signers(commune_id, start, end, district_id).where(
        PetitionSignature.user_id.is_(None)
    )
    return len(db.session.scalars(query).all())


def voters_by_district(commune_id: int, first_day, last_day) -> dict[int, int]:
    """People marked as having voted, per registry district (the marks keep the
    day only, and nothing links them to a ballot)."""
    rows = db.session.execute(
        select(VoterEntry.district_id, func.count())
        .select_from(VoterMark)
        .join(VoterEntry, VoterEntry.id == VoterMark.registry_entry_id)
        .join(Cycle, Cycle.id == VoterMark.cycle_id)
        .where(
            Cycle.commune_id == commune_id,
            VoterMark.voted_on >= first_day,
            VoterMark.voted_on <= last_day,
        )
        .group_by(VoterEntry.district_id)
    ).all()
    return {district_id: count for district_id, count in rows}


def profiles(commune_id: int, first_day, last_day) -> list[tuple[str, str, str]]:
    """The consented answers (age band, gender, disability) given in the period."""
    return db.session.execute(
        select(
            ParticipationProfile.age_band,
            ParticipationProfile.gender,
            ParticipationProfile.disability,
        )
        .join(Cycle, Cycle.id == ParticipationProfile.cycle_id)
        .where(
            Cycle.commune_id == commune_id,
            ParticipationProfile.given_on >= first_day,
            ParticipationProfile.given_on <= last_day,
        )
    ).all()


def proposals(commune_id, start, end, district_id=None) -> list[dict]:
    """Proposals submitted in the period, with the first published answer."""
    ours = _proposals_in(commune_id, district_id).scalar_subquery()
    answered = (
        select(Review.proposal_id, func.min(Review.published_at_dt).label("at"))
        .where(Review.published_at_dt.is_not(None))
        .group_by(Review.proposal_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Proposal.association_id, Proposal.submitted_at_dt, answered.c.at)
        .outerjoin(answered, answered.c.proposal_id == Proposal.id)
        .where(
            Proposal.id.in_(ours),
            Proposal.submitted_at_dt >= start,
            Proposal.submitted_at_dt < end,
        )
    ).all()
    return [
        {"association": a is not None, "submitted": s, "answered": at}
        for a, s, at in rows
    ]


def advisory_bodies(commune_id: int) -> int:
    return db.session.scalar(
        select(func.count(AdvisoryBody.id)).where(
            AdvisoryBody.commune_id == commune_id, AdvisoryBody.active.is_(True)
        )
    )


def districts(commune_id: int) -> list[District]:
    return db.session.scalars(
        select(District)
        .where(District.commune_id == commune_id, District.active.is_(True))
        .order_by(District.name_fr)
    ).all()


def census(commune_id: int, dimension: str, district_id=None) -> dict[str, int]:
    rows = db.session.execute(
        select(CensusCell.value, CensusCell.population).where(
            CensusCell.commune_id == commune_id,
            CensusCell.dimension == dimension,
            CensusCell.district_id.is_(None)
            if district_id is None
            else CensusCell.district_id == district_id,
        )
    ).all()
    return {value: population for value, population in rows}
