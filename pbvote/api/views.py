"""``/api/v1/``: the read-only public API. Domains add their routes on their own
blueprints and describe them with :func:`pbvote.api.registry.add_paths`."""

from flask import Blueprint, jsonify
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from pbvote.api.registry import add_paths, openapi_document
from pbvote.communes.services import current_commune
from pbvote.core.time import utcnow
from pbvote.cycles.models import Cycle
from pbvote.cycles.services import phase_at, phase_span
from pbvote.extensions import db

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.route("/openapi.json")
def openapi():
    return jsonify(openapi_document("1"))


def cycle_json(cycle: Cycle, now) -> dict:
    return {
        "id": cycle.id,
        "year": cycle.year,
        "title_ar": cycle.title_ar,
        "title_fr": cycle.title_fr,
        "total_budget": cycle.total_budget,
        "current_phase": phase_at(cycle, now),
        "phases": [
            {
                "kind": p.kind,
                "starts_at": span[0].isoformat(),
                "ends_at": span[1].isoformat(),
            }
            for p in cycle.phases
            if (span := phase_span(cycle, p.kind))
        ],
        "scopes": [
            {
                "id": s.id,
                "district_id": s.district_id,
                "amount": s.amount,
                "ballot_rule": s.ballot_rule,
                "tally_rule": s.tally_rule,
            }
            for s in cycle.scopes
        ],
    }


@bp.route("/cycles")
def cycles():
    now = utcnow()
    rows = db.session.scalars(
        select(Cycle)
        .where(Cycle.commune_id == current_commune().id)
        .options(selectinload(Cycle.phases), selectinload(Cycle.scopes))
        .order_by(Cycle.year.desc())
    )
    return jsonify({"items": [cycle_json(cycle, now) for cycle in rows]})


@bp.route("/cycles/<int:cycle_id>")
def cycle(cycle_id: int):
    row = db.session.get(Cycle, cycle_id)
    if row is None or row.commune_id != current_commune().id:
        return jsonify({"error": "not_found", "message": "No such cycle."}), 404
    return jsonify(cycle_json(row, utcnow()))


add_paths(
    {
        "/api/v1/cycles": {
            "get": {
                "summary": "Budget cycles with phases and scopes",
                "responses": {"200": {"description": "cycles"}},
            }
        },
        "/api/v1/cycles/{cycle_id}": {
            "get": {
                "summary": "One budget cycle",
                "parameters": [
                    {
                        "name": "cycle_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    }
                ],
                "responses": {
                    "200": {"description": "a cycle"},
                    "404": {"description": "no such cycle"},
                },
            }
        },
    }
)
