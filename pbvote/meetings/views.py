"""Public meeting pages, residents' registration and the iCalendar feed. The
organisers' pages are in :mod:`pbvote.meetings.staff` (same blueprint)."""

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

import pbvote.meetings.staff  # noqa: F401 - its routes join bp
from pbvote.communes.services import current_commune
from pbvote.core.access import resident_required
from pbvote.core.forms import ConfirmForm
from pbvote.core.nav import add_nav
from pbvote.core.pagination import paginate
from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.meetings import ical, services
from pbvote.meetings.errors import MeetingError
from pbvote.meetings.forms import KIND_LABELS, LANGUAGE_LABELS, STATUS_LABELS
from pbvote.meetings.models import Meeting
from pbvote.meetings.web import bp, meeting_or_404

add_nav("meetings.index", _l("Meetings"), order=55)


@bp.context_processor
def labels():
    return {
        "kind_labels": KIND_LABELS,
        "language_labels": LANGUAGE_LABELS,
        "status_labels": STATUS_LABELS,
    }


@bp.route("/meetings")
def index():
    commune, now = current_commune(), utcnow()
    past = paginate(
        select(Meeting)
        .where(Meeting.commune_id == commune.id, Meeting.ends_at_dt <= now)
        .order_by(Meeting.starts_at_dt.desc(), Meeting.id.desc())
    )
    return render_template(
        "meetings/index.html", upcoming=services.upcoming(commune.id, now), past=past
    )


@bp.route("/meetings/<int:meeting_id>")
def page(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    registration = position = None
    if current_user.is_authenticated and current_user.kind == "resident":
        registration = services.registration_of(meeting, current_user)
        if registration is not None and registration.status == "waiting":
            position = services.waiting_position(registration)
    return render_template(
        "meetings/page.html",
        meeting=meeting,
        counts=services.counts(meeting),
        registration=registration,
        position=position,
        now=utcnow(),
        form=ConfirmForm(),
    )


@bp.route("/meetings/<int:meeting_id>/register", methods=["POST"])
@resident_required
def register(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    ConfirmForm().validate_on_submit() or abort(400)
    try:
        registration = services.register(current_user, meeting, utcnow())
    except MeetingError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        if registration.status == "confirmed":
            flash(_("You are registered. We will remind you by SMS."), "success")
        else:
            flash(
                _(
                    "The meeting is full: you are number %(n)d on the waiting list. "
                    "We will send an SMS if a place becomes free.",
                    n=services.waiting_position(registration),
                ),
                "warning",
            )
    return redirect(url_for(".page", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["POST"])
@resident_required
def cancel(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    ConfirmForm().validate_on_submit() or abort(400)
    services.cancel_registration(current_user, meeting, utcnow())
    db.session.commit()
    flash(_("Your registration is cancelled."), "success")
    return redirect(url_for(".page", meeting_id=meeting.id))


@bp.route("/meetings.ics")
def feed():
    now = utcnow()
    body = ical.build_feed(
        services.upcoming(current_commune().id, now),
        lambda m: url_for(".page", meeting_id=m.id, _external=True),
        url_for(".index", _external=True).split("/")[2],
        now,
    )
    return Response(body, mimetype="text/calendar; charset=utf-8")
