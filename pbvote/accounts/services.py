"""Signing in and managing accounts."""

import secrets
from datetime import datetime, timedelta

import pyotp
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from pbvote.accounts import otp
from pbvote.accounts.errors import (
    CodeRejected,
    InvalidCredentials,
    InvalidRoles,
    UsernameTaken,
)
from pbvote.accounts.models import ROLES, User, UserRole
from pbvote.accounts.sessions import end_all_sessions
from pbvote.audit.services import record_action
from pbvote.core import ratelimit
from pbvote.core.security import open_secret, same, seal_secret
from pbvote.extensions import db

TOTP_SEAL = "totp-secret"
# An unused hash, checked when the username is unknown so both paths cost the same.
_DUMMY_HASH = generate_password_hash("pbvote-timing-equaliser")


# Residents -------------------------------------------------------------------


def request_login_code(
    commune_id: int, phone: str, ip: str, now: datetime
) -> otp.IssuedCode:
    """Send a sign-in code to ``phone`` whether or not an account exists for it: the
    answer is the same for known and unknown numbers (an account is made on first
    sign-in). Raises TooSoon."""
    return otp.issue_code(
        commune_id,
        phone,
        "login",
        ip,
        now,
        # One SMS segment in Arabic (70 characters): tests/notifications checks it.
        _("Ouazzane: your code is {code}. Valid 10 minutes, never share it."),
    )


def sign_in_resident(
    commune_id: int, challenge_id: int | None, code: str, now: datetime
) -> User:
    """Check the code and return the resident, created on first sign-in.

    Raises CodeRejected (the caller commits, so that wrong tries are counted).
    """
    challenge = otp.check_code(challenge_id, code, "login", now)
    if challenge.commune_id != commune_id:
        raise CodeRejected(_("Ask for a code first."))
    user = db.session.scalar(
        select(User).where(
            User.commune_id == commune_id,
            User.phone == challenge.phone,
            User.kind == "resident",
        )
    )
    if user is None:
        user = User(
            commune_id=commune_id,
            kind="resident",
            phone=challenge.phone,
            created_at_dt=now,
        )
        db.session.add(user)
    user.last_login_dt = now
    return user


# Staff -----------------------------------------------------------------------


