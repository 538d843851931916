"""Administrators keep the list of public holidays that deadlines skip."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from pbvote.communes.services import current_commune
from pbvote.communes.web import row_or_404
from pbvote.core.access import staff_required
from pbvote.core.forms import ConfirmForm, saved
from pbvote.core.i18n import format_day, localized
from pbvote.core.nav import add_staff_link
from pbvote.core.pagination import paginate
from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.holidays import services
from pbvote.holidays.errors import HolidayError
from pbvote.holidays.forms import KIND_LABELS, HolidayForm
from pbvote.holidays.models import Holiday

bp = Blueprint("holidays", __name__)

add_staff_link("holidays.staff_list", _l("Public holidays"), "admin")


def _holiday_or_404(holiday_id: int) -> Holiday:
    # Holidays are national: any row of the table belongs to this installation.
    return row_or_404(Holiday, holiday_id, commune_of=lambda row: current_commune().id)


@bp.route("/staff/holidays")
@staff_required("admin")
def staff_list():
    year = request.args.get("year", type=int)
    if year is not None and not 1900 <= year <= 2200:  # outside any calendar we keep
        year = None
    page = paginate(services.holidays_query(year))
    return render_template(
        "holidays/list.html",
        page=page,
        kinds=KIND_LABELS,
        form=ConfirmForm(),
        year=year,
    )


@bp.route("/staff/holidays/load", methods=["POST"])
@staff_required("admin")
def staff_load():
    if ConfirmForm().validate_on_submit():
        added = services.load_shipped_holidays()
        db.session.commit()
        flash(_("%(num)d holidays added from the shipped list.", num=added), "success")
    return redirect(url_for(".staff_list"))


@bp.route("/staff/holidays/new", methods=["GET", "POST"])
@bp.route("/staff/holidays/<int:holiday_id>", methods=["GET", "POST"])
@staff_required("admin")
def staff_edit(holiday_id: int | None = None):
    holiday = _holiday_or_404(holiday_id) if holiday_id is not None else None
    form = HolidayForm(obj=holiday)
    if saved(
        form,
        lambda: services.save_holiday(
            current_user,
            holiday,
            day=form.day.data,
            name_ar=form.name_ar.data,
            name_fr=form.name_fr.data,
            kind=form.kind.data,
            confirmed=form.confirmed.data,
            now=utcnow(),
        ),
        HolidayError,
        _("Holiday saved."),
    ):
        return redirect(url_for(".staff_list", year=form.day.data.year))
    return render_template("holidays/form.html", form=form, holiday=holiday)


@bp.route("/staff/holidays/<int:holiday_id>/delete", methods=["GET", "POST"])
@staff_required("admin")
def staff_delete(holiday_id: int):
    """Asks first (a deleted holiday moves every deadline counted over it)."""
    holiday = _holiday_or_404(holiday_id)
    form = ConfirmForm()
    back = url_for(".staff_list", year=holiday.day.year)
    if form.validate_on_submit():
        services.delete_holiday(current_user, holiday, utcnow())
        db.session.commit()
        flash(_("Holiday deleted."), "success")
        return redirect(back)
    return render_template(
        "confirm.html",
        form=form,
        title=_("Delete this holiday?"),
        message=_(
            "%(name)s, %(day)s: deadlines counted in working days will count "
            "this day again.",
            name=localized(holiday, "name"),
            day=format_day(holiday.day),
        ),
        confirm_label=_("Delete"),
        cancel_url=back,
    )
