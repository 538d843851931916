"""Residents' voice on a project being carried out: follow it, ask the commune a
question, rate it once completed."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pbvote.accountability import voice
from pbvote.accountability.errors import NotAllowed
from pbvote.accountability.forms import FollowForm, QuestionForm, RatingForm
from pbvote.accountability.views.blueprint import bp, record_or_404
from pbvote.accountability.views.public import render_record
from pbvote.core.access import resident_required
from pbvote.core.forms import ConfirmForm
from pbvote.core.time import utcnow
from pbvote.extensions import db


@bp.route("/execution/<int:record_id>/follow", methods=["POST"])
@resident_required
def follow(record_id: int):
    record = record_or_404(record_id)
    form = FollowForm()
    if not form.validate_on_submit():
        abort(400)
    voice.follow(current_user, record, form.sms_opt_in.data, utcnow())
    db.session.commit()
    how = (
        _("You will get a text message at each update.")
        if form.sms_opt_in.data
        else _("Its updates are on this page and in the feed.")
    )
    flash(_("You follow this project.") + " " + how, "success")
    return redirect(url_for(".record_page", record_id=record.id))


@bp.route("/execution/<int:record_id>/unfollow", methods=["POST"])
@resident_required
def unfollow(record_id: int):
    record = record_or_404(record_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    voice.unfollow(current_user, record)
    db.session.commit()
    flash(_("You no longer follow this project."), "success")
    return redirect(url_for(".record_page", record_id=record.id))


@bp.route("/execution/<int:record_id>/questions", methods=["POST"])
@resident_required
def ask(record_id: int):
    record = record_or_404(record_id)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            voice.ask_question(current_user, record, form.body.data, utcnow())
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
    return render_record(record, question_form=form, status=422)


@bp.route("/execution/<int:record_id>/rating", methods=["POST"])
@resident_required
def rate(record_id: int):
    record = record_or_404(record_id)
    form = RatingForm()
    if form.validate_on_submit():
        again = form.again.data == "yes"
        try:
            voice.rate(current_user, record, int(form.score.data), again, utcnow())
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
    return render_record(record, rating_form=form, status=422)
