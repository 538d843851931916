"""Proposal jobs."""

from pbvote.core.time import utcnow
from pbvote.extensions import db


def notify_decision(proposal_id: int) -> str:
    """Queue the SMS telling the author their answer (once: the message's dedupe key
    makes a second run a no-op); the SMS job is enqueued when this commits."""
    from pbvote.notifications.author import notify_author

    message = notify_author(proposal_id, utcnow())
    db.session.commit()
    return "queued" if message else "nothing"
