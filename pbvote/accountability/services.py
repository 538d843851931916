"""Execution of the winning projects: records, drafts and the append-only published
history, residents' voice. Follow-up snapshots live in :mod:`.followup`, reports in
:mod:`.reports`, CSV import in :mod:`.imports`, files in :mod:`.files`.

Services take the actor, objects and ``now``; they never commit (they flush only to
get ids, said where they do).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from pbvote.accountability.errors import (
    InvalidRecord,
    InvalidUpdate,
    InvalidUpdateSet,
    NotAllowed,
    NotEditable,
)
from pbvote.accountability.models import (
    ExecutionRecord,
    ExecutionStatus,
    ExecutionUpdate,
    Follow,
    Milestone,
    Question,
    Rating,
    SubProject,
    UpdateAttachment,
)
from pbvote.audit.services import record_action
from pbvote.core import ratelimit
from pbvote.core.i18n import format_mad
from pbvote.core.jobs import enqueue_after_commit
from pbvote.extensions import db

# key, Arabic, French, English, default progress (None: keep), needs a public reason,
# final. Statuses are data (the table); this list seeds it.
DEFAULT_STATUSES = (
    ("planned", "مبرمج", "Programmé", "Planned", 0, False, False),
    ("studies", "في طور الدراسات", "Études", "Studies", 10, False, False),
    ("tendering", "طلب العروض", "Appel d'offres", "Tendering", 20, False, False),
    ("contracted", "تم التعاقد", "Marché attribué", "Contracted", 30, False, False),
    ("works", "الأشغال جارية", "Travaux en cours", "Works under way", 50, False, False),
    ("completed", "منجز", "Achevé", "Completed", 100, False, True),
    ("delayed", "متأخر", "En retard", "Delayed", None, True, False),
    ("suspended", "متوقف", "Suspendu", "Suspended", None, True, False),
    ("cancelled", "ملغى", "Annulé", "Cancelled", None, True, True),
)
FOLLOWUP_QUEUE = "followup"
MAX_TEXT = 4000
MAX_MAD = 10**12


def ensure_statuses() -> None:
    """Insert the default statuses that are missing (idempotent; never commits)."""
    present = set(db.session.scalars(select(ExecutionStatus.key)))
    for position, (key, ar, fr, en, share, reason, final) in enumerate(
        DEFAULT_STATUSES
    ):
        if key not in present:
            db.session.add(
                ExecutionStatus(
                    key=key,
                    position=position,
                    label_ar=ar,
                    label_fr=fr,
                    label_en=en,
                    default_progress=share,
                    needs_reason=reason,
                    is_final=final,
                )
            )
    db.session.flush()  # records reference the statuses by key


def statuses() -> list[ExecutionStatus]:
    rows = list(
        db.session.scalars(select(ExecutionStatus).order_by(ExecutionStatus.position))
    )
    if not rows:
        ensure_statuses()
        rows = list(
            db.session.scalars(
                select(ExecutionStatus).order_by(ExecutionStatus.position)
            )
        )
    return rows


def save_status(
    actor,
    status: ExecutionStatus,
    *,
    label_ar: str,
    label_fr: str,
    label_en: str,
    default_progress: int | None,
    now: datetime,
) -> None:
    """Rename a status or change the progress share it implies. Completed stays at
    100 % and the statuses that need a reason keep the current progress.
    Raises InvalidRecord."""
    if not (label_ar or "").strip() or not (label_fr or "").strip():
        raise InvalidRecord(
            _("Give the status a name in Arabic and in French."), "label_ar"
        )
    if status.key == "completed" and default_progress != 100:
        raise InvalidRecord(
            _("A completed project is always at 100 %."), "default_progress"
        )
    if status.needs_reason and default_progress is not None:
        raise InvalidRecord(
            _("This status keeps the progress the project had: leave the share empty."),
            "default_progress",
        )
    if default_progress is not None and not 0 <= default_progress <= 100:
        raise InvalidRecord(_("Give a share between 0 and 100 %."), "default_progress")
    before = {"label_fr": status.label_fr, "default_progress": status.default_progress}
    status.label_ar, status.label_fr = label_ar.strip(), label_fr.strip()
    status.label_en = (label_en or "").strip()
    status.default_progress = default_progress
    record_action(
        actor,
        "execution.status_edit",
        "execution_status",
        status.key,
        now,
        {
            "before": before,
            "label_fr": status.label_fr,
            "default_progress": default_progress,
        },
    )


def status_by_key(key: str | None) -> ExecutionStatus | None:
    return db.session.get(ExecutionStatus, key) if key else None


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
    ensure_statuses()
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


# ---------------------------------------------------------------- update values


@dataclass
class UpdateValues:
    """What an update asks for; ``None`` leaves a value as it is."""

    body_ar: str = ""
    body_fr: str = ""
    service: str = ""
    status_key: str | None = None
    reason: str = ""
    progress: int | None = None
    committed: int | None = None
    spent: int | None = None
    overspend_reason: str = ""
    actual_start: date | None = None
    actual_end: date | None = None
    subproject_id: int | None = None
    corrects_id: int | None = None
    extra_errors: list = field(default_factory=list)

    @classmethod
    def of(cls, update: ExecutionUpdate) -> "UpdateValues":
        return cls(
            body_ar=update.body_ar,
            body_fr=update.body_fr,
            service=update.service,
            status_key=update.status_key,
            reason=update.reason,
            progress=update.progress,
            committed=update.committed,
            spent=update.spent,
            overspend_reason=update.overspend_reason,
            actual_start=update.actual_start,
            actual_end=update.actual_end,
            subproject_id=update.subproject_id,
            corrects_id=update.corrects_id,
        )


@dataclass
class Outcome:
    """The values the record (or sub-project) has once the update is applied."""

    status: ExecutionStatus
    progress: int
    committed: int
    spent: int
    reason: str
    overspend_reason: str
    actual_start: date | None
    actual_end: date | None
    subproject: SubProject | None
    record_progress: int


def evaluate(record: ExecutionRecord, values: UpdateValues) -> Outcome:
    """Check ``values`` against the record as it is now and return the outcome.

    Raises InvalidUpdateSet with every problem found (each an InvalidUpdate naming
    its field), so a form or a CSV row reports them all at once.
    """
    errors = list(values.extra_errors)
    subproject = None
    if values.subproject_id is not None:
        subproject = next(
            (p for p in record.subprojects if p.id == values.subproject_id), None
        )
        if subproject is None:
            errors.append(
                InvalidUpdate(
                    _("Choose one of this project's sub-projects."), "subproject_id"
                )
            )
    target_status = subproject.status if subproject else record.status
    target_progress = subproject.progress if subproject else record.progress
    status = target_status
    if values.status_key:
        status = status_by_key(values.status_key)
        if status is None:
            errors.append(
                InvalidUpdate(
                    _(
                        "“%(status)s” is not a known status. Use one of: %(keys)s.",
                        status=values.status_key,
                        keys=", ".join(s.key for s in statuses()),
                    ),
                    "status_key",
                )
            )
            status = target_status
    progress = target_progress
    if values.progress is not None:
        if not 0 <= values.progress <= 100:
            errors.append(
                InvalidUpdate(
                    _(
                        "Progress must be between 0 and 100 %%; you gave %(value)s.",
                        value=values.progress,
                    ),
                    "progress",
                )
            )
        elif subproject is None and record.subprojects:
            errors.append(
                InvalidUpdate(
                    _(
                        "This project's progress comes from its "
                        "sub-projects: choose the sub-project the "
                        "progress is about."
                    ),
                    "progress",
                )
            )
        else:
            progress = values.progress
    elif (
        values.status_key
        and status.default_progress is not None
        and (not record.subprojects or subproject is not None)
    ):
        progress = status.default_progress
    status_changed = status.key != target_status.key
    reason = (values.reason or "").strip()
    if status.needs_reason and not reason:
        if status_changed or not (record.status_reason or "").strip():
            errors.append(
                InvalidUpdate(
                    _(
                        "The status “%(status)s” needs a public reason: say why.",
                        status=status_label(status),
                    ),
                    "reason",
                )
            )
        else:
            reason = record.status_reason
    committed = record.committed if values.committed is None else values.committed
    spent = record.spent if values.spent is None else values.spent
    for name, amount in (("committed", values.committed), ("spent", values.spent)):
        if amount is not None and amount < 0:
            errors.append(InvalidUpdate(_("Amounts cannot be negative."), name))
        elif amount is not None and amount > MAX_MAD:
            errors.append(
                InvalidUpdate(
                    _(
                        "%(amount)s is not a plausible amount.",
                        amount=format_mad(amount),
                    ),
                    name,
                )
            )
            committed = record.committed if name == "committed" else committed
            spent = record.spent if name == "spent" else spent
    overspend_reason = (
        values.overspend_reason or ""
    ).strip() or record.overspend_reason
    if (
        spent > record.allocated or committed > record.allocated
    ) and not overspend_reason:
        errors.append(
            InvalidUpdate(
                _(
                    "%(amount)s is above the %(allocated)s allocated by the vote: give "
                    "the public reason for the overrun.",
                    amount=format_mad(max(spent, committed)),
                    allocated=format_mad(record.allocated),
                ),
                "overspend_reason",
            )
        )
    start = values.actual_start or record.actual_start
    end = values.actual_end or record.actual_end
    if start and end and end < start:
        errors.append(
            InvalidUpdate(
                _(
                    "The end (%(end)s) cannot be before the start (%(start)s).",
                    end=end.isoformat(),
                    start=start.isoformat(),
                ),
                "actual_end",
            )
        )
    record_progress = progress if subproject is None else None
    if subproject is not None:
        parts = [
            (p.cost, progress if p.id == subproject.id else p.progress)
            for p in record.subprojects
        ]
        record_progress = round(
            sum(c * g for c, g in parts) / sum(c for c, _g in parts)
        )
    rolled_up = subproject is None and bool(record.subprojects)
    if status.key == "completed" and progress < 100 and not rolled_up:
        errors.append(
            InvalidUpdate(
                _(
                    "A completed project must be at 100 %%; the "
                    "progress would be %(value)s %%.",
                    value=progress,
                ),
                "progress",
            )
        )
    if rolled_up and status.key == "completed" and record_progress < 100:
        errors.append(
            InvalidUpdate(
                _(
                    "The project cannot be completed while its "
                    "sub-projects are at %(value)s %%.",
                    value=record_progress,
                ),
                "status_key",
            )
        )
    nothing = (
        values.status_key is None
        and values.progress is None
        and values.committed is None
        and values.spent is None
        and values.actual_start is None
        and values.actual_end is None
        and not (values.body_ar or "").strip()
        and not (values.body_fr or "").strip()
    )
    if nothing:
        errors.append(
            InvalidUpdate(
                _("This update changes nothing: write a text or give a new value."),
                "body_ar",
            )
        )
    for name in ("body_ar", "body_fr"):
        if len(getattr(values, name) or "") > MAX_TEXT:
            errors.append(
                InvalidUpdate(
                    _(
                        "The text is too long (at most %(max)d characters).",
                        max=MAX_TEXT,
                    ),
                    name,
                )
            )
    if errors:
        raise InvalidUpdateSet(errors)
    return Outcome(
        status,
        progress,
        committed,
        spent,
        reason,
        overspend_reason,
        start,
        end,
        subproject,
        record_progress,
    )


def status_label(status: ExecutionStatus | None) -> str:
    if status is None:
        return ""
    from pbvote.core.i18n import current_language

    try:
        code = current_language().code
    except Exception:  # noqa: BLE001 - outside a request: the commune's Arabic
        code = "ar"
    return getattr(status, f"label_{code}", "") or status.label_fr


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
    for checked in files:
        update.attachments.append(UpdateAttachment(**checked))
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
    for checked in files:
        update.attachments.append(UpdateAttachment(**checked))
    record_action(
        actor,
        "execution.draft_edit",
        "execution_update",
        update.id,
        now,
        {"record_id": update.record_id},
    )
    return update


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
    if (
        outcome.status.key == "completed"
        and outcome.subproject is None
        and (record.actual_end is None)
    ):
        from pbvote.core.forms import to_local_day

        record.actual_end = to_local_day(now)
    if record.status_key in ("completed", "cancelled"):
        record.overdue_since = None
    record.updated_at_dt = now
    update.state = "published"
    update.published_at_dt = now
    update.published_by_id = getattr(actor, "id", None)
    update.status_after = outcome.status.key
    update.progress_after = record.progress
    update.committed_after, update.spent_after = record.committed, record.spent
    db.session.flush()
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


def published_history(record_id: int) -> list[ExecutionUpdate]:
    return list(
        db.session.scalars(
            select(ExecutionUpdate)
            .where(
                ExecutionUpdate.record_id == record_id,
                ExecutionUpdate.state == "published",
            )
            .order_by(ExecutionUpdate.published_at_dt.desc(), ExecutionUpdate.id.desc())
        )
    )


# ---------------------------------------------------------------- record details


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


# ---------------------------------------------------------------- residents' voice


def follow(user, record: ExecutionRecord, sms_opt_in: bool, now: datetime) -> Follow:
    row = db.session.scalar(
        select(Follow).where(Follow.record_id == record.id, Follow.user_id == user.id)
    )
    if row is None:
        row = Follow(record_id=record.id, user_id=user.id, created_at_dt=now)
        db.session.add(row)
    row.sms_opt_in = bool(sms_opt_in)
    return row


def unfollow(user, record: ExecutionRecord) -> None:
    row = db.session.scalar(
        select(Follow).where(Follow.record_id == record.id, Follow.user_id == user.id)
    )
    if row is not None:
        db.session.delete(row)


def following(user, record: ExecutionRecord) -> Follow | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(Follow).where(Follow.record_id == record.id, Follow.user_id == user.id)
    )


QUESTIONS_PER_DAY = 5


def ask_question(user, record: ExecutionRecord, body: str, now: datetime) -> Question:
    """A public question to the commune. Raises NotAllowed (too many today)."""
    body = (body or "").strip()
    if len(body) < 10:
        raise NotAllowed(_("Write your question in at least 10 characters."))
    if len(body) > 1000:
        raise NotAllowed(_("Your question is too long (at most 1000 characters)."))
    try:
        ratelimit.check_and_hit(
            "exec-question", str(user.id), QUESTIONS_PER_DAY, timedelta(days=1), now
        )
    except ratelimit.RateLimited:
        raise NotAllowed(
            _(
                "You have asked %(n)d questions today: please wait until tomorrow.",
                n=QUESTIONS_PER_DAY,
            )
        )
    question = Question(
        record_id=record.id, user_id=user.id, body=body, asked_at_dt=now
    )
    db.session.add(question)
    return question


def answer_question(
    actor, question: Question, answer: str, service: str, now: datetime
) -> None:
    answer = (answer or "").strip()
    if len(answer) < 2:
        raise NotAllowed(_("Write the answer."))
    if len(answer) > MAX_TEXT:
        raise NotAllowed(
            _("The answer is too long (at most %(max)d characters).", max=MAX_TEXT)
        )
    first = not question.answered_at_dt
    question.answer = answer
    question.answer_service = (service or "").strip()[:160]
    question.answered_by_id = actor.id
    question.answered_at_dt = now
    record_action(
        actor,
        "execution.answer" if first else "execution.answer_edit",
        "execution_question",
        question.id,
        now,
        {"record_id": question.record_id},
    )


def hide_question(actor, question: Question, reason: str, now: datetime) -> None:
    """Moderation: the question's text is no longer shown; the public sees that it
    was hidden and why. Raises NotAllowed (no reason)."""
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise NotAllowed(_("Say publicly why the question is hidden."))
    question.hidden_at_dt, question.hidden_by_id = now, actor.id
    question.hidden_reason = reason[:200]
    record_action(
        actor,
        "execution.question_hide",
        "execution_question",
        question.id,
        now,
        {"record_id": question.record_id, "reason": question.hidden_reason},
    )


def rate(
    user,
    record: ExecutionRecord,
    score: int | None,
    take_part_again: bool | None,
    now: datetime,
) -> Rating:
    """Satisfaction with a completed project; a resident may change their rating."""
    if record.status_key != "completed":
        raise NotAllowed(_("You can rate this project once it is completed."))
    if score is None or not 1 <= score <= 5:
        raise NotAllowed(_("Choose a score from 1 to 5."))
    if take_part_again is None:
        raise NotAllowed(_("Say whether you would take part again."))
    row = db.session.scalar(
        select(Rating).where(Rating.record_id == record.id, Rating.user_id == user.id)
    )
    if row is None:
        row = Rating(record_id=record.id, user_id=user.id, created_at_dt=now)
        db.session.add(row)
    row.score, row.take_part_again, row.updated_at_dt = score, take_part_again, now
    enqueue_after_commit(
        "jobs.accountability.refresh_record", record.id, queue=FOLLOWUP_QUEUE
    )
    return row


def rating_summary(record_ids=None) -> dict:
    query = select(
        func.count(Rating.id),
        func.avg(Rating.score),
        func.sum(func.cast(Rating.take_part_again, db.Integer)),
    )
    if record_ids is not None:
        query = query.where(Rating.record_id.in_(list(record_ids)))
    count, average, again = db.session.execute(query).one()
    return {
        "count": int(count or 0),
        "average": round(float(average), 2) if average is not None else None,
        "again": int(again or 0),
        "again_share": round(100 * int(again or 0) / count) if count else None,
    }
