"""Public follow-up of the winning projects' execution, and finance staff's
publishing workflow under /staff/execution."""

import csv
import io
import json
from datetime import date, datetime

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from pbvote.accountability import followup, imports, reports, services
from pbvote.accountability.errors import (
    AccountabilityError,
    InvalidFile,
    InvalidRecord,
    InvalidUpdateSet,
    NotAllowed,
)
from pbvote.accountability.files import check_uploads
from pbvote.accountability.forms import (
    AnswerForm,
    DetailsForm,
    FollowForm,
    HideQuestionForm,
    ImportForm,
    MilestoneDoneForm,
    MilestoneForm,
    QuestionForm,
    RatingForm,
    ReportForm,
    StatusForm,
    SubProjectForm,
    UpdateForm,
)
from pbvote.accountability.models import (
    AccountabilityReport,
    ExecutionImport,
    ExecutionRecord,
    ExecutionStatus,
    ExecutionUpdate,
    Milestone,
    Question,
    Rating,
    UpdateAttachment,
)
from pbvote.communes.services import current_commune
from pbvote.communes.web import row_or_404
from pbvote.core.access import resident_required, staff_required
from pbvote.core.forms import ConfirmForm
from pbvote.core.i18n import current_language, format_day, format_moment
from pbvote.core.nav import add_cycle_link, add_nav, add_staff_link
from pbvote.core.pagination import paginate
from pbvote.core.time import utcnow
from pbvote.cycles.models import Cycle
from pbvote.extensions import db

bp = Blueprint("accountability", __name__)

add_nav("accountability.dashboard", _l("Execution"), 60)
add_cycle_link(
    "accountability.cycle_execution",
    _l("Follow the execution of the projects"),
    phases=("execution", "evaluation", "closed"),
)
add_staff_link(
    "accountability.staff_records", _l("Execution of projects"), "finance", "admin"
)
add_staff_link(
    "accountability.staff_questions",
    _l("Residents' questions on execution"),
    "finance",
    "admin",
)
add_staff_link(
    "accountability.staff_reports", _l("Accountability reports"), "finance", "admin"
)
add_staff_link("accountability.staff_statuses", _l("Execution statuses"), "admin")

STAFF_ROLES = ("finance", "admin")
LIST_LOADS = (
    selectinload(ExecutionRecord.project),
    selectinload(ExecutionRecord.cycle),
)


# ---------------------------------------------------------------- template helpers


def _parse_iso(value):
    if not value:
        return None
    if isinstance(value, (date, datetime)):
        return value
    try:
        return (
            datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        )
    except ValueError:
        return None


@bp.app_template_filter("isoday")
def isoday(value) -> str:
    return format_day(_parse_iso(value))


@bp.app_template_filter("isomoment")
def isomoment(value) -> str:
    parsed = _parse_iso(value)
    return format_moment(parsed) if isinstance(parsed, datetime) else format_day(parsed)


@bp.app_context_processor
def execution_helpers():
    def exec_text(obj, field):
        """``localized`` for rows and for snapshot dicts."""
        first = "ar" if current_language().code == "ar" else "fr"
        second = "fr" if first == "ar" else "ar"
        get = (
            obj.get if isinstance(obj, dict) else (lambda k, d=None: getattr(obj, k, d))
        )
        return get(f"{field}_{first}") or get(f"{field}_{second}") or ""

    labels = {}

    def exec_status(key):
        if not labels:
            labels.update(
                {s.key: services.status_label(s) for s in services.statuses()}
            )
        return labels.get(key, key or "")

    return {"exec_text": exec_text, "exec_status": exec_status}


def _commune():
    return current_commune()


def _record_or_404(record_id: int) -> ExecutionRecord:
    record = services.get_record(_commune().id, record_id)
    if record is None:
        abort(404)
    return record


def _update_or_404(update_id: int) -> ExecutionUpdate:
    return row_or_404(ExecutionUpdate, update_id, lambda row: row.record.commune_id)


