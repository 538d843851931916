"""Read-only queries on the other domains' tables for the indicators. Each returns
sets of ids or aggregates only: nothing here leaves the server per person."""

from datetime import datetime

from sqlalchemy import Float, cast, extract, func, select, union

from pbvote.accountability.models import Rating
from pbvote.communes.models import District
from pbvote.cycles.models import Cycle, Scope
from pbvote.extensions import db
from pbvote.indicators.models import CensusCell
from pbvote.petitions.models import Petition, PetitionSignature
from pbvote.proposals.models import Comment, Proposal, Support
from pbvote.reviews.models import AdvisoryBody, Review
from pbvote.voting.models import ParticipationProfile, VoterEntry, VoterMark


def _ours(query, commune_id: int, district_id: int | None):
    """``query`` (which has Proposal in its FROM) kept to the commune's
    proposals (and one district's scope), by joins the planner can drive from
    the period's rows rather than an ``IN`` over every proposal."""
    query = query.join(Cycle, Cycle.id == Proposal.cycle_id).where(
        Cycle.commune_id == commune_id
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
    authors = proposals(commune_id, start, end, district_id)["authors"]
    return authors | other_participants(commune_id, start, end, district_id)


def other_participants(
    commune_id: int, start: datetime, end: datetime, district_id: int | None = None
) -> set[int]:
    """Accounts that supported, commented, signed or rated a project (the
    authors come with :func:`proposals`, from the same scan of the period's
    proposals)."""
    queries = [
        _ours(
            select(Support.user_id)
            .join(Proposal, Proposal.id == Support.proposal_id)
            .where(Support.created_at_dt >= start, Support.created_at_dt < end),
            commune_id,
            district_id,
        ),
        _ours(
            select(Comment.author_id)
            .join(Proposal, Proposal.id == Comment.proposal_id)
            .where(Comment.created_at_dt >= start, Comment.created_at_dt < end),
            commune_id,
            district_id,
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
    # One statement: the database removes the duplicates (UNION).
    return set(db.session.scalars(union(*queries)).all())


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


def proposals(commune_id, start, end, district_id=None) -> dict:
    """Proposals submitted in the period: their authors, how many, how many by
    associations, and the days from submission to the first published answer
    of each answered one (one row: the database counts, Python takes the
    median)."""
    answered = (
        select(Review.proposal_id, func.min(Review.published_at_dt).label("at"))
        .where(Review.published_at_dt.is_not(None))
        .group_by(Review.proposal_id)
        .subquery()
    )
    if db.session.get_bind().dialect.name != "postgresql":
        return _proposals_portable(commune_id, start, end, district_id, answered)
    # extract(epoch) is exact (numeric): as float it equals timedelta.total_seconds().
    seconds = cast(
        extract("epoch", answered.c.at) - extract("epoch", Proposal.submitted_at_dt),
        Float,
    )
    rows = _ours(
        select(Proposal.author_id, Proposal.association_id, seconds.label("seconds"))
        .outerjoin(answered, answered.c.proposal_id == Proposal.id)
        .where(Proposal.submitted_at_dt >= start, Proposal.submitted_at_dt < end),
        commune_id,
        district_id,
    ).subquery()
    authors, count, associations, delays = db.session.execute(
        select(
            func.array_agg(rows.c.author_id.distinct()),
            func.count(),
            func.count(rows.c.association_id),
            func.array_agg(rows.c.seconds).filter(rows.c.seconds.is_not(None)),
        )
    ).one()
    return {
        "authors": set(authors or ()),
        "proposed": count,
        "associations": associations,
        "delays": [s / 86400 for s in delays or ()],
    }


def _proposals_portable(commune_id, start, end, district_id, answered) -> dict:
    """The same figures where the database has no array_agg (SQLite, the embedded
    first-run default): the rows come back and Python aggregates them."""
    rows = db.session.execute(
        _ours(
            select(
                Proposal.author_id,
                Proposal.association_id,
                Proposal.submitted_at_dt,
                answered.c.at,
            )
            .outerjoin(answered, answered.c.proposal_id == Proposal.id)
            .where(Proposal.submitted_at_dt >= start, Proposal.submitted_at_dt < end),
            commune_id,
            district_id,
        )
    ).all()
    return {
        "authors": {author for author, _, _, _ in rows if author is not None},
        "proposed": len(rows),
        "associations": sum(1 for _, association, _, _ in rows if association),
        "delays": [
            (at - submitted).total_seconds() / 86400
            for _, _, submitted, at in rows
            if at is not None
        ],
    }


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


def census_by_dimension(commune_id: int) -> dict[str, dict[str, int]]:
    """The commune-wide census cells, per dimension: {dimension: {value: people}}."""
    rows = db.session.execute(
        select(CensusCell.dimension, CensusCell.value, CensusCell.population).where(
            CensusCell.commune_id == commune_id, CensusCell.district_id.is_(None)
        )
    ).all()
    cells: dict[str, dict[str, int]] = {}
    for dimension, value, population in rows:
        cells.setdefault(dimension, {})[value] = population
    return cells
