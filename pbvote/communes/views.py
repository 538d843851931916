"""Districts, editable by administrators."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from pbvote.communes import services
from pbvote.communes.errors import CommuneError
from pbvote.communes.models import District
from pbvote.core.access import staff_required
from pbvote.core.time import ZONE_PROVIDER, utcnow
from pbvote.extensions import db

bp = Blueprint("communes", __name__)


def _current_zone_name() -> str | None:
    try:
        return services.current_commune().time_zone
    except services.CommuneNotConfigured:
        return None


# core.time asks the communes domain for the zone (core imports no domain).
bp.record_once(
    lambda state: state.app.extensions.setdefault(ZONE_PROVIDER, _current_zone_name)
)


class DistrictForm(FlaskForm):
    name_ar = StringField(
        _l("Name in Arabic"),
        validators=[DataRequired(_l("Enter the name in Arabic.")), Length(max=120)],
    )
    name_fr = StringField(
        _l("Name in French"),
        validators=[DataRequired(_l("Enter the name in French.")), Length(max=120)],
    )
    population = IntegerField(
        _l("Population"), validators=[Optional(), NumberRange(min=0, max=10_000_000)]
    )
    active = BooleanField(_l("Active (shown to residents)"), default=True)


@bp.route("/staff/districts")
@staff_required("admin")
def staff_districts():
    commune = services.current_commune()
    districts = db.session.scalars(
        select(District)
        .where(District.commune_id == commune.id)
        .order_by(District.name_fr)
    ).all()
    return render_template(
        "communes/districts.html", commune=commune, districts=districts
    )


@bp.route("/staff/districts/new", methods=["GET", "POST"])
@bp.route("/staff/districts/<int:district_id>", methods=["GET", "POST"])
@staff_required("admin")
def staff_district_form(district_id: int | None = None):
    commune = services.current_commune()
    district = None
    if district_id is not None:
        district = services.get_district(commune, district_id) or abort(404)
    form = DistrictForm(obj=district if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.save_district(
                current_user,
                commune,
                district,
                name_ar=form.name_ar.data,
                name_fr=form.name_fr.data,
                population=form.population.data,
                active=form.active.data,
                now=utcnow(),
            )
        except CommuneError as error:
            db.session.rollback()
            form.name_fr.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("District saved."), "success")
            return redirect(url_for(".staff_districts"))
    return render_template("communes/district_form.html", form=form, district=district)
