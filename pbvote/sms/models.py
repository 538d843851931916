"""Text messages waiting, sent or failed. Bodies are sealed at rest (they may carry
one-time codes) and wiped once a sensitive message is delivered."""

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from pbvote.core.types import UTCDateTime
from pbvote.extensions import db

STATUSES = ("queued", "sent", "failed")


class SmsMessage(db.Model):
    __tablename__ = "sms_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("communes.id"))
    to_phone: Mapped[str] = mapped_column(String(20))
    body_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    sensitive: Mapped[bool] = mapped_column(default=False)
    purpose: Mapped[str] = mapped_column(String(40))
    # Notifications that must go out once (job retries, jobs run twice) set this.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    # Counted when queued (a sensitive body is deleted once sent): what is billed.
    segments: Mapped[int] = mapped_column(default=1, server_default="1")
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