# ---------------------------------------------------------------- public pages


def _dashboard_data(commune_id: int) -> tuple[dict, datetime | None]:
    snapshot = followup.load(f"dashboard:{commune_id}")
    if snapshot is not None:
        return snapshot.data, snapshot.refreshed_at_dt
    return followup.dashboard_data(commune_id), None


@bp.route("/execution")
def dashboard():
    commune = _commune()
    data, refreshed = _dashboard_data(commune.id)
    query = select(ExecutionRecord).where(ExecutionRecord.commune_id == commune.id)
    status = request.args.get("status", "")
    known = {s.key for s in services.statuses()}
    if status in known:
        query = query.where(ExecutionRecord.status_key == status)
    else:
        status = ""
    cycles = db.session.scalars(
        select(Cycle)
        .where(
            Cycle.id.in_(
                select(ExecutionRecord.cycle_id).where(
                    ExecutionRecord.commune_id == commune.id
                )
            )
        )
        .order_by(Cycle.year.desc())
    ).all()
    cycle_id = request.args.get("cycle", type=int)
    if cycle_id in {c.id for c in cycles}:
        query = query.where(ExecutionRecord.cycle_id == cycle_id)
    else:
        cycle_id = None
    page = paginate(
        query.options(*LIST_LOADS).order_by(
            ExecutionRecord.cycle_id.desc(), ExecutionRecord.id
        )
    )
    return render_template(
        "accountability/dashboard.html",
        data=data,
        refreshed=refreshed,
        page=page,
        status=status,
        statuses=services.statuses(),
        cycles=cycles,
        cycle_id=cycle_id,
    )


@bp.route("/cycles/<int:cycle_id>/execution")
def cycle_execution(cycle_id: int):
    """The cycle page's call to action once its projects are being carried out."""
    return redirect(url_for(".dashboard", cycle=cycle_id) + "#projects")


def record_view_data(record: ExecutionRecord) -> tuple[dict, datetime | None]:
    snapshot = followup.load(f"record:{record.id}")
    if snapshot is not None:
        return snapshot.data, snapshot.refreshed_at_dt
    return followup.record_data(record), None


@bp.route("/execution/<int:record_id>")
def record_page(record_id: int):
    record = _record_or_404(record_id)
    return _render_record(record)


def _render_record(record, *, question_form=None, rating_form=None, status=200):
    data, refreshed = record_view_data(record)
    user = current_user if current_user.is_authenticated else None
    questions = paginate(
        select(Question)
        .where(Question.record_id == record.id)
        .order_by(Question.asked_at_dt.desc(), Question.id.desc())
    )
    my_rating = None
    if user is not None and user.kind == "resident":
        my_rating = db.session.scalar(
            select(Rating).where(
                Rating.record_id == record.id, Rating.user_id == user.id
            )
        )
    if rating_form is None:
        rating_form = RatingForm(
            data={
                "score": str(my_rating.score),
                "again": "yes" if my_rating.take_part_again else "no",
            }
            if my_rating
            else None
        )
    follow_row = services.following(user, record)
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
        rating_form=rating_form,
        my_rating=my_rating,
        questions=questions,
        is_resident=user is not None and user.kind == "resident",
    ), status


@bp.route("/execution/<int:record_id>/follow", methods=["POST"])
@resident_required
def follow(record_id: int):
    record = _record_or_404(record_id)
    form = FollowForm()
    if not form.validate_on_submit():
        abort(400)
    services.follow(current_user, record, form.sms_opt_in.data, utcnow())
    db.session.commit()
    flash(
        _("You follow this project.")
        + " "
        + (
            _("You will get a text message at each update.")
            if form.sms_opt_in.data
            else _("Its updates are on this page and in the feed.")
        ),
        "success",
    )
    return redirect(url_for(".record_page", record_id=record.id))


