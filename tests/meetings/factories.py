"""Meetings test data: an organiser (admin), a body, a meeting at a given time."""

from datetime import timedelta

from sqlalchemy import select

from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.meetings.models import Meeting
from pbvote.reviews.bodies import ensure_bodies
from pbvote.reviews.models import AdvisoryBody
from tests.factories import create_staff


def create_meeting(commune_id, *, starts_in=timedelta(days=3), capacity=None, **kw):
    start = utcnow() + starts_in
    meeting = Meeting(
        commune_id=commune_id,
        kind=kw.pop("kind", "hearing"),
        title=kw.pop("title", "Audience publique sur l'éclairage"),
        agenda=kw.pop("agenda", "1. Bilan\n2. Questions"),
        starts_at_dt=start,
        ends_at_dt=start + timedelta(hours=2),
        place=kw.pop("place", "Salle du conseil communal"),
        organiser=kw.pop("organiser", "Commune de Ouazzane"),
        capacity=capacity,
        created_at_dt=utcnow(),
        **kw,
    )
    db.session.add(meeting)
    db.session.flush()
    return meeting


def setup_meetings(commune, **meeting_kw) -> dict:
    ensure_bodies(commune["id"])
    _admin, secret = create_staff(commune["id"], "amina", ["admin"])
    body = db.session.scalar(
        select(AdvisoryBody).where(AdvisoryBody.key == "accessibility")
    )
    meeting = create_meeting(commune["id"], body_id=body.id, **meeting_kw)
    return {"secret": secret, "body_id": body.id, "meeting_id": meeting.id}
