"""People who sign in: residents (phone and SMS code) and staff (password and TOTP)."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbvote.core.types import UTCDateTime
from pbvote.extensions import db

ROLES = ("admin", "reviewer", "finance", "clerk")


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("commune_id", "phone"),
        UniqueConstraint("commune_id", "username"),
        CheckConstraint("kind in ('resident', 'staff')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164, residents
    username: Mapped[str | None] = mapped_column(String(64))  # staff
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    totp_secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_pending_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_last_step: Mapped[int | None]
    # Set while the password is one an administrator handed over: changed at sign-in.
    password_must_change: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    # Copied into each session at sign-in; adding one ends every session (sessions.py).
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    last_login_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    roles: Mapped[list["UserRole"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"

    @property
    def role_names(self) -> set[str]:
        return {role.role for role in self.roles}

    def has_role(self, *roles: str) -> bool:
        return self.is_staff and bool(self.role_names & set(roles))

    @property
    def label(self) -> str:
        return self.display_name or self.username or self.phone or str(self.id)


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (
        CheckConstraint(
            "role in ('admin', 'reviewer', 'finance', 'clerk')", name="role"
        ),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class OtpChallenge(db.Model):
    """One SMS code sent to one number for one purpose. Only its hash is kept."""

    __tablename__ = "otp_challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"))
    phone: Mapped[str] = mapped_column(String(20), index=True)
    purpose: Mapped[str] = mapped_column(String(20))  # login | vote
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    failed_tries: Mapped[int] = mapped_column(default=0)
    consumed_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sms_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("sms_messages.id", ondelete="SET NULL")
    )  # a sent code's message is deleted: the database forgets the link
    sms_message = relationship("SmsMessage")
