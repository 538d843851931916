"""The public list of proposals (filters, search, sorts) and the open-data export."""

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from pbvote.core.pagination import KnownPage
from pbvote.cycles.models import Scope
from pbvote.extensions import db
from pbvote.proposals.models import BENEFICIARIES, PUBLIC_STATUSES, Proposal
from pbvote.proposals.text import like_pattern, search_terms

SORTS = ("newest", "supported", "cost_asc", "cost_desc")


@dataclass
class Filters:
    district: str = ""  # "" (all), "commune", or a district id
    category_id: int | None = None
    beneficiary: str = ""
    status: str = ""
    q: str = ""
    sort: str = "newest"


def public_query(cycle_id: int, filters: Filters):
    """Public proposals of a cycle (never drafts), filtered, searched and sorted.

    Search: every word of the query, folded like the stored search column
    (diacritics, alef/ya/ta marbuta variants, French accents, case), must appear.
    """
    query = select(Proposal).where(
        Proposal.cycle_id == cycle_id, Proposal.status.in_(PUBLIC_STATUSES)
    )
    if filters.district == "commune":
        query = query.join(Scope, Scope.id == Proposal.scope_id).where(
            Scope.district_id.is_(None)
        )
    elif filters.district.isdigit():
        query = query.join(Scope, Scope.id == Proposal.scope_id).where(
            Scope.district_id == int(filters.district)
        )
    if filters.category_id:
        query = query.where(Proposal.category_id == filters.category_id)
    if filters.beneficiary in BENEFICIARIES:
        query = query.where(Proposal.beneficiaries.like(f"%,{filters.beneficiary},%"))
    if filters.status in PUBLIC_STATUSES:
        query = query.where(Proposal.status == filters.status)
    terms = search_terms(filters.q)
    if terms:
        query = query.where(
            and_(
                *(
                    Proposal.search_text.like(like_pattern(t), escape="\\")
                    for t in terms
                )
            )
        )
    return query.options(*card_loads()).order_by(*sort_order(filters))


def sort_order(filters: Filters) -> tuple:
    return {
        "supported": (Proposal.support_count.desc(), Proposal.id.desc()),
        "cost_asc": (Proposal.estimated_cost.asc(), Proposal.id),
        "cost_desc": (Proposal.estimated_cost.desc(), Proposal.id),
    }.get(filters.sort, (Proposal.submitted_at_dt.desc(), Proposal.id.desc()))


def public_page(cycle_id: int, filters: Filters, number: int, size: int, *loads):
    """Page ``number`` of :func:`public_query` with its total (``loads``: more
    loader options, e.g. :func:`review_loads` for the API)."""
    query = public_query(cycle_id, filters).options(*loads)
    return page_of(query.order_by(None), sort_order(filters), number, size)


def card_loads() -> tuple:
    """What a card shows (scope and its district, category, association), loaded
    with the page's rows in the same statement: a lazy load per card made the
    list's statement count grow with its page size. (Built when called: loader
    options configure the mappers, which needs every domain's models.)"""
    return (
        joinedload(Proposal.scope).joinedload(Scope.district),
        joinedload(Proposal.category),
        joinedload(Proposal.association),
    )


def review_loads() -> tuple:
    """Eager loads of a proposal's review and its body, for the open data and the
    API (one statement for all rows). ``Proposal.review`` is the reviews domain's
    backref: proposals do not import reviews, so its class is read from the
    mapper."""
    review = Proposal.review.property.mapper.class_
    return (
        selectinload(Proposal.review).joinedload(review.body),
        selectinload(Proposal.events),
    )


def page_of(query, order: tuple, number: int, size: int) -> KnownPage:
    """Page ``number`` of the unordered ``query`` in ``order``, and the total, in
    one scan: the total rides on each row (``count(*) OVER ()``), so a search
    over 20,000 proposals does not run twice (count, then page). Only a page past
    the end needs a count, and then shows the last page.

    The rows are ordered by the total first (the same on every row, so the order
    is ``order``): PostgreSQL's planner otherwise takes the window for a
    streaming one and walks an index in ``order`` through the whole cycle,
    instead of finding the few matches of a search through the trigram index
    (71 ms against 3 ms over 20,000 proposals)."""
    number = max(1, number)
    total = func.count().over().label("total")
    counted = query.add_columns(total).order_by(total, *order)

    def rows(page: int) -> list:
        return db.session.execute(counted.limit(size).offset((page - 1) * size)).all()

    found = rows(number)
    if found:
        return KnownPage([row[0] for row in found], number, size, found[0].total)
    count = db.session.scalar(select(func.count()).select_from(query.subquery()))
    last = max(1, -(-count // size))
    if count == 0 or last == number:
        return KnownPage([], min(number, last), size, count)
    found = rows(last)
    return KnownPage([row[0] for row in found], last, size, count)


def export_rows(cycle_id: int) -> list[dict]:
    """Open data: every public proposal with its published review. No phone
    numbers or account ids: an author is "resident" or the association's name."""
    rows = []
    query = public_query(cycle_id, Filters()).order_by(None).order_by(Proposal.id)
    for p in db.session.scalars(query.options(*review_loads())):
        review = p.review if p.review and p.review.is_published else None
        rows.append(
            {
                "id": p.id,
                "cycle_id": p.cycle_id,
                "title": p.title,
                "description": p.description,
                "status": p.status,
                "author_kind": "association" if p.association_id else "resident",
                "association": (p.association.name_fr or p.association.name_ar)
                if p.association
                else "",
                "scope": p.scope.key,
                "district_id": p.scope.district_id or "",
                "category": p.category.key,
                "beneficiaries": ",".join(p.beneficiary_keys),
                "location": p.location_text,
                "latitude": p.latitude,
                "longitude": p.longitude,
                "estimated_cost": p.estimated_cost,
                "supports": p.support_count,
                "submitted_at": p.submitted_at_dt.isoformat()
                if p.submitted_at_dt
                else "",
                "review_body": review.body.key if review else "",
                "review_decision": review.decision if review else "",
                "review_competent": review.competent if review else "",
                "review_technical_ok": review.technical_ok if review else "",
                "review_legal_ok": review.legal_ok if review else "",
                "review_official_cost": (review.official_cost or "") if review else "",
                "review_answer": review.answer if review else "",
                "review_reasons": review.reasons if review else "",
                "review_merged_into": (review.merged_into_id or "") if review else "",
                "review_published_at": review.published_at_dt.isoformat()
                if review
                else "",
            }
        )
    return rows


def placed_proposals(cycle_id: int, limit: int = 2000) -> list:
    """Public proposals of a cycle with a point or an address, by scope then id:
    the map page's markers and its list equivalent."""
    return list(
        db.session.scalars(
            select(Proposal)
            .where(
                Proposal.cycle_id == cycle_id,
                Proposal.status.in_(PUBLIC_STATUSES),
                or_(Proposal.latitude.is_not(None), Proposal.location_text != ""),
            )
            .options(*card_loads())
            .order_by(Proposal.scope_id, Proposal.id)
            .limit(limit)
        )
    )
