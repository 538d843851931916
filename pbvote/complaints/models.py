"""Complaints: the charter's electronic complaint platform (section 7.4)."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbvote.core.types import UTCDateTime
from pbvote.extensions import db

CATEGORIES = (
    "roads",
    "lighting",
    "cleanliness",
    "water",
    "green",
    "markets",
    "accessibility",
    "noise",
    "other",
)
# The commune's services a complaint can be routed to.
SERVICES = (
    "works",
    "hygiene",
    "environment",
    "economic",
    "urbanism",
    "citizen_office",
)
# submitted -> routed -> answered -> closed (with the resident's rating).
STATUSES = ("submitted", "routed", "answered", "closed")


class Complaint(db.Model):
    __tablename__ = "complaints"
    __table_args__ = (
        CheckConstraint(
            "status in ('submitted', 'routed', 'answered', 'closed')", name="status"
        ),
        CheckConstraint(
            "rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    tracking_number: Mapped[str] = mapped_column(String(20), unique=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    category: Mapped[str] = mapped_column(String(20))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    # The photo is shown to staff and to its author only (it may show people).
    photo_name: Mapped[str | None] = mapped_column(String(80))
    photo_type: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10), default="submitted", index=True)
    service: Mapped[str | None] = mapped_column(String(20))
    submitted_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    due_on: Mapped[date] = mapped_column(Date)
    routed_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answer: Mapped[str] = mapped_column(Text, default="")
    working_days_taken: Mapped[int | None]
    rating: Mapped[int | None]
    rating_comment: Mapped[str] = mapped_column(Text, default="")
    closed_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())

    author = relationship("User")
    district = relationship("District")

    @property
    def is_answered(self) -> bool:
        return self.status in ("answered", "closed")
