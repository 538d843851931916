"""Open data: a cycle's public proposals and their published reviews, CSV and JSON."""

import csv
import io

from flask import Response, jsonify

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


def _safe_cell(value):
    """Spreadsheets run cells that start with = + - @ as formulas: quote them."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


@bp.route("/cycles/<int:cycle_id>/proposals.csv")
def export_csv(cycle_id: int):
    cycle = cycle_or_404(cycle_id)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS)
    writer.writeheader()
    for row in queries.export_rows(cycle.id):
        writer.writerow({key: _safe_cell(row[key]) for key in CSV_FIELDS})
    return Response(
        "\ufeff" + buffer.getvalue(),
        mimetype="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f"attachment; filename=proposals-{cycle.year}.csv"
        },
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
