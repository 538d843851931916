"""Following, and turning events into notifications: in the site always, by SMS
when wanted, one SMS a day at most (the rest wait for the daily digest) and never
more than ``NOTIFICATION_SMS_PER_WEEK`` a week per resident."""

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, tuple_, update

from pbvote.accounts.models import User
from pbvote.core.time import commune_zone, local_day_start
from pbvote.extensions import db
from pbvote.notifications.errors import NothingToFollow
from pbvote.notifications.models import TARGETS, Follow, Notification, Preference
from pbvote.notifications.texts import digest_sms, event_sms
from pbvote.sms.models import SmsMessage

SMS_PURPOSES = ("notification", "notification-digest")


# Following ---------------------------------------------------------------------------


def is_following(user, target_type: str, target_id: int) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(_follow_query(user.id, target_type, target_id)) is not None


def _follow_query(user_id: int, target_type: str, target_id: int):
    return select(Follow.id).where(
        Follow.user_id == user_id,
        Follow.target_type == target_type,
        Follow.target_id == target_id,
    )


def follow(user, target_type: str, target_id: int, now: datetime) -> bool:
    """Follow a target; following twice is silently the same follow.

    Returns whether a new follow was made. Raises NothingToFollow."""
    if target_type not in TARGETS:
        raise NothingToFollow(_("This cannot be followed."))
    if is_following(user, target_type, target_id):
        return False
    db.session.add(
        Follow(
            user_id=user.id,
            target_type=target_type,
            target_id=target_id,
            created_at_dt=now,
        )
    )
    return True


def unfollow(user, target_type: str, target_id: int) -> None:
    """Stop following; not following already is not an error."""
    db.session.execute(
        delete(Follow).where(
            Follow.user_id == user.id,
            Follow.target_type == target_type,
            Follow.target_id == target_id,
        )
    )


def preference_of(user_id: int) -> Preference:
    return db.session.get(Preference, user_id) or Preference(
        user_id=user_id, by_sms=True, language="ar"
    )


def save_preference(user, by_sms: bool, language: str) -> None:
    preference = db.session.get(Preference, user.id)
    if preference is None:
        preference = Preference(user_id=user.id)
        db.session.add(preference)
    preference.by_sms = bool(by_sms)
    preference.language = language if language in ("ar", "fr") else "ar"


# Fan-out -----------------------------------------------------------------------------


def _recipients(targets: list, direct_user_ids: list) -> dict[int, bool]:
    """User id -> whether they are told because they follow (not directly)."""
    pairs = [tuple(t) for t in targets if t[1]]
    found: dict[int, bool] = {}
    if pairs:
        followers = db.session.scalars(
            select(Follow.user_id).where(
                tuple_(Follow.target_type, Follow.target_id).in_(pairs)
            )
        )
        found = {user_id: True for user_id in followers}
    for user_id in direct_user_ids:
        found[user_id] = False
    return found


def fan_out(
    kind: str,
    targets: list,
    event_key: str,
    params: dict,
    direct_user_ids: list,
    sms_direct: bool,
    now: datetime,
) -> list[Notification]:
    """Create each recipient's notification for one event, once: recipients who
    already have ``event_key`` get nothing new (a job run twice adds nothing, and
    its SMS dedupe key sends nothing twice). Returns the new notifications."""
    recipients = _recipients(targets, direct_user_ids)
    if not recipients:
        return []
    have = set(
        db.session.scalars(
            select(Notification.user_id).where(
                Notification.event_key == event_key,
                Notification.user_id.in_(recipients),
            )
        )
    )
    target_type, target_id = next((t for t in targets if t[1]), ("proposal", 0))
    target_id = target_id or params.get("proposal_id", 0)
    created = []
    for user_id, via_follow in sorted(recipients.items()):
        if user_id in have:
            continue
        note = Notification(
            user_id=user_id,
            event_key=event_key,
            kind=kind,
            target_type=target_type,
            target_id=target_id,
            params=params,
            via_follow=via_follow,
            created_at_dt=now,
        )
        db.session.add(note)
        created.append(note)
    db.session.flush()  # the SMS dedupe keys need the ids
    for note in created:
        if note.via_follow or sms_direct:
            _route_sms(note, now)
    return created


