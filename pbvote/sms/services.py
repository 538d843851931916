"""Queueing and delivering text messages."""

import json
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, delete, insert, select, update

from pbvote.core.jobs import enqueue_after_commit
from pbvote.core.security import open_secret, seal_secret
from pbvote.extensions import db
from pbvote.sms.backends import SmsSendError, backend_from_config
from pbvote.sms.models import SmsMessage
from pbvote.sms.segments import segments as count_segments

SEAL = "sms-body"
# Nobody reads an SMS job's result (the row says sent or failed, and staff see
# the rows): Redis deletes the job once it succeeds, sparing the result's writes.
SMS_JOB_OPTIONS = {"result_ttl": 0}
# Jobs of sensitive messages carry only message ids and Redis forgets them fast.
SENSITIVE_JOB_OPTIONS = {**SMS_JOB_OPTIONS, "failure_ttl": 3600}


def queue_sms(
    to: str,
    body: str,
    now: datetime,
    *,
    purpose: str,
    commune_id: int | None = None,
    sensitive: bool = False,
    dedupe_key: str | None = None,
) -> int:
    """Store a message and deliver it in a job after commit; returns its id.

    With ``dedupe_key``, a message already stored under that key is returned
    instead of a second one: a notification is sent once even if its job runs twice.
    """
    if dedupe_key:
        existing = db.session.scalar(
            select(SmsMessage.id).where(SmsMessage.dedupe_key == dedupe_key)
        )
        if existing:
            return existing
    return queue_messages(
        to,
        [body],
        now,
        purpose=purpose,
        commune_id=commune_id,
        sensitive=sensitive,
        dedupe_key=dedupe_key,
    )[0]


# A plain INSERT … RETURNING, not ORM objects flushed by the unit of work (issue 13).
_INSERT_MESSAGES = insert(SmsMessage.__table__).returning(
    SmsMessage.__table__.c.id, sort_by_parameter_order=True
)


def queue_messages(
    to: str,
    bodies: list[str],
    now: datetime,
    *,
    purpose: str,
    commune_id: int | None = None,
    sensitive: bool = False,
    dedupe_key: str | None = None,
) -> list[int]:
    """Store several messages to one number (one INSERT) and deliver them, in
    order, in ONE job after commit; returns their ids in the same order."""
    rows = message_rows(
        to,
        bodies,
        now,
        purpose=purpose,
        commune_id=commune_id,
        sensitive=sensitive,
        dedupe_key=dedupe_key,
    )
    ids = list(db.session.execute(_INSERT_MESSAGES, rows).scalars())
    deliver_after_commit(ids, purpose, sensitive)
    return ids


def message_rows(
    to: str,
    bodies: list[str],
    now: datetime,
    *,
    purpose: str,
    commune_id: int | None = None,
    sensitive: bool = False,
    dedupe_key: str | None = None,
) -> list[dict]:
    """The sms_messages rows of :func:`queue_messages` (for a caller that inserts
    them in its own statement, then calls :func:`deliver_after_commit`)."""
    # A sensitive message (a code, a vote receipt) keeps its number only inside
    # the sealed body; the row shows the last two digits, and is deleted once sent.
    return [
        {
            "to_phone": _masked(to) if sensitive else to,
            "body_enc": seal_secret(
                SEAL, json.dumps([to, body]) if sensitive else body
            ),
            "purpose": purpose,
            "commune_id": commune_id,
            "sensitive": sensitive,
            "dedupe_key": dedupe_key,
            "segments": count_segments(body),
            "created_at_dt": now,
            "status": "queued",
            "attempts": 0,
        }
        for body in bodies
    ]


def deliver_after_commit(ids: list[int], purpose: str, sensitive: bool) -> None:
    """Deliver the stored messages ``ids`` in one job after commit."""
    # One job for all: a voter's receipts cost one job, not one each.
    enqueue_after_commit(
        "jobs.sms.deliver_sms",
        *ids,
        queue="sms",
        retry=5,
        at_front=is_code(purpose),
        **(SENSITIVE_JOB_OPTIONS if sensitive else SMS_JOB_OPTIONS),
    )


