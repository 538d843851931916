"""The charter's full report (section 13): every indicator of the dashboard, the
execution figures of the accountability reports among them, and a short text per
indicator written by staff. One row per commune and period: a job run again
replaces the draft's figures (keeping the texts) and never touches a published
report, which is archived with its PDF and CSV and never rewritten."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from pbvote.accountability import reports as accountability_reports
from pbvote.accountability.errors import AccountabilityError
from pbvote.accountability.reports import REPORT_AREA
from pbvote.audit.services import record_action
from pbvote.core import storage
from pbvote.core.time import to_local_day
from pbvote.extensions import db
from pbvote.indicators import periods, services
from pbvote.indicators.errors import IndicatorError, ReportAlreadyPublished
from pbvote.indicators.export import render_csv
from pbvote.indicators.models import IndicatorReport
from pbvote.indicators.pdf import render_pdf


def period_of(code: str) -> periods.Period:
    """A quarter (2026-Q3) or a year (2026): reports are not made per cycle."""
    if code.startswith("cycle-"):
        raise IndicatorError(_("Reports cover a quarter or a year."))
    return periods.parse(0, code, None) if code else _no_period()


def _no_period():
    raise IndicatorError(_("Choose a period such as 2026-Q3, 2026 or a cycle."))


def find(commune_id: int, period: periods.Period) -> IndicatorReport | None:
    return db.session.scalar(
        select(IndicatorReport).where(
            IndicatorReport.commune_id == commune_id,
            IndicatorReport.period_kind == period.kind,
            IndicatorReport.year == period.year,
            IndicatorReport.quarter == period.number,
        )
    )


def check_started(period: periods.Period, now: datetime) -> None:
    if period.first_day > to_local_day(now):
        raise IndicatorError(_("This period has not started yet."))


def draft_due_reports(now: datetime) -> list[str]:
    """Every commune: the drafts of the periods that ended most recently (the
    last quarter, and last year in January-March); a published report is left
    as it is. One outcome per commune and period: ``draft N`` or ``published``."""
    from pbvote.communes.models import Commune

    codes = [
        f"{year}-Q{quarter}" if kind == "quarter" else str(year)
        for kind, year, quarter in accountability_reports.due_periods(to_local_day(now))
    ]
    outcomes = []
    for commune_id in db.session.scalars(select(Commune.id).order_by(Commune.id)):
        for code in codes:
            try:
                outcomes.append(f"draft {generate_draft(commune_id, code, now).id}")
            except ReportAlreadyPublished:
                outcomes.append("published")
    return outcomes


def generate_draft(
    commune_id: int, code: str, now: datetime, *, actor=None, progress=None
) -> IndicatorReport:
    """Compute the figures of period ``code`` into its draft, creating it or
    replacing the figures of the existing draft (staff texts are kept).
    Raises ReportAlreadyPublished (the archive is never rewritten) or
    IndicatorError for a bad period."""
    period = period_of(code)
    check_started(period, now)
    report = find(commune_id, period)
    if report is not None and report.state == "published":
        raise ReportAlreadyPublished(
            _("The report of %(period)s is already published.", period=period.code)
        )
    figures = services.dashboard(commune_id, period, progress=progress)
    execution = _execution_report(commune_id, period, now, actor)
    if report is None:
        report = IndicatorReport(
            commune_id=commune_id,
            period_kind=period.kind,
            year=period.year,
            quarter=period.number,
            period_start=period.first_day,
            period_end=period.last_day,
            texts={},
        )
        db.session.add(report)
    report.figures, report.generated_at_dt = figures, now
    report.accountability_report_id = execution.id if execution else None
    db.session.flush()  # the audit entry needs the id
    record_action(
        actor,
        "indicators.report.generate",
        "indicator_report",
        report.id,
        now,
        {"period": period.code},
    )
    return report


def _execution_report(commune_id, period, now, actor):
    """The accountability report of the period, made (once) if the period is
    over: the charter report extends it rather than being a second system."""
    try:
        return accountability_reports.generate(
            commune_id, period.kind, period.year, period.number, now, actor=actor
        )
    except AccountabilityError:  # the period is not over: no archive yet
        return None


def save_texts(actor, report: IndicatorReport, texts: dict, now: datetime) -> None:
    """Replace the staff texts of a draft (one per indicator key)."""
    if report.state != "draft":
        raise ReportAlreadyPublished(_("A published report cannot be edited."))
    known = set(services.MEASURES)
    report.texts = {k: v.strip() for k, v in texts.items() if k in known and v}
    record_action(
        actor, "indicators.report.edit", "indicator_report", report.id, now, {}
    )


def publish(actor, report: IndicatorReport, now: datetime) -> IndicatorReport:
    """Freeze a draft: render its PDF and CSV and show it in the public archive.
    A period that is not over cannot be published (its figures still move)."""
    if report.state != "draft":
        raise ReportAlreadyPublished(_("This report is already published."))
    if report.period_end >= to_local_day(now):
        raise IndicatorError(
            _(
                "This period ends on %(day)s: its report can be published from "
                "the next day.",
                day=report.period_end.isoformat(),
            )
        )
    report.state, report.published_at_dt = "published", now
    report.csv_name = storage.stage(
        REPORT_AREA, render_csv(report.figures).encode(), "csv"
    )
    report.pdf_name = storage.stage(REPORT_AREA, render_pdf(report), "pdf")
    record_action(
        actor, "indicators.report.publish", "indicator_report", report.id, now, {}
    )
    return report


def published(commune_id: int) -> list[IndicatorReport]:
    return db.session.scalars(
        select(IndicatorReport)
        .where(
            IndicatorReport.commune_id == commune_id,
            IndicatorReport.state == "published",
        )
        .order_by(IndicatorReport.period_end.desc(), IndicatorReport.period_kind)
    ).all()


def request_report(actor, commune_id: int, code: str, now: datetime) -> None:
    """Queue the report job of period ``code`` (after commit). Raises
    IndicatorError for a bad or future period, ReportAlreadyPublished when its
    report is archived already."""
    from jobs.indicators import QUEUE, report_job_id
    from pbvote.core.jobs import enqueue_after_commit

    period = period_of(code)
    check_started(period, now)
    existing = find(commune_id, period)
    if existing is not None and existing.state == "published":
        raise ReportAlreadyPublished(
            _("The report of %(period)s is already published.", period=period.code)
        )
    record_action(
        actor,
        "indicators.report.request",
        "commune",
        commune_id,
        now,
        {"period": period.code},
    )
    enqueue_after_commit(
        "jobs.indicators.generate_report",
        commune_id,
        period.code,
        actor.id if actor else None,
        queue=QUEUE,
        job_id=report_job_id(commune_id, period.code),
        timeout=600,
    )


def job_progress(commune_id: int, code: str) -> dict | None:
    """The state and progress of the period's report job, if Redis knows it."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    from jobs.indicators import report_job_id
    from pbvote.core.jobs import redis_connection

    connection = redis_connection()
    if connection is None:
        return None
    try:
        job = Job.fetch(report_job_id(commune_id, code), connection=connection)
    except NoSuchJobError:
        return None
    return {"status": job.get_status(), **(job.meta.get("progress") or {})}