def _sms_sent_since(phone: str, since: datetime) -> int:
    return db.session.scalar(
        select(func.count(SmsMessage.id)).where(
            SmsMessage.to_phone == phone,
            SmsMessage.purpose.in_(SMS_PURPOSES),
            SmsMessage.created_at_dt >= since,
        )
    )


def _route_sms(note: Notification, now: datetime) -> None:
    """Send now, keep for the digest, or stop at the weekly cap."""
    from pbvote.sms.services import queue_sms

    user = db.session.get(User, note.user_id)
    preference = preference_of(note.user_id)
    if not user.phone or not preference.by_sms:
        return
    cap = current_app.config["NOTIFICATION_SMS_PER_WEEK"]
    if _sms_sent_since(user.phone, now - timedelta(days=7)) >= cap:
        note.sms_state = "capped"
        return
    today = local_day_start(now.astimezone(commune_zone()).date())
    if _sms_sent_since(user.phone, today):
        note.sms_state = "digest"  # one a day: the others wait for the digest
        return
    queue_sms(
        user.phone,
        event_sms(note.kind, note.params, preference.language),
        now,
        purpose="notification",
        commune_id=user.commune_id,
        dedupe_key=f"notification:{note.id}",
    )
    note.sms_state = "sent"


# Daily digest ------------------------------------------------------------------------


def _still_followed(note: Notification) -> bool:
    if not note.via_follow:
        return True
    params = note.params or {}
    targets = [(note.target_type, note.target_id)]
    if params.get("cycle_id"):
        targets.append(("cycle", params["cycle_id"]))
    return bool(
        db.session.scalar(
            select(func.count(Follow.id)).where(
                Follow.user_id == note.user_id,
                tuple_(Follow.target_type, Follow.target_id).in_(targets),
            )
        )
    )


def send_digest(user_id: int, now: datetime) -> str:
    """One SMS for the notifications waiting for the digest. Those whose target
    the resident no longer follows are dropped without a word; a digest already
    sent today is not sent again. Returns what happened."""
    waiting = list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id, Notification.sms_state == "digest")
            .with_for_update()
        )
    )
    kept = [note for note in waiting if _still_followed(note)]
    for note in waiting:
        if note not in kept:
            note.sms_state = "dropped"
    if not kept:
        return "nothing"
    return _send_digest_sms(user_id, kept, now)


def _send_digest_sms(user_id: int, kept: list[Notification], now: datetime) -> str:
    from pbvote.sms.services import queue_sms

    user = db.session.get(User, user_id)
    cap = current_app.config["NOTIFICATION_SMS_PER_WEEK"]
    if _sms_sent_since(user.phone, now - timedelta(days=7)) >= cap:
        state, outcome = "capped", "capped"
    else:
        day = now.astimezone(commune_zone()).date()
        queue_sms(
            user.phone,
            digest_sms(len(kept), preference_of(user_id).language),
            now,
            purpose="notification-digest",
            commune_id=user.commune_id,
            dedupe_key=f"notification-digest:{user_id}:{day.isoformat()}",
        )
        state, outcome = "digested", "sent"
    for note in kept:
        note.sms_state = state
    return outcome


def users_with_digest() -> list[int]:
    return list(
        db.session.scalars(
            select(Notification.user_id)
            .where(Notification.sms_state == "digest")
            .distinct()
            .order_by(Notification.user_id)
        )
    )


# The notifications page --------------------------------------------------------------


def unread_count(user) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at_dt.is_(None)
        )
    )


def notifications_query(user):
    return (
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.id.desc())
    )


def mark_all_read(user, now: datetime) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at_dt.is_(None))
        .values(read_at_dt=now)
    )


def follows_of(user) -> list[Follow]:
    return list(
        db.session.scalars(
            select(Follow).where(Follow.user_id == user.id).order_by(Follow.id.desc())
        )
    )