def check_staff_password(
    commune_id: int, username: str, password: str, ip: str, now: datetime
) -> User:
    """Return the staff user whose password matches, or raise InvalidCredentials.

    Failures are limited per IP address and per username over 15 minutes.
    """
    limit = current_app.config["STAFF_LOGIN_FAILURES_PER_15_MIN"]
    window = timedelta(minutes=15)
    username = (username or "").strip().lower()
    try:
        ratelimit.check("staff-login-ip", ip, limit, window, now)
        ratelimit.check("staff-login-user", username, limit, window, now)
    except ratelimit.RateLimited as limited:
        raise InvalidCredentials(
            _(
                "Too many failed sign-ins. Try again in %(num)d minutes.",
                num=max(1, limited.retry_after // 60),
            )
        )
    user = db.session.scalar(
        select(User).where(
            User.commune_id == commune_id,
            User.kind == "staff",
            func.lower(User.username) == username,
        )
    )
    valid = check_password_hash(
        user.password_hash if user else _DUMMY_HASH, password or ""
    )
    if not (user and valid and user.active):
        ratelimit.hit("staff-login-ip", ip, now)
        ratelimit.hit("staff-login-user", username, now)
        raise InvalidCredentials(_("Wrong username or password."))
    return user


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    code = (code or "").strip().translate(otp.ARABIC_DIGITS)
    for step in (current - 1, current, current + 1):  # one step of clock drift
        if same(totp.generate_otp(step), code):
            return step
    return None


def check_totp(user: User, code: str, now: datetime) -> None:
    """Accept a TOTP code once: a code whose time step was already used is refused;
    five wrong codes in 15 minutes lock the second step. Raises CodeRejected (the
    caller commits, so that wrong tries are counted).
    """
    window = timedelta(minutes=15)
    try:
        ratelimit.check("staff-totp", str(user.id), 5, window, now)
    except ratelimit.RateLimited:
        raise CodeRejected(_("Too many wrong codes. Try again in 15 minutes."))
    secret = open_secret(TOTP_SEAL, user.totp_secret_enc)
    step = _matching_step(secret, code, now)
    if step is None:
        ratelimit.hit("staff-totp", str(user.id), now)
        raise CodeRejected(_("Wrong code from the authenticator app."))
    if user.totp_last_step is not None and step <= user.totp_last_step:
        raise CodeRejected(_("This code was already used. Wait for the next one."))
    user.totp_last_step = step
    user.last_login_dt = now


def start_totp_enrolment(user: User) -> str:
    """A new secret waiting for confirmation; returns its otpauth:// URI."""
    secret = pyotp.random_base32()
    user.totp_pending_enc = seal_secret(TOTP_SEAL, secret)
    return totp_uri(user, secret)


def pending_totp_secret(user: User) -> str | None:
    return (
        open_secret(TOTP_SEAL, user.totp_pending_enc) if user.totp_pending_enc else None
    )


def totp_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(
        name=user.username, issuer_name="pbvote Ouazzane"
    )


def confirm_totp_enrolment(user: User, code: str, now: datetime) -> None:
    """Activate the pending secret if ``code`` matches it. Raises CodeRejected."""
    secret = pending_totp_secret(user)
    step = _matching_step(secret, code, now) if secret else None
    if step is None:
        raise CodeRejected(_("Wrong code. Check the time on your phone and try again."))
    user.totp_secret_enc = user.totp_pending_enc
    user.totp_pending_enc = None
    user.totp_last_step = step
    user.last_login_dt = now
    record_action(user, "staff.totp_enrolled", "user", user.id, now)


def _clean_roles(roles) -> list[str]:
    roles = sorted(set(roles or ()))
    if not roles or any(role not in ROLES for role in roles):
        raise InvalidRoles(_("Choose at least one role."))
    return roles


def new_password() -> str:
    return secrets.token_urlsafe(12)


def create_staff(
    actor: User, commune_id: int, username: str, display_name: str, roles, now: datetime
) -> tuple[User, str]:
    """Create a staff account; returns it with a one-time password to hand over.

    Raises UsernameTaken, InvalidRoles.
    """
    username = username.strip().lower()
    roles = _clean_roles(roles)
    taken = db.session.scalar(
        select(User.id).where(
            User.commune_id == commune_id, func.lower(User.username) == username
        )
    )
    if taken:
        raise UsernameTaken(_("The username %(name)s is already taken.", name=username))
    password = new_password()
    user = User(
        commune_id=commune_id,
        kind="staff",
        username=username,
        display_name=display_name.strip(),
        created_at_dt=now,
        password_hash=generate_password_hash(password),
        password_must_change=True,
        roles=[UserRole(role=role) for role in roles],
    )
    db.session.add(user)
    db.session.flush()  # the audit entry needs the id
    record_action(
        actor,
        "staff.create",
        "user",
        user.id,
        now,
        {"username": username, "roles": roles},
    )
    return user, password


def update_staff(
    actor: User, user: User, display_name: str, roles, active: bool, now: datetime
) -> None:
    """Change a staff member's name, roles and status; a change of roles or status
    ends their sessions. Raises InvalidRoles."""
    roles = _clean_roles(roles)
    if user.id == actor.id and ("admin" not in roles or not active):
        raise InvalidRoles(
            _("You cannot remove your own administrator role or deactivate yourself.")
        )
    before = sorted(user.role_names)
    if before != roles or user.active != active:
        end_all_sessions(user)  # new rights (or none) from the next sign-in only
    user.display_name = display_name.strip()
    user.active = active
    user.roles = [UserRole(role=role) for role in roles]
    record_action(
        actor,
        "staff.update",
        "user",
        user.id,
        now,
        {"roles_before": before, "roles": roles, "active": active},
    )


def reset_staff_credentials(actor: User, user: User, now: datetime) -> str:
    """New one-time password and a fresh TOTP enrolment (a lost phone)."""
    password = new_password()
    user.password_hash = generate_password_hash(password)
    user.password_must_change = True
    user.totp_secret_enc = None
    user.totp_pending_enc = None
    user.totp_last_step = None
    end_all_sessions(user)
    record_action(actor, "staff.reset_credentials", "user", user.id, now)
    return password


MIN_PASSWORD_LENGTH = 12


def change_staff_password(
    user: User, current: str, new: str, repeated: str, now: datetime
) -> None:
    """Replace the password after checking the current one.

    Raises InvalidCredentials (wrong current password, too short, not repeated the
    same, or unchanged).
    """
    if not check_password_hash(user.password_hash or _DUMMY_HASH, current or ""):
        raise InvalidCredentials(_("Your current password is not right."))
    if len(new or "") < MIN_PASSWORD_LENGTH:
        raise InvalidCredentials(
            _(
                "Choose a password of at least %(num)d characters.",
                num=MIN_PASSWORD_LENGTH,
            )
        )
    if new != repeated:
        raise InvalidCredentials(_("The two new passwords are not the same."))
    if new == current:
        raise InvalidCredentials(_("Choose a password different from the current one."))
    user.password_hash = generate_password_hash(new)
    user.password_must_change = False
    end_all_sessions(user)  # a stolen session does not outlive the old password
    record_action(user, "staff.password_changed", "user", user.id, now)


def staff_members(commune_id: int):
    return (
        select(User)
        .where(User.commune_id == commune_id, User.kind == "staff")
        .order_by(User.username)
    )
