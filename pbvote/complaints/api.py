"""Open data: the complaints register as CSV and JSON, and ``/api/v1/complaints``.
No author, phone, photo or rating comment."""

from flask import jsonify

from pbvote.api.registry import add_paths
from pbvote.communes.services import current_commune
from pbvote.complaints import queries
from pbvote.complaints.web import bp
from pbvote.core.csvdata import csv_response
from pbvote.core.pagination import page_json, paginate
from pbvote.extensions import db

CSV_FIELDS = (
    "tracking_number",
    "category",
    "district_id",
    "district",
    "description",
    "status",
    "service",
    "submitted_at",
    "due_on",
    "answered_at",
    "working_days_taken",
    "answer",
    "rating",
)


def _rows() -> list[dict]:
    query = queries.register_query(current_commune().id)
    return [queries.complaint_json(c) for c in db.session.scalars(query)]


@bp.route("/complaints.csv")
def export_csv():
    return csv_response(_rows(), CSV_FIELDS, "complaints.csv")


@bp.route("/complaints.json")
def export_json():
    return jsonify({"licence": "ODbL-1.0", "complaints": _rows()})


@bp.route("/api/v1/complaints")
def api_complaints():
    page = paginate(queries.register_query(current_commune().id))
    return jsonify(
        {
            "items": [queries.complaint_json(c) for c in page.items],
            **page_json(page),
        }
    )


add_paths(
    {
        "/api/v1/complaints": {
            "get": {
                "summary": "Register of complaints, without personal data",
                "parameters": [
                    {"name": "page", "in": "query", "schema": {"type": "integer"}}
                ],
                "responses": {"200": {"description": "a page of complaints"}},
            }
        },
    }
)
