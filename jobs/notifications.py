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
    """The daily digest: one SMS and one e-mail per resident with waiting
    notifications (each as they chose). Returns how many SMS were sent."""
    from pbvote.notifications.services import (
        send_digest,
        send_email_digest,
        users_with_digest,
    )

    sent = 0
    for user_id in users_with_digest():
        sent += send_digest(user_id, utcnow()) == "sent"
        send_email_digest(user_id, utcnow())
        db.session.commit()
    return sent


def deliver_email(message_id: int) -> str:
    """Deliver one e-mail; a failure is committed as 'failed' (the staff page shows
    it) then re-raised so that RQ retries it. A sent message is not resent."""
    from pbvote.notifications.mail import MailSendError
    from pbvote.notifications.mail import deliver_email as deliver

    try:
        message = deliver(message_id, utcnow())
    except MailSendError:
        db.session.commit()
        raise
    status = message.status if message else "missing"
    db.session.commit()
    return status
