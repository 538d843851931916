"""After a meeting: attendance in aggregate, the minutes, and the commitments taken
there, each followed in public with dated status updates."""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _

from pbvote.audit.services import record_action
from pbvote.extensions import db
from pbvote.meetings.errors import AttendanceDoesNotAddUp, InvalidMeeting, NotYetHeld
from pbvote.meetings.models import (
    COMMITMENT_STATES,
    Commitment,
    CommitmentUpdate,
    Meeting,
)


@dataclass
class Attendance:
    total: int
    women: int
    men: int
    under_18: int
    from_18_to_35: int
    from_36_to_60: int
    over_60: int
    with_disability: int


def _check_attendance(a: Attendance) -> None:
    if min(vars(a).values()) < 0:
        raise AttendanceDoesNotAddUp(_("Figures cannot be negative."), "total")
    if a.women + a.men != a.total:
        raise AttendanceDoesNotAddUp(
            _(
                "Women and men add up to %(sum)d, not the %(total)d people present.",
                sum=a.women + a.men,
                total=a.total,
            ),
            "women",
        )
    ages = a.under_18 + a.from_18_to_35 + a.from_36_to_60 + a.over_60
    if ages != a.total:
        raise AttendanceDoesNotAddUp(
            _(
                "The age bands add up to %(sum)d, not the %(total)d people present.",
                sum=ages,
                total=a.total,
            ),
            "under_18",
        )
    if a.with_disability > a.total:
        raise AttendanceDoesNotAddUp(
            _("More people with a disability than people present."), "with_disability"
        )


def record_attendance(actor, meeting: Meeting, a: Attendance, now: datetime) -> None:
    """Store how many came, by gender, age band and disability; audited.

    Raises NotYetHeld before the meeting starts, AttendanceDoesNotAddUp when the
    breakdowns do not each add up to the total (the database refuses it too)."""
    if now < meeting.starts_at_dt:
        raise NotYetHeld(_("Attendance is recorded once the meeting has started."))
    _check_attendance(a)
    meeting.attended_total = a.total
    meeting.attended_women, meeting.attended_men = a.women, a.men
    meeting.age_under_18, meeting.age_18_35 = a.under_18, a.from_18_to_35
    meeting.age_36_60, meeting.age_over_60 = a.from_36_to_60, a.over_60
    meeting.attended_with_disability = a.with_disability
    record_action(actor, "meeting.attendance", "meeting", meeting.id, now, vars(a))


def publish_minutes(actor, meeting: Meeting, minutes: str, now: datetime) -> None:
    """Publish (or correct) the minutes. Raises NotYetHeld, InvalidMeeting."""
    if now < meeting.starts_at_dt:
        raise NotYetHeld(_("Minutes are published once the meeting has started."))
    if not minutes.strip():
        raise InvalidMeeting(_("Write the minutes."), "minutes")
    meeting.minutes = minutes.strip()
    meeting.minutes_published_at_dt = meeting.minutes_published_at_dt or now
    record_action(actor, "meeting.minutes", "meeting", meeting.id, now)


def add_commitment(
    actor, meeting: Meeting, text: str, responsible: str, due_on: date | None, now
) -> Commitment:
    """A decision or commitment taken at the meeting, public at once.

    Raises NotYetHeld, InvalidMeeting."""
    if now < meeting.starts_at_dt:
        raise NotYetHeld(_("Commitments are recorded once the meeting has started."))
    if not text.strip():
        raise InvalidMeeting(_("Write the commitment."), "text")
    commitment = Commitment(
        meeting_id=meeting.id,
        text=text.strip(),
        responsible=responsible.strip(),
        due_on=due_on,
        created_at_dt=now,
    )
    db.session.add(commitment)
    db.session.flush()  # the audit entry needs the id
    record_action(
        actor, "meeting.commitment", "meeting", meeting.id, now, {"id": commitment.id}
    )
    return commitment


def update_commitment(
    actor, commitment: Commitment, status: str, note: str, now: datetime
) -> CommitmentUpdate:
    """A dated, public status update of a commitment. Raises InvalidMeeting."""
    if status not in COMMITMENT_STATES:
        raise InvalidMeeting(_("Choose a status."), "status")
    if not note.strip() and status == commitment.status:
        raise InvalidMeeting(_("Say what changed."), "note")
    update = CommitmentUpdate(
        commitment_id=commitment.id,
        status=status,
        note=note.strip(),
        at_dt=now,
        author_id=getattr(actor, "id", None),
    )
    commitment.status = status
    db.session.add(update)
    db.session.flush()  # the audit entry needs the id
    record_action(
        actor,
        "meeting.commitment_update",
        "meeting",
        commitment.meeting_id,
        now,
        {"commitment_id": commitment.id, "status": status},
    )
    return update
