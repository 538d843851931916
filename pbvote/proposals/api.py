"""``/api/v1``: proposals with their published reviews (read-only, paginated)."""

from flask import current_app, jsonify, request

from pbvote.api.registry import add_paths
from pbvote.communes.services import current_commune
from pbvote.core.pagination import page_json, requested_page
from pbvote.cycles.services import get_cycle
from pbvote.extensions import db
from pbvote.proposals import queries
from pbvote.proposals.models import BENEFICIARIES, PUBLIC_STATUSES, Proposal
from pbvote.proposals.services import active_categories
from pbvote.proposals.web import bp


def proposal_json(p: Proposal) -> dict:
    review = p.review if p.review and p.review.is_published else None
    return {
        "id": p.id,
        "cycle_id": p.cycle_id,
        "title": p.title,
        "status": p.status,
        "description_markdown": p.description,
        "author_kind": "association" if p.association_id else "resident",
        "association": (
            {
                "id": p.association.id,
                "name_ar": p.association.name_ar,
                "name_fr": p.association.name_fr,
            }
            if p.association
            else None
        ),
        "scope_id": p.scope_id,
        "district_id": p.scope.district_id,
        "category": p.category.key,
        "beneficiaries": p.beneficiary_keys,
        "location": p.location_text,
        "coordinates": (
            {"latitude": p.latitude, "longitude": p.longitude}
            if p.latitude is not None
            else None
        ),
        "estimated_cost": p.estimated_cost,
        "supports": p.support_count,
        "submitted_at": p.submitted_at_dt.isoformat() if p.submitted_at_dt else None,
        "history": [
            {"status": e.status, "at": e.at_dt.isoformat(), "note": e.note}
            for e in p.events
        ],
        "review": None
        if review is None
        else {
            "body": review.body.key,
            "decision": review.decision,
            "competent": review.competent,
            "technical_ok": review.technical_ok,
            "legal_ok": review.legal_ok,
            "official_cost": review.official_cost,
            "answer": review.answer,
            "reasons": review.reasons,
            "merged_into_id": review.merged_into_id,
            "published_at": review.published_at_dt.isoformat(),
        },
    }


def _not_found():
    return jsonify({"error": "not_found", "message": "No such item."}), 404


@bp.route("/api/v1/cycles/<int:cycle_id>/proposals")
def api_proposals(cycle_id: int):
    cycle = get_cycle(current_commune(), cycle_id)
    if cycle is None:
        return _not_found()
    category = request.args.get("category", "")
    filters = queries.Filters(
        district=request.args.get("district", ""),
        category_id=next(
            (c.id for c in active_categories(cycle.commune_id) if c.key == category), -1
        )
        if category
        else None,
        beneficiary=request.args.get("beneficiary", ""),
        status=request.args.get("status", ""),
        q=request.args.get("q", "")[:200],
        sort=request.args.get("sort", "newest"),
    )
    page = queries.public_page(
        cycle.id,
        filters,
        requested_page("page", current_app.config["PAGE_SIZE"]),
        current_app.config["PAGE_SIZE"],
        *queries.review_loads(),
    )
    return jsonify(
        {
            "items": [proposal_json(p) for p in page.items],
            **page_json(page),
        }
    )


@bp.route("/api/v1/proposals/<int:proposal_id>")
def api_proposal(proposal_id: int):
    proposal = db.session.get(Proposal, proposal_id)
    if (
        proposal is None
        or not proposal.is_public
        or (proposal.cycle.commune_id != current_commune().id)
    ):
        return _not_found()
    return jsonify(proposal_json(proposal))


_ID = {"in": "path", "required": True, "schema": {"type": "integer"}}
add_paths(
    {
        "/api/v1/cycles/{cycle_id}/proposals": {
            "get": {
                "summary": "Public proposals of a cycle with their published reviews",
                "parameters": [
                    {"name": "cycle_id", **_ID},
                    {"name": "page", "in": "query", "schema": {"type": "integer"}},
                    {
                        "name": "q",
                        "in": "query",
                        "description": "words, Arabic or French",
                        "schema": {"type": "string"},
                    },
                    {
                        "name": "district",
                        "in": "query",
                        "description": "'commune' or an id",
                        "schema": {"type": "string"},
                    },
                    {
                        "name": "category",
                        "in": "query",
                        "description": "a category key",
                        "schema": {"type": "string"},
                    },
                    {
                        "name": "beneficiary",
                        "in": "query",
                        "schema": {"enum": list(BENEFICIARIES)},
                    },
                    {
                        "name": "status",
                        "in": "query",
                        "schema": {"enum": list(PUBLIC_STATUSES)},
                    },
                    {
                        "name": "sort",
                        "in": "query",
                        "schema": {"enum": list(queries.SORTS)},
                    },
                ],
                "responses": {
                    "200": {"description": "a page of proposals"},
                    "404": {"description": "no such cycle"},
                },
            }
        },
        "/api/v1/proposals/{proposal_id}": {
            "get": {
                "summary": "One public proposal, its status history and review",
                "parameters": [{"name": "proposal_id", **_ID}],
                "responses": {
                    "200": {"description": "a proposal"},
                    "404": {"description": "no such public proposal"},
                },
            }
        },
    }
)
