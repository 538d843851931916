"""Associations (جمعيات) registered by their representative and approved by an
administrator; once approved, the representative acts on their behalf."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbvote.core.types import UTCDateTime
from pbvote.extensions import db

STATUSES = ("pending", "approved", "rejected")
FIELDS = (
    "social",
    "culture",
    "sports",
    "environment",
    "education",
    "health",
    "disability",
    "women",
    "youth",
    "neighbourhood",
    "economy",
    "other",
)


class Association(db.Model):
    __tablename__ = "associations"
    __table_args__ = (
        UniqueConstraint("commune_id", "registration_number"),
        CheckConstraint("status in ('pending', 'approved', 'rejected')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    name_ar: Mapped[str] = mapped_column(String(200), default="")
    name_fr: Mapped[str] = mapped_column(String(200), default="")
    registration_number: Mapped[str] = mapped_column(String(60))
    seat_address: Mapped[str] = mapped_column(String(300))
    founded_on: Mapped[date] = mapped_column(Date)
    field: Mapped[str] = mapped_column(String(30))
    representative_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    decision_reason: Mapped[str] = mapped_column(String(500), default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    representative = relationship("User", foreign_keys=[representative_id])

    @property
    def is_approved(self) -> bool:
        return self.status == "approved"
