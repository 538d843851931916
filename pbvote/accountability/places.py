"""Where the projects being carried out are: the execution dashboard's map and
its list equivalent. A point comes from the proposal the project came from; the
address is the record's own location, else the proposal's."""

from sqlalchemy import select

from pbvote.accountability.models import ExecutionRecord
from pbvote.extensions import db
from pbvote.proposals.models import Project, Proposal

MAX_PLACES = 500


def located_records(commune_id: int, status: str = "", cycle_id=None) -> list[dict]:
    """The records (same filters as the dashboard's list) that have a point or an
    address, in one query."""
    query = (
        select(
            ExecutionRecord.id,
            ExecutionRecord.status_key,
            ExecutionRecord.location,
            Project.title_ar,
            Project.title_fr,
            Proposal.latitude,
            Proposal.longitude,
            Proposal.location_text,
        )
        .join(Project, Project.id == ExecutionRecord.project_id)
        .outerjoin(Proposal, Proposal.id == Project.proposal_id)
        .where(ExecutionRecord.commune_id == commune_id)
        .order_by(ExecutionRecord.id)
        .limit(MAX_PLACES)
    )
    if status:
        query = query.where(ExecutionRecord.status_key == status)
    if cycle_id:
        query = query.where(ExecutionRecord.cycle_id == cycle_id)
    places = []
    for row in db.session.execute(query):
        address = row.location or row.location_text or ""
        point = row.latitude is not None and row.longitude is not None
        if not point and not address:
            continue
        places.append(
            {
                "id": row.id,
                "status_key": row.status_key,
                "title_ar": row.title_ar,
                "title_fr": row.title_fr,
                "address": address,
                "point": f"{row.latitude},{row.longitude}" if point else None,
            }
        )
    return places
