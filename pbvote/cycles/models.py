"""Budget cycles, their phases and their scopes (commune-wide and per district)."""

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbvote.core.types import UTCDateTime
from pbvote.extensions import db

# The charter's yearly stages, in order. Each phase runs from its start until the
# next phase starts; the last one ends at the cycle's ``ends_at_dt``.
PHASES = (
    "preparation",
    "proposals",
    "review",
    "voting",
    "tally",
    "execution",
    "evaluation",
)
BALLOT_RULES = ("knapsack", "approval_k", "approval_min_share")
TALLY_RULES = ("greedy", "greedy-no-skip", "mes", "mes-card")
DEFAULT_SETTINGS = {
    "proposals_per_resident": 3,
    "min_voting_age": 16,
    "residents_per_phone": 3,
}


class Cycle(db.Model):
    __tablename__ = "cycles"
    __table_args__ = (
        UniqueConstraint("commune_id", "year"),
        CheckConstraint("total_budget >= 0", name="budget_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    year: Mapped[int]
    title_ar: Mapped[str] = mapped_column(String(200))
    title_fr: Mapped[str] = mapped_column(String(200))
    total_budget: Mapped[int] = mapped_column(BigInteger)  # whole dirhams
    ends_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    phases: Mapped[list["Phase"]] = relationship(
        back_populates="cycle",
        cascade="all, delete-orphan",
        order_by="Phase.starts_at_dt",
    )
    scopes: Mapped[list["Scope"]] = relationship(
        back_populates="cycle", cascade="all, delete-orphan", order_by="Scope.id"
    )
    date_changes: Mapped[list["DateChange"]] = relationship(
        back_populates="cycle",
        cascade="all, delete-orphan",
        order_by="DateChange.changed_at_dt",
    )
    commune = relationship("Commune")

    def setting(self, name: str):
        return (self.settings or {}).get(name, DEFAULT_SETTINGS[name])

    def phase_starts(self) -> dict[str, datetime]:
        return {phase.kind: phase.starts_at_dt for phase in self.phases}


class Phase(db.Model):
    __tablename__ = "phases"
    __table_args__ = (
        UniqueConstraint("cycle_id", "kind"),
        CheckConstraint(
            "kind in ('preparation', 'proposals', 'review', "
            "'voting', 'tally', 'execution', 'evaluation')",
            name="kind",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    starts_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    cycle: Mapped[Cycle] = relationship(back_populates="phases")


class Scope(db.Model):
    """A share of the cycle's money: commune-wide (no district) or one district's."""

    __tablename__ = "scopes"
    __table_args__ = (
        UniqueConstraint("cycle_id", "key"),
        CheckConstraint("amount >= 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(30))  # "commune" or "district-<id>"
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    ballot_rule: Mapped[str] = mapped_column(String(30), default="knapsack")
    ballot_max_projects: Mapped[int | None]  # approval_k
    ballot_min_share_pct: Mapped[int | None]  # approval_min_share
    tally_rule: Mapped[str] = mapped_column(String(20), default="greedy")
    tally_greedy_fill: Mapped[bool] = mapped_column(default=False)
    # Minimum support to be funded: a number of votes and/or a share of the
    # scope's valid ballots (the larger applies); None: no minimum.
    tally_min_votes: Mapped[int | None]
    tally_min_share_pct: Mapped[int | None]
    cycle: Mapped[Cycle] = relationship(back_populates="scopes")
    district = relationship("District")

    def min_votes_for(self, voters: int) -> int | None:
        """Votes a project needs to be funded when ``voters`` valid ballots were
        cast: the larger of the number and the share (rounded up), or None."""
        needed = [self.tally_min_votes or 0]
        if self.tally_min_share_pct:
            needed.append(-(-self.tally_min_share_pct * voters // 100))
        return max(needed) or None

    @property
    def is_commune_wide(self) -> bool:
        return self.district_id is None


class DateChange(db.Model):
    """A change of a running phase's dates, with the reason shown to the public on
    the cycle's timeline (the audit log has the same change for staff)."""

    __tablename__ = "cycle_date_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("cycles.id", ondelete="CASCADE"), index=True
    )
    changed_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(500))
    # {kind: {"old": [start, end], "new": [start, end]}}, ISO 8601 in UTC.
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    cycle: Mapped[Cycle] = relationship(back_populates="date_changes")
