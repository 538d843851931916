"""Queueing and delivering text messages."""

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from pbvote.core.jobs import enqueue_after_commit
from pbvote.core.security import open_secret, seal_secret
from pbvote.extensions import db
from pbvote.sms.backends import SmsSendError, backend_from_config
from pbvote.sms.models import SmsMessage

SEAL = "sms-body"


def queue_sms(
    to: str,
    body: str,
    now: datetime,
    *,
    purpose: str,
    commune_id: int | None = None,
    sensitive: bool = False,
    dedupe_key: str | None = None,
) -> SmsMessage:
    """Store a message and deliver it in a job after commit.

    With ``dedupe_key``, a message already stored under that key is returned
    instead of a second one: a notification is sent once even if its job runs twice.
    """
    if dedupe_key:
        existing = db.session.scalar(
            select(SmsMessage).where(SmsMessage.dedupe_key == dedupe_key)
        )
        if existing:
            return existing
    message = SmsMessage(
        to_phone=to,
        body_enc=seal_secret(SEAL, body),
        purpose=purpose,
        commune_id=commune_id,
        sensitive=sensitive,
        dedupe_key=dedupe_key,
        created_at_dt=now,
        status="queued",
    )
    db.session.add(message)
    db.session.flush()  # the job needs the id
    enqueue_after_commit("jobs.sms.deliver_sms", message.id, queue="sms", retry=5)
    return message


def deliver_sms(message_id: int, now: datetime) -> SmsMessage | None:
    """Send one stored message through the configured backend.

    Already sent: nothing happens (safe to run twice). On failure the message is
    marked 'failed' with the error and SmsSendError is raised so the job retries.
    """
    message = db.session.get(SmsMessage, message_id, with_for_update=True)
    if message is None or message.status == "sent":
        return message
    message.attempts += 1
    try:
        backend_from_config(current_app.config).send(
            message.to_phone, open_secret(SEAL, message.body_enc), now
        )
    except SmsSendError as exc:
        message.status = "failed"
        message.last_error = str(exc)[:300]
        raise
    message.status = "sent"
    message.sent_at_dt = now
    message.last_error = None
    if message.sensitive:
        message.body_enc = None  # a delivered one-time code has no reason to stay
    return message


def failed_message_ids(limit: int = 500) -> list[int]:
    return list(
        db.session.scalars(
            select(SmsMessage.id)
            .where(SmsMessage.status.in_(("failed", "queued")))
            .order_by(SmsMessage.id)
            .limit(limit)
        )
    )
