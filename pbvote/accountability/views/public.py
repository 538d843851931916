"""Public pages of the execution follow-up: the dashboard, a project's page, its
files, the Atom feed, the archived reports and the open data."""

import json
from datetime import datetime

from flask import (
    Response,
    abort,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from pbvote.accountability import followup, places, queries, voice
from pbvote.accountability.forms import FollowForm, QuestionForm, RatingForm
from pbvote.accountability.models import ExecutionRecord, UpdateAttachment
from pbvote.accountability.reports import REPORT_AREA
from pbvote.accountability.services import ATTACHMENT_AREA
from pbvote.accountability.statuses import statuses
from pbvote.accountability.views.blueprint import (
    STAFF_ROLES,
    bp,
    record_or_404,
    report_or_404,
)
from pbvote.communes.services import current_commune
from pbvote.communes.web import row_or_404
from pbvote.core import storage
from pbvote.core.csvdata import csv_download, csv_response
from pbvote.core.forms import ConfirmForm
from pbvote.core.pagination import paginate
from pbvote.core.time import utcnow
from pbvote.cycles.web import cycle_or_404


def _snapshot_or_live(key: str, compute) -> tuple[dict, datetime | None]:
    """The follow-up job's snapshot, or the data computed now if there is none."""
    snapshot = followup.load(key)
    if snapshot is not None:
        return snapshot.data, snapshot.refreshed_at_dt
    return compute(), None


@bp.route("/execution")
def dashboard():
    commune = current_commune()
    data, refreshed = _snapshot_or_live(
        f"dashboard:{commune.id}", lambda: followup.dashboard_data(commune.id)
    )
    status = request.args.get("status", "")
    if status not in {s.key for s in statuses(commune.id)}:
        status = ""
    cycles = queries.cycles_with_records(commune.id)
    cycle_id = request.args.get("cycle", type=int)
    if cycle_id not in {c.id for c in cycles}:
        cycle_id = None
    page = paginate(queries.records_query(commune.id, status, cycle_id))
    return render_template(
        "accountability/dashboard.html",
        data=data,
        refreshed=refreshed,
        page=page,
        status=status,
        statuses=statuses(commune.id),
        cycles=cycles,
        cycle_id=cycle_id,
        places=places.located_records(commune.id, status, cycle_id),
    )


@bp.route("/cycles/<int:cycle_id>/execution")
def cycle_execution(cycle_id: int):
    """The cycle page's call to action once its projects are being carried out."""
    cycle = cycle_or_404(cycle_id)
    return redirect(url_for(".dashboard", cycle=cycle.id) + "#projects")


def record_view_data(record: ExecutionRecord) -> tuple[dict, datetime | None]:
    return _snapshot_or_live(
        f"record:{record.id}", lambda: followup.record_data(record)
    )


@bp.route("/execution/<int:record_id>")
def record_page(record_id: int):
    return render_record(record_or_404(record_id))


def _rating_form(my_rating) -> RatingForm:
    if my_rating is None:
        return RatingForm()
    again = "yes" if my_rating.take_part_again else "no"
    return RatingForm(data={"score": str(my_rating.score), "again": again})


def render_record(record, *, question_form=None, rating_form=None, status=200):
    """A project's public page; residents' forms come back here with their errors."""
    data, refreshed = record_view_data(record)
    user = current_user if current_user.is_authenticated else None
    my_rating = queries.rating_of(user, record.id)
    follow_row = voice.following(user, record)
    return render_template(
        "accountability/record.html",
        record=record,
        data=data,
        refreshed=refreshed,
        follow=follow_row,
        follow_form=FollowForm(
            data={"sms_opt_in": follow_row.sms_opt_in} if follow_row else None
        ),
        unfollow_form=ConfirmForm(),
        question_form=question_form or QuestionForm(),
        rating_form=rating_form or _rating_form(my_rating),
        my_rating=my_rating,
        questions=paginate(queries.record_questions_query(record.id)),
        is_resident=user is not None and user.kind == "resident",
    ), status


@bp.route("/execution/files/<int:file_id>/<name>")
def attachment(file_id: int, name: str):
    row = row_or_404(
        UpdateAttachment, file_id, lambda row: row.update.record.commune_id
    )
    public = row.update.state == "published"
    if not public and not (
        current_user.is_authenticated and current_user.has_role(*STAFF_ROLES)
    ):
        abort(404)
    # send_file writes the name RFC 6266-safely, Arabic names included.
    response = send_file(
        storage.path_of(ATTACHMENT_AREA, row.stored_name),
        mimetype=row.content_type,
        as_attachment=row.kind != "photo",
        download_name=row.filename,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = (
        "public, max-age=86400" if public else "no-store"
    )
    return response


@bp.route("/execution/feed.atom")
def feed():
    commune = current_commune()
    snapshot = followup.load(f"feed:{commune.id}")
    data = snapshot.data if snapshot else followup.feed_data(commune.id)
    updated = snapshot.refreshed_at_dt if snapshot else utcnow()
    # The template is .xml (autoescaped) and not scanned by babel: its words come
    # from here.
    body = render_template(
        "accountability/feed.atom.xml",
        entries=data["entries"],
        updated=updated,
        commune=commune,
        words={
            "title": _("Ouazzane: execution of the participatory budget's projects"),
            "correction": _("Correction"),
            "committed": _("Committed"),
            "spent": _("Spent"),
        },
    )
    return Response(body, mimetype="application/atom+xml")


# ---------------------------------------------------------------- reports


@bp.route("/execution/reports")
def reports_page():
    page = paginate(queries.reports_query(current_commune().id))
    return render_template("accountability/reports.html", page=page)


def _report_name(report) -> str:
    return (
        f"ouazzane-execution-{report.year}-Q{report.quarter}"
        if report.period_kind == "quarter"
        else f"ouazzane-execution-{report.year}"
    )


@bp.route("/execution/reports/<int:report_id>")
def report_page(report_id: int):
    return render_template(
        "accountability/report.html", report=report_or_404(report_id)
    )


@bp.route("/execution/reports/<int:report_id>.pdf")
def report_pdf(report_id: int):
    report = report_or_404(report_id)
    response = send_file(
        storage.path_of(REPORT_AREA, report.pdf_name),
        mimetype="application/pdf",
        download_name=f"{_report_name(report)}.pdf",
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.route("/execution/reports/<int:report_id>.csv")
def report_csv(report_id: int):
    report = report_or_404(report_id)
    text = storage.read(REPORT_AREA, report.csv_name).decode()
    return csv_download(text, f"{_report_name(report)}.csv")


# ---------------------------------------------------------------- open data

OPEN_DATA_FIELDS = (
    "id",
    "cycle_year",
    "project_id",
    "title_ar",
    "title_fr",
    "status",
    "status_reason",
    "progress",
    "allocated",
    "committed",
    "spent",
    "overspend_reason",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "responsible_service",
    "contractor",
    "procurement_ref",
    "location",
    "overdue_since",
    "updated_at",
)


def public_record(record: ExecutionRecord, data: dict | None = None) -> dict:
    """A record as open data (also the API's item); ``data``: its
    :func:`followup.record_data`, when read with other records'."""
    data = data or followup.record_data(record)
    return {name: data[name] for name in OPEN_DATA_FIELDS} | {
        "milestones": data["milestones"],
        "subprojects": data["subprojects"],
        "url": url_for(
            "accountability.record_page", record_id=record.id, _external=True
        ),
    }


def public_records(records: list[ExecutionRecord]) -> list[dict]:
    return [
        public_record(record, data)
        for record, data in zip(records, followup.records_data(records), strict=True)
    ]


def _open_data_rows() -> list[dict]:
    return public_records(queries.all_records(current_commune().id))


@bp.route("/execution/data.json")
def open_data_json():
    response = Response(
        json.dumps(
            {"licence": "ODbL-1.0", "items": _open_data_rows()},
            ensure_ascii=False,
            indent=1,
        ),
        mimetype="application/json",
    )
    response.headers["Content-Disposition"] = 'inline; filename="execution.json"'
    return response


@bp.route("/execution/data.csv")
def open_data_csv():
    return csv_response(_open_data_rows(), OPEN_DATA_FIELDS, "execution.csv")
