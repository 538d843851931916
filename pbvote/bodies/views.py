"""The public pages of the advisory bodies, and the staff page where a body's
opinions and recommendations are published."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from pbvote.bodies import services
from pbvote.bodies.errors import BodyError
from pbvote.bodies.forms import OpinionForm
from pbvote.bodies.models import MANDATES, BodyOpinion
from pbvote.communes.services import current_commune
from pbvote.communes.web import row_or_404
from pbvote.core.access import staff_required
from pbvote.core.forms import ConfirmForm, saved
from pbvote.core.nav import add_nav
from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.reviews.bodies import bodies_of
from pbvote.reviews.models import AdvisoryBody

bp = Blueprint("bodies", __name__)

add_nav("bodies.index", _l("Advisory bodies"), order=60)


def _active_body_or_404(body_id: int) -> AdvisoryBody:
    body = row_or_404(AdvisoryBody, body_id)
    if not body.active:
        abort(404)
    return body


def _upcoming_meetings(body):
    # Meetings are optional here so that the body pages work on their own.
    try:
        from pbvote.meetings.services import meetings_of_body
    except ImportError:
        return []
    return meetings_of_body(body.id, utcnow())


@bp.route("/bodies")
def index():
    return render_template(
        "bodies/index.html", bodies=bodies_of(current_commune().id), mandates=MANDATES
    )


@bp.route("/bodies/<int:body_id>")
def page(body_id: int):
    body = _active_body_or_404(body_id)
    return render_template(
        "bodies/page.html",
        body=body,
        mandate=MANDATES.get(body.key),
        opinions=services.opinions_of(body),
        reviews=services.reviewed_by(body),
        meetings=_upcoming_meetings(body),
    )


@bp.route("/staff/bodies/<int:body_id>/opinions", methods=["GET", "POST"])
@staff_required("admin")
def staff_opinions(body_id: int):
    body = row_or_404(AdvisoryBody, body_id)
    form = OpinionForm()
    if saved(
        form,
        lambda: services.publish_opinion(
            current_user,
            body,
            form.kind.data,
            form.title_ar.data or "",
            form.title_fr.data or "",
            form.text_ar.data or "",
            form.text_fr.data or "",
            utcnow(),
        ),
        BodyError,
        _("Published on the body's page."),
    ):
        return redirect(url_for(".staff_opinions", body_id=body.id))
    return render_template(
        "bodies/staff_opinions.html",
        body=body,
        form=form,
        opinions=services.opinions_of(body),
        delete_form=ConfirmForm(),
    )


@bp.route("/staff/bodies/opinions/<int:opinion_id>/delete", methods=["POST"])
@staff_required("admin")
def delete_opinion(opinion_id: int):
    opinion = row_or_404(BodyOpinion, opinion_id, lambda row: row.body.commune_id)
    ConfirmForm().validate_on_submit() or abort(400)
    body_id = opinion.body_id
    services.delete_opinion(current_user, opinion, utcnow())
    db.session.commit()
    flash(_("Withdrawn."), "success")
    return redirect(url_for(".staff_opinions", body_id=body_id))
