"""Meetings and hearings, residents' registrations, the attendance recorded in
aggregate afterwards, and the commitments taken there with their follow-up."""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbvote.core.types import UTCDateTime
from pbvote.extensions import db

KINDS = ("consultative", "hearing", "accountability", "body")
LANGUAGES = ("ar", "fr", "ar_fr", "darija", "zgh")
REGISTRATION_STATES = ("confirmed", "waiting", "cancelled")
COMMITMENT_STATES = ("planned", "in_progress", "done", "dropped")
# Age bands of the charter's participation indicators.
AGE_BANDS = ("under_18", "18_35", "36_60", "over_60")


class Meeting(db.Model):
    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint(
            "kind in ('consultative', 'hearing', 'accountability', 'body')",
            name="kind",
        ),
        CheckConstraint("ends_at_dt > starts_at_dt", name="ends_after_start"),
        CheckConstraint("capacity is null or capacity > 0", name="capacity_positive"),
        CheckConstraint("place <> '' or online_url <> ''", name="has_place"),
        CheckConstraint(
            "attended_total is null or ("
            "attended_women + attended_men = attended_total and "
            "age_under_18 + age_18_35 + age_36_60 + age_over_60 = attended_total and "
            "attended_with_disability between 0 and attended_total)",
            name="attendance_adds_up",
        ),
        Index("ix_meetings_commune_starts", "commune_id", "starts_at_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    body_id: Mapped[int | None] = mapped_column(
        ForeignKey("advisory_bodies.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    agenda: Mapped[str] = mapped_column(Text, default="")
    starts_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    step_free: Mapped[bool] = mapped_column(default=False)
    sign_language: Mapped[bool] = mapped_column(default=False)
    childcare: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str] = mapped_column(String(10), default="ar")
    organiser: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    cancelled_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminders_sent_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Attendance, in aggregate only: nobody's presence is recorded by name.
    attended_total: Mapped[int | None]
    attended_women: Mapped[int | None]
    attended_men: Mapped[int | None]
    age_under_18: Mapped[int | None]
    age_18_35: Mapped[int | None]
    age_36_60: Mapped[int | None]
    age_over_60: Mapped[int | None]
    attended_with_disability: Mapped[int | None]
    minutes: Mapped[str] = mapped_column(Text, default="")
    minutes_published_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    body = relationship("AdvisoryBody")
    commitments: Mapped[list["Commitment"]] = relationship(
        back_populates="meeting", order_by="Commitment.id"
    )

    @property
    def has_attendance(self) -> bool:
        return self.attended_total is not None


class Registration(db.Model):
    """A resident's place at a meeting: confirmed, on the waiting list (in order of
    ``id``), or cancelled. One row per resident and meeting."""

    __tablename__ = "meeting_registrations"
    __table_args__ = (
        UniqueConstraint("meeting_id", "user_id"),
        CheckConstraint(
            "status in ('confirmed', 'waiting', 'cancelled')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    changed_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    meeting = relationship("Meeting")
    user = relationship("User")


class Commitment(db.Model):
    """A decision or commitment taken at a meeting, followed in public."""

    __tablename__ = "meeting_commitments"
    __table_args__ = (
        CheckConstraint(
            "status in ('planned', 'in_progress', 'done', 'dropped')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    responsible: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="planned")
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    meeting: Mapped[Meeting] = relationship(back_populates="commitments")
    updates: Mapped[list["CommitmentUpdate"]] = relationship(
        back_populates="commitment", order_by="CommitmentUpdate.id"
    )


class CommitmentUpdate(db.Model):
    __tablename__ = "meeting_commitment_updates"
    __table_args__ = (
        CheckConstraint(
            "status in ('planned', 'in_progress', 'done', 'dropped')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_commitments.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    commitment: Mapped[Commitment] = relationship(back_populates="updates")
