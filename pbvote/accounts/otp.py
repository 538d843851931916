"""SMS one-time codes, shared by sign-in and vote verification.

Codes: 6 digits from ``secrets``, valid OTP_TTL_SECONDS, single use, kept only as a
keyed hash, locked after OTP_MAX_TRIES wrong tries. Sending is limited per number
(cooldown and hourly cap) and per IP address.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import bindparam, insert, select, update

from pbvote.accounts.errors import CodeRejected, TooSoon
from pbvote.accounts.models import OtpChallenge
from pbvote.core import ratelimit
from pbvote.core.security import keyed_hash, new_numeric_code, same
from pbvote.extensions import db
from pbvote.sms.services import (
    bound_message_values,
    bound_messages,
    message_rows,
    queue_sms,
    wake_drain,
)


def _hash(challenge_phone: str, purpose: str, code: str) -> str:
    return keyed_hash(f"otp:{purpose}", f"{challenge_phone}:{code}")


def _wait_message(seconds: int) -> str:
    minutes = max(1, (seconds + 59) // 60)
    return ngettext(
        "Please wait %(num)d minute before asking for a new code.",
        "Please wait %(num)d minutes before asking for a new code.",
        minutes,
    )


class IssuedCode(NamedTuple):
    """A code just sent: the caller keeps its challenge's id in the session;
    ``then_id``: the id of the row ``issue_code(then=…)`` inserted."""

    id: int
    then_id: int | None = None


# ``then``: a row that refers to the new challenge, inserted with it. A function
# of the challenge's id (a column or a bound parameter) returning an
# INSERT … FROM SELECT … RETURNING its id, its other values bound parameters the
# caller passes as ``then_values``; a module-level function, so that the
# statements are built once (the identity step's verification attempt).
Then = Callable | None

_CHALLENGE_COLUMNS = (
    "commune_id",
    "phone",
    "purpose",
    "code_hash",
    "created_at_dt",
    "expires_at_dt",
    "failed_tries",
)


@lru_cache(maxsize=1)
def _insert_challenge_statement():
    table = OtpChallenge.__table__
    return table.insert().returning(table.c.id)


@lru_cache(maxsize=4)
def _then_statement(then):
    return then(bindparam("challenge_id"))


def _code_limits(phone: str, purpose: str, ip: str, limits: tuple) -> list:
    config = current_app.config
    cooldown = timedelta(seconds=config["OTP_RESEND_COOLDOWN_SECONDS"])
    hour = timedelta(hours=1)
    return [
        *limits,
        (f"otp-cooldown:{purpose}", phone, 1, cooldown),
        (f"otp-phone:{purpose}", phone, config["OTP_SENDS_PER_NUMBER_PER_HOUR"], hour),
        ("otp-ip", ip, config["OTP_SENDS_PER_IP_PER_HOUR"], hour),
    ]


def issue_code(
    commune_id: int,
    phone: str,
    purpose: str,
    ip: str,
    now: datetime,
    body_template: str,
    *,
    limits: tuple = (),
    then: Then = None,
    then_values: dict | None = None,
) -> IssuedCode:
    """Create a challenge and queue its SMS. ``body_template`` has ``{code}``.
    ``limits``: more (bucket, key, limit, window) rate limits checked first and
    counted with these, in the same statements (pbvote.core.ratelimit.check_many).
    ``then``, ``then_values``: a row inserted with the challenge (see ``Then``).

    On PostgreSQL this is two statements: the limits' locks, then one that counts
    their events and, if every limit allows it, inserts the events, the SMS, the
    challenge and ``then``'s row (:func:`_issue_statement`). Elsewhere (SQLite,
    the embedded first run) one statement each.

    Raises TooSoon for one of ``limits``, the resend cooldown, the per-number or
    the per-IP limit.
    """
    config = current_app.config
    code = new_numeric_code(6)
    body = body_template.format(code=code)
    challenge = {
        "commune_id": commune_id,
        "phone": phone,
        "purpose": purpose,
        "code_hash": _hash(phone, purpose, code),
        "created_at_dt": now,
        "expires_at_dt": now + timedelta(seconds=config["OTP_TTL_SECONDS"]),
        "failed_tries": 0,
    }
    all_limits = _code_limits(phone, purpose, ip, limits)
    try:
        if db.session.get_bind().dialect.name == "postgresql":
            return _issue_in_one_statement(
                all_limits, body, challenge, now, then, then_values or {}
            )
        ratelimit.check_many(all_limits, now, hit_all=True)
    except ratelimit.RateLimited as limited:
        raise TooSoon(_wait_message(limited.retry_after), limited.retry_after)
    message_id = queue_sms(
        phone,
        body,
        now,
        purpose=f"otp-{purpose}",
        commune_id=commune_id,
        sensitive=True,
    )
    # A plain row, not an ORM object flushed by the unit of work (issue 13).
    challenge_id = db.session.execute(
        _insert_challenge_statement(), {**challenge, "sms_message_id": message_id}
    ).scalar_one()
    then_id = None
    if then is not None:
        then_id = db.session.execute(
            _then_statement(then), {**(then_values or {}), "challenge_id": challenge_id}
        ).scalar_one()
    return IssuedCode(challenge_id, then_id)


def _issue_in_one_statement(limits, body, challenge, now, then, then_values):
    """:func:`issue_code` on PostgreSQL: the keys' locks, then one statement.
    Raises RateLimited (nothing was inserted)."""
    sms_purpose = f"otp-{challenge['purpose']}"
    (message,) = message_rows(
        challenge["phone"],
        [body],
        now,
        purpose=sms_purpose,
        commune_id=challenge["commune_id"],
        sensitive=True,
    )
    hashed = ratelimit.lock_keys(limits)
    parameters = {
        **ratelimit.statement_parameters(hashed, now),
        **bound_message_values([message]),
        **{f"c_{name}": value for name, value in challenge.items()},
        **then_values,
    }
    statement = _issue_statement(len(hashed), tuple(message), then)
    issued = db.session.execute(statement, parameters).one()
    if issued.challenge_id is None:  # a limit was reached: nothing was inserted
        ratelimit.raise_limited(hashed, now)
    wake_drain()
    return IssuedCode(issued.challenge_id, issued.then_id if then else None)


@lru_cache(maxsize=8)
def _issue_statement(size: int, message_columns: tuple, then: Then):
    """WITH counted events (``size`` keys), their INSERT, the SMS's INSERT, the
    challenge's INSERT and ``then``'s, each only if the one before inserted (the
    first only if every limit allows it); selects one row: the new ids, or NULLs
    when nothing was inserted. The rate limits' keys must be locked already (a
    statement's snapshot is taken when it starts: pbvote.core.ratelimit). Bound
    parameters: ratelimit.statement_parameters, sms.services.bound_message_values,
    c_<challenge column>, ``then``'s own. Built once per shape (issue 13)."""
    counted = ratelimit.counted_in_statement(size)
    challenges = OtpChallenge.__table__
    message = bound_messages(1, message_columns, counted.allowed).cte("message")
    challenge = (
        insert(challenges)
        .from_select(
            [*_CHALLENGE_COLUMNS, "sms_message_id"],
            select(
                *(
                    bindparam(f"c_{name}", type_=challenges.c[name].type)
                    for name in _CHALLENGE_COLUMNS
                ),
                message.c.id,
            ),
        )
        .returning(challenges.c.id)
        .cte("challenge")
    )
    inserted = {"challenge_id": challenge, "message_id": message}
    if then is not None:
        inserted["then_id"] = then(challenge.c.id).cte("follow_up")
    # One row, the new ids or NULLs (nothing inserted: a limit was reached).
    return select(
        *(
            select(cte.c.id).scalar_subquery().label(name)
            for name, cte in inserted.items()
        )
    ).add_cte(counted.hits)


