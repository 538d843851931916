"""Vote-integrity reports: online (after verifying, from the "already voted" page;
or from the receipt check), and recorded by a clerk at the citizen office."""

from datetime import timedelta

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from pbvote.accounts.views import client_ip
from pbvote.core import ratelimit
from pbvote.core.access import staff_required
from pbvote.core.nav import add_cycle_link
from pbvote.core.pagination import paginate
from pbvote.core.time import utcnow
from pbvote.cycles.web import cycle_or_404
from pbvote.extensions import db
from pbvote.voting import reports, services, verification
from pbvote.voting.errors import VotingError
from pbvote.voting.forms import (
    MissingReceiptForm,
    OfficeReportForm,
    VoteTakenReportForm,
)
from pbvote.voting.web import bp, verified_voter

add_cycle_link(
    "voting.staff_reports", _l("Vote-integrity reports"), roles=("admin", "clerk")
)
REPORTS_PER_IP_PER_HOUR = 10


def _done(cycle):
    return render_template(
        "voting/report_done.html", cycle=cycle, office=reports.office_text(cycle)
    )


@bp.route("/cycles/<int:cycle_id>/vote/report-taken", methods=["GET", "POST"])
def report_vote_taken(cycle_id: int):
    """A verified resident whose vote was already cast reports it."""
    cycle = cycle_or_404(cycle_id)
    current = verified_voter(cycle)
    if current is None or not current.voted:
        return redirect(url_for(".vote_start", cycle_id=cycle.id))
    form = VoteTakenReportForm()
    if form.validate_on_submit():
        try:
            reports.file_report(
                cycle,
                "vote_taken",
                "online",
                utcnow(),
                entry_id=current.entry_id,
                note=form.note.data,
            )
        except VotingError as error:
            db.session.rollback()
            form.note.errors.append(str(error))
        else:
            db.session.commit()
            return _done(cycle)
    return render_template(
        "voting/report.html",
        cycle=cycle,
        form=form,
        kind="vote_taken",
        office=reports.office_text(cycle),
    )


@bp.route("/cycles/<int:cycle_id>/ballot-box/report", methods=["GET", "POST"])
def report_missing_receipt(cycle_id: int):
    """Anyone reports a receipt that the ballot box does not have (no identity)."""
    cycle = cycle_or_404(cycle_id)
    form = MissingReceiptForm()
    if form.validate_on_submit():
        now = utcnow()
        try:
            ratelimit.check_and_hit(
                "vote-report",
                client_ip(),
                REPORTS_PER_IP_PER_HOUR,
                timedelta(hours=1),
                now,
            )
            reports.file_report(
                cycle,
                "receipt_missing",
                "online",
                now,
                receipt=services.normalise_receipt(form.receipt.data),
                note=form.note.data,
            )
        except (VotingError, ratelimit.RateLimited) as error:
            db.session.rollback()
            form.receipt.errors.append(
                _("Too many reports from here; come to the citizen office.")
                if isinstance(error, ratelimit.RateLimited)
                else str(error)
            )
        else:
            db.session.commit()
            return _done(cycle)
    return render_template(
        "voting/report.html",
        cycle=cycle,
        form=form,
        kind="receipt_missing",
        office=reports.office_text(cycle),
    )


@bp.route("/staff/cycles/<int:cycle_id>/vote-reports", methods=["GET", "POST"])
@staff_required("clerk", "admin")
def staff_reports(cycle_id: int):
    """The reports of a cycle; a clerk records one made at the office."""
    cycle = cycle_or_404(cycle_id)
    form = OfficeReportForm()
    if form.validate_on_submit():
        try:
            _record_office_report(cycle, form)
        except VotingError as error:
            db.session.rollback()
            form.kind.errors.append(str(error))
        else:
            db.session.commit()
            return redirect(url_for(".staff_reports", cycle_id=cycle.id))
    page = paginate(
        select(reports.VoteReport)
        .where(reports.VoteReport.cycle_id == cycle.id)
        .order_by(reports.VoteReport.id.desc()),
        size=50,
    )
    return render_template(
        "voting/staff_reports.html",
        cycle=cycle,
        form=form,
        page=page,
        counts=reports.report_counts(cycle.id),
        kinds=reports.KINDS,
    )


def _record_office_report(cycle, form) -> None:
    now = utcnow()
    entry_id = None
    if form.kind.data == "vote_taken":
        entry_id = verification.lookup_resident(
            cycle, form.cin.data or "", form.birth_date.day
        ).id
    reports.file_report(
        cycle,
        form.kind.data,
        "office",
        now,
        entry_id=entry_id,
        receipt=services.normalise_receipt(form.receipt.data or ""),
        note=form.note.data,
        clerk=current_user,
    )
