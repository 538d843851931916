"""Report pages: the public archive of published reports, and the staff pages
to generate a draft (an RQ job, with its progress), edit its texts and publish."""

import re

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from pbvote.accountability.reports import REPORT_AREA
from pbvote.communes.services import current_commune
from pbvote.communes.web import row_or_404
from pbvote.core import storage
from pbvote.core.access import staff_required
from pbvote.core.forms import ConfirmForm
from pbvote.core.nav import add_staff_link
from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.indicators import reports
from pbvote.indicators.errors import IndicatorError
from pbvote.indicators.forms import GenerateReportForm, ReportTextsForm
from pbvote.indicators.models import IndicatorReport
from pbvote.indicators.web import bp

PERIOD_CODE = re.compile(r"\d{4}(-Q[1-4])?")

add_staff_link("indicators.staff_reports", _l("Charter reports"), "admin")


def _published_or_404(report_id: int) -> IndicatorReport:
    report = row_or_404(IndicatorReport, report_id)
    if report.state != "published":
        return row_or_404(IndicatorReport, 0)  # drafts are not public
    return report


@bp.route("/indicators/reports")
def reports_page():
    return render_template(
        "indicators/reports.html", reports=reports.published(current_commune().id)
    )


@bp.route("/indicators/reports/<int:report_id>")
def report_page(report_id: int):
    report = _published_or_404(report_id)
    return render_template("indicators/report.html", report=report, staff=False)


def _file_name(report) -> str:
    return f"ouazzane-indicators-{report.figures['period']}"


@bp.route("/indicators/reports/<int:report_id>.pdf")
def report_pdf(report_id: int):
    report = _published_or_404(report_id)
    data = storage.read(REPORT_AREA, report.pdf_name)
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="{_file_name(report)}.pdf"'
    )
    return response


@bp.route("/indicators/reports/<int:report_id>.csv")
def report_csv(report_id: int):
    report = _published_or_404(report_id)
    text = storage.read(REPORT_AREA, report.csv_name).decode()
    response = Response("\ufeff" + text, mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_file_name(report)}.csv"'
    )
    return response


@bp.route("/staff/indicators/reports", methods=["GET", "POST"])
@staff_required("admin")
def staff_reports():
    commune_id = current_commune().id
    form = GenerateReportForm()
    if form.validate_on_submit():
        try:
            reports.request_report(current_user, commune_id, form.period.data, utcnow())
        except IndicatorError as error:
            db.session.rollback()
            form.period.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("The report is being generated."), "success")
            return redirect(url_for(".staff_reports", period=form.period.data))
    rows = db.session.scalars(
        select(IndicatorReport)
        .where(IndicatorReport.commune_id == commune_id)
        .order_by(IndicatorReport.period_end.desc())
    ).all()
    watched = request.args.get("period", "")
    if not PERIOD_CODE.fullmatch(watched):  # only our own redirect's codes
        watched = ""
    progress = reports.job_progress(commune_id, watched) if watched else None
    status = 422 if form.errors else 200
    return render_template(
        "indicators/staff_reports.html",
        form=form,
        reports=rows,
        watched=watched,
        progress=progress,
    ), status


@bp.route("/staff/indicators/reports/<int:report_id>", methods=["GET", "POST"])
@staff_required("admin")
def staff_report(report_id: int):
    report = row_or_404(IndicatorReport, report_id)
    form = ReportTextsForm(data={f"text_{k}": v for k, v in report.texts.items()})
    if report.state == "draft" and form.validate_on_submit():
        texts = {
            k: getattr(form, f"text_{k}").data or "" for k in reports.services.MEASURES
        }
        reports.save_texts(current_user, report, texts, utcnow())
        db.session.commit()
        flash(_("The texts are saved."), "success")
        return redirect(url_for(".staff_report", report_id=report.id))
    return render_template(
        "indicators/staff_report.html",
        report=report,
        form=form,
        publish_form=ConfirmForm(),
        staff=True,
    ), 422 if form.errors else 200


@bp.route("/staff/indicators/reports/<int:report_id>/publish", methods=["POST"])
@staff_required("admin")
def staff_publish(report_id: int):
    report = row_or_404(IndicatorReport, report_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("The form expired: please try again."), "error")
        return redirect(url_for(".staff_report", report_id=report.id))
    try:
        reports.publish(current_user, report, utcnow())
    except IndicatorError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".staff_report", report_id=report.id))
    db.session.commit()
    flash(_("The report is published in the public archive."), "success")
    return redirect(url_for(".report_page", report_id=report.id))
