"""Proving eligibility to vote: ID number + date of birth + an SMS code, or a clerk
who checked the ID card in person and opens a one-time ballot on the kiosk.

The answer to "send me a code" never tells whether the ID matched the registry:
a code is always sent to the typed phone, and an identity that does not match (or
a phone that is not the registry's, when the registry has one) fails at the code
step with exactly the wrong-code message. Codes per typed ID number are limited
per hour and per day, for every typed ID.

Two commits per voter (docs/voting.md): the right code commits nothing. The
session then holds a signed *claim* (the attempt's id, when, and the token its
verification will carry); the ballot pages read who is voting from it, and the
cast consumes the attempt and its code, records the verification and the vote in
one transaction (:func:`consume_claim`, :func:`verify_entry`).
"""

import secrets
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import (
    and_,
    bindparam,
    delete,
    exists,
    false,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from pbvote.accounts import otp
from pbvote.accounts.errors import CodeRejected
from pbvote.accounts.models import OtpChallenge
from pbvote.audit.services import record_action
from pbvote.core import ratelimit
from pbvote.core.security import keyed_hash, new_numeric_code, same, seal_secret
from pbvote.core.time import day_of
from pbvote.cycles.models import Cycle
from pbvote.extensions import db
from pbvote.voting.errors import (
    AlreadyVoted,
    KioskPassInvalid,
    PhoneLimitReached,
    ResidentNotFound,
    VerificationExpired,
)
from pbvote.voting.models import (
    KioskPass,
    Verification,
    VerificationAttempt,
    VoterEntry,
    VoterMark,
)
from pbvote.voting.opening import require_voting_open
from pbvote.voting.registry import cin_hash, find_entry, phone_hash

PHONE_SEAL = "vote-phone"
KIOSK_MINUTES = 15
KIOSK_TRIES_PER_15_MIN = 10
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def token_digest(token: str) -> str:
    return keyed_hash("vote-token", token)


def verification_for(cycle: Cycle, token: str | None) -> Verification | None:
    """The verification this session's opaque token proves, if still current."""
    if not token:
        return None
    return db.session.scalar(
        select(Verification).where(
            Verification.cycle_id == cycle.id,
            Verification.token_hash == token_digest(token),
        )
    )


class Voter(NamedTuple):
    """Who is voting in this session: a registry entry, its district, whether it
    has voted; ``verification`` is None for a claim (a right code, not yet cast)."""

    entry_id: int
    district_id: int
    voted: bool
    verification: Verification | None = None


def _voted(entry_id_column):
    return exists().where(
        VoterMark.cycle_id == VoterEntry.cycle_id,
        VoterMark.registry_entry_id == entry_id_column,
    )


@lru_cache(maxsize=1)
def _voter_for_statement():
    return (
        select(
            Verification,
            VoterEntry.district_id,
            _voted(Verification.registry_entry_id),
        )
        .join(VoterEntry, VoterEntry.id == Verification.registry_entry_id)
        .where(
            Verification.cycle_id == bindparam("cycle_id"),
            Verification.token_hash == bindparam("token_hash"),
        )
    )


def voter_for(cycle: Cycle, token: str | None) -> Voter | None:
    """:func:`verification_for`, its registry entry's district and whether it has
    voted, in one query (its statement built once: issue 13)."""
    if not token:
        return None
    found = db.session.execute(
        _voter_for_statement(),
        {"cycle_id": cycle.id, "token_hash": token_digest(token)},
    ).one_or_none()
    if found is None:
        return None
    verification, district_id, voted = found
    return Voter(verification.registry_entry_id, district_id, voted, verification)


# A claim: a right code, not yet cast --------------------------------------------
#
# The code step commits nothing: the signed session cookie holds the claim
# {"attempt": id, "at": ISO time of the right code, "token": the verification's
# future token, "district": the entry's district, "voted": whether it had voted}.
# The attempt row (server side, never in the cookie: it says whether the identity
# matched) gives the registry entry; the cast consumes it, checking everything
# again. District and voted let the ballot pages answer without the database
# (what they show, the ballot of that district or "already voted", is all they
# tell the cookie's holder).


def verified_minutes() -> int:
    """How long a right code lets the resident fill the ballot."""
    return current_app.config.get("VOTE_VERIFIED_MINUTES", 60)


def attempt_lifetime() -> timedelta:
    """How long an attempt may serve: its code's life, then the verified window.
    The purge keeps attempts (and their codes) this long, no longer."""
    return timedelta(
        seconds=current_app.config["OTP_TTL_SECONDS"], minutes=verified_minutes()
    )


def new_claim(attempt_id: int, now: datetime, district_id: int, voted: bool) -> dict:
    return {
        "attempt": attempt_id,
        "at": now.isoformat(),
        "token": secrets.token_urlsafe(32),
        "district": district_id,
        "voted": voted,
    }


def voter_in_claim(claim: dict, now: datetime) -> Voter | None:
    """The district and voted state a live claim was given by the code step,
    without the database (no entry id: the cast reads it); None for a claim
    from before they were kept. Raises VerificationExpired."""
    if "district" not in claim:
        return None
    check_claim_time(claim, now)
    return Voter(None, claim["district"], claim["voted"])


def check_claim_time(claim: dict, now: datetime) -> None:
    """Raises VerificationExpired once the verified window has passed."""
    minutes = verified_minutes()
    if now >= datetime.fromisoformat(claim["at"]) + timedelta(minutes=minutes):
        raise VerificationExpired(
            ngettext(
                "Your code was checked more than %(num)d minute ago: nothing "
                "was recorded. Verify your identity again to vote.",
                "Your code was checked more than %(num)d minutes ago: nothing "
                "was recorded. Verify your identity again to vote.",
                minutes,
            )
        )


# The claim's statements are built once, with bound parameters (building them
# cost more Python time than running them: issue 13): ``attempt_id``,
# ``cycle_id`` and ``since`` (:func:`_claim_parameters`).


def _live_attempt():
    """The claim's attempt, while it can serve: this cycle's, for a registry entry,
    within :func:`attempt_lifetime`, and its entry's newest (asking for a code again
    ends an earlier claim, as a renewed verification ends an earlier token)."""
    newer = aliased(VerificationAttempt)
    return and_(
        VerificationAttempt.id == bindparam("attempt_id"),
        VerificationAttempt.cycle_id == bindparam("cycle_id"),
        VerificationAttempt.registry_entry_id.is_not(None),
        VerificationAttempt.created_at_dt > bindparam("since"),
        ~exists().where(
            newer.cycle_id == VerificationAttempt.cycle_id,
            newer.registry_entry_id == VerificationAttempt.registry_entry_id,
            newer.id > VerificationAttempt.id,
        ),
    )


def _claim_parameters(cycle: Cycle, claim: dict, now: datetime) -> dict:
    return {
        "attempt_id": claim["attempt"],
        "cycle_id": cycle.id,
        "since": now - attempt_lifetime(),
    }


@lru_cache(maxsize=1)
def _claimed_voter_statement():
    return (
        select(
            VerificationAttempt.registry_entry_id,
            VoterEntry.district_id,
            _voted(VerificationAttempt.registry_entry_id),
        )
        .join(VoterEntry, VoterEntry.id == VerificationAttempt.registry_entry_id)
        .where(_live_attempt())
    )


def claimed_voter(cycle: Cycle, claim: dict, now: datetime) -> Voter | None:
    """The voter a live claim proves (entry, district, voted), read-only, in one
    query; None when its attempt was used, superseded or purged. Raises
    VerificationExpired."""
    check_claim_time(claim, now)
    found = run_core(
        _claimed_voter_statement(), _claim_parameters(cycle, claim, now)
    ).one_or_none()
    return None if found is None else Voter(*found)


def run_core(statement, parameters: dict):
    """Run a Core statement (plain columns, no ORM entity) on the session's
    connection, in its transaction: the ORM's execution layer (events, autoflush,
    its compile step) costs more Python time than the query itself (about 80 µs
    of a ballot page's 200). Nothing may be pending in the session: no flush."""
    return db.session.connection().execute(statement, parameters)


@lru_cache(maxsize=1)
def _consume_statement():
    """PostgreSQL: the attempt and its code deleted, returning entry, district,
    voted and phone, in one statement."""
    gone = (
        delete(VerificationAttempt)
        .where(_live_attempt())
        .returning(
            VerificationAttempt.challenge_id, VerificationAttempt.registry_entry_id
        )
        .cte("gone")
    )
    code = (
        delete(OtpChallenge)
        .where(OtpChallenge.id.in_(select(gone.c.challenge_id)))
        .returning(OtpChallenge.id, OtpChallenge.phone)
        .cte("code")
    )
    return (
        select(
            gone.c.registry_entry_id,
            VoterEntry.district_id,
            exists().where(
                VoterMark.cycle_id == bindparam("cycle_id"),
                VoterMark.registry_entry_id == gone.c.registry_entry_id,
            ),
            code.c.phone,
        )
        .select_from(gone)
        .join(code, code.c.id == gone.c.challenge_id)
        .join(VoterEntry, VoterEntry.id == gone.c.registry_entry_id)
    )


def consume_claim(cycle: Cycle, claim: dict, now: datetime):
    """Delete the claim's attempt and its code (the code's single use), returning
    (Voter, phone) or None when the attempt was already used, superseded or
    purged. Raises VerificationExpired. The caller's transaction must record the
    vote: a concurrent cast of the same claim waits for this row lock, then finds
    nothing."""
    check_claim_time(claim, now)
    parameters = _claim_parameters(cycle, claim, now)
    if db.session.get_bind().dialect.name != "postgresql":
        # SQLite (the embedded first run): no DELETE inside WITH; its writes are
        # serialised by the database lock.
        found = db.session.execute(
            select(
                VerificationAttempt.registry_entry_id,
                VoterEntry.district_id,
                _voted(VerificationAttempt.registry_entry_id),
                OtpChallenge.phone,
                OtpChallenge.id,
            )
            .join(VoterEntry, VoterEntry.id == VerificationAttempt.registry_entry_id)
            .join(OtpChallenge, OtpChallenge.id == VerificationAttempt.challenge_id)
            .where(_live_attempt()),
            parameters,
        ).one_or_none()
        gone = (
            found is not None
            and db.session.execute(
                delete(VerificationAttempt).where(
                    VerificationAttempt.id == claim["attempt"]
                )
            ).rowcount
        )
        if not gone:  # a concurrent cast used it first
            return None
        db.session.execute(delete(OtpChallenge).where(OtpChallenge.id == found[4]))
        return Voter(*found[:3]), found[3]
    found = run_core(_consume_statement(), parameters).one_or_none()
    return None if found is None else (Voter(*found[:3]), found[3])


# By SMS ---------------------------------------------------------------------------


def _phone_limit_message(limit: int) -> str:
    return ngettext(
        "This mobile number has already been used to verify %(num)d "
        "resident in this cycle, the most allowed. Use another number or "
        "vote at the citizen office.",
        "This mobile number has already been used to verify %(num)d "
        "residents in this cycle, the most allowed. Use another number or "
        "vote at the citizen office.",
        limit,
    )


VOTE_SMS = _l(
    "Ouazzane participation: your voting code is {code}. It is valid for 10 "
    "minutes. Never share it."
)


def _typed_id_limits(digest: str) -> tuple:
    """Codes per typed ID number (``digest``: its :func:`cin_hash`), per hour and
    per day, counted for every typed ID (in the registry or not, so the limit
    itself tells nothing); checked and counted with the code's own limits
    (otp.issue_code raises TooSoon)."""
    config = current_app.config
    return (
        ("vote-cin-hour", digest, config.get("VOTE_CODES_PER_ID_PER_HOUR", 3), HOUR),
        ("vote-cin-day", digest, config.get("VOTE_CODES_PER_ID_PER_DAY", 6), DAY),
    )


def _matching_entry():
    """The id of the registry entry the typed identity proves, if any (a scalar
    subquery): ID number and date of birth match (no date of birth compares IS
    NULL, as before), and the typed phone is the registry's when the registry has
    one. Bound parameters: cycle_id, cin_hash, birth, phone_hash."""
    entries = VoterEntry.__table__
    return (
        select(entries.c.id)
        .where(
            entries.c.cycle_id == bindparam("cycle_id"),
            entries.c.cin_hash == bindparam("cin_hash"),
            entries.c.birth_date.is_not_distinct_from(
                bindparam("birth", type_=entries.c.birth_date.type)
            ),
            or_(
                entries.c.phone_hash.is_(None),
                entries.c.phone_hash == bindparam("phone_hash"),
            ),
        )
        .scalar_subquery()
    )


def _insert_attempt(challenge_id):
    """The verification attempt of a new code (``otp.issue_code``'s ``then``): its
    registry entry is :func:`_matching_entry`, found by the database inside the
    INSERT, so that the request's Python work is the same whether the identity
    matches or not (bench/oracle.py)."""
    attempts = VerificationAttempt.__table__
    return (
        insert(attempts)
        .from_select(
            [
                "cycle_id",
                "challenge_id",
                "registry_entry_id",
                "phone_hash",
                "created_at_dt",
            ],
            select(
                bindparam("cycle_id", type_=attempts.c.cycle_id.type),
                challenge_id,
                _matching_entry(),
                bindparam("phone_hash", type_=attempts.c.phone_hash.type),
                bindparam("attempt_at", type_=attempts.c.created_at_dt.type),
            ),
        )
        .returning(attempts.c.id)
    )


class NewAttempt(NamedTuple):
    """A verification attempt just started: the session keeps its id."""

    id: int


def request_vote_code(
    cycle: Cycle,
    cin: str,
    birth: date | None,
    phone: str,
    ip: str,
    now: datetime,
    *,
    check_phase: bool = True,
) -> NewAttempt:
    """Start a verification. A code is ALWAYS sent to the typed phone, whether or
    not the identity matches the registry (or its phone): the answer, the work
    done and the SMS are the same, and a wrong identity fails at the code step
    with the wrong-code message. Raises PhaseClosed, TooSoon.

    The attempt is inserted with the code (on PostgreSQL in the statement that
    counts the rate limits and inserts the SMS and the challenge: issue 13).

    ``check_phase=False``: another vote on this cycle's registry (a poll, which
    checks its own period) verifies its residents the same way."""
    if check_phase:
        require_voting_open(cycle, now)
    digest = cin_hash(cin)
    issued = otp.issue_code(
        cycle.commune_id,
        phone,
        "vote",
        ip,
        now,
        str(VOTE_SMS),
        limits=_typed_id_limits(digest),
        then=_insert_attempt,
        then_values={
            "cycle_id": cycle.id,
            "cin_hash": digest,
            "birth": birth,
            "phone_hash": phone_hash(phone),  # computed on every path: same work
            "attempt_at": now,
        },
    )
    return NewAttempt(issued.then_id)


@lru_cache(maxsize=1)
def _checked_attempt_statement():
    """The attempt's entry (its district, whether it voted), the typed phone's
    verifications in the cycle (how many, whether one is the entry's: the
    per-phone limit) and the code's columns, plain (no ORM entities to load and
    expunge: issue 13), the code's row locked. An attempt whose identity did not
    match has no entry: the same statement, with NULLs."""
    attempts, challenges = VerificationAttempt.__table__, OtpChallenge.__table__
    entries, marks = VoterEntry.__table__, VoterMark.__table__
    verifications = Verification.__table__
    same_phone = and_(
        verifications.c.cycle_id == attempts.c.cycle_id,
        verifications.c.phone_hash == attempts.c.phone_hash,
    )
    return (
        select(
            attempts.c.registry_entry_id,
            select(entries.c.district_id)
            .where(entries.c.id == attempts.c.registry_entry_id)
            .scalar_subquery()
            .label("district_id"),
            exists()
            .where(
                marks.c.cycle_id == attempts.c.cycle_id,
                marks.c.registry_entry_id == attempts.c.registry_entry_id,
            )
            .label("voted"),
            select(func.count())
            .where(same_phone)
            .scalar_subquery()
            .label("phone_verified"),
            exists()
            .where(
                same_phone,
                verifications.c.registry_entry_id == attempts.c.registry_entry_id,
            )
            .label("phone_verified_this_entry"),
            challenges.c.id,
            challenges.c.phone,
            challenges.c.code_hash,
            challenges.c.failed_tries,
            challenges.c.consumed_at_dt,
            challenges.c.expires_at_dt,
        )
        .join_from(attempts, challenges, challenges.c.id == attempts.c.challenge_id)
        .where(
            attempts.c.id == bindparam("attempt_id"),
            attempts.c.cycle_id == bindparam("cycle_id"),
            challenges.c.purpose == "vote",
        )
        .with_for_update(of=challenges)
    )


def _checked_attempt(cycle: Cycle, attempt_id, code: str, now: datetime):
    """Read the attempt and its code, the code's row locked FOR UPDATE (on
    PostgreSQL concurrent tries of one code run one after the other), and check
    the typed code. Returns the row (:func:`_checked_attempt_statement`); a
    right code writes nothing.

    Raises CodeRejected (a wrong try is counted: the caller commits). A code sent
    for an identity that did not match is refused exactly as a wrong code."""
    found = None
    if attempt_id:
        found = db.session.execute(
            _checked_attempt_statement(),
            {"attempt_id": attempt_id, "cycle_id": cycle.id},
        ).one_or_none()
    if found is None:
        raise CodeRejected(_("Ask for a code first."))
    otp.check_locked_row(
        found, code, "vote", now, acceptable=found.registry_entry_id is not None
    )
    return found


def check_vote_code(
    cycle: Cycle,
    attempt_id: int | None,
    code: str,
    now: datetime,
    *,
    check_phase: bool = True,
) -> dict:
    """The code step of the budget vote: check the code and return the session's
    claim (:func:`new_claim`). A right code writes nothing (the caller rolls back,
    releasing the lock): the attempt and its code are consumed by the cast, in the
    transaction that records the vote (:func:`consume_claim`).

    Raises PhaseClosed, CodeRejected (the caller commits, to count wrong tries),
    PhoneLimitReached (read here so that the resident learns it before filling the
    ballot; the cast's own verification still decides under concurrency)."""
    if check_phase:
        require_voting_open(cycle, now)
    found = _checked_attempt(cycle, attempt_id, code, now)
    limit = cycle.setting("residents_per_phone")
    if not found.phone_verified_this_entry and found.phone_verified >= limit:
        # What verify_entry would find: no slot left for this phone (the cast's
        # verification decides under concurrency).
        raise PhoneLimitReached(_phone_limit_message(limit))
    return new_claim(attempt_id, now, found.district_id, found.voted)


def confirm_vote_code(
    cycle: Cycle,
    attempt_id: int | None,
    code: str,
    now: datetime,
    *,
    check_phase: bool = True,
) -> str:
    """Check the code and record the verification at once; return the session's
    new opaque verification token (the polls' code step, which commits it).

    Raises PhaseClosed, CodeRejected (the caller commits, to count wrong tries),
    PhoneLimitReached. ``check_phase``: as for :func:`request_vote_code`.
    """
    if check_phase:
        require_voting_open(cycle, now)
    found = _checked_attempt(cycle, attempt_id, code, now)
    entry_id, phone, challenge_id = found.registry_entry_id, found.phone, found.id
    token = verify_entry(cycle, entry_id, "sms", phone, now)
    # Used: the attempt and its code go (one statement), and the entry's earlier
    # attempts with them: a budget vote's claim on one of them ends, as an earlier
    # session's token does.
    if db.session.get_bind().dialect.name == "postgresql":
        gone = (
            delete(VerificationAttempt)
            .where(
                VerificationAttempt.cycle_id == cycle.id,
                or_(
                    VerificationAttempt.id == attempt_id,
                    VerificationAttempt.registry_entry_id == entry_id,
                ),
            )
            .returning(VerificationAttempt.challenge_id)
            .cte("gone")
        )
        db.session.execute(
            delete(OtpChallenge).where(OtpChallenge.id.in_(select(gone.c.challenge_id)))
        )
    else:  # SQLite (the embedded first run) has no DELETE inside WITH: two statements
        db.session.execute(
            delete(VerificationAttempt).where(
                VerificationAttempt.cycle_id == cycle.id,
                or_(
                    VerificationAttempt.id == attempt_id,
                    VerificationAttempt.registry_entry_id == entry_id,
                ),
            )
        )
        db.session.execute(delete(OtpChallenge).where(OtpChallenge.id == challenge_id))
    return token


@lru_cache(maxsize=16)
def _insert_or_nothing_statement(dialect: str, table):
    module = sqlite if dialect == "sqlite" else postgresql
    return (
        module.insert(table)
        .on_conflict_do_nothing()
        .returning(next(iter(table.primary_key.columns)))
    )


def insert_row_or_nothing(model, values: dict) -> bool:
    """Insert one row of ``model``'s table unless it conflicts with a unique
    constraint; False when nothing was inserted. Plain Core, its statement built
    once per table and database (the columns are the keys of ``values``)."""
    statement = _insert_or_nothing_statement(
        db.session.get_bind().dialect.name, model.__table__
    )
    return db.session.execute(statement, values).first() is not None


def first_slot_row(
    cycle: Cycle,
    entry_id: int,
    method: str,
    phone: str | None,
    now: datetime,
    token: str,
) -> dict | None:
    """The verification row :func:`verify_entry` tries first (the phone's first
    slot), as columns; None when the cycle allows no resident per phone."""
    if cycle.setting("residents_per_phone") < 1:
        return None
    values = _values(method, phone, now, token, slot=1)
    return {"cycle_id": cycle.id, "registry_entry_id": entry_id, **values}


def verify_entry(
    cycle: Cycle,
    entry_id: int,
    method: str,
    phone: str | None,
    now: datetime,
    token: str | None = None,
    *,
    first_tried: bool = False,
) -> str:
    """Record (or renew) the entry's verification; returns its token (``token``,
    or a new one). A renewed verification ends any earlier session's. Raises
    PhoneLimitReached.

    The usual case, a first verification with a phone no one used, is one INSERT
    into the phone's first slot. Else one statement reads (and locks) the entry's
    verification and those made with the same phone, and a new verification is
    one INSERT. When it inserts nothing, a concurrent transaction committed a
    verification first, of this entry or into this phone's free slot: read again
    once (the entry's is then renewed, another slot taken, or the limit reached).
    Every path is decided by the table's unique constraints, so it holds under
    concurrency. ``first_tried``: the caller inserted :func:`first_slot_row`
    itself (the cast, with its other rows), and nothing was inserted."""
    token = token or secrets.token_urlsafe(32)
    if not first_tried:
        first = first_slot_row(cycle, entry_id, method, phone, now, token)
        if first is not None and insert_row_or_nothing(Verification, first):
            return token
    for _pass in range(2):
        if _record_verification(cycle, entry_id, method, phone, now, token):
            return token
    raise PhoneLimitReached(_phone_limit_message(cycle.setting("residents_per_phone")))


def _record_verification(cycle, entry_id, method, phone, now, token) -> bool:
    """One try of :func:`verify_entry`: False if a concurrent insert won."""
    digest = phone_hash(phone) if phone else None
    rows = db.session.scalars(
        select(Verification)
        .where(
            Verification.cycle_id == cycle.id,
            or_(
                Verification.registry_entry_id == entry_id,
                Verification.phone_hash == digest if digest else false(),
            ),
        )
        .with_for_update()
    ).all()
    verification = next((v for v in rows if v.registry_entry_id == entry_id), None)
    slot = None
    if phone and (verification is None or verification.phone_hash != digest):
        slot = _free_slot(cycle, {v.phone_slot for v in rows if v.phone_hash == digest})
    values = _values(method, phone, now, token, slot)
    if verification is None:
        return _insert_verification(cycle, entry_id, values)
    for name, value in values.items():
        setattr(verification, name, value)
    try:
        with db.session.begin_nested():
            db.session.add(verification)
    except IntegrityError:  # a concurrent verification took the last phone slot
        raise PhoneLimitReached(
            _phone_limit_message(cycle.setting("residents_per_phone"))
        )
    return True


def _values(method, phone, now, token, slot) -> dict:
    """A verification's columns; the phone's hash and slot only with a ``slot``
    (a renewal with the same phone keeps its own)."""
    values = {
        "token_hash": token_digest(token),
        "method": method,
        "verified_on": day_of(now),
    }
    if phone:
        values["phone_enc"] = seal_secret(PHONE_SEAL, phone)
        if slot is not None:
            values["phone_hash"], values["phone_slot"] = phone_hash(phone), slot
    return values


def _insert_verification(cycle: Cycle, entry_id: int, values: dict) -> bool:
    """INSERT … ON CONFLICT DO NOTHING: False when the entry is verified already
    or the phone's slot is taken (a concurrent insert is waited for)."""
    return insert_row_or_nothing(
        Verification, {"cycle_id": cycle.id, "registry_entry_id": entry_id, **values}
    )


def _free_slot(cycle: Cycle, used: set) -> int:
    limit = cycle.setting("residents_per_phone")
    free = [slot for slot in range(1, limit + 1) if slot not in used]
    if not free:
        raise PhoneLimitReached(_phone_limit_message(limit))
    return free[0]


# At the citizen office --------------------------------------------------------------


def lookup_resident(cycle: Cycle, cin: str, birth: date | None) -> VoterEntry:
    """For a clerk with the ID card in hand. Raises ResidentNotFound."""
    entry = find_entry(cycle, cin, birth)
    if entry is None:
        raise ResidentNotFound(
            _(
                "Nobody with this ID number and date of birth is in "
                "this cycle's voter registry."
            )
        )
    return entry


def open_kiosk_pass(
    clerk, cycle: Cycle, cin: str, birth: date | None, now: datetime
) -> tuple[KioskPass, str]:
    """Open a one-time kiosk ballot for the resident the clerk checked in person.

    Returns the pass and its 8-digit code (shown once). Raises PhaseClosed,
    ResidentNotFound, AlreadyVoted.
    """
    require_voting_open(cycle, now)
    entry = lookup_resident(cycle, cin, birth)
    if db.session.get(VoterMark, (cycle.id, entry.id)) is not None:
        raise AlreadyVoted(_("This resident has already voted in this cycle."))
    code = new_numeric_code(8)
    while db.session.scalar(
        select(KioskPass.id).where(KioskPass.code_hash == _kiosk_digest(cycle, code))
    ):
        code = new_numeric_code(8)
    kiosk_pass = KioskPass(
        cycle_id=cycle.id,
        registry_entry_id=entry.id,
        code_hash=_kiosk_digest(cycle, code),
        clerk_id=clerk.id,
        expires_at_dt=now + timedelta(minutes=KIOSK_MINUTES),
    )
    db.session.add(kiosk_pass)
    db.session.flush()  # the audit entry names the pass
    # The audit log records who opened a ballot for whom, never what was chosen.
    record_action(
        clerk,
        "voting.kiosk_open",
        "voter_entry",
        entry.id,
        now,
        {"kiosk_pass": kiosk_pass.id, "id_card_checked": True},
    )
    return kiosk_pass, code


def _kiosk_digest(cycle: Cycle, code: str) -> str:
    return keyed_hash(f"kiosk:{cycle.id}", code)


def claim_kiosk_pass(cycle: Cycle, code: str, ip: str, now: datetime) -> str:
    """Use a kiosk code once; returns a verification token for the kiosk session.

    Raises PhaseClosed, KioskPassInvalid (wrong tries are limited per address; the
    caller commits so they count).
    """
    require_voting_open(cycle, now)
    window = timedelta(minutes=15)
    try:
        ratelimit.check("kiosk-code", ip, KIOSK_TRIES_PER_15_MIN, window, now)
    except ratelimit.RateLimited:
        raise KioskPassInvalid(_("Too many wrong codes. Ask the clerk for help."))
    code = "".join((code or "").translate(otp.ARABIC_DIGITS).split())
    kiosk_pass = db.session.scalar(
        select(KioskPass)
        .where(
            KioskPass.cycle_id == cycle.id,
            KioskPass.code_hash == _kiosk_digest(cycle, code),
        )
        .with_for_update()
    )
    if (
        kiosk_pass is None
        or kiosk_pass.used
        or now >= kiosk_pass.expires_at_dt
        or not (same(kiosk_pass.code_hash, _kiosk_digest(cycle, code)))
    ):
        ratelimit.hit("kiosk-code", ip, now)
        raise KioskPassInvalid(
            _("This kiosk code is wrong, used or expired. Ask the clerk for a new one.")
        )
    kiosk_pass.used = True
    # The resident's code requests go: a claim on one of them ends, as an earlier
    # session's token does (their codes go with the purge).
    db.session.execute(
        delete(VerificationAttempt).where(
            VerificationAttempt.cycle_id == cycle.id,
            VerificationAttempt.registry_entry_id == kiosk_pass.registry_entry_id,
        )
    )
    return verify_entry(cycle, kiosk_pass.registry_entry_id, "kiosk", None, now)


def purge_attempts(before: datetime) -> int:
    """Delete verification attempts started before ``before`` (their codes expired
    long ago); returns how many."""
    from sqlalchemy import delete

    result = db.session.execute(
        delete(VerificationAttempt).where(VerificationAttempt.created_at_dt < before)
    )
    return result.rowcount or 0
