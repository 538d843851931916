"""Polls, their questions and options, and the poll's own secret ballot box.

The box has the same shape as the budget vote's (:mod:`pbvote.voting.models`):
an election key per poll (private halves wrapped), held rows between the cast and
the mixing, a public hash chain, and a mark per voter whose primary key is the
one-vote rule. No ballot row holds a voter, a session, an address or a time finer
than the day; no mark holds a ballot id, a receipt or a sequence number.
"""

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbvote.core.types import UTCDateTime
from pbvote.extensions import db
from pbvote.voting.models import ChainKeyColumns

QUESTION_KINDS = ("yesno", "choice")
STATUSES = ("draft", "open", "closed", "published")


class Poll(db.Model):
    """A poll. ``status``: draft (editable), open (key made; votes are accepted
    between ``opens_at_dt`` and ``closes_at_dt``), closed (counting), published.
    Residents verify against the voter registry of ``registry_cycle_id``."""

    __tablename__ = "polls"
    __table_args__ = (
        CheckConstraint(
            "status in ('draft', 'open', 'closed', 'published')", name="status"
        ),
        CheckConstraint("closes_at_dt > opens_at_dt", name="closes_after_opening"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    registry_cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"))
    title_ar: Mapped[str] = mapped_column(String(200), default="")
    title_fr: Mapped[str] = mapped_column(String(200), default="")
    intro_ar: Mapped[str] = mapped_column(Text, default="")
    intro_fr: Mapped[str] = mapped_column(Text, default="")
    opens_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(10), default="draft")
    # Why the last count failed (a broken chain, an unusable key): nothing was
    # published, and the worker does not retry it every beat.
    count_error: Mapped[str | None] = mapped_column(Text)
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    questions: Mapped[list["PollQuestion"]] = relationship(
        back_populates="poll",
        order_by="(PollQuestion.position, PollQuestion.id)",
        cascade="all, delete-orphan",
    )
    registry_cycle = relationship("Cycle")

    def accepts_votes(self, now: datetime) -> bool:
        return self.status == "open" and self.opens_at_dt <= now < self.closes_at_dt

    def phase(self, now: datetime) -> str:
        """draft, scheduled, voting, counting or published."""
        if self.status in ("draft", "published"):
            return self.status
        if self.status == "open" and now < self.opens_at_dt:
            return "scheduled"
        if self.accepts_votes(now):
            return "voting"
        return "counting"


class PollQuestion(db.Model):
    __tablename__ = "poll_questions"
    __table_args__ = (CheckConstraint("kind in ('yesno', 'choice')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(10))
    text_ar: Mapped[str] = mapped_column(Text, default="")
    text_fr: Mapped[str] = mapped_column(Text, default="")
    poll: Mapped[Poll] = relationship(back_populates="questions")
    options: Mapped[list["PollOption"]] = relationship(
        back_populates="question",
        order_by="(PollOption.position, PollOption.id)",
        cascade="all, delete-orphan",
    )


class PollOption(db.Model):
    """One answer of a question (a yes/no question has two: yes, then no)."""

    __tablename__ = "poll_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("poll_questions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    text_ar: Mapped[str] = mapped_column(String(300), default="")
    text_fr: Mapped[str] = mapped_column(String(300), default="")
    question: Mapped[PollQuestion] = relationship(back_populates="options")


# The poll's ballot box: the same columns as the budget vote's tables, so that
# pbvote.voting.holding mixes them (holding.BoxTables).


class PollKey(ChainKeyColumns, db.Model):
    """Made when the poll opens; ``head_hash``/``ballot_count`` are the chain's head."""

    __tablename__ = "poll_keys"

    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), primary_key=True)


class PollHeldBallot(db.Model):
    """One voter's sealed ballot between the cast and the mixing, encrypted again
    under the environment's holding key. A random id, no time in clear."""

    __tablename__ = "poll_held_ballots"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), index=True)
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class PollBallot(db.Model):
    """One link of the poll's public chain, appended by the mixing (shuffled)."""

    __tablename__ = "poll_ballots"
    __table_args__ = (UniqueConstraint("poll_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), index=True)
    position: Mapped[int] = mapped_column(BigInteger)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    receipt: Mapped[str] = mapped_column(String(64), unique=True)
    previous_hash: Mapped[str] = mapped_column(String(64))
    chain_hash: Mapped[str] = mapped_column(String(64))
    mixed_on: Mapped[date] = mapped_column(Date)


class PollMark(db.Model):
    """ "Has voted in this poll": its primary key is the one-vote guarantee. No
    serial id and the day only."""

    __tablename__ = "poll_marks"

    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), primary_key=True)
    registry_entry_id: Mapped[int] = mapped_column(
        ForeignKey("voter_registry.id"), primary_key=True
    )
    voted_on: Mapped[date] = mapped_column(Date)


class PollResult(db.Model):
    """The published result: the signed payload (canonical JSON), its Ed25519
    signature, and the whole public record (chain + opened ballots) as JSON."""

    __tablename__ = "poll_results"

    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), primary_key=True)
    payload: Mapped[str] = mapped_column(Text)
    signature: Mapped[str] = mapped_column(String(128))
    record: Mapped[str] = mapped_column(Text)
    published_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
