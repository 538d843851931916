"""Moderation of reported comments by an administrator (routes on the proposals
blueprint)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pbvote.communes.services import current_commune
from pbvote.core.access import staff_required
from pbvote.core.forms import ConfirmForm, form_error
from pbvote.core.pagination import paginate
from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.proposals import social
from pbvote.proposals.errors import ProposalError
from pbvote.proposals.forms import HideCommentForm
from pbvote.proposals.web import bp, comment_or_404

# Moderation ------------------------------------------------------------------------


@bp.route("/staff/moderation")
@staff_required("admin")
def staff_moderation():
    page = paginate(social.flagged_comments_query(current_commune().id))
    return render_template(
        "proposals/staff_moderation.html", page=page, keep_form=ConfirmForm()
    )


@bp.route("/staff/comments/<int:comment_id>/hide", methods=["GET", "POST"])
@staff_required("admin")
def staff_hide_comment(comment_id: int):
    found = comment_or_404(comment_id)
    form = HideCommentForm()
    if form.validate_on_submit():
        try:
            social.hide_comment(current_user, found, form.reason.data, utcnow())
        except ProposalError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            db.session.commit()
            flash(_("Comment hidden; the reason is shown in its place."), "success")
            return redirect(url_for(".staff_moderation"))
    return render_template("proposals/staff_hide.html", form=form, comment=found)


@bp.route("/staff/comments/<int:comment_id>/keep", methods=["POST"])
@staff_required("admin")
def staff_keep_comment(comment_id: int):
    found = comment_or_404(comment_id)
    ConfirmForm().validate_on_submit() or abort(400)
    social.dismiss_flags(current_user, found, utcnow())
    db.session.commit()
    flash(_("The comment stays; its reports are set aside."), "success")
    return redirect(url_for(".staff_moderation"))