def is_code(purpose: str) -> bool:
    """A sign-in or voting code (``otp-…``): someone is waiting for it on a page,
    so its job goes to the front of the sms queue, before receipts and
    notifications queued earlier."""
    return purpose.startswith("otp-")


def _masked(phone: str) -> str:
    return "…" + phone[-2:]


def recipient_and_body(
    to_phone: str, body_enc: bytes, sensitive: bool
) -> tuple[str, str]:
    plain = open_secret(SEAL, body_enc)
    if sensitive:
        to, body = json.loads(plain)
        return to, body
    return to_phone, plain


_MESSAGES = SmsMessage.__table__
_LOCK_MESSAGE = (
    select(
        _MESSAGES.c.status,
        _MESSAGES.c.sensitive,
        _MESSAGES.c.to_phone,
        _MESSAGES.c.body_enc,
    )
    .where(_MESSAGES.c.id == bindparam("id"))
    .with_for_update()
)


def deliver_sms(message_id: int, now: datetime) -> str:
    """Send one stored message through the configured backend; returns 'sent', or
    'missing' for a message gone (a sensitive one deleted once sent).

    Already sent or gone: nothing happens (safe to run twice). On failure the
    message is marked 'failed' with the error and SmsSendError is raised so the
    job retries. A sensitive message is deleted once sent: a code or a receipt
    has no reason to stay, and its row would tie a phone to a moment (a challenge
    that named it forgets it by the foreign key's ON DELETE SET NULL). Plain
    statements, no ORM object: the worker runs this for every message.
    """
    row = db.session.execute(_LOCK_MESSAGE, {"id": message_id}).one_or_none()
    if row is None:
        return "missing"
    if row.status == "sent":
        return "sent"
    to, body = recipient_and_body(row.to_phone, row.body_enc, row.sensitive)
    this = _MESSAGES.c.id == message_id
    attempts = _MESSAGES.c.attempts + 1
    try:
        backend_from_config(current_app.config).send(to, body, now)
    except SmsSendError as exc:
        db.session.execute(
            update(_MESSAGES)
            .where(this)
            .values(attempts=attempts, status="failed", last_error=str(exc)[:300])
        )
        raise
    if row.sensitive:
        db.session.execute(delete(_MESSAGES).where(this))
    else:
        db.session.execute(
            update(_MESSAGES)
            .where(this)
            .values(attempts=attempts, status="sent", sent_at_dt=now, last_error=None)
        )
    return "sent"


def failed_message_ids(limit: int = 500) -> list[int]:
    return list(
        db.session.scalars(
            select(SmsMessage.id)
            .where(SmsMessage.status.in_(("failed", "queued")))
            .order_by(SmsMessage.id)
            .limit(limit)
        )
    )


def monthly_usage(commune_id: int, now: datetime, months: int = 12) -> list[dict]:
    """Messages, segments and their cost per month (the commune's calendar), the
    latest month first, over the last ``months`` months. Cost: segments times
    ``SMS_SEGMENT_COST_MAD``."""
    from decimal import Decimal

    from pbvote.core.time import commune_zone

    zone = commune_zone()
    local = now.astimezone(zone)
    first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    rows = db.session.execute(
        select(SmsMessage.created_at_dt, SmsMessage.segments).where(
            SmsMessage.commune_id == commune_id, SmsMessage.created_at_dt >= first
        )
    )
    price = Decimal(str(current_app.config["SMS_SEGMENT_COST_MAD"]))
    usage: dict[tuple, dict] = {}
    for created, count in rows:
        moment = created.astimezone(zone)
        month = usage.setdefault(
            (moment.year, moment.month),
            {"year": moment.year, "month": moment.month, "messages": 0, "segments": 0},
        )
        month["messages"] += 1
        month["segments"] += count
    for month in usage.values():
        month["cost"] = price * month["segments"]
    return [usage[key] for key in sorted(usage, reverse=True)]
