"""Following, and turning events into notifications: in the site always, by SMS
when wanted, one SMS a day at most (the rest wait for the daily digest) and never
more than ``NOTIFICATION_SMS_PER_WEEK`` a week per resident."""

import re
from contextlib import contextmanager
from datetime import datetime, timedelta

from flask import current_app, has_request_context, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, func, or_, select, tuple_, update

from pbvote.accounts.models import User
from pbvote.core import ratelimit
from pbvote.core.security import keyed_hash, same
from pbvote.core.time import commune_zone, local_day_start
from pbvote.extensions import db
from pbvote.notifications.errors import EmailRefused, NothingToFollow
from pbvote.notifications.mail import queue_email
from pbvote.notifications.models import (
    TARGETS,
    EmailMessage,
    Follow,
    Notification,
    Preference,
)
from pbvote.notifications.texts import (
    LOCALES,
    digest_sms,
    email_digest,
    email_event,
    email_verification,
    event_sms,
)
from pbvote.sms.models import SmsMessage

SMS_PURPOSES = ("notification", "notification-digest")
EMAIL_PURPOSES = ("notification", "notification-digest")


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
        _route_email(note, now)
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
            .where(
                or_(
                    Notification.sms_state == "digest",
                    Notification.email_state == "digest",
                )
            )
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


# E-mail ------------------------------------------------------------------------------
# An address is used once its owner opened the link sent to it (so nobody gets mail
# they did not ask for); every notification e-mail carries a signed unsubscribe
# link that works without signing in.

VERIFY_SALT = "notifications-email-verify"
UNSUBSCRIBE_SALT = "notifications-email-unsubscribe"
VERIFY_MAX_AGE = 48 * 3600
VERIFICATIONS_PER_DAY = 3
_ATOM = r"[^@\s<>,;:\"\x00-\x1f\x7f]+"
ADDRESS = re.compile(rf"{_ATOM}@{_ATOM}\.{_ATOM}")


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _address_digest(address: str) -> str:
    return keyed_hash("notification-email", address)[:32]


def email_token(salt: str, user_id: int, address: str) -> str:
    """A signed link token naming the resident and their address; the address
    itself is not in it (only a keyed hash), so a link in a log reveals nothing."""
    return _serializer(salt).dumps([user_id, _address_digest(address)])


def read_email_token(salt: str, token: str, max_age: int | None = None):
    """(user id, address digest), or None for a forged, damaged or expired token."""
    try:
        user_id, digest = _serializer(salt).loads(token, max_age=max_age)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or not isinstance(digest, str):
        return None
    return user_id, digest


def _names_address(preference: Preference | None, digest: str) -> bool:
    return bool(
        preference is not None
        and preference.email
        and same(_address_digest(preference.email), digest)
    )


