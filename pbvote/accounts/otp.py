"""SMS one-time codes, shared by sign-in and vote verification.

Codes: 6 digits from ``secrets``, valid OTP_TTL_SECONDS, single use, kept only as a
keyed hash, locked after OTP_MAX_TRIES wrong tries. Sending is limited per number
(cooldown and hourly cap) and per IP address.
"""

from datetime import datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from pbvote.accounts.errors import CodeRejected, TooSoon
from pbvote.accounts.models import OtpChallenge
from pbvote.core import ratelimit
from pbvote.core.security import keyed_hash, new_numeric_code, same
from pbvote.extensions import db
from pbvote.sms.services import queue_sms


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
    """A code just sent: the caller keeps its challenge's id in the session."""

    id: int


@lru_cache(maxsize=1)
def _insert_challenge_statement():
    table = OtpChallenge.__table__
    return table.insert().returning(table.c.id)


def issue_code(
    commune_id: int,
    phone: str,
    purpose: str,
    ip: str,
    now: datetime,
    body_template: str,
    *,
    limits: tuple = (),
) -> IssuedCode:
    """Create a challenge and queue its SMS. ``body_template`` has ``{code}``.
    ``limits``: more (bucket, key, limit, window) rate limits checked first and
    counted with these, in the same statements (pbvote.core.ratelimit.check_many).

    Raises TooSoon for one of ``limits``, the resend cooldown, the per-number or
    the per-IP limit.
    """
    config = current_app.config
    cooldown = timedelta(seconds=config["OTP_RESEND_COOLDOWN_SECONDS"])
    hour = timedelta(hours=1)
    try:
        ratelimit.check_many(
            [
                *limits,
                (f"otp-cooldown:{purpose}", phone, 1, cooldown),
                (
                    f"otp-phone:{purpose}",
                    phone,
                    config["OTP_SENDS_PER_NUMBER_PER_HOUR"],
                    hour,
                ),
                ("otp-ip", ip, config["OTP_SENDS_PER_IP_PER_HOUR"], hour),
            ],
            now,
            hit_all=True,
        )
    except ratelimit.RateLimited as limited:
        raise TooSoon(_wait_message(limited.retry_after), limited.retry_after)
    code = new_numeric_code(6)
    message_id = queue_sms(
        phone,
        body_template.format(code=code),
        now,
        purpose=f"otp-{purpose}",
        commune_id=commune_id,
        sensitive=True,
    )
    # A plain row, not an ORM object flushed by the unit of work (issue 13).
    challenge_id = db.session.execute(
        _insert_challenge_statement(),
        {
            "commune_id": commune_id,
            "phone": phone,
            "purpose": purpose,
            "code_hash": _hash(phone, purpose, code),
            "created_at_dt": now,
            "expires_at_dt": now + timedelta(seconds=config["OTP_TTL_SECONDS"]),
            "failed_tries": 0,
            "sms_message_id": message_id,
        },
    ).scalar_one()
    return IssuedCode(challenge_id)


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
    if challenge.consumed_at_dt is not None:
        raise CodeRejected(_("This code was already used. Ask for a new code."))
    max_tries = current_app.config["OTP_MAX_TRIES"]
    if challenge.failed_tries >= max_tries:
        raise CodeRejected(_("Too many wrong codes. Ask for a new code."))
    if now >= challenge.expires_at_dt:
        raise CodeRejected(_("This code has expired. Ask for a new code."))
    code = (code or "").strip().translate(ARABIC_DIGITS)
    matches = same(_hash(challenge.phone, purpose, code), challenge.code_hash)
    if not (code.isdigit() and len(code) == 6 and matches and acceptable):
        challenge.failed_tries += 1
        left = max_tries - challenge.failed_tries
        if left <= 0:
            raise CodeRejected(_("Too many wrong codes. Ask for a new code."))
        raise CodeRejected(
            ngettext(
                "Wrong code. %(num)d try left.", "Wrong code. %(num)d tries left.", left
            )
        )
    challenge.consumed_at_dt = now
    return challenge


# Residents may type the code with Arabic-Indic or Eastern digits.
ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
