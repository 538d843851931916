"""Report jobs of the indicators domain (queue "default").

``generate_report`` makes or refreshes the draft of one period; ``due_reports``
runs every night and drafts the reports of the quarter (and, in January-March,
the year) that just ended: ``rq cron jobs.cron`` schedules it (importing this
module schedules nothing).
"""

from pbvote.core.time import utcnow
from pbvote.extensions import db

QUEUE = "default"  # the worker listens to it by default


def report_job_id(commune_id: int, code: str) -> str:
    return f"indicators-report-{commune_id}-{code}"


def generate_report(commune_id: int, code: str, actor_id: int | None = None) -> str:
    """Draft (or redraft) the report of period ``code``; a published report is
    left as it is. Progress goes to ``job.meta["progress"]`` as done/total."""
    from rq import get_current_job

    from pbvote.accounts.models import User
    from pbvote.indicators import reports
    from pbvote.indicators.errors import ReportAlreadyPublished

    job = get_current_job()

    def progress(done: int, total: int) -> None:
        if job is not None:
            job.meta["progress"] = {"done": done, "total": total}
            job.save_meta()

    actor = db.session.get(User, actor_id) if actor_id else None
    try:
        report = reports.generate_draft(
            commune_id, code, utcnow(), actor=actor, progress=progress
        )
    except ReportAlreadyPublished:
        db.session.rollback()
        return "published"
    db.session.commit()
    progress(len(reports.services.MEASURES), len(reports.services.MEASURES))
    return f"draft {report.id}"


def due_reports() -> list[str]:
    """Every commune: the drafts of the periods that ended most recently."""
    from pbvote.indicators import reports

    outcomes = reports.draft_due_reports(utcnow())
    db.session.commit()
    return outcomes
