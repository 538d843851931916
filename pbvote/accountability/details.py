"""A record's details, as finance staff keep them: who does the work, where, the
planned dates, milestones and sub-projects. Services never commit; each change is
audited and refreshes the public page after commit."""

from datetime import date, datetime

from flask_babel import gettext as _

from pbvote.accountability.errors import InvalidRecord
from pbvote.accountability.models import ExecutionRecord, Milestone, SubProject
from pbvote.accountability.services import FOLLOWUP_QUEUE, rolled_up_progress
from pbvote.audit.services import record_action
from pbvote.core.jobs import enqueue_after_commit
from pbvote.extensions import db


def save_details(
    actor,
    record: ExecutionRecord,
    *,
    responsible_service: str,
    contractor: str,
    procurement_ref: str,
    location: str,
    planned_start: date | None,
    planned_end: date | None,
    now: datetime,
) -> None:
    """Plans and who does the work. Raises InvalidRecord (end before start)."""
    if planned_start and planned_end and planned_end < planned_start:
        raise InvalidRecord(
            _(
                "The planned end (%(end)s) cannot be before the planned "
                "start (%(start)s).",
                end=planned_end.isoformat(),
                start=planned_start.isoformat(),
            ),
            "planned_end",
        )
    before = {
        "planned_start": _iso(record.planned_start),
        "planned_end": _iso(record.planned_end),
    }
    record.responsible_service = (responsible_service or "").strip()
    record.contractor = (contractor or "").strip()
    record.procurement_ref = (procurement_ref or "").strip()
    record.location = (location or "").strip()
    record.planned_start, record.planned_end = planned_start, planned_end
    record.updated_at_dt = now
    record_action(
        actor,
        "execution.details",
        "execution_record",
        record.id,
        now,
        {
            "before": before,
            "planned_start": _iso(planned_start),
            "planned_end": _iso(planned_end),
        },
    )
    enqueue_after_commit(
        "jobs.accountability.refresh_record", record.id, queue=FOLLOWUP_QUEUE
    )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def add_milestone(
    actor,
    record: ExecutionRecord,
    *,
    title_ar: str,
    title_fr: str,
    planned_date: date | None,
    now: datetime,
) -> Milestone:
    if not ((title_ar or "").strip() or (title_fr or "").strip()):
        raise InvalidRecord(_("Give the milestone a title."), "title_ar")
    milestone = Milestone(
        title_ar=(title_ar or "").strip(),
        title_fr=(title_fr or "").strip(),
        planned_date=planned_date,
    )
    record.milestones.append(milestone)
    db.session.flush()  # the audit entry needs the id
    record_action(
        actor,
        "execution.milestone",
        "execution_record",
        record.id,
        now,
        {"milestone_id": milestone.id, "planned": _iso(planned_date)},
    )
    enqueue_after_commit(
        "jobs.accountability.refresh_record", record.id, queue=FOLLOWUP_QUEUE
    )
    return milestone


def mark_milestone(
    actor, milestone: Milestone, done_date: date | None, now: datetime
) -> None:
    milestone.done_date = done_date
    record_action(
        actor,
        "execution.milestone_done",
        "execution_record",
        milestone.record_id,
        now,
        {"milestone_id": milestone.id, "done": _iso(done_date)},
    )
    enqueue_after_commit(
        "jobs.accountability.refresh_record", milestone.record_id, queue=FOLLOWUP_QUEUE
    )


def add_subproject(
    actor,
    record: ExecutionRecord,
    *,
    title_ar: str,
    title_fr: str,
    cost: int | None,
    now: datetime,
) -> SubProject:
    if not ((title_ar or "").strip() or (title_fr or "").strip()):
        raise InvalidRecord(_("Give the sub-project a title."), "title_ar")
    if not cost or cost <= 0:
        raise InvalidRecord(
            _("Give the sub-project's cost (more than 0 MAD): it weighs its progress."),
            "cost",
        )
    part = SubProject(
        title_ar=(title_ar or "").strip(),
        title_fr=(title_fr or "").strip(),
        cost=cost,
        progress=0,
        status_key="planned",
    )
    record.subprojects.append(part)
    db.session.flush()  # the roll-up and the audit entry need it
    record.progress = rolled_up_progress(record)
    record.updated_at_dt = now
    record_action(
        actor,
        "execution.subproject",
        "execution_record",
        record.id,
        now,
        {"subproject_id": part.id, "cost": cost},
    )
    enqueue_after_commit(
        "jobs.accountability.refresh_record", record.id, queue=FOLLOWUP_QUEUE
    )
    return part
