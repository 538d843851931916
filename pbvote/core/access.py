"""Role checks for staff routes. Every staff view is wrapped in :func:`staff_required`;
a test walks the URL map to prove it."""

from functools import wraps

from flask import abort, redirect, request, url_for
from flask_login import current_user


def staff_required(*roles: str):
    """Anonymous visitors go to the staff sign-in; residents and staff without one
    of ``roles`` get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("accounts.staff_login", next=request.full_path))
            if not current_user.has_role(*roles):
                abort(403)
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


def safe_next(target: str | None, default: str) -> str:
    """Only same-site relative paths are followed after sign-in."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and ("\\" not in target)
    ):
        return target
    return default
