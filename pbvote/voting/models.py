"""Election keys and the ballot box. A ballot row never holds a voter id, session,
IP address or a time finer than the day."""

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pbvote.core.types import UTCDateTime
from pbvote.extensions import db


class ElectionKey(db.Model):
    """One per cycle, made when voting opens. Private halves are stored wrapped only.

    ``head_hash``/``ballot_count`` are the hash chain's head; casting locks this row
    so that links are appended one at a time.
    """

    __tablename__ = "election_keys"

    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), primary_key=True)
    sealing_public: Mapped[bytes] = mapped_column(LargeBinary)
    sealing_private_wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    signing_public: Mapped[bytes] = mapped_column(LargeBinary)
    signing_private_wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    head_hash: Mapped[str] = mapped_column(String(64))
    ballot_count: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())


class Ballot(db.Model):
    __tablename__ = "ballots"
    __table_args__ = (UniqueConstraint("cycle_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    scope_id: Mapped[int] = mapped_column(ForeignKey("scopes.id"))
    position: Mapped[int] = mapped_column(BigInteger)  # place in the hash chain, from 1
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    receipt: Mapped[str] = mapped_column(String(64), unique=True)
    previous_hash: Mapped[str] = mapped_column(String(64))
    chain_hash: Mapped[str] = mapped_column(String(64))
    cast_on: Mapped[date] = mapped_column(Date)  # the day only, never the time
