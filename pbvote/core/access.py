"""Role checks for staff routes. Every staff view is wrapped in :func:`staff_required`;
a test walks the URL map to prove it."""

from functools import wraps
from urllib.parse import unquote, urlsplit

from flask import abort, redirect, request, url_for
from flask_login import current_user

# What an account with a handed-over password may still open (sign-out is public).
PASSWORD_CHANGE_ENDPOINTS = frozenset({"accounts.staff_password"})


def staff_required(*roles: str):
    """Anonymous visitors go to the staff sign-in; residents and staff without one
    of ``roles`` get 403; staff who must still replace a handed-over password are
    sent to the password change."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("accounts.staff_login", next=request.full_path))
            if not current_user.has_role(*roles):
                abort(403)
            if current_user.password_must_change and request.endpoint not in (
                PASSWORD_CHANGE_ENDPOINTS
            ):
                # A handed-over password opens nothing until it is replaced.
                return redirect(
                    url_for("accounts.staff_password", next=request.full_path)
                )
            return view(*args, **kwargs)

        wrapped.pbvote_roles = frozenset(roles)
        return wrapped

    return decorator


def resident_required(view):
    """Signed-in residents only; others are sent to the sign-in page."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.resident_login", next=request.full_path))
        if current_user.kind != "resident":
            abort(403)
        return view(*args, **kwargs)

    wrapped.pbvote_resident_only = True
    return wrapped


def _has_control(text: str) -> bool:
    return any(ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 for char in text)


def safe_next(target: str | None, default: str) -> str:
    r"""``target`` if it is a path on this site, else ``default``.

    Browsers drop tabs and newlines and read a backslash as a slash, so
    ``/\t/evil.example/`` or ``/\\evil.example`` lead off-site: any control
    character, backslash, scheme or host, or a leading ``//`` (also once
    percent-decoded) refuses the target. CR/LF would also break the Location header.
    """
    if not target or len(target) > 2048 or not target.startswith("/"):
        return default
    for text in (target, unquote(target), unquote(unquote(target))):
        if _has_control(text) or "\\" in text or text.startswith("//"):
            return default
        parts = urlsplit(text)
        if parts.scheme or parts.netloc:
            return default
    return target
