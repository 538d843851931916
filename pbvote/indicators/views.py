"""The public indicators dashboard, its CSV and JSON downloads and API."""

from flask import Response, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

import pbvote.indicators.reports_views  # noqa: F401 - its routes join bp
from pbvote.communes.services import current_commune
from pbvote.core.nav import add_nav
from pbvote.core.time import to_local_day, utcnow
from pbvote.indicators import charts, display, periods, services
from pbvote.indicators.errors import IndicatorError
from pbvote.indicators.export import render_csv
from pbvote.indicators.web import bp

add_nav("indicators.dashboard", _l("Indicators"), 70)


def _district_id(commune_id: int) -> int | None:
    raw = (request.args.get("district") or "").strip()
    if not raw:
        return None
    ids = {d.id for d in services.districts(commune_id)}
    if not raw.isdigit() or int(raw) not in ids:
        raise IndicatorError(_("There is no such district."))
    return int(raw)


def _figures() -> dict:
    """The dashboard data for the request's period and district filters."""
    commune_id = current_commune().id
    period = periods.parse(
        commune_id, request.args.get("period"), to_local_day(utcnow())
    )
    return services.dashboard(commune_id, period, _district_id(commune_id))


@bp.errorhandler(IndicatorError)
def _refused(error):
    if request.path.endswith((".json", ".csv")) or request.path.startswith("/api/"):
        return jsonify({"error": "bad_request", "message": str(error)}), 400
    return render_template(
        "indicators/dashboard.html", data=None, error=str(error), **_filters()
    ), 400


def _filters() -> dict:
    commune_id = current_commune().id
    return {
        "districts": services.districts(commune_id),
        "period_choices": period_choices(to_local_day(utcnow())),
        "chosen_period": request.args.get("period", ""),
        "chosen_district": request.args.get("district", ""),
    }


def period_choices(today) -> list[str]:
    """The current and last three years and their quarters, newest first."""
    codes = []
    for year in range(today.year, today.year - 3, -1):
        codes.append(str(year))
        codes += [f"{year}-Q{q}" for q in range(4, 0, -1)]
    return codes


@bp.route("/indicators")
def dashboard():
    with services.shared_lookups():  # the filters' districts are the figures'
        data = _figures()
        filters = _filters()
    for indicator in data["indicators"]:
        indicator["chart"] = charts.bars(indicator)
    display.add_cells(data)
    return render_template(
        "indicators/dashboard.html", data=data, error=None, **filters
    )


@bp.route("/indicators.json")
@bp.route("/api/v1/indicators")
def dashboard_json():
    return jsonify(_figures())


@bp.route("/indicators.csv")
def dashboard_csv():
    data = _figures()
    response = Response("\ufeff" + render_csv(data), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="indicators-{data["period"]}.csv"'
    )
    return response
