"""Reading petitions: public register, staff list, deadlines, indicators, exports."""

from datetime import date, timedelta

from sqlalchemy import func, select

from pbvote.core.time import covering, split_by_span, to_local_day
from pbvote.extensions import db
from pbvote.petitions.models import PUBLIC_STATUSES, Petition
from pbvote.petitions.settings import setting

DECIDED = ("admissible", "not_admissible", "on_agenda", "decided")
ACCEPTED = ("admissible", "on_agenda", "decided")


def public_query(commune_id: int, status: str = ""):
    query = select(Petition).where(
        Petition.commune_id == commune_id, Petition.status.in_(PUBLIC_STATUSES)
    )
    if status in PUBLIC_STATUSES:
        query = query.where(Petition.status == status)
    return query.order_by(Petition.created_at_dt.desc(), Petition.id.desc())


def staff_query(commune_id: int, status: str = ""):
    query = select(Petition).where(
        Petition.commune_id == commune_id, Petition.status != "draft"
    )
    if status:
        query = query.where(Petition.status == status)
    # Petitions waiting for a decision first, the nearest deadline on top.
    return query.order_by(
        (Petition.status != "filed"),
        Petition.decision_due_on.asc().nulls_last(),
        Petition.id.desc(),
    )


def deadline_state(petition: Petition, today: date) -> str:
    """'' (no pending decision), 'ok', 'soon' (within PETITION_WARNING_DAYS) or
    'late'."""
    if petition.status != "filed" or petition.decision_due_on is None:
        return ""
    if today > petition.decision_due_on:
        return "late"
    warning = timedelta(days=setting("PETITION_WARNING_DAYS"))
    return "soon" if petition.decision_due_on - today <= warning else "ok"


def due_soon(commune_id: int, today: date) -> list[Petition]:
    """Filed petitions whose decision is late or due within the warning period."""
    limit = today + timedelta(days=setting("PETITION_WARNING_DAYS"))
    return list(
        db.session.scalars(
            select(Petition)
            .where(
                Petition.commune_id == commune_id,
                Petition.status == "filed",
                Petition.decision_due_on <= limit,
            )
            .order_by(Petition.decision_due_on)
        )
    )


def indicators(commune_id: int, start=None, end=None) -> dict:
    """Counts for the charter's indicators (section 13): petitions filed by
    citizens and by associations, decided, accepted, decided in time, and the
    average days from filing to decision. ``start``/``end`` bound the filing
    moment (aware datetimes)."""
    return _indicators(_filed(commune_id, start, end))


def indicators_by_period(commune_id: int, spans) -> list[dict]:
    """:func:`indicators` for each ``(start, end)`` of ``spans``, from one read
    of the petitions filed from the first start to the last end."""
    rows = _filed(commune_id, *covering(spans))
    return [
        _indicators(part)
        for part in split_by_span(rows, spans, lambda p: p.filed_at_dt)
    ]


def _filed(commune_id: int, start, end) -> list[Petition]:
    filters = [Petition.commune_id == commune_id, Petition.filed_at_dt.is_not(None)]
    if start is not None:
        filters.append(Petition.filed_at_dt >= start)
    if end is not None:
        filters.append(Petition.filed_at_dt < end)
    return db.session.scalars(select(Petition).where(*filters)).all()


def _indicators(rows: list[Petition]) -> dict:
    decided = [p for p in rows if p.status in DECIDED]
    in_time = [p for p in decided if to_local_day(p.decided_at_dt) <= p.decision_due_on]
    delays = [(p.decided_at_dt - p.filed_at_dt).days for p in decided]
    return {
        "filed": len(rows),
        "filed_by_citizens": sum(p.kind == "citizens" for p in rows),
        "filed_by_associations": sum(p.kind == "association" for p in rows),
        "decided": len(decided),
        "accepted": sum(p.status in ACCEPTED for p in rows),
        "decided_in_time": len(in_time),
        "response_rate": len(decided) / len(rows) if rows else None,
        "average_days_to_decision": sum(delays) / len(delays) if delays else None,
    }


def signature_counts(commune_id: int) -> int:
    from pbvote.petitions.models import PetitionSignature

    return db.session.scalar(
        select(func.count(PetitionSignature.id))
        .join(Petition, Petition.id == PetitionSignature.petition_id)
        .where(Petition.commune_id == commune_id)
    )


def petition_json(p: Petition) -> dict:
    """A public petition without personal data: no signer, no account."""
    return {
        "id": p.id,
        "kind": p.kind,
        "association": (
            {
                "id": p.association.id,
                "name_ar": p.association.name_ar,
                "name_fr": p.association.name_fr,
            }
            if p.association
            else None
        ),
        "agent": p.agent_name,
        "title": p.title,
        "request": p.request,
        "status": p.status,
        "signatures": p.signature_count,
        "threshold": p.threshold or None,
        "filed_at": p.filed_at_dt.isoformat() if p.filed_at_dt else None,
        "decision_due_on": p.decision_due_on.isoformat() if p.decision_due_on else None,
        "decided_at": p.decided_at_dt.isoformat() if p.decided_at_dt else None,
        "decision_reasons": p.decision_reasons,
        "session_on": p.session_on.isoformat() if p.session_on else None,
        "outcome": p.outcome,
        "history": [
            {"status": e.status, "at": e.at_dt.isoformat(), "note": e.note}
            for e in p.events
            if e.status != "draft"
        ],
    }