@bp.route("/execution/<int:record_id>/unfollow", methods=["POST"])
@resident_required
def unfollow(record_id: int):
    record = _record_or_404(record_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.unfollow(current_user, record)
    db.session.commit()
    flash(_("You no longer follow this project."), "success")
    return redirect(url_for(".record_page", record_id=record.id))


@bp.route("/execution/<int:record_id>/questions", methods=["POST"])
@resident_required
def ask(record_id: int):
    record = _record_or_404(record_id)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            services.ask_question(current_user, record, form.body.data, utcnow())
        except NotAllowed as error:
            db.session.rollback()
            form.body.errors = [str(error)]
        else:
            db.session.commit()
            flash(
                _(
                    "Your question is published; the commune will answer it on this "
                    "page."
                ),
                "success",
            )
            return redirect(url_for(".record_page", record_id=record.id) + "#questions")
    return _render_record(record, question_form=form, status=422)


@bp.route("/execution/<int:record_id>/rating", methods=["POST"])
@resident_required
def rate(record_id: int):
    record = _record_or_404(record_id)
    form = RatingForm()
    if form.validate_on_submit():
        try:
            services.rate(
                current_user,
                record,
                int(form.score.data),
                form.again.data == "yes",
                utcnow(),
            )
        except NotAllowed as error:
            db.session.rollback()
            form.score.errors = [str(error)]
            if record.status_key != "completed":  # the form is not on the page
                flash(str(error), "error")
        else:
            db.session.commit()
            flash(
                _("Thank you: your opinion counts in the commune's report."), "success"
            )
            return redirect(url_for(".record_page", record_id=record.id) + "#rating")
    return _render_record(record, rating_form=form, status=422)


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
        io.BytesIO(row.data),
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
    commune = _commune()
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


@bp.route("/execution/reports")
def reports_page():
    page = paginate(
        select(AccountabilityReport)
        .where(AccountabilityReport.commune_id == _commune().id)
        .order_by(
            AccountabilityReport.period_end.desc(), AccountabilityReport.id.desc()
        )
    )
    return render_template("accountability/reports.html", page=page)


def _report_or_404(report_id: int) -> AccountabilityReport:
    return row_or_404(AccountabilityReport, report_id)


def _report_name(report) -> str:
    return (
        f"ouazzane-execution-{report.year}-Q{report.quarter}"
        if report.period_kind == "quarter"
        else f"ouazzane-execution-{report.year}"
    )


@bp.route("/execution/reports/<int:report_id>")
def report_page(report_id: int):
    return render_template(
        "accountability/report.html", report=_report_or_404(report_id)
    )


@bp.route("/execution/reports/<int:report_id>.pdf")
def report_pdf(report_id: int):
    report = _report_or_404(report_id)
    response = Response(report.pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="{_report_name(report)}.pdf"'
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.route("/execution/reports/<int:report_id>.csv")
def report_csv(report_id: int):
    report = _report_or_404(report_id)
    response = Response("\ufeff" + report.csv_text, mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_report_name(report)}.csv"'
    )
    return response


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


def open_data_rows(commune_id: int) -> list[dict]:
    records = db.session.scalars(
        select(ExecutionRecord)
        .where(ExecutionRecord.commune_id == commune_id)
        .order_by(ExecutionRecord.id)
    ).all()
    return [public_record(record) for record in records]


def public_record(record: ExecutionRecord) -> dict:
    data = followup.record_data(record)
    return {name: data[name] for name in OPEN_DATA_FIELDS} | {
        "milestones": data["milestones"],
        "subprojects": data["subprojects"],
        "url": url_for(
            "accountability.record_page", record_id=record.id, _external=True
        ),
    }


@bp.route("/execution/data.json")
def open_data_json():
    rows = open_data_rows(_commune().id)
    response = Response(
        json.dumps(
            {"licence": "ODbL-1.0", "items": rows}, ensure_ascii=False, indent=1
        ),
        mimetype="application/json",
    )
    response.headers["Content-Disposition"] = 'inline; filename="execution.json"'
    return response


@bp.route("/execution/data.csv")
def open_data_csv():
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(OPEN_DATA_FIELDS)
    for row in open_data_rows(_commune().id):
        writer.writerow([_csv_cell(row[name]) for name in OPEN_DATA_FIELDS])
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="execution.csv"'
    return response


def _csv_cell(value):
    """Open data is read in spreadsheets: neutralise formula-looking text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return "" if value is None else value


# ---------------------------------------------------------------- staff: records


@bp.route("/staff/execution")
@staff_required(*STAFF_ROLES)
def staff_records():
    commune = _commune()
    query = select(ExecutionRecord).where(ExecutionRecord.commune_id == commune.id)
    status = request.args.get("status", "")
    if status in {s.key for s in services.statuses()}:
        query = query.where(ExecutionRecord.status_key == status)
    else:
        status = ""
    page = paginate(
        query.options(*LIST_LOADS).order_by(
            ExecutionRecord.cycle_id.desc(), ExecutionRecord.id
        )
    )
    drafts = dict(
        db.session.execute(
            select(ExecutionUpdate.record_id, func.count(ExecutionUpdate.id))
            .where(ExecutionUpdate.state == "draft")
            .group_by(ExecutionUpdate.record_id)
        ).all()
    )
    overdue = db.session.scalars(
        select(ExecutionRecord)
        .where(
            ExecutionRecord.commune_id == commune.id,
            ExecutionRecord.overdue_since.is_not(None),
        )
        .order_by(ExecutionRecord.planned_end)
    ).all()
    unanswered = db.session.scalar(
        select(func.count(Question.id))
        .join(ExecutionRecord)
        .where(
            ExecutionRecord.commune_id == commune.id, Question.answered_at_dt.is_(None)
        )
    )
    imports_list = db.session.scalars(
        select(ExecutionImport)
        .where(ExecutionImport.commune_id == commune.id)
        .order_by(ExecutionImport.id.desc())
        .limit(5)
    ).all()
    return render_template(
        "accountability/staff_records.html",
        page=page,
        drafts=drafts,
        overdue=overdue,
        unanswered=unanswered,
        status=status,
        statuses=services.statuses(),
        imports=imports_list,
    )


@bp.route("/staff/execution/<int:record_id>", methods=["GET", "POST"])
@staff_required("finance")
def staff_record(record_id: int):
    record = _record_or_404(record_id)
    form = DetailsForm(obj=record if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.save_details(
                current_user,
                record,
                responsible_service=form.responsible_service.data,
                contractor=form.contractor.data,
                procurement_ref=form.procurement_ref.data,
                location=form.location.data,
                planned_start=form.planned_start.data,
                planned_end=form.planned_end.data,
                now=utcnow(),
            )
        except InvalidRecord as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("Project details saved."), "success")
            return redirect(url_for(".staff_record", record_id=record.id))
    return _render_staff_record(record, form)


def _field_error(form, error) -> None:
    name = getattr(error, "field", None)
    if name and name in form:
        form[name].errors = list(form[name].errors) + [str(error)]
    else:
        flash(str(error), "error")


def _render_staff_record(
    record, form, *, milestone_form=None, subproject_form=None, status=200
):
    drafts = db.session.scalars(
        select(ExecutionUpdate)
        .where(ExecutionUpdate.record_id == record.id, ExecutionUpdate.state == "draft")
        .order_by(ExecutionUpdate.id)
    ).all()
    return render_template(
        "accountability/staff_record.html",
        record=record,
        form=form,
        drafts=drafts,
        history=services.published_history(record.id),
        milestone_form=milestone_form or MilestoneForm(prefix="m"),
        subproject_form=subproject_form or SubProjectForm(prefix="s"),
        done_form=MilestoneDoneForm(prefix="d"),
    ), status


@bp.route("/staff/execution/<int:record_id>/milestones", methods=["POST"])
@staff_required("finance")
def staff_add_milestone(record_id: int):
    record = _record_or_404(record_id)
    form = MilestoneForm(prefix="m")
    if form.validate_on_submit():
        try:
            services.add_milestone(
                current_user,
                record,
                title_ar=form.title_ar.data,
                title_fr=form.title_fr.data,
                planned_date=form.planned_date.data,
                now=utcnow(),
            )
        except InvalidRecord as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("Milestone added."), "success")
            return redirect(
                url_for(".staff_record", record_id=record.id) + "#milestones"
            )
    return _render_staff_record(
        record, DetailsForm(obj=record), milestone_form=form, status=422
    )


@bp.route("/staff/execution/milestones/<int:milestone_id>/done", methods=["POST"])
@staff_required("finance")
def staff_milestone_done(milestone_id: int):
    milestone = row_or_404(Milestone, milestone_id, lambda row: row.record.commune_id)
    form = MilestoneDoneForm(prefix="d")
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
    else:
        services.mark_milestone(current_user, milestone, form.done_date.data, utcnow())
        db.session.commit()
        flash(_("Milestone saved."), "success")
    return redirect(
        url_for(".staff_record", record_id=milestone.record_id) + "#milestones"
    )


@bp.route("/staff/execution/<int:record_id>/subprojects", methods=["POST"])
@staff_required("finance")
def staff_add_subproject(record_id: int):
    record = _record_or_404(record_id)
    form = SubProjectForm(prefix="s")
    if form.validate_on_submit():
        try:
            services.add_subproject(
                current_user,
                record,
                title_ar=form.title_ar.data,
                title_fr=form.title_fr.data,
                cost=form.cost.data,
                now=utcnow(),
            )
        except InvalidRecord as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("Sub-project added."), "success")
            return redirect(
                url_for(".staff_record", record_id=record.id) + "#subprojects"
            )
    return _render_staff_record(
        record, DetailsForm(obj=record), subproject_form=form, status=422
    )


# ---------------------------------------------------------------- staff: updates


def _update_form(record, update=None) -> UpdateForm:
    data = None
    if update is not None and request.method == "GET":
        data = {
            name: getattr(update, name)
            for name in (
                "subproject_id",
                "status_key",
                "reason",
                "progress",
                "committed",
                "spent",
                "overspend_reason",
                "actual_start",
                "actual_end",
                "body_ar",
                "body_fr",
                "service",
            )
        }
        data["status_key"] = data["status_key"] or ""
    elif request.method == "GET":
        data = {"service": record.responsible_service, "status_key": ""}
    form = UpdateForm(data=data)
    form.status_key.choices = [
        ("", _("Unchanged (%(status)s)", status=services.status_label(record.status)))
    ] + [(s.key, services.status_label(s)) for s in services.statuses()]
    form.subproject_id.choices = [(None, _("The whole project"))] + [
        (p.id, p.title_ar or p.title_fr) for p in record.subprojects
    ]
    return form


def _values(form: UpdateForm, corrects_id=None) -> services.UpdateValues:
    return services.UpdateValues(
        body_ar=form.body_ar.data or "",
        body_fr=form.body_fr.data or "",
        service=form.service.data or "",
        status_key=form.status_key.data or None,
        reason=form.reason.data or "",
        progress=form.progress.data,
        committed=form.committed.data,
        spent=form.spent.data,
        overspend_reason=form.overspend_reason.data or "",
        actual_start=form.actual_start.data,
        actual_end=form.actual_end.data,
        subproject_id=form.subproject_id.data,
        corrects_id=corrects_id,
    )


def _set_errors(form, error: InvalidUpdateSet) -> None:
    for item in error.errors:
        name = getattr(item, "field", None)
        if name and name in form:
            form[name].errors = list(form[name].errors) + [str(item)]
        else:
            form.form_errors.append(str(item))


@bp.route("/staff/execution/<int:record_id>/updates/new", methods=["GET", "POST"])
@staff_required("finance")
def staff_new_update(record_id: int):
    record = _record_or_404(record_id)
    corrects = None
    corrects_id = request.args.get("corrects", type=int)
    if corrects_id:
        corrects = db.session.get(ExecutionUpdate, corrects_id)
        if (
            corrects is None
            or corrects.record_id != record.id
            or (corrects.state != "published")
        ):
            abort(404)
    form = _update_form(record)
    if form.validate_on_submit():
        try:
            files = check_uploads(request.files.getlist(form.files.name))
            update = services.create_draft(
                current_user, record, _values(form, corrects_id), utcnow(), files=files
            )
        except InvalidUpdateSet as error:
            db.session.rollback()
            _set_errors(form, error)
        except InvalidFile as error:
            db.session.rollback()
            form.files.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("Draft saved. Check the preview, then publish it."), "success")
            return redirect(url_for(".staff_update", update_id=update.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "accountability/staff_update_form.html",
        record=record,
        form=form,
        update=None,
        corrects=corrects,
    ), status


@bp.route("/staff/execution/updates/<int:update_id>/edit", methods=["GET", "POST"])
@staff_required("finance")
def staff_edit_update(update_id: int):
    update = _update_or_404(update_id)
    if update.state != "draft":
        flash(
            _("A published entry cannot be changed: publish a correction instead."),
            "error",
        )
        return redirect(url_for(".staff_update", update_id=update.id))
    record = update.record
    form = _update_form(record, update)
    if form.validate_on_submit():
        try:
            files = check_uploads(request.files.getlist(form.files.name))
            services.edit_draft(
                current_user,
                update,
                _values(form, update.corrects_id),
                utcnow(),
                files=files,
            )
        except InvalidUpdateSet as error:
            db.session.rollback()
            _set_errors(form, error)
        except InvalidFile as error:
            db.session.rollback()
            form.files.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("Draft saved."), "success")
            return redirect(url_for(".staff_update", update_id=update.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "accountability/staff_update_form.html",
        record=record,
        form=form,
        update=update,
        corrects=update.corrects,
    ), status


@bp.route("/staff/execution/updates/<int:update_id>")
@staff_required("finance")
def staff_update(update_id: int):
    """The preview: what the public entry will say and the record's new values."""
    update = _update_or_404(update_id)
    outcome, problems = None, []
    if update.state == "draft":
        try:
            outcome = services.evaluate(update.record, services.UpdateValues.of(update))
        except InvalidUpdateSet as error:
            problems = [str(e) for e in error.errors]
    return render_template(
        "accountability/staff_update.html",
        update=update,
        record=update.record,
        outcome=outcome,
        problems=problems,
        entry=followup.entry_data(update),
        form=ConfirmForm(),
    )


@bp.route("/staff/execution/updates/<int:update_id>/publish", methods=["POST"])
@staff_required("finance")
def staff_publish(update_id: int):
    update = _update_or_404(update_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.publish(current_user, update, utcnow())
    except AccountabilityError as error:
        db.session.rollback()
        messages = error.errors if isinstance(error, InvalidUpdateSet) else [error]
        for message in messages:
            flash(str(message), "error")
        return redirect(url_for(".staff_update", update_id=update_id))
    db.session.commit()
    flash(
        _(
            "Published. The public page, the dashboard and the feed are being "
            "refreshed and followers notified."
        ),
        "success",
    )
    return redirect(url_for(".staff_record", record_id=update.record_id))


@bp.route("/staff/execution/updates/<int:update_id>/discard", methods=["GET", "POST"])
@staff_required("finance")
def staff_discard(update_id: int):
    update = _update_or_404(update_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.discard_draft(current_user, update, utcnow())
        except AccountabilityError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for(".staff_update", update_id=update.id))
        db.session.commit()
        flash(_("Draft discarded."), "success")
        return redirect(url_for(".staff_record", record_id=update.record_id))
    return render_template(
        "confirm.html",
        form=form,
        title=_("Discard this draft?"),
        message=_(
            "The draft and its files will not be published. Published entries "
            "are never removed."
        ),
        confirm_label=_("Discard the draft"),
        cancel_url=url_for(".staff_update", update_id=update.id),
    )


# ---------------------------------------------------------------- staff: import


@bp.route("/staff/execution/imports/new", methods=["GET", "POST"])
@staff_required("finance")
def staff_import():
    form = ImportForm()
    if form.validate_on_submit():
        storage = form.file.data
        if not storage or not getattr(storage, "filename", ""):
            form.file.errors = [_("Choose a CSV file.")]
        else:
            try:
                batch = imports.start_import(
                    current_user,
                    _commune().id,
                    storage.filename,
                    storage.read(imports.MAX_BYTES + 1),
                    utcnow(),
                )
            except AccountabilityError as error:
                db.session.rollback()
                form.file.errors = [str(error)]
            else:
                db.session.commit()
                return redirect(url_for(".staff_import_progress", import_id=batch.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "accountability/staff_import.html",
        form=form,
        columns=imports.COLUMNS,
        statuses=services.statuses(),
    ), status


@bp.route("/staff/execution/imports/template.csv")
@staff_required("finance")
def staff_import_template():
    response = Response("\ufeff" + imports.TEMPLATE, mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        'attachment; filename="execution-updates.csv"'
    )
    return response


def _import_or_404(import_id: int) -> ExecutionImport:
    return row_or_404(ExecutionImport, import_id)


@bp.route("/staff/execution/imports/<int:import_id>")
@staff_required("finance")
def staff_import_progress(import_id: int):
    batch = _import_or_404(import_id)
    drafts = db.session.scalars(
        select(ExecutionUpdate)
        .where(ExecutionUpdate.import_id == batch.id, ExecutionUpdate.state == "draft")
        .order_by(ExecutionUpdate.import_line)
    ).all()
    return render_template(
        "accountability/staff_import_progress.html",
        batch=batch,
        drafts=drafts,
        running=batch.state in ("queued", "running"),
    )


@bp.route("/staff/execution/imports/<int:import_id>/publish", methods=["GET", "POST"])
@staff_required("finance")
def staff_import_publish(import_id: int):
    batch = _import_or_404(import_id)
    drafts = db.session.scalars(
        select(ExecutionUpdate)
        .where(ExecutionUpdate.import_id == batch.id, ExecutionUpdate.state == "draft")
        .order_by(ExecutionUpdate.import_line)
    ).all()
    form = ConfirmForm()
    if form.validate_on_submit():
        now, published, kept = utcnow(), 0, []
        for draft in drafts:
            savepoint = db.session.begin_nested()
            try:
                services.publish(current_user, draft, now)
            except AccountabilityError as error:
                savepoint.rollback()
                kept.append(
                    _(
                        "Line %(line)s: %(reason)s",
                        line=draft.import_line,
                        reason=str(error),
                    )
                )
            else:
                savepoint.commit()
                published += 1
        db.session.commit()
        flash(_("%(n)d draft(s) published.", n=published), "success")
        for message in kept:
            flash(message, "error")
        return redirect(url_for(".staff_import_progress", import_id=batch.id))
    return render_template(
        "confirm.html",
        form=form,
        title=_("Publish %(n)d draft(s)?", n=len(drafts)),
        message=_(
            "Each accepted row becomes a public, permanent entry in its project's "
            "history. Check the previews first."
        ),
        confirm_label=_("Publish them"),
        danger=False,
        cancel_url=url_for(".staff_import_progress", import_id=batch.id),
    )


# ---------------------------------------------------------------- staff: questions


@bp.route("/staff/execution/questions")
@staff_required(*STAFF_ROLES)
def staff_questions():
    show = request.args.get("show", "open")
    query = (
        select(Question)
        .join(ExecutionRecord)
        .where(ExecutionRecord.commune_id == _commune().id)
    )
    if show != "all":
        query = query.where(Question.answered_at_dt.is_(None))
    page = paginate(query.order_by(Question.asked_at_dt, Question.id))
    return render_template("accountability/staff_questions.html", page=page, show=show)


@bp.route(
    "/staff/execution/questions/<int:question_id>/answer", methods=["GET", "POST"]
)
@staff_required(*STAFF_ROLES)
def staff_answer(question_id: int):
    question = row_or_404(Question, question_id, lambda row: row.record.commune_id)
    form = AnswerForm(
        data={
            "answer": question.answer,
            "service": question.answer_service or question.record.responsible_service,
        }
        if request.method == "GET"
        else None
    )
    if form.validate_on_submit():
        try:
            services.answer_question(
                current_user, question, form.answer.data, form.service.data, utcnow()
            )
        except NotAllowed as error:
            db.session.rollback()
            form.answer.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("Answer published on the project page."), "success")
            return redirect(url_for(".staff_questions"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "accountability/staff_answer.html", question=question, form=form
    ), status


@bp.route("/staff/execution/questions/<int:question_id>/hide", methods=["GET", "POST"])
@staff_required(*STAFF_ROLES)
def staff_hide_question(question_id: int):
    question = row_or_404(Question, question_id, lambda row: row.record.commune_id)
    form = HideQuestionForm()
    if form.validate_on_submit():
        try:
            services.hide_question(current_user, question, form.reason.data, utcnow())
        except NotAllowed as error:
            db.session.rollback()
            form.reason.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("The question is hidden; the page says why."), "success")
            return redirect(url_for(".staff_questions"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "accountability/staff_hide_question.html", question=question, form=form
    ), status


# ---------------------------------------------------------------- staff: reports


@bp.route("/staff/execution/reports", methods=["GET", "POST"])
@staff_required(*STAFF_ROLES)
def staff_reports():
    now = utcnow()
    due = reports.due_periods(now.date())
    form = ReportForm(
        data={"kind": due[0][0], "year": due[0][1], "quarter": str(due[0][2] or 1)}
        if request.method == "GET"
        else None
    )
    if form.validate_on_submit():
        try:
            report = reports.generate(
                _commune().id,
                form.kind.data,
                form.year.data,
                int(form.quarter.data),
                now,
                actor=current_user,
            )
        except AccountabilityError as error:
            db.session.rollback()
            form.year.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("The report is archived on the public reports page."), "success")
            return redirect(url_for(".report_page", report_id=report.id))
    status = 422 if request.method == "POST" else 200
    return render_template("accountability/staff_reports.html", form=form), status


# ---------------------------------------------------------------- admin: statuses


@bp.route("/staff/execution/statuses")
@staff_required("admin")
def staff_statuses():
    return render_template(
        "accountability/staff_statuses.html", statuses=services.statuses()
    )


@bp.route("/staff/execution/statuses/<key>", methods=["GET", "POST"])
@staff_required("admin")
def staff_status(key: str):
    services.statuses()  # seeds them on a fresh database
    status = db.session.get(ExecutionStatus, key)
    if status is None:
        abort(404)
    form = StatusForm(obj=status if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.save_status(
                current_user,
                status,
                label_ar=form.label_ar.data,
                label_fr=form.label_fr.data,
                label_en=form.label_en.data,
                default_progress=form.default_progress.data,
                now=utcnow(),
            )
        except InvalidRecord as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("Status saved."), "success")
            return redirect(url_for(".staff_statuses"))
    status_code = 422 if request.method == "POST" else 200
    return render_template(
        "accountability/staff_status.html", status=status, form=form
    ), status_code


from pbvote.accountability import api  # noqa: F401 - routes on this blueprint
