"""Queueing and delivering text messages."""

import json
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import (
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    union_all,
    update,
)

from pbvote.core.jobs import wake_after_commit
from pbvote.core.security import open_secret, seal_secret
from pbvote.extensions import db
from pbvote.sms.backends import SmsSendError, backend_from_config
from pbvote.sms.models import SmsMessage
from pbvote.sms.segments import segments as count_segments

SEAL = "sms-body"
# One job delivers every queued message (jobs/sms.py: drain_sms): a commit that
# queues SMS only makes sure one is pending (core.jobs.wake_after_commit). The job
# carries nothing (no id, no number); Redis deletes it once done (nobody reads its
# result: the rows say sent or failed) and forgets a failed one within the hour.
# At the queue's front: a code someone waits for does not queue behind other jobs
# of the sms queue (meeting reminders); inside the drain, codes go first too.
DRAIN_JOB = "jobs.sms.drain_sms"
DRAIN_JOB_OPTIONS = {
    "queue": "sms",
    "at_front": True,
    "result_ttl": 0,
    "failure_ttl": 3600,
}
CODE_PURPOSE_PREFIX = "otp-"  # sign-in and voting codes: someone waits on a page
# A failed message is retried this long after it was queued, by the number of
# attempts made (as RQ's retries were: 10, 30, 60, 300 and 900 s apart); after
# the last, it stays 'failed' until staff retry (`pbvote sms-retry`).
RETRY_AFTER_SECONDS = (10, 40, 100, 400, 1300)
DRAIN_BATCH = 50  # messages' groups claimed per transaction


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
    """Store several messages to one number (one INSERT), delivered in order by
    the drain job woken after commit; returns their ids in the same order.

    The messages of one call are a group (same number, purpose and ``now``):
    the drain never sends one before those inserted before it (see
    :func:`claim_batch`)."""
    rows = message_rows(
        to,
        bodies,
        now,
        purpose=purpose,
        commune_id=commune_id,
        sensitive=sensitive,
        dedupe_key=dedupe_key,
    )
    return insert_messages(rows)


