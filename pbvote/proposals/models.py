"""Proposals from residents and associations, and the projects they become."""

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbvote.core.types import UTCDateTime
from pbvote.extensions import db


class Project(db.Model):
    """A proposal found feasible: what residents vote on, at its official cost."""

    __tablename__ = "projects"
    __table_args__ = (CheckConstraint("cost > 0", name="cost_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    scope_id: Mapped[int] = mapped_column(ForeignKey("scopes.id"), index=True)
    proposal_id: Mapped[int | None] = mapped_column(index=True)  # FK added with proposals
    title_ar: Mapped[str] = mapped_column(String(200), default="")
    title_fr: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(String(600), default="")
    cost: Mapped[int] = mapped_column(BigInteger)  # official estimate, whole MAD
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    scope = relationship("Scope")
