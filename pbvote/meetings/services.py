"""Announcing meetings, residents' registrations with a waiting list, and the SMS
reminders. Registrations lock the meeting row, so two residents taking the last
place at the same moment cannot both get it."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from pbvote.audit.services import record_action
from pbvote.core.i18n import format_moment
from pbvote.core.jobs import enqueue_after_commit
from pbvote.extensions import db
from pbvote.meetings.errors import AlreadyRegistered, InvalidMeeting, RegistrationClosed
from pbvote.meetings.models import KINDS, LANGUAGES, Meeting, Registration
from pbvote.sms.segments import segments as count_segments
from pbvote.sms.services import queue_sms

REMINDER_HORIZON = timedelta(hours=24)


@dataclass
class MeetingInput:
    kind: str
    title: str
    agenda: str
    starts_at_dt: datetime
    ends_at_dt: datetime
    place: str
    online_url: str
    step_free: bool
    sign_language: bool
    childcare: bool
    language: str
    organiser: str
    capacity: int | None
    body_id: int | None = None


def _check(data: MeetingInput) -> None:
    if data.kind not in KINDS:
        raise InvalidMeeting(_("Choose the kind of meeting."), "kind")
    if data.language not in LANGUAGES:
        raise InvalidMeeting(_("Choose the language of the meeting."), "language")
    if data.ends_at_dt <= data.starts_at_dt:
        raise InvalidMeeting(_("The meeting must end after it starts."), "ends_at")
    if not (data.place.strip() or data.online_url.strip()):
        raise InvalidMeeting(_("Give a place or an online link."), "place")
    if data.online_url and not data.online_url.startswith(("https://", "http://")):
        raise InvalidMeeting(
            _("The online link must start with https://."), "online_url"
        )
    if data.capacity is not None and data.capacity < 1:
        raise InvalidMeeting(_("The capacity must be at least 1."), "capacity")


def save_meeting(actor, meeting: Meeting | None, data: MeetingInput, now) -> Meeting:
    """Announce a meeting (``meeting`` None) or change it; audited.

    Raises InvalidMeeting. Raising the capacity promotes those waiting; lowering
    it never removes confirmed places."""
    _check(data)
    if meeting is None:
        meeting = Meeting(
            commune_id=actor.commune_id, created_by_id=actor.id, created_at_dt=now
        )
        db.session.add(meeting)
    else:
        meeting = _lock(meeting)
    for name, value in vars(data).items():
        setattr(meeting, name, value.strip() if isinstance(value, str) else value)
    db.session.flush()  # the audit entry needs the id
    # More places (or none): those waiting get them, in order, each told by SMS.
    while now < meeting.starts_at_dt and promote_waiting(meeting, now):
        db.session.flush()  # the next count sees this promotion
    record_action(
        actor, "meeting.save", "meeting", meeting.id, now, {"kind": data.kind}
    )
    return meeting


def cancel_meeting(actor, meeting: Meeting, now: datetime) -> int:
    """Cancel a meeting and tell everyone registered or waiting by SMS (once each).
    Returns how many were told."""
    meeting = _lock(meeting)
    if meeting.cancelled_at_dt is not None:
        return 0
    meeting.cancelled_at_dt = now
    record_action(actor, "meeting.cancel", "meeting", meeting.id, now)
    rows = db.session.scalars(
        select(Registration).where(
            Registration.meeting_id == meeting.id,
            Registration.status.in_(("confirmed", "waiting")),
        )
    ).all()
    with force_locale("ar_MA"):
        body = _(
            "Ouazzane: the meeting of %(when)s is cancelled.",
            when=format_moment(meeting.starts_at_dt, "short"),
        )
    for registration in rows:
        if registration.user.phone:
            queue_sms(
                registration.user.phone,
                body,
                now,
                purpose="meeting",
                commune_id=meeting.commune_id,
                dedupe_key=f"meeting-cancelled:{meeting.id}:{registration.user_id}",
            )
    return len(rows)


def upcoming(commune_id: int, now: datetime, limit: int = 200) -> list[Meeting]:
    return list(
        db.session.scalars(
            select(Meeting)
            .where(
                Meeting.commune_id == commune_id,
                Meeting.ends_at_dt > now,
                Meeting.cancelled_at_dt.is_(None),
            )
            .order_by(Meeting.starts_at_dt)
            .limit(limit)
        )
    )


def meetings_of_body(body_id: int, now: datetime) -> list[Meeting]:
    """A body's meetings, upcoming first, then the past ones (latest first)."""
    rows = db.session.scalars(
        select(Meeting)
        .where(Meeting.body_id == body_id, Meeting.cancelled_at_dt.is_(None))
        .order_by(Meeting.starts_at_dt.desc())
        .limit(100)
    ).all()
    future = sorted(
        (m for m in rows if m.ends_at_dt > now), key=lambda m: m.starts_at_dt
    )
    return future + [m for m in rows if m.ends_at_dt <= now]


def counts(meeting: Meeting) -> dict[str, int]:
    rows = db.session.execute(
        select(Registration.status, func.count())
        .where(Registration.meeting_id == meeting.id)
        .group_by(Registration.status)
    )
    return {"confirmed": 0, "waiting": 0, "cancelled": 0} | dict(rows.all())


def registration_of(meeting: Meeting, user) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(
            Registration.meeting_id == meeting.id, Registration.user_id == user.id
        )
    )


