"""Reading information requests: the public register, staff lists, indicators and
open data. Nothing here returns personal data."""

from datetime import date, datetime
from statistics import median

from sqlalchemy import select

from pbvote.core.time import covering, split_by_span, to_local_day
from pbvote.extensions import db
from pbvote.inforequests.models import InfoRequest


def register_query(commune_id: int, status: str = ""):
    query = select(InfoRequest).where(InfoRequest.commune_id == commune_id)
    if status in ("received", "answered", "refused"):
        query = query.where(InfoRequest.status == status)
    return query.order_by(InfoRequest.received_at_dt.desc(), InfoRequest.id.desc())


def staff_query(commune_id: int, status: str = "", today: date | None = None):
    query = select(InfoRequest).where(InfoRequest.commune_id == commune_id)
    if status == "overdue" and today is not None:
        query = query.where(
            InfoRequest.status == "received", InfoRequest.due_on < today
        )
    elif status:
        query = query.where(InfoRequest.status == status)
    # Open requests first, the nearest deadline on top.
    return query.order_by(
        InfoRequest.status != "received", InfoRequest.due_on, InfoRequest.id.desc()
    )


def indicators(
    commune_id: int, start: datetime | None = None, end: datetime | None = None
) -> dict:
    """The charter's right-to-information indicators: requests received, answered,
    refused, the share closed, the share closed within the legal deadline, and the
    average working days to close. ``start``/``end`` bound the receipt moment."""
    return _indicators(_received(commune_id, start, end))


def indicators_by_period(commune_id: int, spans) -> list[dict]:
    """:func:`indicators` for each ``(start, end)`` of ``spans``, from one read
    of the requests received from the first start to the last end."""
    rows = _received(commune_id, *covering(spans))
    return [
        _indicators(part)
        for part in split_by_span(rows, spans, lambda r: r.received_at_dt)
    ]


def _received(commune_id: int, start, end) -> list[InfoRequest]:
    filters = [InfoRequest.commune_id == commune_id]
    if start is not None:
        filters.append(InfoRequest.received_at_dt >= start)
    if end is not None:
        filters.append(InfoRequest.received_at_dt < end)
    return db.session.scalars(select(InfoRequest).where(*filters)).all()


def _indicators(rows: list[InfoRequest]) -> dict:
    closed = [r for r in rows if not r.is_open]
    on_time = [r for r in closed if to_local_day(r.closed_at_dt) <= r.due_on]
    taken = [r.working_days_taken for r in closed]
    return {
        "received": len(rows),
        "answered": sum(r.status == "answered" for r in rows),
        "refused": sum(r.status == "refused" for r in rows),
        "urgent": sum(r.urgent for r in rows),
        "response_rate": len(closed) / len(rows) if rows else None,
        "on_time_rate": len(on_time) / len(closed) if closed else None,
        "average_working_days": sum(taken) / len(taken) if taken else None,
        "median_working_days": median(taken) if taken else None,
    }


def request_json(r: InfoRequest) -> dict:
    """A register row: no name, address, ID number or contact."""
    return {
        "tracking_number": r.tracking_number,
        "subject": r.subject,
        "channel": r.channel,
        "urgent": r.urgent,
        "status": r.status,
        "received_at": r.received_at_dt.isoformat(),
        "due_on": r.due_on.isoformat(),
        "extended": r.extended_at_dt is not None,
        "extension_reason": r.extension_reason,
        "closed_at": r.closed_at_dt.isoformat() if r.closed_at_dt else None,
        "working_days_taken": r.working_days_taken,
        "answer": r.answer,
        "refusal_ground": r.refusal_ground,
        "explanation": r.explanation,
        "documents": [d.filename for d in r.documents],
    }
