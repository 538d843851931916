"""Execution of the winning projects: records, drafts and the append-only published
history. Residents' voice lives in :mod:`.voice`, follow-up snapshots in
:mod:`.followup`, reports in :mod:`.reports`, CSV import in :mod:`.imports`, files
in :mod:`.files`, statuses in :mod:`.statuses`, the checks of an update in
:mod:`.evaluation`, a record's details in :mod:`.details`, read-only queries in
:mod:`.queries`.

Services take the actor, objects and ``now``; they never commit (they flush only to
get ids, said where they do).
"""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from pbvote.accountability.errors import (
    InvalidUpdate,
    InvalidUpdateSet,
    NotEditable,
)
from pbvote.accountability.evaluation import (  # noqa: F401 - part of this API
    MAX_TEXT,
    Outcome,
    UpdateValues,
    evaluate,
)
from pbvote.accountability.models import (
    ExecutionRecord,
    ExecutionUpdate,
    UpdateAttachment,
)
from pbvote.accountability.signals import execution_updated
from pbvote.accountability.statuses import ensure_statuses
from pbvote.audit.services import record_action
from pbvote.core import storage
from pbvote.core.jobs import enqueue_after_commit
from pbvote.core.time import to_local_day
from pbvote.extensions import db

FOLLOWUP_QUEUE = "followup"
ATTACHMENT_AREA = "execution"  # STORAGE_DIR/execution


def open_execution_records(
    cycle_id: int, project_ids: list[int], now: datetime
) -> list[ExecutionRecord]:
    """One execution record per winning project, budget allocated = its cost.

    Idempotent: a project that already has a record keeps it. Called by the tally's
    publish step inside its transaction: this never commits; the dashboard refresh
    is queued to run after that commit.
    """
    from pbvote.cycles.models import Cycle
    from pbvote.proposals.models import Project

    cycle = db.session.get(Cycle, cycle_id)
    if cycle is None:
        raise ValueError(f"no cycle {cycle_id}")
    ensure_statuses(cycle.commune_id)
    wanted = list(dict.fromkeys(project_ids))
    existing = {
        record.project_id: record
        for record in db.session.scalars(
            select(ExecutionRecord).where(ExecutionRecord.project_id.in_(wanted))
        )
    }
    projects = {
        project.id: project
        for project in db.session.scalars(select(Project).where(Project.id.in_(wanted)))
    }
    records = []
    for project_id in wanted:
        record = existing.get(project_id)
        if record is None:
            project = projects.get(project_id)
            if project is None or project.cycle_id != cycle_id:
                raise ValueError(f"project {project_id} is not in cycle {cycle_id}")
            record = ExecutionRecord(
                commune_id=cycle.commune_id,
                cycle_id=cycle_id,
                project_id=project_id,
                status_key="planned",
                progress=0,
                allocated=project.cost,
                committed=0,
                spent=0,
                created_at_dt=now,
                updated_at_dt=now,
            )
            db.session.add(record)
        records.append(record)
    db.session.flush()  # the records need ids for the caller and the job
    if records:
        enqueue_after_commit(
            "jobs.accountability.refresh_commune",
            cycle.commune_id,
            queue=FOLLOWUP_QUEUE,
        )
    return records


def get_record(commune_id: int, record_id: int) -> ExecutionRecord | None:
    record = db.session.get(ExecutionRecord, record_id)
    return record if record is not None and record.commune_id == commune_id else None


def rolled_up_progress(record: ExecutionRecord) -> int | None:
    """The cost-weighted progress of the sub-projects, or None without any."""
    parts = record.subprojects
    total = sum(part.cost for part in parts)
    if not parts or total <= 0:
        return None
    return round(sum(part.cost * part.progress for part in parts) / total)


# ---------------------------------------------------------------- drafts


def _fill(update: ExecutionUpdate, values: UpdateValues) -> None:
    update.body_ar = (values.body_ar or "").strip()
    update.body_fr = (values.body_fr or "").strip()
    update.service = (values.service or "").strip()[:160]
    update.status_key = values.status_key or None
    update.reason = (values.reason or "").strip()
    update.progress = values.progress
    update.committed = values.committed
    update.spent = values.spent
    update.overspend_reason = (values.overspend_reason or "").strip()
    update.actual_start = values.actual_start
    update.actual_end = values.actual_end
    update.subproject_id = values.subproject_id
    update.corrects_id = values.corrects_id


def create_draft(
    actor,
    record: ExecutionRecord,
    values: UpdateValues,
    now: datetime,
    *,
    files=(),
    source: str = "form",
    import_id: int | None = None,
    import_line: int | None = None,
    audit: bool = True,
) -> ExecutionUpdate:
    """Check the values and save them as a draft update (with its checked files).

    Raises InvalidUpdateSet.
    """
    evaluate(record, values)
    if values.corrects_id is not None:
        corrected = db.session.get(ExecutionUpdate, values.corrects_id)
        if (
            corrected is None
            or corrected.record_id != record.id
            or (corrected.state != "published")
        ):
            raise InvalidUpdateSet(
                [
                    InvalidUpdate(
                        _("Only a published entry of this project can be corrected.")
                    )
                ]
            )
    update = ExecutionUpdate(
        record_id=record.id,
        state="draft",
        source=source,
        import_id=import_id,
        import_line=import_line,
        created_by_id=getattr(actor, "id", None),
        created_at_dt=now,
    )
    _fill(update, values)
    if not update.service:
        update.service = record.responsible_service
    _attach(update, files)
    db.session.add(update)
    if audit:
        db.session.flush()  # the audit entry needs the id
        record_action(
            actor,
            "execution.draft",
            "execution_update",
            update.id,
            now,
            {"record_id": record.id, "source": source},
        )
    return update


