"""The meetings blueprint and the lookups its route modules share, so that
no route module imports another (``views`` imports them all at the top)."""

from flask import Blueprint

from pbvote.communes.web import row_or_404
from pbvote.meetings.models import Meeting

bp = Blueprint("meetings", __name__)


def meeting_or_404(meeting_id: int) -> Meeting:
    return row_or_404(Meeting, meeting_id)
