"""Recording and reading the audit trail."""

from datetime import datetime

from sqlalchemy import select

from pbvote.audit.models import AuditEntry
from pbvote.extensions import db


def record_action(
    actor,
    action: str,
    target_type: str,
    target_id,
    now: datetime,
    details: dict | None = None,
) -> AuditEntry:
    """Add an audit entry in the caller's transaction (so it commits with the change).

    ``actor`` is a staff User, or None for the system (jobs, CLI).
    """
    entry = AuditEntry(
        commune_id=getattr(actor, "commune_id", None),
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "username", None) or "system",
        actor_roles=",".join(sorted(getattr(actor, "role_names", ()) or ()))
        or "system",
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        details=details or {},
        at_dt=now,
    )
    db.session.add(entry)
    return entry


def audit_query(
    *,
    actor: str = "",
    action: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
):
    query = select(AuditEntry).order_by(AuditEntry.at_dt.desc(), AuditEntry.id.desc())
    if actor:
        query = query.where(AuditEntry.actor_name == actor)
    if action:
        query = query.where(AuditEntry.action.startswith(action))
    if since:
        query = query.where(AuditEntry.at_dt >= since)
    if until:
        query = query.where(AuditEntry.at_dt < until)
    return query
