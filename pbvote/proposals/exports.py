"""Open data: a cycle's public proposals and their published reviews, CSV and JSON."""

from flask import jsonify

from pbvote.core.csvdata import csv_response
from pbvote.cycles.web import cycle_or_404
from pbvote.proposals import queries
from pbvote.proposals.web import bp

CSV_FIELDS = (
    "id",
    "cycle_id",
    "title",
    "description",
    "status",
    "author_kind",
    "association",
    "scope",
    "district_id",
    "category",
    "beneficiaries",
    "location",
    "latitude",
    "longitude",
    "estimated_cost",
    "supports",
    "submitted_at",
    "review_body",
    "review_decision",
    "review_competent",
    "review_technical_ok",
    "review_legal_ok",
    "review_official_cost",
    "review_answer",
    "review_reasons",
    "review_merged_into",
    "review_published_at",
)


@bp.route("/cycles/<int:cycle_id>/proposals.csv")
def export_csv(cycle_id: int):
    cycle = cycle_or_404(cycle_id)
    return csv_response(
        queries.export_rows(cycle.id), CSV_FIELDS, f"proposals-{cycle.year}.csv"
    )


@bp.route("/cycles/<int:cycle_id>/proposals.json")
def export_json(cycle_id: int):
    cycle = cycle_or_404(cycle_id)
    response = jsonify(
        {
            "cycle_id": cycle.id,
            "year": cycle.year,
            "licence": "ODbL-1.0",
            "proposals": queries.export_rows(cycle.id),
        }
    )
    response.headers["Content-Disposition"] = (
        f"attachment; filename=proposals-{cycle.year}.json"
    )
    return response
