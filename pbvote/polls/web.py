"""The polls blueprint and the look-ups its route modules share."""

from flask import Blueprint, abort, session

from pbvote.communes.web import row_or_404
from pbvote.polls.models import Poll

bp = Blueprint("polls", __name__)


def public_poll_or_404(poll_id: int) -> Poll:
    """A poll of this commune that has opened (drafts are staff-only)."""
    poll = row_or_404(Poll, poll_id)
    if poll.status == "draft":
        abort(404)
    return poll


def poll_state(name: str, poll_id: int, default=None):
    return session.get(name, {}).get(str(poll_id), default)


def set_poll_state(name: str, poll_id: int, value) -> None:
    values = dict(session.get(name, {}))
    if value is None:
        values.pop(str(poll_id), None)
    else:
        values[str(poll_id)] = value
    session[name] = values