def waiting_position(registration: Registration) -> int:
    """1 for the first on the waiting list."""
    return 1 + db.session.scalar(
        select(func.count()).where(
            Registration.meeting_id == registration.meeting_id,
            Registration.status == "waiting",
            (Registration.changed_at_dt, Registration.id)
            < (registration.changed_at_dt, registration.id),
        )
    )


def _lock(meeting: Meeting) -> Meeting:
    # Every registration change of a meeting waits for this row lock: the count of
    # confirmed places read below cannot change until the transaction ends.
    return db.session.execute(
        select(Meeting)
        .where(Meeting.id == meeting.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def register(resident, meeting: Meeting, now: datetime) -> Registration:
    """Give ``resident`` a confirmed place, or a place on the waiting list when the
    meeting is full. Raises RegistrationClosed, AlreadyRegistered."""
    meeting = _lock(meeting)
    if meeting.cancelled_at_dt is not None or now >= meeting.starts_at_dt:
        raise RegistrationClosed(_("Registration for this meeting is closed."))
    registration = registration_of(meeting, resident)
    if registration is not None and registration.status != "cancelled":
        raise AlreadyRegistered(_("You are already registered for this meeting."))
    full = (
        meeting.capacity is not None
        and counts(meeting)["confirmed"] >= meeting.capacity
    )
    if registration is None:
        registration = Registration(
            meeting_id=meeting.id, user_id=resident.id, created_at_dt=now
        )
        db.session.add(registration)
    registration.status = "waiting" if full else "confirmed"
    registration.changed_at_dt = now
    db.session.flush()  # the waiting position is read from the table
    return registration


def cancel_registration(resident, meeting: Meeting, now: datetime):
    """Give up one's place; the first on the waiting list then gets it and an SMS.
    Returns the promoted registration, if any."""
    meeting = _lock(meeting)
    registration = registration_of(meeting, resident)
    if registration is None or registration.status == "cancelled":
        return None
    was_confirmed = registration.status == "confirmed"
    registration.status = "cancelled"
    registration.changed_at_dt = now
    db.session.flush()  # the promotion below counts without this place
    if not was_confirmed or now >= meeting.starts_at_dt:
        return None
    return promote_waiting(meeting, now)


def promote_waiting(meeting: Meeting, now: datetime) -> Registration | None:
    """Confirm the first waiting registration if a place is free (meeting locked by
    the caller). The promoted resident is told by SMS."""
    if (
        meeting.capacity is not None
        and counts(meeting)["confirmed"] >= meeting.capacity
    ):
        return None
    first = db.session.scalar(
        select(Registration)
        .where(Registration.meeting_id == meeting.id, Registration.status == "waiting")
        .order_by(Registration.changed_at_dt, Registration.id)
        .limit(1)
    )
    if first is None:
        return None
    first.status = "confirmed"
    first.changed_at_dt = now
    if first.user.phone:
        with force_locale("ar_MA"):
            body = _(
                "Ouazzane: a place became free: registered for the meeting of %(when)s.",
                when=format_moment(meeting.starts_at_dt, "short"),
            )
        queue_sms(
            first.user.phone,
            body,
            now,
            purpose="meeting",
            commune_id=meeting.commune_id,
            dedupe_key=f"meeting-promoted:{first.id}:{now.isoformat()}",
        )
    return first


def schedule_reminders(now: datetime) -> int:
    """Enqueue (after commit) one reminder job per meeting starting within the next
    24 hours whose reminders were not sent yet. Safe to run often (cron): the job id
    and the SMS dedupe keys make a second run send nothing twice."""
    rows = db.session.scalars(
        select(Meeting.id).where(
            Meeting.cancelled_at_dt.is_(None),
            Meeting.reminders_sent_at_dt.is_(None),
            Meeting.starts_at_dt > now,
            Meeting.starts_at_dt <= now + REMINDER_HORIZON,
        )
    ).all()
    for meeting_id in rows:
        enqueue_after_commit(
            "jobs.meetings.send_reminders",
            meeting_id,
            queue="sms",
            job_id=f"meeting-reminders-{meeting_id}",
            retry=3,
        )
    return len(rows)


def send_reminders(meeting: Meeting, now: datetime) -> int:
    """Queue one SMS per confirmed registrant (each at most once); returns how many."""
    if meeting.cancelled_at_dt is not None or now >= meeting.starts_at_dt:
        return 0
    rows = db.session.scalars(
        select(Registration).where(
            Registration.meeting_id == meeting.id, Registration.status == "confirmed"
        )
    ).all()
    with force_locale("ar_MA"):
        when = format_moment(meeting.starts_at_dt, "short")
        body = _(
            "Ouazzane: reminder, meeting on %(when)s at %(where)s.",
            when=when,
            where=meeting.place or meeting.online_url,
        )
        if count_segments(body) > 1:  # a long place: it is on the site
            body = _(
                "Ouazzane: reminder, meeting on %(when)s. Place on the site.", when=when
            )
    sent = 0
    for registration in rows:
        if registration.user.phone and registration.user.active:
            queue_sms(
                registration.user.phone,
                body,
                now,
                purpose="meeting",
                commune_id=meeting.commune_id,
                dedupe_key=f"meeting-reminder:{meeting.id}:{registration.user_id}",
            )
            sent += 1
    meeting.reminders_sent_at_dt = now
    return sent
