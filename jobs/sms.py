"""Text-message jobs."""

from pbvote.core.jobs import enqueue_after_commit
from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.sms import services
from pbvote.sms.backends import SmsSendError


def deliver_sms(*message_ids: int) -> str:
    """Deliver messages to one number in order, each in its own transaction (a
    voter's receipts are one job). A failure is committed as 'failed' then
    re-raised so that RQ retries the job; the retry skips the messages already
    sent (a sent message is not resent) and the later ones wait, still 'queued',
    so the order holds."""
    statuses = []
    for message_id in message_ids:
        try:
            statuses.append(services.deliver_sms(message_id, utcnow()))
        except SmsSendError:
            db.session.commit()
            raise
        db.session.commit()
    return " ".join(statuses)


def retry_failed_sms() -> int:
    """Queue another delivery for every failed or stuck message."""
    ids = services.failed_message_ids()
    for message_id in ids:
        enqueue_after_commit(
            "jobs.sms.deliver_sms",
            message_id,
            queue="sms",
            retry=5,
            **services.SENSITIVE_JOB_OPTIONS,
        )
    db.session.commit()
    return len(ids)
