"""Read-only queries of the accountability pages: lists, counts and the rows a page
shows next to its main object. Views call these; nothing here writes."""

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from pbvote.accountability.models import (
    AccountabilityReport,
    ExecutionImport,
    ExecutionRecord,
    ExecutionUpdate,
    Question,
    Rating,
)
from pbvote.cycles.models import Cycle
from pbvote.extensions import db


def records_query(commune_id: int, status: str = "", cycle_id: int | None = None):
    """The commune's records, newest cycle first, optionally of one status/cycle
    (a select to paginate)."""
    query = select(ExecutionRecord).where(ExecutionRecord.commune_id == commune_id)
    if status:
        query = query.where(ExecutionRecord.status_key == status)
    if cycle_id is not None:
        query = query.where(ExecutionRecord.cycle_id == cycle_id)
    loads = selectinload(ExecutionRecord.project), selectinload(ExecutionRecord.cycle)
    return query.options(*loads).order_by(
        ExecutionRecord.cycle_id.desc(), ExecutionRecord.id
    )


def cycles_with_records(commune_id: int) -> list[Cycle]:
    return list(
        db.session.scalars(
            select(Cycle)
            .where(
                Cycle.id.in_(
                    select(ExecutionRecord.cycle_id).where(
                        ExecutionRecord.commune_id == commune_id
                    )
                )
            )
            .order_by(Cycle.year.desc())
        )
    )


def record_questions_query(record_id: int):
    return (
        select(Question)
        .where(Question.record_id == record_id)
        .order_by(Question.asked_at_dt.desc(), Question.id.desc())
    )


def rating_of(user, record_id: int) -> Rating | None:
    """A resident's own rating of a record (None for anyone else)."""
    if user is None or user.kind != "resident":
        return None
    return db.session.scalar(
        select(Rating).where(Rating.record_id == record_id, Rating.user_id == user.id)
    )


def reports_query(commune_id: int):
    return (
        select(AccountabilityReport)
        .where(AccountabilityReport.commune_id == commune_id)
        .order_by(
            AccountabilityReport.period_end.desc(), AccountabilityReport.id.desc()
        )
    )


def record_loads() -> tuple:
    """What the open data and the API show of each record besides its history
    (built when called: loader options configure the mappers, which needs every
    domain's models imported)."""
    return (
        selectinload(ExecutionRecord.project),
        selectinload(ExecutionRecord.cycle),
        selectinload(ExecutionRecord.milestones),
        selectinload(ExecutionRecord.subprojects),
    )


def records_by_id_query(commune_id: int):
    """The commune's records in the order of their ids (open data, the API),
    with what :func:`pbvote.accountability.followup.records_data` reads."""
    return (
        select(ExecutionRecord)
        .where(ExecutionRecord.commune_id == commune_id)
        .options(*record_loads())
        .order_by(ExecutionRecord.id)
    )


def all_records(commune_id: int) -> list[ExecutionRecord]:
    return list(db.session.scalars(records_by_id_query(commune_id)))


def draft_counts(commune_id: int) -> dict[int, int]:
    """{record id: number of drafts} for the commune's records."""
    return dict(
        db.session.execute(
            select(ExecutionUpdate.record_id, func.count(ExecutionUpdate.id))
            .join(ExecutionRecord, ExecutionRecord.id == ExecutionUpdate.record_id)
            .where(
                ExecutionUpdate.state == "draft",
                ExecutionRecord.commune_id == commune_id,
            )
            .group_by(ExecutionUpdate.record_id)
        ).all()
    )


def overdue_records(commune_id: int) -> list[ExecutionRecord]:
    return list(
        db.session.scalars(
            select(ExecutionRecord)
            .where(
                ExecutionRecord.commune_id == commune_id,
                ExecutionRecord.overdue_since.is_not(None),
            )
            .order_by(ExecutionRecord.planned_end)
        )
    )


def unanswered_count(commune_id: int) -> int:
    return db.session.scalar(
        select(func.count(Question.id))
        .join(ExecutionRecord)
        .where(
            ExecutionRecord.commune_id == commune_id, Question.answered_at_dt.is_(None)
        )
    )


def recent_imports(commune_id: int, limit: int = 5) -> list[ExecutionImport]:
    return list(
        db.session.scalars(
            select(ExecutionImport)
            .where(ExecutionImport.commune_id == commune_id)
            .order_by(ExecutionImport.id.desc())
            .limit(limit)
        )
    )


def record_drafts(record_id: int) -> list[ExecutionUpdate]:
    return list(
        db.session.scalars(
            select(ExecutionUpdate)
            .where(
                ExecutionUpdate.record_id == record_id,
                ExecutionUpdate.state == "draft",
            )
            .order_by(ExecutionUpdate.id)
        )
    )


def import_drafts(import_id: int) -> list[ExecutionUpdate]:
    return list(
        db.session.scalars(
            select(ExecutionUpdate)
            .where(
                ExecutionUpdate.import_id == import_id,
                ExecutionUpdate.state == "draft",
            )
            .order_by(ExecutionUpdate.import_line)
        )
    )


def staff_questions_query(commune_id: int, open_only: bool):
    query = (
        select(Question)
        .join(ExecutionRecord)
        .where(ExecutionRecord.commune_id == commune_id)
    )
    if open_only:
        query = query.where(Question.answered_at_dt.is_(None))
    return query.order_by(Question.asked_at_dt, Question.id)


def published_update(record_id: int, update_id: int) -> ExecutionUpdate | None:
    """A published entry of that record (one that a correction may correct)."""
    update = db.session.get(ExecutionUpdate, update_id)
    if update is None or update.record_id != record_id:
        return None
    return update if update.state == "published" else None
