"""Read-only queries on the other domains' tables for the indicators. Each returns
sets of ids or aggregates only: nothing here leaves the server per person."""

from functools import cache

from sqlalchemy import (
    Float,
    Integer,
    bindparam,
    cast,
    extract,
    func,
    literal,
    select,
    union,
    union_all,
)

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


# Several periods in one statement: each period is a branch of a UNION ALL whose
# first column is the period's position, so that overlapping periods (two
# cycles) each get their rows, and each branch keeps its own index range scan.
# The statements are built once per shape (how many periods, a district or not)
# with the bounds as named parameters: building them cost more than running them.


class Bounds:
    """The bounds of the period at ``index`` as a statement's named parameters
    (the attributes a Period has: start, end, first_day, last_day)."""

    def __init__(self, index: int):
        self.start = bindparam(f"start_{index}")
        self.end = bindparam(f"end_{index}")
        self.first_day = bindparam(f"first_{index}")
        self.last_day = bindparam(f"last_{index}")


COMMUNE = bindparam("commune_id")
DISTRICT = bindparam("district_id")


def per_period_rows(build, commune_id: int, periods, district_id=None, *shape):
    """The rows of ``build(bounds, commune, district, *shape)`` for these
    periods: ``bounds`` one :class:`Bounds` per period, ``commune`` and
    ``district`` parameters (``district`` None for the whole commune). Each row
    starts with its period's position in ``periods``."""
    statement = _built(build, len(periods), district_id is not None, *shape)
    values = {"commune_id": commune_id, "district_id": district_id}
    for index, period in enumerate(periods):
        values[f"start_{index}"], values[f"end_{index}"] = period.start, period.end
        values[f"first_{index}"] = period.first_day
        values[f"last_{index}"] = period.last_day
    return db.session.execute(statement, values).all()


@cache
def _built(build, count: int, by_district: bool, *shape):
    bounds = [Bounds(index) for index in range(count)]
    return build(bounds, COMMUNE, DISTRICT if by_district else None, *shape)


def each_period(bounds, branch):
    """The UNION ALL of ``branch(position, bounds)`` over the periods' bounds."""
    branches = [branch(index, period) for index, period in enumerate(bounds)]
    return branches[0] if len(branches) == 1 else union_all(*branches)


def period_position(index: int):
    return literal(index, Integer).label("period")


def account_participants(commune_id: int, period, district_id=None) -> set[int]:
    """Accounts that proposed, supported, commented, signed or rated a project."""
    authors = proposals_by_period(commune_id, (period,), district_id)[period]["authors"]
    return (
        authors
        | other_participants_by_period(commune_id, (period,), district_id)[period]
    )


def other_participants_by_period(
    commune_id: int, periods, district_id: int | None = None
) -> dict:
    """{period: accounts that supported, commented, signed or rated a project}
    (the authors come with :func:`proposals_by_period`)."""
    ids = [set() for _period in periods]
    rows = per_period_rows(_other_participants, commune_id, periods, district_id)
    for index, user_id in rows:
        ids[index].add(user_id)
    return dict(zip(periods, ids, strict=True))


def _other_participants(bounds, commune, district):
    def branches(index, period):
        start, end = period.start, period.end
        queries = [
            _ours(
                select(period_position(index), Support.user_id)
                .join(Proposal, Proposal.id == Support.proposal_id)
                .where(Support.created_at_dt >= start, Support.created_at_dt < end),
                commune,
                district,
            ),
            _ours(
                select(period_position(index), Comment.author_id)
                .join(Proposal, Proposal.id == Comment.proposal_id)
                .where(Comment.created_at_dt >= start, Comment.created_at_dt < end),
                commune,
                district,
            ),
            _signers(commune, start, end, district, period_position(index)).where(
                PetitionSignature.user_id.is_not(None)
            ),
        ]
        if district is None:  # ratings carry no district
            queries.append(
                select(period_position(index), Rating.user_id).where(
                    Rating.created_at_dt >= start, Rating.created_at_dt < end
                )
            )
        return queries

    # One flat UNION (SQLite nests no compound select): the database removes
    # the duplicates.
    return union(*(q for i, p in enumerate(bounds) for q in branches(i, p)))


