"""The charter's accountability reports: quarterly and annual, each archived once
with its figures, a PDF (reportlab) and a CSV, on the public reports page.

A report shows the data as it stood at the end of its period, rebuilt from the
append-only history (:mod:`.history`), whenever it is made; its files are made by
:mod:`.report_files`.
"""

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from pbvote.accountability.errors import AccountabilityError
from pbvote.accountability.history import (
    records_at,
    states_at,
    states_at_each,
    updates_between,
)
from pbvote.accountability.models import (
    AccountabilityReport,
    ExecutionRecord,
    Rating,
)
from pbvote.accountability.report_files import render_csv, render_pdf
from pbvote.accountability.statuses import statuses
from pbvote.audit.services import record_action
from pbvote.core import storage
from pbvote.core.time import local_day_end, to_local_day
from pbvote.extensions import db

REPORT_AREA = "reports"  # STORAGE_DIR/reports


class ReportPeriodOpen(AccountabilityError):
    """The period is not over yet."""


def quarter_span(year: int, quarter: int) -> tuple[date, date]:
    start = date(year, 3 * (quarter - 1) + 1, 1)
    end = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - timedelta(days=1)
    return start, end


def period_span(kind: str, year: int, quarter: int = 0) -> tuple[date, date]:
    if kind == "quarter":
        if quarter not in (1, 2, 3, 4):
            raise AccountabilityError(_("Choose a quarter from 1 to 4."))
        return quarter_span(year, quarter)
    return date(year, 1, 1), date(year, 12, 31)


def due_periods(today: date) -> list[tuple[str, int, int]]:
    """The periods that ended most recently: the last quarter, and last year in Q1."""
    quarter = (today.month - 1) // 3 + 1
    last = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
    periods = [("quarter", last[0], last[1])]
    if quarter == 1:
        periods.append(("year", today.year - 1, 0))
    return periods


def _end_moment(day: date) -> datetime:
    return local_day_end(day)


def compute_figures(commune_id: int, start: date, end: date) -> dict:
    """The charter's figures for the period, with the data as it stood at the
    period's end (the append-only history of published updates), whenever the
    report is made: projects voted and entries published later are left out."""
    until, since = _end_moment(end), _end_moment(start - timedelta(days=1))
    known = statuses(commune_id)
    records = records_at(commune_id, until)
    states = states_at(records, until, {s.key for s in known if s.needs_reason})
    projects = [_project(r, states[r.id], end) for r in records]
    return {
        **_totals(start, end, known, projects),
        "updates_published": updates_between(states, since, until),
        "delayed": [p for p in projects if p["delayed"]],
        **_satisfaction(_ratings(list(states), until)),
        "projects": projects,
    }


def figures_by_period(commune_id: int, spans) -> list[dict]:
    """:func:`compute_figures` for several periods ``[(start, end), ...]`` from
    one read of the records, their published updates and their ratings (the
    indicators show a period next to the one before), without what the
    indicators do not show: each project's line and titles, and the updates
    published in the period. Four statements, whatever the periods."""
    known = statuses(commune_id)
    ends = [_end_moment(end) for _start, end in spans]
    last = max(ends)
    records = db.session.execute(
        select(
            ExecutionRecord.id,
            ExecutionRecord.created_at_dt,
            ExecutionRecord.allocated,
            ExecutionRecord.planned_end,
        )
        .where(
            ExecutionRecord.commune_id == commune_id,
            ExecutionRecord.created_at_dt < last,
        )
        .order_by(ExecutionRecord.id)
    ).all()
    states_then = states_at_each(
        [r.id for r in records], ends, {s.key for s in known if s.needs_reason}
    )
    ratings = _ratings([r.id for r in records], last, with_record=True)
    figures = []
    for (start, end), until in zip(spans, ends, strict=True):
        states = states_then[until]
        known_then = [r for r in records if r.created_at_dt < until]
        ids = {r.id for r in known_then}
        lines = [_state_line(r, states[r.id], end) for r in known_then]
        figures.append(
            {
                **_totals(start, end, known, lines),
                "delayed": [p for p in lines if p["delayed"]],
                **_satisfaction(
                    [
                        r
                        for r in ratings
                        if r.record_id in ids and r.created_at_dt < until
                    ]
                ),
            }
        )
    return figures