def edit_draft(
    actor, update: ExecutionUpdate, values: UpdateValues, now: datetime, *, files=()
) -> ExecutionUpdate:
    """Change a draft. Published entries are never edited (NotEditable)."""
    if update.state != "draft":
        raise NotEditable(
            _("A published entry cannot be changed: publish a correction instead.")
        )
    evaluate(update.record, values)
    _fill(update, values)
    _attach(update, files)
    record_action(
        actor,
        "execution.draft_edit",
        "execution_update",
        update.id,
        now,
        {"record_id": update.record_id},
    )
    return update


def _attach(update: ExecutionUpdate, files) -> None:
    """Checked files (:func:`.files.check_file`) become attachments; each file is
    written for good only if the transaction commits."""
    for checked in files:
        fields = dict(checked)
        data, extension = fields.pop("data"), fields.pop("extension")
        stored_name = storage.stage(ATTACHMENT_AREA, data, extension)
        update.attachments.append(UpdateAttachment(**fields, stored_name=stored_name))


def discard_draft(actor, update: ExecutionUpdate, now: datetime) -> None:
    if update.state != "draft":
        raise NotEditable(
            _(
                "Only a draft can be discarded; published entries stay in "
                "the public history."
            )
        )
    update.state = "discarded"
    record_action(
        actor,
        "execution.discard",
        "execution_update",
        update.id,
        now,
        {"record_id": update.record_id},
    )


def publish(actor, update: ExecutionUpdate, now: datetime) -> ExecutionUpdate:
    """Apply a draft to its record and add it to the public history.

    The values are checked again against the record as it is now. After commit the
    follow-up job refreshes the public pages and notifies followers.
    Raises NotEditable, InvalidUpdateSet.
    """
    if update.state != "draft":
        raise NotEditable(_("This entry is already published or was discarded."))
    # Lock the record so two publications of the same project apply one at a time.
    db.session.execute(
        select(ExecutionRecord.id)
        .where(ExecutionRecord.id == update.record_id)
        .with_for_update()
    )
    record = db.session.get(ExecutionRecord, update.record_id)
    db.session.refresh(record)
    outcome = evaluate(record, UpdateValues.of(update))
    _apply(record, outcome, now)
    update.state = "published"
    update.published_at_dt = now
    update.published_by_id = getattr(actor, "id", None)
    update.status_after = outcome.status.key
    update.progress_after = record.progress
    update.committed_after, update.spent_after = record.committed, record.spent
    db.session.flush()
    execution_updated.send(record.project_id, update_id=update.id, now=now)
    record_action(
        actor,
        "execution.publish",
        "execution_update",
        update.id,
        now,
        {
            "record_id": record.id,
            "status": record.status_key,
            "progress": record.progress,
            "committed": record.committed,
            "spent": record.spent,
        },
    )
    enqueue_after_commit(
        "jobs.accountability.publish_followup", update.id, queue=FOLLOWUP_QUEUE, retry=3
    )
    return update


def _apply(record: ExecutionRecord, outcome: Outcome, now: datetime) -> None:
    """Give the record (or the sub-project) the values of a checked update."""
    if outcome.subproject is not None:
        outcome.subproject.status_key = outcome.status.key
        outcome.subproject.progress = outcome.progress
        record.progress = outcome.record_progress
    else:
        record.status_key = outcome.status.key
        record.progress = outcome.progress
        record.status_reason = outcome.reason if outcome.status.needs_reason else ""
    record.committed, record.spent = outcome.committed, outcome.spent
    record.overspend_reason = outcome.overspend_reason
    record.actual_start, record.actual_end = outcome.actual_start, outcome.actual_end
    completed = outcome.status.key == "completed" and outcome.subproject is None
    if completed and record.actual_end is None:
        record.actual_end = to_local_day(now)
    if record.status_key in ("completed", "cancelled"):
        record.overdue_since = None
    record.updated_at_dt = now


def published_history(record_id: int) -> list[ExecutionUpdate]:
    return published_histories([record_id]).get(record_id, [])


def published_histories(record_ids: list[int]) -> dict[int, list[ExecutionUpdate]]:
    """{record id: its published entries, newest first}, with their
    attachments, subprojects and corrected entries: a constant number of
    statements for any number of records (open data, the API)."""
    histories: dict[int, list[ExecutionUpdate]] = {}
    if not record_ids:
        return histories
    rows = db.session.scalars(
        select(ExecutionUpdate)
        .where(
            ExecutionUpdate.record_id.in_(record_ids),
            ExecutionUpdate.state == "published",
        )
        .options(
            selectinload(ExecutionUpdate.attachments),
            selectinload(ExecutionUpdate.subproject),
            selectinload(ExecutionUpdate.corrects),
        )
        .order_by(ExecutionUpdate.published_at_dt.desc(), ExecutionUpdate.id.desc())
    )
    for update in rows:
        histories.setdefault(update.record_id, []).append(update)
    return histories
