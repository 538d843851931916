"""The daily follow-up work of every commune, for the cron-able
``pbvote execution daily`` and the scheduled job (:mod:`jobs.cron`)."""

from datetime import datetime

from sqlalchemy import select

from pbvote.accountability import followup, reports
from pbvote.accountability.models import ExecutionRecord
from pbvote.communes.models import Commune
from pbvote.core.time import to_local_day
from pbvote.extensions import db


def daily_checks(now: datetime) -> dict:
    """Every commune: flag overdue projects, then make the reports that are due
    (the last quarter; last year's annual report in January-March). Idempotent:
    reports are made once and a project is flagged once. Never commits.

    Returns {"overdue": newly flagged, "reports": [report ids]}."""
    today = to_local_day(now)
    summary = {"overdue": 0, "reports": []}
    for commune_id in db.session.scalars(select(Commune.id)).all():
        summary["overdue"] += len(followup.flag_overdue(commune_id, today, now))
        if _has_records(commune_id):  # nothing to report on before the first vote
            summary["reports"] += [
                reports.generate(commune_id, kind, year, quarter, now).id
                for kind, year, quarter in reports.due_periods(today)
            ]
    return summary


def _has_records(commune_id: int) -> bool:
    return (
        db.session.scalar(
            select(ExecutionRecord.id)
            .where(ExecutionRecord.commune_id == commune_id)
            .limit(1)
        )
        is not None
    )


def flag_overdue_everywhere(now: datetime) -> int:
    """Only the overdue check, for every commune; returns how many were flagged."""
    today = to_local_day(now)
    return sum(
        len(followup.flag_overdue(commune_id, today, now))
        for commune_id in db.session.scalars(select(Commune.id)).all()
    )
