"""Read-only API of execution data: ``/api/v1/execution/...``."""

from flask import jsonify, url_for

from pbvote.accountability import followup, queries
from pbvote.accountability.models import ExecutionRecord
from pbvote.accountability.views.blueprint import bp
from pbvote.accountability.views.public import public_record, public_records
from pbvote.api.registry import add_paths
from pbvote.communes.services import current_commune
from pbvote.core.pagination import page_json, paginate
from pbvote.extensions import db


def _not_found(message: str):
    return jsonify({"error": "not_found", "message": message}), 404


@bp.route("/api/v1/execution/records")
def api_records():
    page = paginate(queries.records_by_id_query(current_commune().id))
    return jsonify(
        {
            "items": public_records(page.items),
            **page_json(page),
        }
    )


@bp.route("/api/v1/execution/records/<int:record_id>")
def api_record(record_id: int):
    record = db.session.get(ExecutionRecord, record_id)
    if record is None or record.commune_id != current_commune().id:
        return _not_found("No such execution record.")
    data = public_record(record)
    data["history"] = followup.record_data(record)["history"]
    return jsonify(data)


@bp.route("/api/v1/execution/dashboard")
def api_dashboard():
    commune_id = current_commune().id
    snapshot = followup.load(f"dashboard:{commune_id}")
    data = snapshot.data if snapshot else followup.dashboard_data(commune_id)
    return jsonify(
        data
        | {"refreshed_at": snapshot.refreshed_at_dt.isoformat() if snapshot else None}
    )


@bp.route("/api/v1/execution/reports")
def api_reports():
    page = paginate(queries.reports_query(current_commune().id))
    return jsonify(
        {
            "items": [
                {
                    "id": r.id,
                    "period_kind": r.period_kind,
                    "year": r.year,
                    "quarter": r.quarter,
                    "period_start": r.period_start.isoformat(),
                    "period_end": r.period_end.isoformat(),
                    "generated_at": r.generated_at_dt.isoformat(),
                    "figures": r.figures,
                    "pdf": url_for(
                        "accountability.report_pdf", report_id=r.id, _external=True
                    ),
                    "csv": url_for(
                        "accountability.report_csv", report_id=r.id, _external=True
                    ),
                }
                for r in page.items
            ],
            **page_json(page),
        }
    )


_PAGE = {
    "name": "page",
    "in": "query",
    "required": False,
    "schema": {"type": "integer"},
}
add_paths(
    {
        "/api/v1/execution/records": {
            "get": {
                "summary": "Execution records of the winning projects (paginated)",
                "parameters": [_PAGE],
                "responses": {
                    "200": {
                        "description": "records: status, progress, money (MAD), "
                        "dates, milestones, sub-projects"
                    }
                },
            }
        },
        "/api/v1/execution/records/{record_id}": {
            "get": {
                "summary": "One execution record with its published history",
                "parameters": [
                    {
                        "name": "record_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    }
                ],
                "responses": {
                    "200": {"description": "a record"},
                    "404": {"description": "no such record"},
                },
            }
        },
        "/api/v1/execution/dashboard": {
            "get": {
                "summary": "Commune-wide totals allocated, committed and spent; projects per "
                "status; overdue and delayed projects; satisfaction",
                "responses": {"200": {"description": "the dashboard figures"}},
            }
        },
        "/api/v1/execution/reports": {
            "get": {
                "summary": "Archived quarterly and annual accountability reports (paginated)",
                "parameters": [_PAGE],
                "responses": {
                    "200": {"description": "reports with figures and file links"}
                },
            }
        },
    }
)
