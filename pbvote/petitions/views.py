"""Petitions, public side: the register, a petition's page, writing, signing."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

import pbvote.petitions.api
import pbvote.petitions.staff  # noqa: F401 - its routes join bp
from pbvote.associations.services import approved_associations_of
from pbvote.communes.services import current_commune
from pbvote.core.access import resident_required
from pbvote.core.forms import ConfirmForm, form_error
from pbvote.core.nav import add_nav
from pbvote.core.pagination import paginate
from pbvote.core.templating import template_globals
from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.petitions import queries, services
from pbvote.petitions.errors import NotInRegistry, PetitionError
from pbvote.petitions.forms import KIND_LABELS, STATUS_LABELS, PetitionForm, SignForm
from pbvote.petitions.models import PUBLIC_STATUSES
from pbvote.petitions.web import bp, petition_or_404

add_nav("petitions.petition_list", _l("Petitions"), 60)


@template_globals(bp)
def petition_helpers() -> dict:
    return {
        "petition_status": lambda key: STATUS_LABELS.get(key, key),
        "petition_kind": lambda key: KIND_LABELS.get(key, key),
        # Texts are plain (no HTML): blank lines separate paragraphs.
        "paragraphs": lambda text: [p for p in (text or "").split("\n\n") if p.strip()],
    }


@bp.route("/petitions")
def petition_list():
    status = request.args.get("status", "")
    page = paginate(queries.public_query(current_commune().id, status))
    return render_template(
        "petitions/list.html", page=page, status=status, statuses=PUBLIC_STATUSES
    )


@bp.route("/petitions/<int:petition_id>")
def petition_page(petition_id: int):
    petition = petition_or_404(petition_id)
    signed = (
        current_user.is_authenticated
        and not current_user.is_staff
        and services.has_signed(petition, current_user)
    )
    return render_template(
        "petitions/page.html",
        petition=petition,
        signed=signed,
        form=ConfirmForm(),
        sign_form=SignForm(),
    )


@bp.route("/petitions/new", methods=["GET", "POST"])
@resident_required
def new_petition():
    form = PetitionForm()
    associations = approved_associations_of(current_user)
    form.association_id.choices = [
        SelectChoice(0, _("Residents, with me as their agent"))
    ] + [SelectChoice(a.id, a.name_ar or a.name_fr) for a in associations]
    if form.validate_on_submit():
        association = next(
            (a for a in associations if a.id == form.association_id.data), None
        )
        try:
            petition = services.create_petition(
                current_user,
                current_commune().id,
                association=association,
                agent_name=form.agent_name.data,
                title=form.title.data,
                request=form.request.data,
                now=utcnow(),
            )
        except PetitionError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            db.session.commit()
            return redirect(url_for(".petition_page", petition_id=petition.id))
    return render_template("petitions/form.html", form=form)


def _author_step(petition_id: int, step, done: str):
    petition = petition_or_404(petition_id)
    if ConfirmForm().validate_on_submit():
        try:
            step(current_user, petition, utcnow())
        except PetitionError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(done, "success")
    return redirect(url_for(".petition_page", petition_id=petition.id))


@bp.route("/petitions/<int:petition_id>/open", methods=["POST"])
@resident_required
def open_petition(petition_id: int):
    return _author_step(
        petition_id, services.open_signatures, _("The petition collects signatures.")
    )


@bp.route("/petitions/<int:petition_id>/file", methods=["POST"])
@resident_required
def file_petition(petition_id: int):
    return _author_step(
        petition_id,
        services.file_petition,
        _("The petition is filed with the president of the council."),
    )


@bp.route("/petitions/<int:petition_id>/sign", methods=["POST"])
@resident_required
def sign(petition_id: int):
    petition = petition_or_404(petition_id)
    form = SignForm()
    if form.validate_on_submit():
        try:
            services.sign_petition(
                petition,
                cin=form.cin.data,
                birth=form.birth_date.data,
                now=utcnow(),
                user=current_user,
            )
        except PetitionError as error:
            db.session.rollback()
            if isinstance(error, NotInRegistry):
                services.record_failed_lookup(current_user, utcnow())
                db.session.commit()
            form_error(form, error)
        else:
            db.session.commit()
            flash(_("Thank you: your signature is recorded."), "success")
            return redirect(url_for(".petition_page", petition_id=petition.id))
    return render_template(
        "petitions/page.html",
        petition=petition,
        signed=False,
        form=ConfirmForm(),
        sign_form=form,
    ), 400
