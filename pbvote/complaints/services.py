"""Complaints: filing with an optional photo, routing to a service, the answer and
the resident's rating. The answer is due COMPLAINT_RESPONSE_DAYS working days
after filing; later ones are flagged. Services never commit."""

import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _

from pbvote.audit.services import record_action
from pbvote.communes.models import District
from pbvote.complaints.errors import InvalidComplaint, InvalidUpload, NotAllowed
from pbvote.complaints.models import CATEGORIES, SERVICES, Complaint
from pbvote.core import files, ratelimit
from pbvote.core.time import to_local_day
from pbvote.extensions import db
from pbvote.holidays.services import deadline_after, working_days_taken

FOLDER = "complaints"
# Not set by law: the commune's own service promise, changeable in the
# configuration (PBVOTE_COMPLAINT_RESPONSE_DAYS).
DEFAULT_RESPONSE_DAYS = 10


def response_days() -> int:
    return int(current_app.config.get("COMPLAINT_RESPONSE_DAYS", DEFAULT_RESPONSE_DAYS))


def _tracking_number(now: datetime) -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return f"RC-{now.year}-" + "".join(secrets.choice(alphabet) for _ in range(6))


def file_complaint(
    author, *, category: str, district_id: int, description: str, photo, now: datetime
) -> Complaint:
    """A resident's complaint, with its deadline.

    Raises InvalidComplaint, InvalidUpload (and InvalidComplaint past
    COMPLAINTS_PER_DAY complaints by the same resident in a day).
    """
    try:
        ratelimit.check_and_hit(
            "complaint",
            str(author.id),
            int(current_app.config.get("COMPLAINTS_PER_DAY", 10)),
            timedelta(days=1),
            now,
        )
    except ratelimit.RateLimited as error:
        raise InvalidComplaint(
            _("You have sent many complaints today: please try again tomorrow.")
        ) from error
    district = db.session.get(District, district_id) if district_id else None
    if district is None or district.commune_id != author.commune_id:
        raise InvalidComplaint(_("Choose the district."), field="district_id")
    if category not in CATEGORIES:
        raise InvalidComplaint(_("Choose a category."), field="category")
    complaint = Complaint(
        commune_id=author.commune_id,
        tracking_number=_tracking_number(now),
        author_id=author.id,
        category=category,
        district_id=district.id,
        description=description.strip(),
        submitted_at_dt=now,
        due_on=deadline_after(now, response_days()),
    )
    if photo is not None:
        checked = files.check_upload(photo, InvalidUpload, "photo", images_only=True)
        complaint.photo_name = files.store(FOLDER, checked)
        complaint.photo_type = checked.content_type
    db.session.add(complaint)
    db.session.flush()  # the page to go to needs the id
    return complaint


def route_complaint(
    actor, complaint: Complaint, *, service: str, now: datetime
) -> None:
    """Send the complaint to the service that handles it (again, to re-route).

    Raises NotAllowed, InvalidComplaint.
    """
    if complaint.is_answered:
        raise NotAllowed(_("This complaint is already answered."))
    if service not in SERVICES:
        raise InvalidComplaint(_("Choose a service."), field="service")
    complaint.service = service
    complaint.status = "routed"
    complaint.routed_at_dt = now
    record_action(
        actor, "complaint.route", "complaint", complaint.id, now, {"service": service}
    )


def answer_complaint(
    actor, complaint: Complaint, *, answer: str, now: datetime
) -> None:
    """The service's public answer; the resident is told by SMS after commit.

    Raises NotAllowed, InvalidComplaint.
    """
    if complaint.is_answered:
        raise NotAllowed(_("This complaint is already answered."))
    if not (answer or "").strip():
        raise InvalidComplaint(_("Write the answer."), field="answer")
    complaint.answer = answer.strip()
    complaint.status = "answered"
    complaint.answered_at_dt = now
    complaint.working_days_taken = working_days_taken(complaint.submitted_at_dt, now)
    record_action(
        actor,
        "complaint.answer",
        "complaint",
        complaint.id,
        now,
        {"working_days": complaint.working_days_taken},
    )
    if complaint.author.phone:
        from pbvote.sms.services import queue_sms

        queue_sms(
            complaint.author.phone,
            _(  # one SMS segment: tests/notifications/test_sms_segments.py
                "Ouazzane: your complaint %(number)s has an answer. Rate it on the "
                "site.",
                number=complaint.tracking_number,
            ),
            now,
            purpose="complaint",
            commune_id=complaint.commune_id,
            dedupe_key=f"complaint-answered-{complaint.id}",
        )


def rate_complaint(
    author, complaint: Complaint, *, rating: int, comment: str, now: datetime
) -> None:
    """The author's rating (1 to 5) closes an answered complaint.

    Raises NotAllowed, InvalidComplaint.
    """
    if complaint.author_id != author.id:
        raise NotAllowed(_("Only the person who filed the complaint can rate it."))
    if complaint.status != "answered":
        raise NotAllowed(
            _("A complaint can be rated once, after it is answered."), field="rating"
        )
    if rating not in range(1, 6):
        raise InvalidComplaint(_("Choose a rating from 1 to 5."), field="rating")
    complaint.rating = rating
    complaint.rating_comment = (comment or "").strip()
    complaint.status = "closed"
    complaint.closed_at_dt = now


def is_overdue(complaint: Complaint, now: datetime) -> bool:
    return not complaint.is_answered and to_local_day(now) > complaint.due_on


def indicators(commune_id: int, start=None, end=None, **options) -> dict:
    """Counts, response rate and delay for the charter's indicators (section 13);
    see :func:`pbvote.complaints.queries.indicators`."""
    from pbvote.complaints import queries

    return queries.indicators(commune_id, start, end, **options)