def check_code(
    challenge_id: int | None,
    code: str,
    purpose: str,
    now: datetime,
    *,
    acceptable: bool = True,
) -> OtpChallenge:
    """Accept ``code`` once for the challenge, or raise CodeRejected.

    The row is locked so that two concurrent tries cannot both use one code. A wrong
    try is counted even though CodeRejected is raised: the caller must commit.
    ``acceptable=False`` (a code sent for an identity that did not match) refuses
    even the right code, with the same work and the same wrong-code message.
    """
    challenge = None
    if challenge_id:
        challenge = db.session.scalar(
            select(OtpChallenge)
            .where(OtpChallenge.id == challenge_id, OtpChallenge.purpose == purpose)
            .with_for_update()
        )
    return check_challenge(challenge, code, purpose, now, acceptable=acceptable)


def check_challenge(
    challenge: OtpChallenge | None,
    code: str,
    purpose: str,
    now: datetime,
    *,
    acceptable: bool = True,
) -> OtpChallenge:
    """:func:`check_code` for a challenge the caller loaded (locked FOR UPDATE)."""
    if challenge is None:
        raise CodeRejected(_("Ask for a code first."))
    if not _accepted(challenge, code, purpose, now, acceptable):
        challenge.failed_tries += 1
        raise _wrong_try(challenge.failed_tries)
    challenge.consumed_at_dt = now
    return challenge


_COUNT_WRONG_TRY = (
    update(OtpChallenge.__table__)
    .where(OtpChallenge.__table__.c.id == bindparam("challenge_id"))
    .values(failed_tries=OtpChallenge.__table__.c.failed_tries + 1)
)


def check_locked_row(
    row, code: str, purpose: str, now: datetime, *, acceptable: bool = True
) -> None:
    """:func:`check_challenge` for a challenge read as a plain row (``id``,
    ``phone``, ``code_hash``, ``failed_tries``, ``consumed_at_dt``,
    ``expires_at_dt``), locked FOR UPDATE by the caller: a right code writes
    nothing (the caller consumes it), a wrong try is counted by one UPDATE (the
    caller commits)."""
    if not _accepted(row, code, purpose, now, acceptable):
        db.session.execute(_COUNT_WRONG_TRY, {"challenge_id": row.id})
        raise _wrong_try(row.failed_tries + 1)


def _accepted(challenge, code: str, purpose: str, now: datetime, acceptable) -> bool:
    """Whether ``code`` is the challenge's (and ``acceptable``); raises
    CodeRejected for a challenge used, locked by wrong tries or expired."""
    if challenge.consumed_at_dt is not None:
        raise CodeRejected(_("This code was already used. Ask for a new code."))
    if challenge.failed_tries >= current_app.config["OTP_MAX_TRIES"]:
        raise CodeRejected(_("Too many wrong codes. Ask for a new code."))
    if now >= challenge.expires_at_dt:
        raise CodeRejected(_("This code has expired. Ask for a new code."))
    code = (code or "").strip().translate(ARABIC_DIGITS)
    matches = same(_hash(challenge.phone, purpose, code), challenge.code_hash)
    return code.isdigit() and len(code) == 6 and matches and acceptable


def _wrong_try(failed_tries: int) -> CodeRejected:
    left = current_app.config["OTP_MAX_TRIES"] - failed_tries
    if left <= 0:
        return CodeRejected(_("Too many wrong codes. Ask for a new code."))
    return CodeRejected(
        ngettext(
            "Wrong code. %(num)d try left.", "Wrong code. %(num)d tries left.", left
        )
    )


# Residents may type the code with Arabic-Indic or Eastern digits.
ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
