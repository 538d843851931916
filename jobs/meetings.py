"""Meeting reminder jobs (queue "sms"). ``pbvote meetings remind`` (cron, e.g. every
hour) enqueues one job per meeting starting within 24 hours."""

from pbvote.core.time import utcnow
from pbvote.extensions import db


def send_reminders(meeting_id: int) -> int:
    """Queue the reminder SMS of one meeting and commit. Idempotent: each SMS has a
    dedupe key naming the meeting and the resident, so a retry sends nothing twice."""
    from pbvote.meetings import services
    from pbvote.meetings.models import Meeting

    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        return 0
    sent = services.send_reminders(meeting, utcnow())
    db.session.commit()
    return sent
