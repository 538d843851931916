"""Petitions to the council (Organic Law 113-14, arts 121-125)."""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbvote.core.types import UTCDateTime
from pbvote.extensions import db

KINDS = ("citizens", "association")
# draft -> collecting (citizens only) -> filed -> admissible | not_admissible;
# admissible -> on_agenda -> decided.
STATUSES = (
    "draft",
    "collecting",
    "filed",
    "admissible",
    "not_admissible",
    "on_agenda",
    "decided",
)
PUBLIC_STATUSES = STATUSES[1:]
CHANNELS = ("online", "paper")


class Petition(db.Model):
    __tablename__ = "petitions"
    __table_args__ = (
        CheckConstraint("kind in ('citizens', 'association')", name="kind"),
        CheckConstraint(
            "status in ('draft', 'collecting', 'filed', 'admissible', "
            "'not_admissible', 'on_agenda', 'decided')",
            name="status",
        ),
        CheckConstraint(
            "(kind = 'association') = (association_id IS NOT NULL)",
            name="association_kind",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    association_id: Mapped[int | None] = mapped_column(
        ForeignKey("associations.id"), index=True
    )
    # The agent (وكيل) named by a citizens' petition, or the association's
    # mandated representative: a public name, by law.
    agent_name: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    request: Mapped[str] = mapped_column(Text)  # the matter for the agenda
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    threshold: Mapped[int] = mapped_column(default=0)  # fixed when opened
    signature_count: Mapped[int] = mapped_column(default=0)
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    filed_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_due_on: Mapped[date | None] = mapped_column(Date)
    decided_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reasons: Mapped[str] = mapped_column(Text, default="")
    session_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(Text, default="")

    author = relationship("User")
    association = relationship("Association")
    events: Mapped[list["PetitionEvent"]] = relationship(
        order_by="PetitionEvent.id", cascade="all, delete-orphan"
    )

    @property
    def is_public(self) -> bool:
        return self.status != "draft"


class PetitionEvent(db.Model):
    """One public step of a petition, with its date and reasons."""

    __tablename__ = "petition_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(
        ForeignKey("petitions.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    at_dt: Mapped[datetime] = mapped_column(UTCDateTime())


class PetitionSignature(db.Model):
    """A resident found in the voter registry. The ID number is kept only as the
    registry's keyed hash; names and addresses stay on the registry side."""

    __tablename__ = "petition_signatures"
    __table_args__ = (
        UniqueConstraint("petition_id", "cin_hash", name="one_signature_per_id"),
        UniqueConstraint("petition_id", "user_id", name="one_signature_per_account"),
        CheckConstraint("channel in ('online', 'paper')", name="channel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(
        ForeignKey("petitions.id", ondelete="CASCADE"), index=True
    )
    cin_hash: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    channel: Mapped[str] = mapped_column(String(10))
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
