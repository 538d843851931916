"""Finance staff's pages for one project: its details, milestones and sub-projects,
and the drafts of updates they preview, publish or discard."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from pbvote.accountability import details, followup, queries, services
from pbvote.accountability.errors import (
    AccountabilityError,
    InvalidFile,
    InvalidRecord,
    InvalidUpdateSet,
)
from pbvote.accountability.files import check_uploads
from pbvote.accountability.forms import (
    DetailsForm,
    MilestoneDoneForm,
    MilestoneForm,
    SubProjectForm,
    UpdateForm,
)
from pbvote.accountability.models import Milestone
from pbvote.accountability.statuses import status_label, statuses
from pbvote.accountability.views.blueprint import (
    STAFF_ROLES,
    bp,
    record_or_404,
    update_or_404,
)
from pbvote.communes.services import current_commune
from pbvote.communes.web import row_or_404
from pbvote.core.access import staff_required
from pbvote.core.forms import ConfirmForm, form_error, saved
from pbvote.core.pagination import paginate
from pbvote.core.time import utcnow
from pbvote.extensions import db

DETAILS = (
    "responsible_service",
    "contractor",
    "procurement_ref",
    "location",
    "planned_start",
    "planned_end",
)


def _fields(form, names) -> dict:
    return {name: form[name].data for name in names}


def _status_code() -> int:
    """A form shown again after a POST was refused."""
    return 422 if request.method == "POST" else 200


@bp.route("/staff/execution")
@staff_required(*STAFF_ROLES)
def staff_records():
    commune_id = current_commune().id
    status = request.args.get("status", "")
    if status not in {s.key for s in statuses(commune_id)}:
        status = ""
    return render_template(
        "accountability/staff_records.html",
        page=paginate(queries.records_query(commune_id, status)),
        drafts=queries.draft_counts(commune_id),
        overdue=queries.overdue_records(commune_id),
        unanswered=queries.unanswered_count(commune_id),
        status=status,
        statuses=statuses(commune_id),
        imports=queries.recent_imports(commune_id),
    )


@bp.route("/staff/execution/<int:record_id>", methods=["GET", "POST"])
@staff_required("finance")
def staff_record(record_id: int):
    record = record_or_404(record_id)
    form = DetailsForm(obj=record if request.method == "GET" else None)
    if saved(
        form,
        lambda: details.save_details(
            current_user, record, **_fields(form, DETAILS), now=utcnow()
        ),
        InvalidRecord,
        _("Project details saved."),
    ):
        return redirect(url_for(".staff_record", record_id=record.id))
    return _render_staff_record(record, form)


def _render_staff_record(
    record, form, *, milestone_form=None, subproject_form=None, status=200
):
    return render_template(
        "accountability/staff_record.html",
        record=record,
        form=form,
        drafts=queries.record_drafts(record.id),
        history=services.published_history(record.id),
        milestone_form=milestone_form or MilestoneForm(prefix="m"),
        subproject_form=subproject_form or SubProjectForm(prefix="s"),
        done_form=MilestoneDoneForm(prefix="d"),
    ), status


def _add_part(record_id: int, form, add, fields, message, anchor: str, form_name):
    """Add a milestone or a sub-project from the record's page; the page again,
    with the refused form, when the domain refuses."""
    record = record_or_404(record_id)
    if saved(
        form,
        lambda: add(current_user, record, **_fields(form, fields), now=utcnow()),
        InvalidRecord,
        message,
    ):
        return redirect(url_for(".staff_record", record_id=record.id) + anchor)
    return _render_staff_record(
        record, DetailsForm(obj=record), status=422, **{form_name: form}
    )


@bp.route("/staff/execution/<int:record_id>/milestones", methods=["POST"])
@staff_required("finance")
def staff_add_milestone(record_id: int):
    return _add_part(
        record_id,
        MilestoneForm(prefix="m"),
        details.add_milestone,
        ("title_ar", "title_fr", "planned_date"),
        _("Milestone added."),
        "#milestones",
        "milestone_form",
    )


@bp.route("/staff/execution/milestones/<int:milestone_id>/done", methods=["POST"])
@staff_required("finance")
def staff_milestone_done(milestone_id: int):
    milestone = row_or_404(Milestone, milestone_id, lambda row: row.record.commune_id)
    form = MilestoneDoneForm(prefix="d")
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
    else:
        details.mark_milestone(current_user, milestone, form.done_date.data, utcnow())
        db.session.commit()
        flash(_("Milestone saved."), "success")
    return redirect(
        url_for(".staff_record", record_id=milestone.record_id) + "#milestones"
    )


@bp.route("/staff/execution/<int:record_id>/subprojects", methods=["POST"])
@staff_required("finance")
def staff_add_subproject(record_id: int):
    return _add_part(
        record_id,
        SubProjectForm(prefix="s"),
        details.add_subproject,
        ("title_ar", "title_fr", "cost"),
        _("Sub-project added."),
        "#subprojects",
        "subproject_form",
    )


# ---------------------------------------------------------------- updates

UPDATE_FIELDS = (
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


def _update_form(record, update=None) -> UpdateForm:
    data = None
    if update is not None and request.method == "GET":
        data = {name: getattr(update, name) for name in UPDATE_FIELDS}
        data["status_key"] = data["status_key"] or ""
    elif request.method == "GET":
        data = {"service": record.responsible_service, "status_key": ""}
    form = UpdateForm(data=data)
    unchanged = _("Unchanged (%(status)s)", status=status_label(record.status))
    form.status_key.choices = [SelectChoice("", unchanged)] + [
        SelectChoice(s.key, status_label(s)) for s in statuses(record.commune_id)
    ]
    form.subproject_id.choices = [SelectChoice(None, _("The whole project"))] + [
        SelectChoice(p.id, p.title_ar or p.title_fr) for p in record.subprojects
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


def _save_draft(form, save):
    """``save(files)`` with the form's checked files: the draft it returns, or
    None after a refusal (rolled back, the reasons put on the form)."""
    try:
        return save(check_uploads(request.files.getlist(form.files.name)))
    except InvalidUpdateSet as error:
        db.session.rollback()
        for item in error.errors:
            form_error(form, item)
    except InvalidFile as error:
        db.session.rollback()
        form.files.errors = [str(error)]
    return None


def _render_update_form(record, form, update, corrects):
    return render_template(
        "accountability/staff_update_form.html",
        record=record,
        form=form,
        update=update,
        corrects=corrects,
    ), _status_code()


@bp.route("/staff/execution/<int:record_id>/updates/new", methods=["GET", "POST"])
@staff_required("finance")
def staff_new_update(record_id: int):
    record = record_or_404(record_id)
    corrects_id = request.args.get("corrects", type=int)
    corrects = queries.published_update(record.id, corrects_id) if corrects_id else None
    if corrects_id and corrects is None:
        abort(404)
    form = _update_form(record)
    draft = form.validate_on_submit() and _save_draft(
        form,
        lambda files: services.create_draft(
            current_user, record, _values(form, corrects_id), utcnow(), files=files
        ),
    )
    if draft:
        db.session.commit()
        flash(_("Draft saved. Check the preview, then publish it."), "success")
        return redirect(url_for(".staff_update", update_id=draft.id))
    return _render_update_form(record, form, None, corrects)


@bp.route("/staff/execution/updates/<int:update_id>/edit", methods=["GET", "POST"])
@staff_required("finance")
def staff_edit_update(update_id: int):
    update = update_or_404(update_id)
    if update.state != "draft":
        flash(
            _("A published entry cannot be changed: publish a correction instead."),
            "error",
        )
        return redirect(url_for(".staff_update", update_id=update.id))
    form = _update_form(update.record, update)
    if form.validate_on_submit() and _save_draft(
        form,
        lambda files: services.edit_draft(
            current_user,
            update,
            _values(form, update.corrects_id),
            utcnow(),
            files=files,
        ),
    ):
        db.session.commit()
        flash(_("Draft saved."), "success")
        return redirect(url_for(".staff_update", update_id=update.id))
    return _render_update_form(update.record, form, update, update.corrects)


@bp.route("/staff/execution/updates/<int:update_id>")
@staff_required("finance")
def staff_update(update_id: int):
    """The preview: what the public entry will say and the record's new values."""
    update = update_or_404(update_id)
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
    update = update_or_404(update_id)
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
    update = update_or_404(update_id)
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
