"""Associations: registration by a representative, approval by an administrator."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from pbvote.associations import services
from pbvote.associations.errors import AssociationError
from pbvote.associations.forms import FIELD_LABELS, AssociationForm, RejectForm
from pbvote.associations.models import Association
from pbvote.communes.services import current_commune
from pbvote.communes.web import row_or_404
from pbvote.core.access import resident_required, staff_required
from pbvote.core.forms import ConfirmForm, form_error
from pbvote.core.nav import add_staff_link
from pbvote.core.pagination import paginate
from pbvote.core.templating import template_globals
from pbvote.core.time import utcnow
from pbvote.extensions import db

bp = Blueprint("associations", __name__)

add_staff_link("associations.staff_list", _l("Associations to approve"), "admin")


@template_globals(bp)
def association_helpers() -> dict:
    return {"association_field_label": lambda key: FIELD_LABELS.get(key, key)}


@bp.route("/associations")
def association_list():
    page = paginate(services.approved_query(current_commune().id))
    return render_template("associations/list.html", page=page)


@bp.route("/associations/mine")
@resident_required
def my_associations():
    return render_template(
        "associations/mine.html", associations=services.associations_of(current_user)
    )


@bp.route("/associations/new", methods=["GET", "POST"])
@resident_required
def register():
    form = AssociationForm()
    if form.validate_on_submit():
        try:
            services.register_association(
                current_user,
                current_commune().id,
                name_ar=form.name_ar.data,
                name_fr=form.name_fr.data,
                registration_number=form.registration_number.data,
                seat_address=form.seat_address.data,
                founded_on=form.founded_on.data,
                field=form.field.data,
                now=utcnow(),
            )
        except AssociationError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "Registration sent. An administrator will check it; you can act "
                    "for the association once it is approved."
                ),
                "success",
            )
            return redirect(url_for(".my_associations"))
    return render_template("associations/form.html", form=form)


def _association_or_404(association_id: int) -> Association:
    return row_or_404(Association, association_id)


@bp.route("/staff/associations")
@staff_required("admin")
def staff_list():
    status = request.args.get("status", "")
    page = paginate(services.staff_query(current_commune().id, status))
    return render_template("associations/staff_list.html", page=page, status=status)


@bp.route("/staff/associations/<int:association_id>/approve", methods=["GET", "POST"])
@staff_required("admin")
def staff_approve(association_id: int):
    association = _association_or_404(association_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.decide_association(current_user, association, True, "", utcnow())
        db.session.commit()
        flash(_("Association approved."), "success")
        return redirect(url_for(".staff_list"))
    return render_template(
        "confirm.html",
        form=form,
        danger=False,
        title=_("Approve %(name)s?", name=association.name_ar or association.name_fr),
        message=_(
            "Its representative will be able to submit proposals on its behalf. "
            "Check the registration number %(number)s against the receipt of "
            "declaration first.",
            number=association.registration_number,
        ),
        confirm_label=_("Approve"),
        cancel_url=url_for(".staff_list"),
    )


@bp.route("/staff/associations/<int:association_id>/reject", methods=["GET", "POST"])
@staff_required("admin")
def staff_reject(association_id: int):
    association = _association_or_404(association_id)
    form = RejectForm()
    if form.validate_on_submit():
        try:
            services.decide_association(
                current_user, association, False, form.reason.data, utcnow()
            )
        except AssociationError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            db.session.commit()
            flash(
                _("Registration refused; the reason is shown to the representative."),
                "success",
            )
            return redirect(url_for(".staff_list"))
    return render_template(
        "associations/staff_reject.html", form=form, association=association
    )
