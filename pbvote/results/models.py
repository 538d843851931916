"""Tally runs, the opened ballot chunks they store while counting, and what they
publish: results per scope and per project, and the public ballot record.

Only a run with ``status == "published"`` is ever shown. Its ``ScopeResult``,
``ProjectResult``, ``PublicChainEntry`` and ``PublicBallot`` rows are written in the
same transaction that sets that status, so nothing partial is visible.
``TallyChunk`` rows are private working data (opened ballots by chain position);
they are never shown and are deleted when the run is published.
"""

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbvote.core.types import UTCDateTime
from pbvote.extensions import db

RUN_STATUSES = ("running", "failed", "published")


class TallyRun(db.Model):
    """The count of one cycle. One row per cycle (the unique constraint is what
    refuses a second tally started at the same moment); a failed or interrupted
    run is resumed in place with ``attempt + 1``."""

    __tablename__ = "tally_runs"
    __table_args__ = (
        CheckConstraint("status in ('running', 'failed', 'published')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="running")
    attempt: Mapped[int] = mapped_column(default=1)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    heartbeat_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    chunk_size: Mapped[int] = mapped_column(default=5000)
    chunk_count: Mapped[int | None]  # known once the chain is verified
    ballot_count: Mapped[int | None] = mapped_column(BigInteger)
    chain_head: Mapped[str | None] = mapped_column(String(64))
    error_code: Mapped[str | None] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(String(1000))
    # The signed result: the exact canonical JSON text, its Ed25519 signature and
    # the public key that checks it.
    signed_payload: Mapped[str | None] = mapped_column(Text)
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    signing_public: Mapped[bytes | None] = mapped_column(LargeBinary)
    sealing_public: Mapped[bytes | None] = mapped_column(LargeBinary)
    cycle = relationship("Cycle")
    started_by = relationship("User")

    @property
    def is_published(self) -> bool:
        return self.status == "published"


class TallyChunk(db.Model):
    """Ballots ``chunk * size + 1 .. (chunk + 1) * size`` (chain positions) opened.

    ``opened`` is a list of ``[position, scope_id, [project ids] | null]`` (null:
    the ballot could not be opened or did not match its scope). Keyed by
    (run, chunk) so a chunk job run twice stores it once.
    """

    __tablename__ = "tally_chunks"
    __table_args__ = (UniqueConstraint("run_id", "chunk"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("tally_runs.id", ondelete="CASCADE"))
    chunk: Mapped[int]
    chain_head: Mapped[str] = mapped_column(String(64))
    ballot_count: Mapped[int]
    invalid_count: Mapped[int] = mapped_column(default=0)
    opened: Mapped[list] = mapped_column(JSON)
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())


class ScopeResult(db.Model):
    """The published count of one scope, with the engine's full output."""

    __tablename__ = "scope_results"
    __table_args__ = (UniqueConstraint("run_id", "scope_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("tally_runs.id", ondelete="CASCADE"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    scope_id: Mapped[int] = mapped_column(ForeignKey("scopes.id"))
    rule: Mapped[str] = mapped_column(String(20))
    greedy_fill: Mapped[bool] = mapped_column(default=False)
    budget: Mapped[int] = mapped_column(BigInteger)
    budget_used: Mapped[int] = mapped_column(BigInteger)
    voters: Mapped[int] = mapped_column(BigInteger)  # valid ballots in this scope
    invalid: Mapped[int] = mapped_column(BigInteger, default=0)
    winners: Mapped[list] = mapped_column(JSON)  # project ids, in selection order
    engine_result: Mapped[dict] = mapped_column(JSON)  # Result.to_dict()
    scope = relationship("Scope")
    projects: Mapped[list["ProjectResult"]] = relationship(
        cascade="all, delete-orphan", order_by="ProjectResult.rank"
    )

    @property
    def budget_left(self) -> int:
        return self.budget - self.budget_used


class ProjectResult(db.Model):
    """One project's votes and the decision about it; ``rank`` orders the table
    (winners in selection order, then the others by votes)."""

    __tablename__ = "project_results"
    __table_args__ = (UniqueConstraint("scope_result_id", "project_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope_result_id: Mapped[int] = mapped_column(
        ForeignKey("scope_results.id", ondelete="CASCADE")
    )
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    votes: Mapped[int] = mapped_column(BigInteger)
    selected: Mapped[bool]
    rank: Mapped[int]
    reason: Mapped[str] = mapped_column(String(30))
    step: Mapped[int | None]
    decision: Mapped[dict] = mapped_column(JSON)  # Decision.to_dict()
    project = relationship("Project")


class PublicChainEntry(db.Model):
    """One link of the published hash chain: a receipt at its chain position with
    the links before and after it. Anyone can recompute the chain up to the signed
    head, and a voter can find their receipt. It says nothing about the ballot's
    content: the opened ballots are a separate list (:class:`PublicBallot`)."""

    __tablename__ = "public_chain_entries"
    __table_args__ = (
        UniqueConstraint("run_id", "position"),
        Index("ix_public_chain_entries_receipt", "receipt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("tally_runs.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(BigInteger)
    receipt: Mapped[str] = mapped_column(String(64))
    previous_hash: Mapped[str] = mapped_column(String(64))
    chain_hash: Mapped[str] = mapped_column(String(64))


class PublicBallot(db.Model):
    """One opened ballot of the public record: its scope and choice, at
    ``shuffled_index`` in an order keyed with a secret derived from the election's
    sealing key (see :mod:`pbvote.results.record`). No receipt, no chain position:
    nothing links it to the chain, so the cast order of a ballot cannot be learnt.
    Rows are inserted in shuffled order, so even their ids carry no cast order."""

    __tablename__ = "public_ballots"
    __table_args__ = (UniqueConstraint("run_id", "shuffled_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("tally_runs.id", ondelete="CASCADE"))
    shuffled_index: Mapped[int] = mapped_column(BigInteger)
    scope_id: Mapped[int] = mapped_column(ForeignKey("scopes.id"))
    projects: Mapped[list | None] = mapped_column(JSON)  # None: not valid
