"""Open data: the public petitions as CSV and JSON, and ``/api/v1/petitions``.
No signer, account or ID hash ever leaves: only what the public register shows."""

from flask import jsonify
from sqlalchemy.orm import selectinload

from pbvote.api.registry import add_paths
from pbvote.communes.services import current_commune
from pbvote.core.csvdata import csv_response
from pbvote.core.pagination import page_json, paginate
from pbvote.extensions import db
from pbvote.petitions import queries
from pbvote.petitions.models import Petition
from pbvote.petitions.web import bp

CSV_FIELDS = (
    "id",
    "kind",
    "agent",
    "title",
    "request",
    "status",
    "signatures",
    "threshold",
    "filed_at",
    "decision_due_on",
    "decided_at",
    "decision_reasons",
    "session_on",
    "outcome",
)


def with_events():
    """Each row's history, read for all rows at once (built when called: loader
    options configure the mappers)."""
    return selectinload(Petition.events)


def _rows() -> list[dict]:
    query = queries.public_query(current_commune().id).options(with_events())
    return [queries.petition_json(p) for p in db.session.scalars(query)]


@bp.route("/petitions.csv")
def export_csv():
    return csv_response(_rows(), CSV_FIELDS, "petitions.csv")


@bp.route("/petitions.json")
def export_json():
    return jsonify({"licence": "ODbL-1.0", "petitions": _rows()})


@bp.route("/api/v1/petitions")
def api_petitions():
    page = paginate(queries.public_query(current_commune().id).options(with_events()))
    return jsonify(
        {
            "items": [queries.petition_json(p) for p in page.items],
            **page_json(page),
        }
    )


@bp.route("/api/v1/petitions/<int:petition_id>")
def api_petition(petition_id: int):
    petition = (
        db.session.get(Petition, petition_id) if 0 < petition_id < 2**31 else None
    )
    if (
        petition is None
        or not petition.is_public
        or petition.commune_id != current_commune().id
    ):
        return jsonify({"error": "not_found", "message": "No such item."}), 404
    return jsonify(queries.petition_json(petition))


_ID = {"in": "path", "required": True, "schema": {"type": "integer"}}
add_paths(
    {
        "/api/v1/petitions": {
            "get": {
                "summary": "Public petitions (Organic Law 113-14), newest first",
                "parameters": [
                    {"name": "page", "in": "query", "schema": {"type": "integer"}}
                ],
                "responses": {"200": {"description": "a page of petitions"}},
            }
        },
        "/api/v1/petitions/{petition_id}": {
            "get": {
                "summary": "One public petition and its dated history",
                "parameters": [{"name": "petition_id", **_ID}],
                "responses": {
                    "200": {"description": "a petition"},
                    "404": {"description": "no such public petition"},
                },
            }
        },
    }
)
