"""Notification jobs: idempotent (run twice, they add and send nothing new)."""

from pbvote.core.time import utcnow
from pbvote.extensions import db


def fan_out(kind, target, event_key, params, also_targets, direct_ids, sms_direct):
    """Create the notifications of one event and queue their SMS, then commit."""
    from pbvote.notifications.services import fan_out as run

    created = run(
        kind,
        [target, *also_targets],
        event_key,
        params,
        direct_ids,
        sms_direct,
        utcnow(),
    )
    db.session.commit()
    return len(created)


def send_digests() -> int:
    """The daily digest: one SMS per resident with waiting notifications."""
    from pbvote.notifications.services import send_digest, users_with_digest

    sent = 0
    for user_id in users_with_digest():
        sent += send_digest(user_id, utcnow()) == "sent"
        db.session.commit()
    return sent
