"""Requests for information (Law 31-13 on the right of access to information)."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbvote.core.types import UTCDateTime
from pbvote.extensions import db

CHANNELS = ("online", "in_person", "post", "email")
STATUSES = ("received", "answered", "refused")
# Law 31-13: the grounds a refusal may give (arts 7, 18 and 20 as summarised in
# MOROCCO.md); a refusal always names one and explains it.
REFUSAL_GROUNDS = (
    "not_held",
    "exception",
    "published",
    "repeated",
    "unclear",
    "in_preparation",
    "archives",
)


class InfoRequest(db.Model):
    __tablename__ = "info_requests"
    __table_args__ = (
        CheckConstraint("status in ('received', 'answered', 'refused')", name="status"),
        CheckConstraint(
            "channel in ('online', 'in_person', 'post', 'email')", name="channel"
        ),
        CheckConstraint(
            "status != 'refused' OR (refusal_ground IS NOT NULL "
            "AND length(explanation) > 0)",
            name="refusal_reasoned",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    tracking_number: Mapped[str] = mapped_column(String(20), unique=True)
    channel: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(Text)  # public: the information wanted
    # Name, postal address, ID number, e-mail and phone, sealed together: only
    # staff handling the request open them, and they never leave in open data.
    requester_enc: Mapped[bytes] = mapped_column(LargeBinary)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    urgent: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(10), default="received", index=True)
    received_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    due_on: Mapped[date] = mapped_column(Date)
    extended_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    extension_reason: Mapped[str] = mapped_column(Text, default="")
    closed_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answer: Mapped[str] = mapped_column(Text, default="")
    refusal_ground: Mapped[str | None] = mapped_column(String(20))
    explanation: Mapped[str] = mapped_column(Text, default="")
    working_days_taken: Mapped[int | None]
    documents: Mapped[list["InfoDocument"]] = relationship(
        order_by="InfoDocument.id", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.status == "received"


class InfoDocument(db.Model):
    """A document given with an answer (PDF, or a re-encoded photo): public."""

    __tablename__ = "info_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("info_requests.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