def _signers(commune_id, start, end, district_id, *first):
    query = (
        select(*first, PetitionSignature.user_id)
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


def paper_signatures_by_period(commune_id, periods, district_id=None) -> dict:
    """{period: signatures collected on paper (no account)}: each is one person."""
    counts = [0] * len(periods)
    rows = per_period_rows(_paper_signatures, commune_id, periods, district_id)
    for index, count in rows:
        counts[index] = count
    return dict(zip(periods, counts, strict=True))


def _paper_signatures(bounds, commune, district):
    def branch(index, period):
        return (
            _signers(commune, period.start, period.end, district)
            .with_only_columns(period_position(index), func.count())
            .where(PetitionSignature.user_id.is_(None))
        )

    return each_period(bounds, branch)


def voters_by_period(commune_id: int, periods) -> dict:
    """{period: {registry district: people marked as having voted}} (the marks
    keep the day only, and nothing links them to a ballot)."""
    voters: list[dict] = [{} for _period in periods]
    for index, district_id, count in per_period_rows(_voters, commune_id, periods):
        voters[index][district_id] = count
    return dict(zip(periods, voters, strict=True))


def _voters(bounds, commune, _district):
    def branch(index, period):
        return (
            select(period_position(index), VoterEntry.district_id, func.count())
            .select_from(VoterMark)
            .join(VoterEntry, VoterEntry.id == VoterMark.registry_entry_id)
            .join(Cycle, Cycle.id == VoterMark.cycle_id)
            .where(
                Cycle.commune_id == commune,
                VoterMark.voted_on >= period.first_day,
                VoterMark.voted_on <= period.last_day,
            )
            .group_by(VoterEntry.district_id)
        )

    return each_period(bounds, branch)


def profiles_by_period(commune_id: int, periods) -> dict:
    """{period: the consented answers (age band, gender, disability) given in it}."""
    answers: list[list] = [[] for _period in periods]
    for index, *answer in per_period_rows(_profiles, commune_id, periods):
        answers[index].append(tuple(answer))
    return dict(zip(periods, answers, strict=True))


def _profiles(bounds, commune, _district):
    def branch(index, period):
        return (
            select(
                period_position(index),
                ParticipationProfile.age_band,
                ParticipationProfile.gender,
                ParticipationProfile.disability,
            )
            .join(Cycle, Cycle.id == ParticipationProfile.cycle_id)
            .where(
                Cycle.commune_id == commune,
                ParticipationProfile.given_on >= period.first_day,
                ParticipationProfile.given_on <= period.last_day,
            )
        )

    return each_period(bounds, branch)


def _submitted_in(period, commune, district):
    """Proposals submitted in the period, of the commune (and one district's
    scopes). Semi-joins, so that PostgreSQL reads the period's rows from the
    covering index on submitted_at_dt without visiting the table."""
    conditions = [
        Proposal.submitted_at_dt >= period.start,
        Proposal.submitted_at_dt < period.end,
        Proposal.cycle_id.in_(select(Cycle.id).where(Cycle.commune_id == commune)),
    ]
    if district is not None:
        conditions.append(
            Proposal.scope_id.in_(select(Scope.id).where(Scope.district_id == district))
        )
    return conditions


def proposals_by_period(commune_id, periods, district_id=None) -> dict:
    """{period: proposals submitted in it}: their authors, how many, how many by
    associations, and the days from submission to the first published answer of
    each answered one. Two statements for all the periods: the counts per
    author (the database counts, Python adds up a few hundred rows), and the
    answered proposals' delays."""
    authors = [set() for _period in periods]
    proposed, by_associations = [0] * len(periods), [0] * len(periods)
    rows = per_period_rows(_per_author, commune_id, periods, district_id)
    for index, author_id, count, associations in rows:
        authors[index].add(author_id)
        proposed[index] += count
        by_associations[index] += associations
    delays = answer_delays(commune_id, periods, district_id)
    return {
        period: {
            "authors": authors[i],
            "proposed": proposed[i],
            "associations": by_associations[i],
            "delays": delays[i],
        }
        for i, period in enumerate(periods)
    }


def _per_author(bounds, commune, district):
    def branch(index, period):
        return (
            select(
                period_position(index),
                Proposal.author_id,
                func.count(),
                func.count(Proposal.association_id),
            )
            .where(*_submitted_in(period, commune, district))
            .group_by(Proposal.author_id)
        )

    return each_period(bounds, branch)


def answer_delays(
    commune_id, periods, district_id=None, portable: bool | None = None
) -> list[list[float]]:
    """Per period: days from submission to the first published answer, for each
    proposal of the period that has one. ``portable`` (by default where the
    database is not PostgreSQL) reads the two moments and subtracts in Python."""
    if portable is None:
        portable = db.session.get_bind().dialect.name != "postgresql"
    delays: list[list[float]] = [[] for _period in periods]
    rows = per_period_rows(_delays, commune_id, periods, district_id, portable)
    for index, *values in rows:
        seconds = (values[1] - values[0]).total_seconds() if portable else values[0]
        delays[index].append(seconds / 86400)
    return delays


def _delays(bounds, commune, district, portable: bool):
    answered = (
        select(Review.proposal_id, func.min(Review.published_at_dt).label("at"))
        .where(Review.published_at_dt.is_not(None))
        .group_by(Review.proposal_id)
        .cte("answered")
    )
    if portable:  # no epoch arithmetic (SQLite): the moments come back
        delay = (Proposal.submitted_at_dt, answered.c.at)
    else:
        # extract(epoch) is exact (numeric): as float it equals
        # timedelta.total_seconds().
        delay = (
            cast(
                extract("epoch", answered.c.at)
                - extract("epoch", Proposal.submitted_at_dt),
                Float,
            ),
        )

    def branch(index, period):
        return (
            select(period_position(index), *delay)
            .select_from(answered)
            .join(Proposal, Proposal.id == answered.c.proposal_id)
            .where(*_submitted_in(period, commune, district))
        )

    return each_period(bounds, branch)


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
