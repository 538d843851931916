"""Finance staff's desk: CSV imports of updates, residents' questions, the
accountability reports, and (administrators) the execution statuses."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pbvote.accountability import imports, queries, reports, statuses, voice
from pbvote.accountability.errors import AccountabilityError, InvalidRecord, NotAllowed
from pbvote.accountability.forms import (
    AnswerForm,
    HideQuestionForm,
    ImportForm,
    ReportForm,
    StatusForm,
)
from pbvote.accountability.models import Question
from pbvote.accountability.views.blueprint import STAFF_ROLES, bp, import_or_404
from pbvote.communes.services import current_commune
from pbvote.communes.web import row_or_404
from pbvote.core.access import staff_required
from pbvote.core.forms import ConfirmForm, saved
from pbvote.core.pagination import paginate
from pbvote.core.time import to_local_day, utcnow
from pbvote.extensions import db


def _status_code() -> int:
    """A form shown again after a POST was refused."""
    return 422 if request.method == "POST" else 200


# ---------------------------------------------------------------- imports


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
                    current_commune().id,
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
    return render_template(
        "accountability/staff_import.html",
        form=form,
        columns=imports.COLUMNS,
        statuses=statuses.statuses(current_commune().id),
    ), _status_code()


@bp.route("/staff/execution/imports/template.csv")
@staff_required("finance")
def staff_import_template():
    response = Response("\ufeff" + imports.TEMPLATE, mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        'attachment; filename="execution-updates.csv"'
    )
    return response


@bp.route("/staff/execution/imports/<int:import_id>")
@staff_required("finance")
def staff_import_progress(import_id: int):
    batch = import_or_404(import_id)
    return render_template(
        "accountability/staff_import_progress.html",
        batch=batch,
        drafts=queries.import_drafts(batch.id),
        running=batch.state in ("queued", "running"),
    )


@bp.route("/staff/execution/imports/<int:import_id>/publish", methods=["GET", "POST"])
@staff_required("finance")
def staff_import_publish(import_id: int):
    batch = import_or_404(import_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        published, kept = imports.publish_import(current_user, batch, utcnow())
        db.session.commit()
        flash(_("%(n)d draft(s) published.", n=published), "success")
        for line, reason in kept:
            flash(_("Line %(line)s: %(reason)s", line=line, reason=reason), "error")
        return redirect(url_for(".staff_import_progress", import_id=batch.id))
    return render_template(
        "confirm.html",
        form=form,
        title=_("Publish %(n)d draft(s)?", n=len(queries.import_drafts(batch.id))),
        message=_(
            "Each accepted row becomes a public, permanent entry in its project's "
            "history. Check the previews first."
        ),
        confirm_label=_("Publish them"),
        danger=False,
        cancel_url=url_for(".staff_import_progress", import_id=batch.id),
    )


# ---------------------------------------------------------------- questions


def _question_or_404(question_id: int) -> Question:
    return row_or_404(Question, question_id, lambda row: row.record.commune_id)


@bp.route("/staff/execution/questions")
@staff_required(*STAFF_ROLES)
def staff_questions():
    show = request.args.get("show", "open")
    query = queries.staff_questions_query(current_commune().id, show != "all")
    return render_template(
        "accountability/staff_questions.html", page=paginate(query), show=show
    )


@bp.route(
    "/staff/execution/questions/<int:question_id>/answer", methods=["GET", "POST"]
)
@staff_required(*STAFF_ROLES)
def staff_answer(question_id: int):
    question = _question_or_404(question_id)
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
            voice.answer_question(
                current_user, question, form.answer.data, form.service.data, utcnow()
            )
        except NotAllowed as error:
            db.session.rollback()
            form.answer.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("Answer published on the project page."), "success")
            return redirect(url_for(".staff_questions"))
    return render_template(
        "accountability/staff_answer.html", question=question, form=form
    ), _status_code()


@bp.route("/staff/execution/questions/<int:question_id>/hide", methods=["GET", "POST"])
@staff_required(*STAFF_ROLES)
def staff_hide_question(question_id: int):
    question = _question_or_404(question_id)
    form = HideQuestionForm()
    if form.validate_on_submit():
        try:
            voice.hide_question(current_user, question, form.reason.data, utcnow())
        except NotAllowed as error:
            db.session.rollback()
            form.reason.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("The question is hidden; the page says why."), "success")
            return redirect(url_for(".staff_questions"))
    return render_template(
        "accountability/staff_hide_question.html", question=question, form=form
    ), _status_code()


# ---------------------------------------------------------------- reports


@bp.route("/staff/execution/reports", methods=["GET", "POST"])
@staff_required(*STAFF_ROLES)
def staff_reports():
    now = utcnow()
    kind, year, quarter = reports.due_periods(to_local_day(now))[0]
    form = ReportForm(
        data={"kind": kind, "year": year, "quarter": str(quarter or 1)}
        if request.method == "GET"
        else None
    )
    if form.validate_on_submit():
        try:
            report = reports.generate(
                current_commune().id,
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
    return render_template(
        "accountability/staff_reports.html", form=form
    ), _status_code()


# ---------------------------------------------------------------- statuses


@bp.route("/staff/execution/statuses")
@staff_required("admin")
def staff_statuses():
    return render_template(
        "accountability/staff_statuses.html",
        statuses=statuses.statuses(current_commune().id),
    )


@bp.route("/staff/execution/statuses/<key>", methods=["GET", "POST"])
@staff_required("admin")
def staff_status(key: str):
    commune_id = current_commune().id
    statuses.ensure_statuses(commune_id)  # seeds them on a fresh database
    status = statuses.status_by_key(commune_id, key)
    if status is None:
        abort(404)
    form = StatusForm(obj=status if request.method == "GET" else None)
    if saved(
        form,
        lambda: statuses.save_status(
            current_user,
            status,
            label_ar=form.label_ar.data,
            label_fr=form.label_fr.data,
            label_en=form.label_en.data,
            default_progress=form.default_progress.data,
            now=utcnow(),
        ),
        InvalidRecord,
        _("Status saved."),
    ):
        return redirect(url_for(".staff_statuses"))
    return render_template(
        "accountability/staff_status.html", status=status, form=form
    ), _status_code()