def insert_messages(rows: list[dict]) -> list[int]:
    """Insert :func:`message_rows` (one statement) and wake the drain after
    commit; returns the ids in the rows' order."""
    ids = list(db.session.execute(_INSERT_MESSAGES, rows).scalars())
    wake_drain()
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
    them in its own statement, then calls :func:`wake_drain`, or that gives them
    to :func:`insert_messages`)."""
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


def bound_messages(count: int, columns: tuple, where=None):
    """``INSERT INTO sms_messages … SELECT`` of ``count`` :func:`message_rows`
    rows given as bound parameters (:func:`bound_message_values`), in their
    order, so that their ids follow it (a group is sent in id order), each only
    if ``where`` holds; ``RETURNING id``. For a caller that inserts its messages
    in its own statement (as a CTE), then calls :func:`wake_drain`. One
    ``SELECT`` per row, ``UNION ALL``: a multi-row ``VALUES`` of bound
    parameters is compiled again at every execution (not cacheable)."""
    table = SmsMessage.__table__
    rows = [
        select(
            *(
                bindparam(f"sms{number}_{name}", type_=table.c[name].type)
                for name in columns
            )
        )
        for number in range(count)
    ]
    if where is not None:
        rows = [row.where(where) for row in rows]
    return (
        insert(table)
        .from_select(list(columns), rows[0] if count == 1 else union_all(*rows))
        .returning(table.c.id)
    )


def bound_message_values(rows: list[dict]) -> dict:
    """The bound parameters of :func:`bound_messages` for ``rows``."""
    return {
        f"sms{number}_{name}": value
        for number, row in enumerate(rows)
        for name, value in row.items()
    }


def wake_drain() -> None:
    """After commit, make sure a drain job is pending (one Redis command while
    one is; without Redis the drain runs in-process after the commit)."""
    wake_after_commit(DRAIN_JOB, **DRAIN_JOB_OPTIONS)


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
_WAITING = ("queued", "failed")  # not sent yet (a sent sensitive row is deleted)


def _same_group(message, other):
    """``other`` was inserted by the same queue_messages call as ``message`` (or,
    harmlessly, by another with the same number, purpose and instant)."""
    return and_(
        other.c.created_at_dt == message.c.created_at_dt,
        other.c.to_phone == message.c.to_phone,
        other.c.purpose == message.c.purpose,
    )


def _due_retry(message):
    """A failed message whose next retry has come (RETRY_AFTER_SECONDS): bound
    by :func:`_claim_parameters`."""
    return or_(
        *(
            and_(
                message.c.attempts == attempt,
                message.c.created_at_dt <= bindparam(f"retry_{attempt}_before"),
            )
            for attempt in range(1, len(RETRY_AFTER_SECONDS) + 1)
        )
    )


def _claimable(message):
    """Queued or due for a retry, not in ``skip``, and first of its group still
    unsent: a message never leaves before one inserted before it in its group
    (a voter's receipts keep their order), whichever worker holds which."""
    earlier = _MESSAGES.alias("earlier")
    return and_(
        message.c.id.not_in(bindparam("skip", expanding=True)),
        or_(
            message.c.status == "queued",
            and_(message.c.status == "failed", _due_retry(message)),
        ),
        ~exists().where(
            earlier.c.status.in_(_WAITING),
            _same_group(message, earlier),
            earlier.c.id < message.c.id,
        ),
    )


def _claim_parameters(now: datetime, skip: Iterable[int] = ()) -> dict:
    return {"skip": list(skip)} | {
        f"retry_{attempt}_before": now - timedelta(seconds=after)
        for attempt, after in enumerate(RETRY_AFTER_SECONDS, start=1)
    }


def _claim_statement():
    """Heads: up to ``size`` claimable messages, codes first, then oldest first,
    locked with SKIP LOCKED (workers draining in parallel claim different
    groups, never wait for each other). Then the rest of their groups, locked
    too: the rest of a group is no head (its first is unsent), so no other
    worker claims it and this plain FOR UPDATE never waits."""
    head = _MESSAGES.alias("head")
    is_code = head.c.purpose.startswith(CODE_PURPOSE_PREFIX)
    heads = (
        select(
            head.c.id,
            head.c.created_at_dt,
            head.c.to_phone,
            head.c.purpose,
            is_code.label("is_code"),
        )
        .where(_claimable(head))
        .order_by(is_code.desc(), head.c.id)
        .limit(bindparam("size"))
        .with_for_update(skip_locked=True)
        .cte("heads")
    )
    message = _MESSAGES
    return (
        select(
            message.c.id,
            message.c.sensitive,
            message.c.to_phone,
            message.c.body_enc,
            heads.c.id.label("head"),
        )
        .join_from(
            heads,
            message,
            and_(
                _same_group(heads, message),
                message.c.id >= heads.c.id,
                message.c.status.in_(_WAITING),
            ),
        )
        .order_by(heads.c.is_code.desc(), heads.c.id, message.c.id)
        .with_for_update(of=message)
    )


# Built once (the drain runs them for every batch; issue 13).
_CLAIM = _claim_statement()
_HAS_LATE = select(
    exists().where(
        or_(
            _MESSAGES.c.status == "failed",
            _MESSAGES.c.created_at_dt < bindparam("queued_before"),
        ),
        _claimable(_MESSAGES),
    )
)


def claim_batch(now: datetime, skip: Iterable[int] = (), size: int = DRAIN_BATCH):
    """Lock up to ``size`` groups of claimable messages (see _claim_statement);
    returns rows (id, sensitive, to_phone, body_enc, head) in the order to send
    them, ``head`` naming the group. ``skip``: ids not to claim again (those
    that failed in this drain: no hot loop). The caller commits."""
    return db.session.execute(
        _CLAIM, _claim_parameters(now, skip) | {"size": size}
    ).all()


def has_claimable(now: datetime, older_than: timedelta) -> bool:
    """Whether a message waits that no drain is taking care of: queued for more
    than ``older_than`` (its wake was lost), or due for a retry."""
    parameters = _claim_parameters(now) | {"queued_before": now - older_than}
    return bool(db.session.scalar(_HAS_LATE, parameters))


def deliver_batch(rows, now: datetime) -> tuple[int, list[int]]:
    """Send claimed rows in order through the configured backend; returns how
    many were sent and the ids that failed. The caller commits.

    A failed message is marked 'failed' with its error and the rest of its group
    waits, 'queued', behind it (sent later, in order). A sensitive message is
    deleted once sent: a code or a receipt has no reason to stay, and its row
    would tie a phone to a moment (a challenge that named it forgets it by the
    foreign key's ON DELETE SET NULL). Plain statements, one per kind of outcome.
    """
    backend = backend_from_config(current_app.config)
    sent_sensitive, sent_plain, failed = [], [], []
    blocked_heads = set()
    for row in rows:
        if row.head in blocked_heads:
            continue
        try:
            to, body = recipient_and_body(row.to_phone, row.body_enc, row.sensitive)
            backend.send(to, body, now)
        except (SmsSendError, ValueError) as exc:
            # ValueError: a body sealed under another SECRET_KEY. It fails alone,
            # never blocks the drain for the others.
            failed.append(row.id)
            blocked_heads.add(row.head)
            _mark_failed(row.id, exc)
            continue
        (sent_sensitive if row.sensitive else sent_plain).append(row.id)
    if sent_sensitive:
        db.session.execute(delete(_MESSAGES).where(_MESSAGES.c.id.in_(sent_sensitive)))
    if sent_plain:
        db.session.execute(
            update(_MESSAGES)
            .where(_MESSAGES.c.id.in_(sent_plain))
            .values(
                attempts=_MESSAGES.c.attempts + 1,
                status="sent",
                sent_at_dt=now,
                last_error=None,
            )
        )
    return len(sent_sensitive) + len(sent_plain), failed


def _mark_failed(message_id: int, error: Exception) -> None:
    db.session.execute(
        update(_MESSAGES)
        .where(_MESSAGES.c.id == message_id)
        .values(
            attempts=_MESSAGES.c.attempts + 1,
            status="failed",
            last_error=str(error)[:300],
        )
    )


def requeue_failed() -> int:
    """Staff's retry (``pbvote sms-retry``, the SMS page): every failed message
    is queued again, its automatic retries spent or not; returns how many
    messages now wait for the drain woken after commit."""
    db.session.execute(
        update(_MESSAGES).where(_MESSAGES.c.status == "failed").values(status="queued")
    )
    wake_drain()
    return db.session.scalar(
        select(func.count())
        .select_from(_MESSAGES)
        .where(_MESSAGES.c.status == "queued")
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