def _totals(start: date, end: date, known, projects: list[dict]) -> dict:
    per_status = {s.key: 0 for s in known}
    for item in projects:
        per_status[item["status"]] = per_status.get(item["status"], 0) + 1
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "records": len(projects),
        "per_status": per_status,
        "status_labels": {
            s.key: {"ar": s.label_ar, "fr": s.label_fr, "en": s.label_en} for s in known
        },
        "allocated": sum(p["allocated"] for p in projects),
        "committed": sum(p["committed"] for p in projects),
        "spent": sum(p["spent"] for p in projects),
        "mean_progress": round(sum(p["progress"] for p in projects) / len(projects))
        if projects
        else 0,
        "completed": per_status.get("completed", 0),
    }


def _project(record: ExecutionRecord, state, end: date) -> dict:
    """One project's line: its values at the period's end, its cycle and year."""
    return {
        "id": record.id,
        "title_ar": record.title_ar,
        "title_fr": record.title_fr,
        "cycle_year": record.cycle.year,
        "cycle_title_ar": record.cycle.title_ar,
        "cycle_title_fr": record.cycle.title_fr,
        **_state_line(record, state, end),
    }


def _state_line(record, state, end: date) -> dict:
    """A project's values at the period's end (``record`` an ExecutionRecord or
    a row with its id, allocated and planned_end)."""
    overdue = (
        record.planned_end is not None
        and record.planned_end <= end
        and state.status_key not in ("completed", "cancelled")
    )
    return {
        "id": record.id,
        "status": state.status_key,
        "reason": state.status_reason,
        "progress": state.progress,
        "allocated": record.allocated,
        "committed": state.committed,
        "spent": state.spent,
        "planned_end": record.planned_end.isoformat() if record.planned_end else "",
        "overdue": overdue,
        "delayed": overdue or state.status_key in ("delayed", "suspended"),
    }


def _ratings(record_ids: list[int], until: datetime, with_record: bool = False):
    """Residents' ratings of these records given before ``until``."""
    columns = [Rating.score, Rating.take_part_again]
    if with_record:
        columns += [Rating.record_id, Rating.created_at_dt]
    return db.session.execute(
        select(*columns).where(
            Rating.record_id.in_(record_ids or [-1]), Rating.created_at_dt < until
        )
    ).all()


def _satisfaction(ratings) -> dict:
    count = len(ratings)
    again = sum(1 for r in ratings if r.take_part_again)
    return {
        "satisfaction": {
            "ratings": count,
            "average": round(sum(r.score for r in ratings) / count, 2)
            if count
            else None,
            "distribution": {
                str(score): sum(1 for r in ratings if r.score == score)
                for score in range(1, 6)
            },
        },
        "take_part_again": {
            "yes": again,
            "no": count - again,
            "share": round(100 * again / count) if count else None,
        },
    }


def generate(
    commune_id: int,
    kind: str,
    year: int,
    quarter: int,
    now: datetime,
    *,
    actor=None,
    allow_open: bool = False,
) -> AccountabilityReport:
    """The report for a period, made once: an existing one is returned unchanged
    (the archive is never rewritten, so a job may run twice). A period that is not
    over is refused unless ``allow_open``. Raises AccountabilityError."""
    if kind not in ("quarter", "year"):
        raise AccountabilityError(_("Choose a quarterly or an annual report."))
    quarter = quarter if kind == "quarter" else 0
    start, end = period_span(kind, year, quarter)
    today = to_local_day(now)
    if end >= today and not allow_open:
        raise ReportPeriodOpen(
            _(
                "This period ends on %(day)s: its report can be made "
                "from the next day.",
                day=end.isoformat(),
            )
        )
    existing = db.session.scalar(
        select(AccountabilityReport).where(
            AccountabilityReport.commune_id == commune_id,
            AccountabilityReport.period_kind == kind,
            AccountabilityReport.year == year,
            AccountabilityReport.quarter == quarter,
        )
    )
    if existing is not None:
        return existing
    figures = compute_figures(commune_id, start, end)
    report = AccountabilityReport(
        commune_id=commune_id,
        period_kind=kind,
        year=year,
        quarter=quarter,
        period_start=start,
        period_end=end,
        generated_at_dt=now,
        figures=figures,
    )
    report.csv_name = storage.stage(REPORT_AREA, render_csv(figures).encode(), "csv")
    report.pdf_name = storage.stage(REPORT_AREA, render_pdf(report, figures), "pdf")
    db.session.add(report)
    db.session.flush()  # the audit entry needs the id
    record_action(
        actor,
        "execution.report",
        "accountability_report",
        report.id,
        now,
        {"kind": kind, "year": year, "quarter": quarter},
    )
    return report
