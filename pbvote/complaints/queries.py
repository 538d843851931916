"""Reading complaints: public register, staff list, indicators, open data."""

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from pbvote.complaints.models import Complaint
from pbvote.core.time import covering, split_by_span, to_local_day
from pbvote.extensions import db


def register_query(commune_id: int, category: str = ""):
    query = (
        select(Complaint)
        .where(Complaint.commune_id == commune_id)
        .options(joinedload(Complaint.district))
    )
    if category:
        query = query.where(Complaint.category == category)
    return query.order_by(Complaint.submitted_at_dt.desc(), Complaint.id.desc())


def staff_query(commune_id: int, status: str = "", today: date | None = None):
    query = (
        select(Complaint)
        .where(Complaint.commune_id == commune_id)
        .options(joinedload(Complaint.district))
    )
    if status == "overdue" and today is not None:
        query = query.where(
            Complaint.status.in_(("submitted", "routed")), Complaint.due_on < today
        )
    elif status:
        query = query.where(Complaint.status == status)
    return query.order_by(
        Complaint.status.in_(("answered", "closed")),
        Complaint.due_on,
        Complaint.id.desc(),
    )


def indicators(
    commune_id: int,
    start: datetime | None = None,
    end: datetime | None = None,
    now: datetime | None = None,
) -> dict:
    """Complaints submitted, answered, answered in time, overdue, the response
    rate, average working days to answer and average rating (1-5)."""
    return _indicators(_submitted(commune_id, start, end), now)


def indicators_by_period(commune_id: int, spans) -> list[dict]:
    """:func:`indicators` (without ``now``) for each ``(start, end)`` of
    ``spans``, from one read of the complaints submitted from the first start
    to the last end."""
    rows = _submitted(commune_id, *covering(spans))
    return [
        _indicators(part, None)
        for part in split_by_span(rows, spans, lambda c: c.submitted_at_dt)
    ]


def _submitted(commune_id: int, start, end) -> list[Complaint]:
    filters = [Complaint.commune_id == commune_id]
    if start is not None:
        filters.append(Complaint.submitted_at_dt >= start)
    if end is not None:
        filters.append(Complaint.submitted_at_dt < end)
    return db.session.scalars(select(Complaint).where(*filters)).all()


def _indicators(rows: list[Complaint], now) -> dict:
    answered = [c for c in rows if c.is_answered]
    in_time = [c for c in answered if to_local_day(c.answered_at_dt) <= c.due_on]
    rated = [c.rating for c in rows if c.rating is not None]
    days = [c.working_days_taken for c in answered]
    today = to_local_day(now) if now else None
    return {
        "submitted": len(rows),
        "answered": len(answered),
        "answered_in_time": len(in_time),
        "overdue": sum(
            1 for c in rows if today and not c.is_answered and today > c.due_on
        ),
        "response_rate": len(answered) / len(rows) if rows else None,
        "average_working_days": sum(days) / len(days) if days else None,
        "rated": len(rated),
        "average_rating": sum(rated) / len(rated) if rated else None,
    }


def complaint_json(c: Complaint) -> dict:
    """A register row: no author, phone or photo."""
    return {
        "tracking_number": c.tracking_number,
        "category": c.category,
        "district_id": c.district_id,
        "district": c.district.name_fr,
        "description": c.description,
        "status": c.status,
        "service": c.service,
        "submitted_at": c.submitted_at_dt.isoformat(),
        "due_on": c.due_on.isoformat(),
        "answered_at": c.answered_at_dt.isoformat() if c.answered_at_dt else None,
        "working_days_taken": c.working_days_taken,
        "answer": c.answer,
        "rating": c.rating,
    }
