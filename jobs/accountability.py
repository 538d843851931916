"""Follow-up jobs of the accountability domain (queue "followup", imports on
"default"). Each takes ids and plain values, calls one service and commits.

Scheduling: ``pbvote execution daily`` (cron-able) runs the daily checks and makes
the reports that are due. With RQ's cron scheduler, ``rq cron jobs.accountability``
(alongside ``pbvote worker``) enqueues the same work every night: see the
``rq.cron.register`` calls at the bottom.
"""

from pbvote.core.time import utcnow
from pbvote.extensions import db


def publish_followup(update_id: int) -> str:
    """Refresh the public follow-up and notify followers of one published update.

    Idempotent: snapshots are recomputed and each SMS has a dedupe key, so running
    twice notifies once."""
    from pbvote.accountability import followup

    followup.publish_followup(update_id, utcnow())
    db.session.commit()
    return "ok"


def refresh_record(record_id: int) -> str:
    from pbvote.accountability import followup
    from pbvote.accountability.models import ExecutionRecord

    now = utcnow()
    data = followup.refresh_record(record_id, now)
    record = db.session.get(ExecutionRecord, record_id)
    if record is not None:
        followup.refresh_dashboard(record.commune_id, now)
    db.session.commit()
    return "ok" if data else "missing"


def refresh_commune(commune_id: int) -> str:
    from pbvote.accountability import followup

    followup.refresh_commune(commune_id, utcnow())
    db.session.commit()
    return "ok"


def flag_overdue(commune_id: int) -> int:
    """The daily check for one commune: returns how many records were newly flagged."""
    from pbvote.accountability import followup
    from pbvote.core.forms import to_local_day

    now = utcnow()
    newly = followup.flag_overdue(commune_id, to_local_day(now), now)
    db.session.commit()
    return len(newly)


def generate_report(commune_id: int, kind: str, year: int, quarter: int = 0) -> int:
    """Make (once) the report of a finished period; returns its id."""
    from pbvote.accountability import reports

    report = reports.generate(commune_id, kind, year, quarter, utcnow())
    db.session.commit()
    return report.id


def process_import(import_id: int) -> str:
    from pbvote.accountability import imports
    from pbvote.accountability.models import ExecutionImport

    try:
        batch = imports.process_import(import_id, utcnow())
    except Exception as error:
        db.session.rollback()
        batch = db.session.get(ExecutionImport, import_id)
        if batch is not None:
            batch.state, batch.error = "failed", str(error)[:500]
            db.session.commit()
        raise
    db.session.commit()
    return batch.state if batch else "missing"


def daily_checks() -> dict:
    """Every commune: flag overdue projects, then make the reports that are due
    (the last quarter; last year's annual report in January-March)."""
    from sqlalchemy import select

    from pbvote.accountability import followup, reports
    from pbvote.accountability.models import ExecutionRecord
    from pbvote.communes.models import Commune
    from pbvote.core.forms import to_local_day

    now = utcnow()
    today = to_local_day(now)
    summary = {"overdue": 0, "reports": []}
    for commune_id in db.session.scalars(select(Commune.id)).all():
        summary["overdue"] += len(followup.flag_overdue(commune_id, today, now))
        if not db.session.scalar(
            select(ExecutionRecord.id)
            .where(ExecutionRecord.commune_id == commune_id)
            .limit(1)
        ):
            db.session.commit()
            continue  # nothing to report on yet
        for kind, year, quarter in reports.due_periods(today):
            report = reports.generate(commune_id, kind, year, quarter, now)
            summary["reports"].append(report.id)
        db.session.commit()
    return summary


try:  # RQ's cron scheduler reads these when started with `rq cron jobs.accountability`
    from rq import cron as _rq_cron

    _rq_cron.register(daily_checks, "followup", cron="30 1 * * *", name="pbvote-daily")
except (ImportError, AttributeError, TypeError):  # older RQ: use the CLI from cron
    pass
