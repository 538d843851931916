"""Vote-integrity reports: "my vote was already taken" and "my receipt is not in
the ballot box", filed online or recorded by a clerk at the citizen office.

A report never points at a ballot: a "vote taken" report names the registry entry
whose identity was used (the office needs it to look into the verification); a
"receipt missing" report keeps only the receipt code typed, and no identity. Only
the day is kept. Their counts are published with the results.
"""

from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, String, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from pbvote.audit.services import record_action
from pbvote.extensions import db
from pbvote.voting.errors import VotingError

KINDS = {
    "vote_taken": _l("Vote already taken in my name"),
    "receipt_missing": _l("Receipt not found in the ballot box"),
}
CHANNELS = ("online", "office")


class ReportInvalid(VotingError):
    code = "report_invalid"


class VoteReport(db.Model):
    __tablename__ = "vote_reports"
    __table_args__ = (
        CheckConstraint("kind in ('vote_taken', 'receipt_missing')", name="kind"),
        CheckConstraint("channel in ('online', 'office')", name="channel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10))
    # vote_taken only; unique per cycle so one resident counts once.
    registry_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("voter_registry.id"), unique=True
    )
    receipt: Mapped[str | None] = mapped_column(String(64))  # receipt_missing only
    note: Mapped[str] = mapped_column(String(1000), default="")
    filed_on: Mapped[date] = mapped_column(Date)  # the day only


def file_report(
    cycle,
    kind: str,
    channel: str,
    now: datetime,
    *,
    entry_id=None,
    receipt="",
    note="",
    clerk=None,
) -> VoteReport:
    """Record one report. A resident's second "vote taken" report for the cycle is
    refused. Raises ReportInvalid. A clerk's report is audited."""
    if kind not in KINDS or channel not in CHANNELS:
        raise ReportInvalid(_("Choose what you are reporting."))
    if kind == "receipt_missing" and len(receipt) < 16:
        raise ReportInvalid(_("Type the 16 characters of your receipt code."))
    report = VoteReport(
        cycle_id=cycle.id,
        kind=kind,
        channel=channel,
        registry_entry_id=entry_id if kind == "vote_taken" else None,
        receipt=receipt[:64] if kind == "receipt_missing" else None,
        note=(note or "")[:1000],
        filed_on=now.date(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(report)
            db.session.flush()  # the unique entry refuses a second report
    except IntegrityError:
        raise ReportInvalid(_("This report was already made; the office follows it."))
    if clerk is not None:
        record_action(
            clerk,
            "voting.report",
            "cycle",
            cycle.id,
            now,
            {"report": report.id, "kind": kind},
        )
    return report


def report_counts(cycle_id: int) -> dict[str, int]:
    counts = dict.fromkeys(KINDS, 0)
    counts.update(
        db.session.execute(
            select(VoteReport.kind, func.count())
            .where(VoteReport.cycle_id == cycle_id)
            .group_by(VoteReport.kind)
        ).all()
    )
    return counts


def office_text(cycle) -> str:
    """Where to go in person: the cycle's ``citizen_office`` setting, else the
    CITIZEN_OFFICE configuration, else a plain pointer."""
    from flask import current_app

    office = (cycle.settings or {}).get("citizen_office") or current_app.config.get(
        "CITIZEN_OFFICE"
    )
    if office:
        return _("You can also come to the citizen office: %(office)s.", office=office)
    return _("You can also come to the commune's citizen office with your ID card.")
