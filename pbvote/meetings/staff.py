"""Organisers' pages: announce and change meetings, then record attendance, publish
the minutes and follow the commitments. Admins and clerks organise meetings."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from pbvote.communes.services import current_commune
from pbvote.communes.web import row_or_404
from pbvote.core.access import staff_required
from pbvote.core.forms import ConfirmForm, form_error
from pbvote.core.i18n import localized
from pbvote.core.nav import add_staff_link
from pbvote.core.pagination import paginate
from pbvote.core.time import commune_zone, utcnow
from pbvote.extensions import db
from pbvote.meetings import followup, services
from pbvote.meetings.errors import MeetingError
from pbvote.meetings.forms import (
    AttendanceForm,
    CommitmentForm,
    CommitmentUpdateForm,
    MeetingForm,
    MinutesForm,
)
from pbvote.meetings.models import Commitment, Meeting
from pbvote.meetings.web import bp, meeting_or_404
from pbvote.reviews.bodies import bodies_of

ORGANISERS = ("admin", "clerk")
add_staff_link("meetings.staff_index", _l("Meetings and hearings"), *ORGANISERS)


@bp.route("/staff/meetings")
@staff_required(*ORGANISERS)
def staff_index():
    page = paginate(
        select(Meeting)
        .where(Meeting.commune_id == current_commune().id)
        .order_by(Meeting.starts_at_dt.desc(), Meeting.id.desc())
    )
    return render_template("meetings/staff_index.html", page=page, now=utcnow())


def _meeting_form(meeting: Meeting | None) -> MeetingForm:
    form = MeetingForm(obj=meeting)
    if meeting is not None and request.method == "GET":
        form.starts_at.data = meeting.starts_at_dt.astimezone(commune_zone())
        form.ends_at.data = meeting.ends_at_dt.astimezone(commune_zone())
    form.body_id.choices = [SelectChoice("", _("None"))] + [
        SelectChoice(b.id, localized(b, "name"))
        for b in bodies_of(current_commune().id)
    ]
    return form


def _input(form: MeetingForm) -> services.MeetingInput:
    return services.MeetingInput(
        kind=form.kind.data,
        title=form.title.data,
        agenda=form.agenda.data or "",
        starts_at_dt=form.starts_at.data.replace(tzinfo=commune_zone()),
        ends_at_dt=form.ends_at.data.replace(tzinfo=commune_zone()),
        place=form.place.data or "",
        online_url=(form.online_url.data or "").strip(),
        step_free=form.step_free.data,
        sign_language=form.sign_language.data,
        childcare=form.childcare.data,
        language=form.language.data,
        organiser=form.organiser.data,
        capacity=form.capacity.data,
        body_id=form.body_id.data,
    )


@bp.route("/staff/meetings/new", methods=["GET", "POST"])
@bp.route("/staff/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@staff_required(*ORGANISERS)
def edit(meeting_id: int | None = None):
    meeting = meeting_or_404(meeting_id) if meeting_id is not None else None
    form = _meeting_form(meeting)
    if form.validate_on_submit():
        try:
            meeting = services.save_meeting(
                current_user, meeting, _input(form), utcnow()
            )
        except MeetingError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for(".after", meeting_id=meeting.id))
    return render_template("meetings/staff_form.html", form=form, meeting=meeting)


@bp.route("/staff/meetings/<int:meeting_id>/cancel", methods=["POST"])
@staff_required(*ORGANISERS)
def staff_cancel(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    ConfirmForm().validate_on_submit() or abort(400)
    services.cancel_meeting(current_user, meeting, utcnow())
    db.session.commit()
    flash(_("The meeting is cancelled."), "success")
    return redirect(url_for(".staff_index"))


def _after_forms(meeting: Meeting) -> dict:
    attendance = AttendanceForm(prefix="att")
    if request.method == "GET" and meeting.has_attendance:
        for name in ("total", "women", "men"):
            getattr(attendance, name).data = getattr(meeting, f"attended_{name}")
        attendance.under_18.data = meeting.age_under_18
        attendance.from_18_to_35.data = meeting.age_18_35
        attendance.from_36_to_60.data = meeting.age_36_60
        attendance.over_60.data = meeting.age_over_60
        attendance.with_disability.data = meeting.attended_with_disability
    minutes = MinutesForm(prefix="min")
    if request.method == "GET":
        minutes.minutes.data = meeting.minutes
    return {
        "attendance": attendance,
        "minutes": minutes,
        "commitment": CommitmentForm(prefix="com"),
        "update": CommitmentUpdateForm(prefix="upd"),
    }


def _apply(action: str, meeting: Meeting, form, now) -> None:
    if action == "attendance":
        data = {name: field.data for name, field in form._fields.items()}
        data.pop("csrf_token", None)
        followup.record_attendance(
            current_user, meeting, followup.Attendance(**data), now
        )
    elif action == "minutes":
        followup.publish_minutes(current_user, meeting, form.minutes.data, now)
    else:
        followup.add_commitment(
            current_user,
            meeting,
            form.text.data,
            form.responsible.data or "",
            form.due_on.data,
            now,
        )


@bp.route("/staff/meetings/<int:meeting_id>", methods=["GET", "POST"])
@staff_required(*ORGANISERS)
def after(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    forms = _after_forms(meeting)
    action = request.form.get("action", "")
    form = (
        forms.get(action) if action in ("attendance", "minutes", "commitment") else None
    )
    if request.method == "POST" and form is not None and form.validate_on_submit():
        try:
            _apply(action, meeting, form, utcnow())
        except MeetingError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            db.session.commit()
            flash(_("Saved and published."), "success")
            return redirect(url_for(".after", meeting_id=meeting.id))
    return render_template(
        "meetings/staff_after.html",
        meeting=meeting,
        counts=services.counts(meeting),
        cancel_form=ConfirmForm(),
        **forms,
    )


@bp.route("/staff/meetings/commitments/<int:commitment_id>", methods=["POST"])
@staff_required(*ORGANISERS)
def update_commitment(commitment_id: int):
    commitment = row_or_404(Commitment, commitment_id, lambda c: c.meeting.commune_id)
    form = CommitmentUpdateForm(prefix="upd")
    if not form.validate_on_submit():
        flash(_("Choose a status and say what changed."), "error")
    else:
        try:
            followup.update_commitment(
                current_user, commitment, form.status.data, form.note.data, utcnow()
            )
        except MeetingError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Update published."), "success")
    return redirect(url_for(".after", meeting_id=commitment.meeting_id))
