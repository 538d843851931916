"""Open data: the register of information requests as CSV and JSON, and
``/api/v1/information-requests``. No requester's name, address, ID or contact."""

from flask import jsonify
from sqlalchemy.orm import selectinload

from pbvote.api.registry import add_paths
from pbvote.communes.services import current_commune
from pbvote.core.csvdata import csv_response
from pbvote.core.pagination import page_json, paginate
from pbvote.extensions import db
from pbvote.inforequests import queries
from pbvote.inforequests.models import InfoRequest
from pbvote.inforequests.web import bp, request_by_number

CSV_FIELDS = (
    "tracking_number",
    "subject",
    "channel",
    "urgent",
    "status",
    "received_at",
    "due_on",
    "extended",
    "extension_reason",
    "closed_at",
    "working_days_taken",
    "answer",
    "refusal_ground",
    "explanation",
)


def with_documents():
    """Each row's documents, read for all rows at once (built when called: loader
    options configure the mappers)."""
    return selectinload(InfoRequest.documents)


def _rows() -> list[dict]:
    query = queries.register_query(current_commune().id).options(with_documents())
    return [queries.request_json(r) for r in db.session.scalars(query)]


@bp.route("/information.csv")
def export_csv():
    return csv_response(_rows(), CSV_FIELDS, "information-requests.csv")


@bp.route("/information.json")
def export_json():
    return jsonify({"licence": "ODbL-1.0", "requests": _rows()})


@bp.route("/api/v1/information-requests")
def api_requests():
    page = paginate(
        queries.register_query(current_commune().id).options(with_documents())
    )
    return jsonify(
        {
            "items": [queries.request_json(r) for r in page.items],
            **page_json(page),
        }
    )


@bp.route("/api/v1/information-requests/<number>")
def api_request(number: str):
    return jsonify(queries.request_json(request_by_number(number)))


add_paths(
    {
        "/api/v1/information-requests": {
            "get": {
                "summary": "Register of information requests (Law 31-13), "
                "without personal data",
                "parameters": [
                    {"name": "page", "in": "query", "schema": {"type": "integer"}}
                ],
                "responses": {"200": {"description": "a page of requests"}},
            }
        },
        "/api/v1/information-requests/{tracking_number}": {
            "get": {
                "summary": "One request of the register",
                "parameters": [
                    {
                        "name": "tracking_number",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
                "responses": {
                    "200": {"description": "a request"},
                    "404": {"description": "no such request"},
                },
            }
        },
    }
)
