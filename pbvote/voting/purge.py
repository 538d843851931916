"""The scheduled purge of personal trails (run by the worker's safety net and by
``pbvote voting-purge``): every row that ties a phone, an address or a moment to
a resident is deleted, not wiped, as soon as it is no longer needed.

- verification attempts and OTP challenges: once expired (plus a margin); the
  attempt of an identity that matched the registry, and its code, once the
  verified window has passed too (a right code waits for the cast, which deletes
  both; the database cannot tell it from an unused one: the code step writes
  nothing);
- rate-limit events: once older than the longest window (a day);
- sensitive SMS (codes, receipts): deleted when sent (:mod:`pbvote.sms.services`);
  failed ones after a day;
- kiosk passes: once used or expired.
"""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, delete, exists, or_, select, update

from pbvote.accounts.models import OtpChallenge
from pbvote.core import ratelimit
from pbvote.extensions import db
from pbvote.sms.models import SmsMessage
from pbvote.voting.models import KioskPass, VerificationAttempt
from pbvote.voting.verification import attempt_lifetime

MARGIN = timedelta(minutes=5)
RATE_WINDOW_MAX = timedelta(days=1)


def purge_personal_trail(now: datetime) -> dict[str, int]:
    """Delete what is no longer needed; returns how many rows per kind. The caller
    commits."""
    expired = now - timedelta(seconds=current_app.config["OTP_TTL_SECONDS"]) - MARGIN
    counts = {
        "attempts": _rowcount(
            delete(VerificationAttempt).where(
                or_(
                    # No identity matched: no code of it can ever be right.
                    and_(
                        VerificationAttempt.registry_entry_id.is_(None),
                        VerificationAttempt.created_at_dt < expired,
                    ),
                    VerificationAttempt.created_at_dt
                    < now - attempt_lifetime() - MARGIN,
                )
            )
        ),
    }
    # An attempt still pointing at a consumed challenge is finished: drop both.
    counts["attempts"] += _rowcount(
        delete(VerificationAttempt).where(
            VerificationAttempt.challenge_id.in_(
                select(OtpChallenge.id).where(OtpChallenge.consumed_at_dt.is_not(None))
            )
        )
    )
    # A code an attempt still needs (a right code may wait for its cast) stays.
    counts["challenges"] = _rowcount(
        delete(OtpChallenge).where(
            or_(
                OtpChallenge.expires_at_dt < now - MARGIN,
                OtpChallenge.consumed_at_dt.is_not(None),
            ),
            ~exists().where(VerificationAttempt.challenge_id == OtpChallenge.id),
        )
    )
    counts["rate_events"] = ratelimit.purge_older_than(now - RATE_WINDOW_MAX)
    counts["sms"] = _purge_sms(now)
    counts["kiosk_passes"] = _rowcount(
        delete(KioskPass).where(or_(KioskPass.used, KioskPass.expires_at_dt < now))
    )
    return counts


def _purge_sms(now: datetime) -> int:
    stale = select(SmsMessage.id).where(
        SmsMessage.sensitive,
        or_(
            SmsMessage.status == "sent",
            SmsMessage.created_at_dt < now - timedelta(days=1),
        ),
    )
    db.session.execute(
        update(OtpChallenge)
        .where(OtpChallenge.sms_message_id.in_(stale))
        .values(sms_message_id=None)
    )
    return _rowcount(delete(SmsMessage).where(SmsMessage.id.in_(stale)))


def _rowcount(statement) -> int:
    return db.session.execute(statement).rowcount or 0
