"""Follows, the notifications they produce, and how each resident wants them."""

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from pbvote.core.types import UTCDateTime
from pbvote.extensions import db

TARGETS = ("proposal", "project", "cycle")
# How a notification's SMS went: not wanted, sent alone, waiting for the daily
# digest, sent in a digest, or not sent (weekly cap reached, or no longer followed).
SMS_STATES = ("none", "sent", "digest", "digested", "capped", "dropped")
# The same for its e-mail (no weekly cap: an e-mail costs the commune nothing).
EMAIL_STATES = ("none", "sent", "digest", "digested", "dropped")
EMAIL_STATUSES = ("queued", "sent", "failed")


class Follow(db.Model):
    __tablename__ = "follows"
    __table_args__ = (
        UniqueConstraint("user_id", "target_type", "target_id"),
        CheckConstraint(
            "target_type in ('proposal', 'project', 'cycle')", name="target_type"
        ),
        Index("ix_follows_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    target_type: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[int]
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())


class Notification(db.Model):
    """One event for one resident. ``event_key`` names the event (e.g.
    ``review:12``): the unique (user, event) pair makes a job that runs twice
    create nothing new."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "event_key"),
        Index("ix_notifications_user_unread", "user_id", "read_at_dt"),
        Index("ix_notifications_sms_state", "sms_state"),
        Index("ix_notifications_email_state", "email_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    event_key: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(30))
    target_type: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[int]
    # Plain values the text is built from when shown, in the reader's language.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    # Sent because the resident follows the target (dropped from a digest when
    # they unfollow) rather than because it answers them directly.
    via_follow: Mapped[bool] = mapped_column(default=True)
    sms_state: Mapped[str] = mapped_column(String(10), default="none")
    email_state: Mapped[str] = mapped_column(
        String(10), default="none", server_default="none"
    )
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    read_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Preference(db.Model):
    """How a resident wants to be told. No row means the defaults below."""

    __tablename__ = "notification_preferences"
    __table_args__ = (CheckConstraint("language in ('ar', 'fr')", name="language"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    by_sms: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str] = mapped_column(String(2), default="ar")
    # An address is used only once its owner opened the link sent to it; changing
    # it forgets the verification.
    email: Mapped[str | None] = mapped_column(String(254))
    email_verified_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    by_email: Mapped[bool] = mapped_column(default=False, server_default="false")

    @property
    def email_verified(self) -> bool:
        return bool(self.email and self.email_verified_at_dt)


class EmailMessage(db.Model):
    """An e-mail waiting, sent or failed; delivered by a job after commit."""

    __tablename__ = "email_messages"
    __table_args__ = (Index("ix_email_messages_status", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("communes.id"))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # The unsubscribe link for the List-Unsubscribe header (none on a verification).
    unsubscribe_url: Mapped[str | None] = mapped_column(String(500))
    purpose: Mapped[str] = mapped_column(String(40))
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
