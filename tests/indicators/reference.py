"""The indicators as computed before the dashboard was made fast (issue 13): one
query per source and period, each measure run twice, nothing shared. The tests
compare the fast dashboard with this slow one, figure by figure."""

from sqlalchemy import func, select

from pbvote.accountability.models import Rating
from pbvote.extensions import db
from pbvote.indicators import consultation, periods, queries, services
from pbvote.indicators.definitions import DEFINITIONS, TITLES
from pbvote.petitions.models import PetitionSignature
from pbvote.proposals.models import Comment, Proposal, Support
from pbvote.reviews.models import Review


def account_participants(commune_id, start, end, district_id=None) -> set[int]:
    ours = queries._ours(select(Proposal.id), commune_id, district_id).scalar_subquery()
    selects = [
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
        queries._signers(commune_id, start, end, district_id).where(
            PetitionSignature.user_id.is_not(None)
        ),
    ]
    if district_id is None:
        selects.append(
            select(Rating.user_id).where(
                Rating.created_at_dt >= start, Rating.created_at_dt < end
            )
        )
    ids: set[int] = set()
    for query in selects:
        ids.update(db.session.scalars(query).all())
    return ids


def proposals(commune_id, start, end, district_id=None) -> list[dict]:
    ours = queries._ours(select(Proposal.id), commune_id, district_id).scalar_subquery()
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


def participant_counts(commune_id, period, district_id=None):
    accounts = account_participants(commune_id, period.start, period.end, district_id)
    voters = queries.voters_by_district(commune_id, period.first_day, period.last_day)
    voted = voters.get(district_id, 0) if district_id else sum(voters.values())
    paper = queries.paper_signatures(commune_id, period.start, period.end, district_id)
    if district_id is not None:
        return accounts, voted + paper
    surveyed, anonymous = consultation.respondents(commune_id, period)
    attended = consultation.attendance(commune_id, period)["attended_total"]
    return accounts | surveyed, voted + paper + anonymous + attended


def measure_participants(commune_id, period, district_id=None):
    accounts, others = participant_counts(commune_id, period, district_id)
    total = len(accounts) + others
    before = periods.year_before(commune_id, period)
    growth = None
    if before is not None:
        past_accounts, past_others = participant_counts(commune_id, before, district_id)
        past = len(past_accounts) + past_others
        growth = services.share(total - past, past) if past >= 5 else None
        if growth is not None and total < 5:
            growth = services.SUPPRESSED
    people = services.people
    return [
        ("total", None, people(total), "count"),
        ("accounts", None, people(len(accounts)), "count"),
        ("others", None, people(others), "count"),
        ("growth", None, growth, "percent"),
    ]


def measure_proposals(commune_id, period, district_id=None):
    rows = proposals(commune_id, period.start, period.end, district_id)
    answered = [r for r in rows if r["answered"]]
    delays = [
        (r["answered"] - r["submitted"]).total_seconds() / 86400 for r in answered
    ]
    return [
        ("proposed", None, len(rows), "count"),
        ("associations", None, sum(r["association"] for r in rows), "count"),
        (
            "answered",
            None,
            services.share(len(answered), len(rows), of_people=False),
            "percent",
        ),
        ("median", None, services._days(delays), "days"),
    ]


def measure_repetition(commune_id, period, district_id=None):
    earlier = periods.previous(commune_id, period)
    now_ids, _others = participant_counts(commune_id, period, district_id)
    if earlier is None:
        return [("again", None, None, "percent")]
    then_ids, _others = participant_counts(commune_id, earlier, district_id)
    again = len(now_ids & then_ids)
    return [
        ("returning", None, services.people(again), "count"),
        ("again", None, services.share(again, len(now_ids)), "percent"),
    ]


def measures() -> dict:
    return {
        **services.MEASURES,
        "participants": measure_participants,
        "proposals": measure_proposals,
        "repetition": measure_repetition,
    }


def dashboard(commune_id, period, district_id=None) -> dict:
    """The old loop: every measure for the period, then again for the one before."""
    earlier = periods.previous(commune_id, period)
    indicators = []
    for key, measure in measures().items():
        current = measure(commune_id, period, district_id)
        before = {}
        if earlier is not None:
            before = {
                row[0]: row[2] for row in measure(commune_id, earlier, district_id)
            }
        indicators.append(
            {
                "key": key,
                "title": str(TITLES[key]),
                "definition": str(DEFINITIONS[key]),
                "rows": [
                    {"key": k, "value": v, "previous": before.get(k), "unit": u}
                    for k, _label, v, u in current
                ],
            }
        )
    return {
        "period": period.code,
        "previous": earlier.code if earlier else None,
        "district_id": district_id,
        "indicators": indicators,
    }
