"""Follow-up jobs of the accountability domain (queue "followup", imports on
"default"). Each takes ids and plain values, calls one service and commits.

Scheduling is explicit, never a side effect of importing this module: run
``pbvote execution daily`` from cron, or start ``rq cron jobs.cron`` next to
``pbvote worker`` (see :mod:`jobs.cron` and docs/accountability.md).
"""

from pbvote.accountability import daily, followup, imports, reports
from pbvote.core.time import to_local_day, utcnow
from pbvote.extensions import db


def publish_followup(update_id: int) -> str:
    """Refresh the public follow-up and notify followers of one published update.

    Idempotent: snapshots are recomputed and each SMS has a dedupe key, so running
    twice notifies once."""
    followup.publish_followup(update_id, utcnow())
    db.session.commit()
    return "ok"


def refresh_record(record_id: int) -> str:
    """Recompute one record's page and its commune's dashboard."""
    data = followup.refresh_record_and_dashboard(record_id, utcnow())
    db.session.commit()
    return "ok" if data else "missing"


def refresh_commune(commune_id: int) -> str:
    followup.refresh_commune(commune_id, utcnow())
    db.session.commit()
    return "ok"


def flag_overdue(commune_id: int) -> int:
    """The daily check for one commune: returns how many records were newly flagged."""
    now = utcnow()
    newly = followup.flag_overdue(commune_id, to_local_day(now), now)
    db.session.commit()
    return len(newly)


def generate_report(commune_id: int, kind: str, year: int, quarter: int = 0) -> int:
    """Make (once) the report of a finished period; returns its id."""
    report = reports.generate(commune_id, kind, year, quarter, utcnow())
    db.session.commit()
    return report.id


def process_import(import_id: int) -> str:
    """Validate an import's rows into drafts, committing after each slice the
    service yields (the progress page moves); a crash marks the import failed."""
    batch = None
    try:
        for batch in imports.process_import(import_id, utcnow()):
            db.session.commit()
    except Exception as error:
        db.session.rollback()
        imports.mark_failed(import_id, error)
        db.session.commit()
        raise
    return batch.state if batch else "missing"


def daily_checks() -> dict:
    """Flag overdue projects and make the reports that are due, every commune."""
    summary = daily.daily_checks(utcnow())
    db.session.commit()
    return summary
