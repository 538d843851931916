"""Complaints, resident side: the public register, filing, one's own complaint
with its photo, and the rating that closes it."""

from flask import (
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
from markupsafe import Markup
from wtforms import SelectChoice

import pbvote.complaints.api
import pbvote.complaints.staff  # noqa: F401 - its routes join bp
from pbvote.communes.services import active_districts, current_commune
from pbvote.communes.web import row_or_404
from pbvote.complaints import queries, services
from pbvote.complaints.errors import ComplaintError
from pbvote.complaints.forms import (
    CATEGORY_LABELS,
    SERVICE_LABELS,
    STATUS_LABELS,
    ComplaintForm,
    RateForm,
)
from pbvote.complaints.models import Complaint
from pbvote.complaints.web import bp
from pbvote.core import files
from pbvote.core.access import resident_required
from pbvote.core.forms import form_error, saved
from pbvote.core.i18n import localized, ltr
from pbvote.core.nav import add_nav
from pbvote.core.pagination import paginate
from pbvote.core.templating import template_globals
from pbvote.core.time import utcnow
from pbvote.extensions import db

add_nav("complaints.register", _l("Complaints"), 70)


@template_globals(bp)
def complaint_helpers() -> dict:
    return {
        "complaint_category": lambda key: CATEGORY_LABELS.get(key, key),
        "complaint_service": lambda key: SERVICE_LABELS.get(key, key),
        "complaint_status": lambda c: STATUS_LABELS[
            "overdue" if services.is_overdue(c, utcnow()) else c.status
        ],
    }


@bp.route("/complaints")
def register():
    category = request.args.get("category", "")
    page = paginate(queries.register_query(current_commune().id, category))
    return render_template(
        "complaints/register.html",
        page=page,
        category=category,
        categories=CATEGORY_LABELS,
    )


@bp.route("/complaints/new", methods=["GET", "POST"])
@resident_required
def new_complaint():
    form = ComplaintForm()
    form.district_id.choices = [SelectChoice(0, _("Choose…"))] + [
        SelectChoice(d.id, localized(d, "name"))
        for d in active_districts(current_commune())
    ]
    if form.validate_on_submit():
        photo = request.files.get("photo")
        try:
            complaint = services.file_complaint(
                current_user,
                category=form.category.data,
                district_id=form.district_id.data,
                description=form.description.data,
                photo=photo if photo and photo.filename else None,
                now=utcnow(),
            )
        except ComplaintError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            db.session.commit()
            # Markup keeps the number isolated (<bdi>) inside an Arabic sentence.
            flash(
                Markup(_("Your complaint is received: number %(number)s."))
                % {"number": ltr(complaint.tracking_number)},
                "success",
            )
            return redirect(url_for(".complaint_page", complaint_id=complaint.id))
    return render_template("complaints/form.html", form=form)


def _mine_or_staff(complaint: Complaint) -> bool:
    return current_user.is_authenticated and (
        current_user.id == complaint.author_id
        or current_user.has_role("admin", "clerk")
    )


@bp.route("/complaints/<int:complaint_id>")
def complaint_page(complaint_id: int):
    complaint = row_or_404(Complaint, complaint_id)
    return render_template(
        "complaints/page.html",
        complaint=complaint,
        form=RateForm(),
        mine=current_user.is_authenticated and current_user.id == complaint.author_id,
        show_photo=_mine_or_staff(complaint),
    )


@bp.route("/complaints/<int:complaint_id>/photo")
def photo(complaint_id: int):
    complaint = row_or_404(Complaint, complaint_id)
    if not complaint.photo_name or not _mine_or_staff(complaint):
        abort(404)
    return send_file(
        files.path_of(services.FOLDER, complaint.photo_name),
        mimetype=complaint.photo_type,
    )


@bp.route("/complaints/<int:complaint_id>/rate", methods=["POST"])
@resident_required
def rate(complaint_id: int):
    complaint = row_or_404(Complaint, complaint_id)
    form = RateForm()
    if saved(
        form,
        lambda: services.rate_complaint(
            current_user,
            complaint,
            rating=int(form.rating.data),
            comment=form.comment.data,
            now=utcnow(),
        ),
        ComplaintError,
        _("Thank you for your rating."),
    ):
        return redirect(url_for(".complaint_page", complaint_id=complaint.id))
    return render_template(
        "complaints/page.html",
        complaint=complaint,
        form=form,
        mine=current_user.id == complaint.author_id,
        show_photo=True,
    ), 400
