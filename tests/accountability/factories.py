"""Accountability test data: a cycle in execution with winning projects opened as
execution records, and staff."""

from pbvote.core.time import utcnow
from tests.factories import create_cycle, create_project, create_resident, create_staff


def execution_setup(committed, commune, *, costs=(400_000, 250_000), year=None) -> dict:
    """Returns plain ids: cycle, records (in cost order given), finance/admin secrets."""
    from pbvote.accountability.services import open_execution_records

    with committed():
        cycle = create_cycle(
            commune["id"],
            current_phase="execution",
            district_ids=commune["district_ids"],
            year=year,
        )
        scope = cycle.scopes[0]
        projects = [
            create_project(cycle, scope, cost, title=f"Projet {i}")
            for i, cost in enumerate(costs, start=1)
        ]
        records = open_execution_records(cycle.id, [p.id for p in projects], utcnow())
        _finance, finance_secret = create_staff(commune["id"], "fatima", ["finance"])
        _admin, admin_secret = create_staff(commune["id"], "amina", ["admin"])
        _clerk, clerk_secret = create_staff(commune["id"], "karim", ["clerk"])
        return {
            "cycle_id": cycle.id,
            "project_ids": [p.id for p in projects],
            "record_ids": [r.id for r in records],
            "finance": ("fatima", finance_secret),
            "admin": ("amina", admin_secret),
            "clerk": ("karim", clerk_secret),
        }


def resident(committed, commune, phone="+212612345678") -> int:
    with committed():
        return create_resident(commune["id"], phone=phone).id


def opened_on(session, record_ids, moment) -> None:
    """Date the records' opening (the tally that made them) to ``moment``."""
    from pbvote.accountability.models import ExecutionRecord

    for record_id in record_ids:
        session.get(ExecutionRecord, record_id).created_at_dt = moment


def published_on(
    session, record_id, moment, *, status, progress, committed=0, spent=0, reason=""
):
    """A published entry of ``record_id`` dated ``moment`` (as if published then)
    that leaves the record with these values, as services.publish does."""
    from pbvote.accountability.models import ExecutionRecord, ExecutionUpdate

    record = session.get(ExecutionRecord, record_id)
    record.status_key, record.progress = status, progress
    record.committed, record.spent, record.status_reason = committed, spent, reason
    session.add(
        ExecutionUpdate(
            record_id=record_id,
            state="published",
            status_key=status,
            reason=reason,
            body_fr="Point d'étape",
            created_at_dt=moment,
            published_at_dt=moment,
            status_after=status,
            progress_after=progress,
            committed_after=committed,
            spent_after=spent,
        )
    )
