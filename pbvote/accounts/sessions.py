"""Server-revocable sign-in sessions.

The session cookie is signed, not stored, so it cannot be deleted on the server.
Instead each account has a ``session_epoch`` in the database, copied into the
session at sign-in. Signing out, an administrator's reset, disabling the account,
a role change or a password change add one to the epoch, and every cookie carrying
the old value stops working on its next request, on every device. This needs no
session table and no extra query: the user row is loaded on each request anyway.

The session also carries when it started and when it was last used, so that staff
sessions end after ``STAFF_SESSION_IDLE_MINUTES`` without use and
``STAFF_SESSION_MAX_HOURS`` after sign-in (a working day); residents' after the
shorter ``RESIDENT_SESSION_IDLE_MINUTES`` and ``RESIDENT_SESSION_MAX_MINUTES``.
"""

from datetime import datetime, timedelta

from flask import current_app, session

from pbvote.accounts.models import User
from pbvote.communes.services import current_commune
from pbvote.core.guards import MAX_DB_INT
from pbvote.extensions import db

EPOCH = "session_epoch"
STARTED = "session_started"
SEEN = "session_seen"
# Refreshing the last-use time rewrites the cookie; once a minute is precise enough.
SEEN_RESOLUTION = 60
LOGIN_KEYS = ("_user_id", "_fresh", "_id", EPOCH, STARTED, SEEN)


def end_all_sessions(user: User) -> None:
    """Every session of ``user`` stops working at its next request (the caller
    commits)."""
    user.session_epoch = (user.session_epoch or 0) + 1


def start_session(user: User, now: datetime) -> None:
    """Mark the session just opened by ``login_user`` as current for ``user``."""
    stamp = int(now.timestamp())
    session[EPOCH] = user.session_epoch or 0
    session[STARTED] = stamp
    session[SEEN] = stamp


def limits(user: User) -> tuple[timedelta, timedelta]:
    """(idle, maximum) duration of a session of ``user``."""
    config = current_app.config
    if user.is_staff:
        return (
            timedelta(minutes=config["STAFF_SESSION_IDLE_MINUTES"]),
            timedelta(hours=config["STAFF_SESSION_MAX_HOURS"]),
        )
    return (
        timedelta(minutes=config["RESIDENT_SESSION_IDLE_MINUTES"]),
        timedelta(minutes=config["RESIDENT_SESSION_MAX_MINUTES"]),
    )


def _still_valid(user: User, now: datetime) -> bool:
    if not user.active or user.commune_id != current_commune().id:
        return False  # a cookie from another commune's site is worth nothing here
    if session.get(EPOCH) != (user.session_epoch or 0):
        return False
    started, seen = session.get(STARTED), session.get(SEEN)
    if not isinstance(started, int) or not isinstance(seen, int):
        return False
    idle, maximum = limits(user)
    stamp = now.timestamp()
    return stamp - seen <= idle.total_seconds() and (
        stamp - started <= maximum.total_seconds()
    )


def load_session_user(user_id: str, now: datetime) -> User | None:
    """The signed-in user for Flask-Login, or None when the session has ended."""
    if not user_id.isdigit() or int(user_id) > MAX_DB_INT:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not _still_valid(user, now):
        for key in LOGIN_KEYS:
            session.pop(key, None)
        return None
    if now.timestamp() - session[SEEN] >= SEEN_RESOLUTION:
        session[SEEN] = int(now.timestamp())
    return user