@contextmanager
def links(language: str | None = None):
    """Absolute links (PUBLIC_BASE_URL, else the request's host) and the reader's
    language, in a request or in a job."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    locale = LOCALES.get(language or "", None)
    if has_request_context() and not base:
        if locale:
            with force_locale(locale):
                yield
        else:
            yield
        return
    base = base or (request.host_url if has_request_context() else "http://localhost/")
    with (
        current_app.test_request_context("/", base_url=base),
        force_locale(locale or "ar_MA"),
    ):
        yield


def normalised_address(address: str) -> str:
    """The address as typed, trimmed, domain in lower case; EmailRefused if it
    cannot be an address."""
    address = (address or "").strip()
    if len(address) > 254 or not ADDRESS.fullmatch(address):
        raise EmailRefused(_("This is not an e-mail address, e.g. name@example.ma."))
    local, domain = address.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def save_email(user, address: str, by_email: bool, now: datetime) -> bool:
    """Keep the resident's address and choice. A new address is not used until
    confirmed: a confirmation link is sent to it (at most three a day). Returns
    whether a confirmation was sent. Raises EmailRefused."""
    preference = db.session.get(Preference, user.id)
    if preference is None:
        preference = Preference(user_id=user.id, by_sms=True, language="ar")
        db.session.add(preference)
    if not (address or "").strip():
        preference.email, preference.email_verified_at_dt = None, None
        preference.by_email = False
        return False
    address = normalised_address(address)
    preference.by_email = bool(by_email)
    if address == preference.email and (
        preference.email_verified_at_dt or not by_email
    ):
        return False
    try:
        ratelimit.check_and_hit(
            "email-verify", str(user.id), VERIFICATIONS_PER_DAY, timedelta(days=1), now
        )
    except ratelimit.RateLimited as exc:
        raise EmailRefused(
            _("Too many confirmation e-mails today: try again tomorrow.")
        ) from exc
    preference.email, preference.email_verified_at_dt = address, None
    with links(preference.language):
        link = url_for(
            "notifications.verify_email",
            token=email_token(VERIFY_SALT, user.id, address),
            _external=True,
        )
        subject, body = email_verification(link)
    queue_email(
        address,
        subject,
        body,
        now,
        purpose="email-verify",
        user_id=user.id,
        commune_id=user.commune_id,
    )
    return True


def verify_email(token: str, now: datetime) -> Preference:
    """Confirm the address named by the token. Raises EmailRefused when the link
    is damaged, expired or for an address since changed."""
    found = read_email_token(VERIFY_SALT, token, max_age=VERIFY_MAX_AGE)
    if found is None:
        raise EmailRefused(
            _("This link is damaged or more than 48 hours old: ask for a new one.")
        )
    user_id, digest = found
    preference = db.session.get(Preference, user_id)
    if not _names_address(preference, digest):
        raise EmailRefused(
            _("This link is for an address you have since changed or removed.")
        )
    if preference.email_verified_at_dt is None:
        preference.email_verified_at_dt = now
    return preference


def unsubscribe(token: str) -> bool:
    """Stop the e-mails of the link's address; waiting digest items are dropped.
    Returns False for a damaged link; an address changed since is already
    unsubscribed (nothing to do)."""
    found = read_email_token(UNSUBSCRIBE_SALT, token)
    if found is None:
        return False
    user_id, digest = found
    preference = db.session.get(Preference, user_id)
    if _names_address(preference, digest):
        preference.by_email = False
        db.session.execute(
            update(Notification)
            .where(
                Notification.user_id == user_id, Notification.email_state == "digest"
            )
            .values(email_state="dropped")
        )
    return True


def _emailed_since(user_id: int, since: datetime) -> int:
    return db.session.scalar(
        select(func.count(EmailMessage.id)).where(
            EmailMessage.user_id == user_id,
            EmailMessage.purpose.in_(EMAIL_PURPOSES),
            EmailMessage.created_at_dt >= since,
        )
    )


def _mail_links(user_id: int, address: str) -> tuple[str, str]:
    unsubscribe_url = url_for(
        "notifications.unsubscribe",
        token=email_token(UNSUBSCRIBE_SALT, user_id, address),
        _external=True,
    )
    return unsubscribe_url, url_for("notifications.notifications_page", _external=True)


def _route_email(note: Notification, now: datetime) -> None:
    """Send now, or keep for the daily digest (one e-mail a day at most)."""
    preference = preference_of(note.user_id)
    if not (preference.by_email and preference.email_verified):
        return
    today = local_day_start(now.astimezone(commune_zone()).date())
    if _emailed_since(note.user_id, today):
        note.email_state = "digest"
        return
    user = db.session.get(User, note.user_id)
    with links(preference.language):
        unsubscribe_url, settings_url = _mail_links(user.id, preference.email)
        subject, body = email_event(note, unsubscribe_url, settings_url)
    queue_email(
        preference.email,
        subject,
        body,
        now,
        purpose="notification",
        user_id=user.id,
        commune_id=user.commune_id,
        unsubscribe_url=unsubscribe_url,
        dedupe_key=f"email-notification:{note.id}",
    )
    note.email_state = "sent"


def send_email_digest(user_id: int, now: datetime) -> str:
    """One e-mail for the notifications waiting for the digest; those no longer
    followed, or all of them when e-mail was turned off, are dropped."""
    waiting = list(
        db.session.scalars(
            select(Notification)
            .where(
                Notification.user_id == user_id, Notification.email_state == "digest"
            )
            .order_by(Notification.id)
            .with_for_update()
        )
    )
    preference = preference_of(user_id)
    wanted = preference.by_email and preference.email_verified
    kept = [note for note in waiting if wanted and _still_followed(note)]
    for note in waiting:
        note.email_state = "digested" if note in kept else "dropped"
    if not kept:
        return "nothing"
    user = db.session.get(User, user_id)
    day = now.astimezone(commune_zone()).date()
    with links(preference.language):
        unsubscribe_url, settings_url = _mail_links(user_id, preference.email)
        subject, body = email_digest(kept, unsubscribe_url, settings_url)
    queue_email(
        preference.email,
        subject,
        body,
        now,
        purpose="notification-digest",
        user_id=user_id,
        commune_id=user.commune_id,
        unsubscribe_url=unsubscribe_url,
        dedupe_key=f"email-digest:{user_id}:{day.isoformat()}",
    )
    return "sent"
