"""Election keys and the ballot box. A ballot row never holds a voter id, session,
IP address or a time finer than the day."""

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbvote.core.types import UTCDateTime
from pbvote.extensions import db


class ChainKeyColumns:
    """An election's key pair (private halves wrapped, see
    :func:`pbvote.voting.sealing.new_wrapped_keys`) and its hash chain's head:
    the budget vote's :class:`ElectionKey` and a poll's key share them."""

    sealing_public: Mapped[bytes] = mapped_column(LargeBinary)
    sealing_private_wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    signing_public: Mapped[bytes] = mapped_column(LargeBinary)
    signing_private_wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    head_hash: Mapped[str] = mapped_column(String(64))
    ballot_count: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())


class ElectionKey(ChainKeyColumns, db.Model):
    """One per cycle, made when voting opens. Private halves are stored wrapped only.

    ``head_hash``/``ballot_count`` are the hash chain's head; casting locks this row
    so that links are appended one at a time.
    """

    __tablename__ = "election_keys"

    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), primary_key=True)


class Ballot(db.Model):
    """One link of the public chain, appended by the mixing job (never by the cast):
    rows of one batch share a transaction and are in a random order. No scope in
    clear (it is inside the sealed choice) and only the day of mixing."""

    __tablename__ = "ballots"
    __table_args__ = (UniqueConstraint("cycle_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    position: Mapped[int] = mapped_column(BigInteger)  # place in the hash chain, from 1
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    receipt: Mapped[str] = mapped_column(String(64), unique=True)
    previous_hash: Mapped[str] = mapped_column(String(64))
    chain_hash: Mapped[str] = mapped_column(String(64))
    mixed_on: Mapped[date] = mapped_column(Date)  # the day of mixing, never a time


class HeldBallot(db.Model):
    """One voter's sealed ballots between the cast and the mixing job, written in
    the cast's transaction. ``payload`` is encrypted again under a key derived from
    the app's environment (see :mod:`pbvote.voting.holding`): a database
    administrator who links this row to the voter's mark (same transaction) cannot
    compute the receipts from it. A random id, no time in clear."""

    __tablename__ = "held_ballots"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random hex
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    payload: Mapped[bytes] = mapped_column(LargeBinary)


# The voter side. These tables say who may vote and who has voted; none of them
# holds a ballot id, a receipt, a sequence number or a time finer than the day, so
# that no join or ordering links a voter to a ballot.


class VoterEntry(db.Model):
    """One eligible resident in a cycle's voter registry. The national ID number is
    kept only as a keyed hash (HMAC with VOTER_ID_KEY)."""

    __tablename__ = "voter_registry"
    __table_args__ = (UniqueConstraint("cycle_id", "cin_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    cin_hash: Mapped[str] = mapped_column(String(64))
    birth_date: Mapped[date] = mapped_column(Date)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    # Keyed hash of the registry's phone, when the import gave one: codes for this
    # entry then verify only if the typed phone is this one.
    phone_hash: Mapped[str | None] = mapped_column(String(64))
    import_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("voter_import_runs.id"), index=True
    )
    district = relationship("District")


class ImportRun(db.Model):
    """One CSV import into the registry, processed by a job in batches; the counts
    are the progress bar. The uploaded file is kept sealed until the run ends."""

    __tablename__ = "voter_import_runs"
    __table_args__ = (
        CheckConstraint(
            "status in ('queued', 'running', 'done', 'failed')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(10), default="queued")
    total_rows: Mapped[int] = mapped_column(default=0)
    processed_rows: Mapped[int] = mapped_column(default=0)
    accepted_rows: Mapped[int] = mapped_column(default=0)
    rejected_rows: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(300))
    data_enc: Mapped[bytes | None] = mapped_column(LargeBinary)  # wiped when done
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return (100 * self.processed_rows // self.total_rows) if self.total_rows else 0


class ImportRejection(db.Model):
    """A row the import refused: its line number and why (never the ID number)."""

    __tablename__ = "voter_import_rejections"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("voter_import_runs.id", ondelete="CASCADE"), index=True
    )
    line: Mapped[int]
    reason: Mapped[str] = mapped_column(String(30))
    detail: Mapped[str] = mapped_column(String(120), default="")


class Verification(db.Model):
    """A registry entry verified to vote in a cycle (by SMS code or at the office).

    The session holds a random token; only its hash is here. ``phone_slot`` numbers
    the residents verified with one phone so that a unique constraint enforces the
    per-phone limit even under concurrent verifications.
    """

    __tablename__ = "voter_verifications"
    __table_args__ = (
        UniqueConstraint("cycle_id", "phone_hash", "phone_slot"),
        CheckConstraint("method in ('sms', 'kiosk')", name="method"),
    )

    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), primary_key=True)
    registry_entry_id: Mapped[int] = mapped_column(
        ForeignKey("voter_registry.id"), primary_key=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    method: Mapped[str] = mapped_column(String(10))
    phone_hash: Mapped[str | None] = mapped_column(String(64))
    phone_slot: Mapped[int | None]
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)  # for the receipt SMS
    verified_on: Mapped[date] = mapped_column(Date)
    profile_given: Mapped[bool] = mapped_column(default=False)


class VerificationAttempt(db.Model):
    """Server-side state between "send me a code" and "here is the code", so that
    the browser's cookie never tells whether the ID matched the registry."""

    __tablename__ = "voter_verification_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("otp_challenges.id"), unique=True
    )
    # Indexed: a claim holds only while its attempt is its entry's newest.
    registry_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("voter_registry.id"), index=True
    )
    # The typed phone's keyed hash (its code's row holds the number itself): the
    # code step reads the phone's verifications in its one statement.
    phone_hash: Mapped[str | None] = mapped_column(String(64))
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())


class VoterMark(db.Model):
    """ "Has voted": written in the transaction that stores the ballots. Its primary
    key is the one-vote guarantee. No serial id and only the day, so marks cannot be
    ordered against the ballot chain."""

    __tablename__ = "voter_marks"

    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), primary_key=True)
    registry_entry_id: Mapped[int] = mapped_column(
        ForeignKey("voter_registry.id"), primary_key=True
    )
    voted_on: Mapped[date] = mapped_column(Date)


class KioskPass(db.Model):
    """A one-time ballot a clerk opens on the citizen office's kiosk for a resident
    whose ID card was checked in person: a short code, valid minutes, usable once."""

    __tablename__ = "kiosk_passes"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    registry_entry_id: Mapped[int] = mapped_column(ForeignKey("voter_registry.id"))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    clerk_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    expires_at_dt: Mapped[datetime] = mapped_column(UTCDateTime())
    used: Mapped[bool] = mapped_column(default=False)


class ParticipationProfile(db.Model):
    """Optional answers for the charter's diversity indicators, given with consent.

    Stored apart: a random id, no voter, verification or ballot link, the day only.
    """

    __tablename__ = "participation_profiles"
    __table_args__ = (
        CheckConstraint(
            "age_band in ('16-17', '18-29', '30-44', '45-59', '60+', 'none')",
            name="age_band",
        ),
        CheckConstraint("gender in ('woman', 'man', 'none')", name="gender"),
        CheckConstraint("disability in ('yes', 'no', 'none')", name="disability"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random hex
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    age_band: Mapped[str] = mapped_column(String(10))
    gender: Mapped[str] = mapped_column(String(10))
    disability: Mapped[str] = mapped_column(String(10))
    given_on: Mapped[date] = mapped_column(Date)
