"""Casting sealed ballots, the election key, the public ballot box and the optional
participation profile.

One vote per resident: the VoterMark (primary key cycle + registry entry) and the
ballots are written in one transaction; a second cast, however concurrent, fails on
the primary key and is told it already voted. Ballots are sealed to the cycle's
X25519 key and appended to a hash chain while the ElectionKey row is locked.
"""

import secrets
from datetime import datetime
from functools import lru_cache

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import (
    bindparam,
    exists,
    false,
    func,
    literal,
    select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from pbvote.accounts.otp import ARABIC_DIGITS
from pbvote.audit.services import record_action
from pbvote.core.i18n import current_translations
from pbvote.core.jobs import after_commit_without_workers
from pbvote.core.processcache import ProcessCache
from pbvote.core.security import open_secret
from pbvote.core.time import day_of
from pbvote.cycles.models import Cycle, Scope
from pbvote.cycles.services import require_phase
from pbvote.extensions import db
from pbvote.sms.services import (
    bound_message_values,
    bound_messages,
    insert_messages,
    message_rows,
    wake_drain,
)
from pbvote.voting import holding, sealing
from pbvote.voting.errors import AlreadyVoted, NotVerified, ProfileInvalid
from pbvote.voting.models import (
    Ballot,
    ElectionKey,
    ParticipationProfile,
    Verification,
    VoterEntry,
    VoterMark,
)
from pbvote.voting.opening import require_voting_open
from pbvote.voting.rules import check_ballot, district_ballot, parse_form
from pbvote.voting.signals import election_key_created
from pbvote.voting.verification import (
    PHONE_SEAL,
    Voter,
    consume_claim,
    first_slot_row,
    insert_row_or_nothing,
    run_core,
    verify_entry,
    voter_for,
)

RECEIPT_SHORT = 16  # hex characters shown, sent by SMS and typed on the public page


# Election key -------------------------------------------------------------------


def ensure_election_key(cycle: Cycle, now: datetime) -> ElectionKey:
    """The cycle's election key, made on first need (idempotent and race-safe: the
    cycle id is the primary key, and a concurrent maker's row wins)."""
    key = db.session.get(ElectionKey, cycle.id)
    if key is not None:
        return key
    key = ElectionKey(
        cycle_id=cycle.id,
        **sealing.new_wrapped_keys(current_app.config["ELECTION_KEY_WRAP"], cycle.id),
        head_hash=sealing.GENESIS,
        ballot_count=0,
        created_at_dt=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(key)
    except IntegrityError:
        return db.session.get(ElectionKey, cycle.id, populate_existing=True)
    election_key_created.send(cycle, now=now)  # results schedules the count
    return key


def open_election(actor, cycle: Cycle, now: datetime) -> ElectionKey:
    """Staff action when voting opens: make the key now. Raises PhaseClosed."""
    require_phase(cycle, ("review", "voting"), now)
    existed = db.session.get(ElectionKey, cycle.id) is not None
    key = ensure_election_key(cycle, now)
    if not existed:
        record_action(
            actor,
            "voting.election_key",
            "cycle",
            cycle.id,
            now,
            {"sealing_public": key.sealing_public.hex()},
        )
    return key


def key_fingerprint(public: bytes) -> str:
    return sealing.fingerprint(public)


# Casting ------------------------------------------------------------------------


def has_voted(cycle_id: int, entry_id: int) -> bool:
    return db.session.get(VoterMark, (cycle_id, entry_id)) is not None


# The cycle's public keys, per process: they never change once made. Only a key
# read from the database is kept (one made by this cast's transaction could still
# be rolled back).
_PUBLIC_KEYS = ProcessCache("election-key", (ElectionKey,))


def election_public_keys(cycle: Cycle, now: datetime) -> tuple[bytes, bytes]:
    """(sealing, signing) public keys of the cycle's election key, made on first
    need; read once per process (pbvote.core.processcache)."""

    def load():
        key = db.session.get(ElectionKey, cycle.id)
        return None if key is None else (key.sealing_public, key.signing_public)

    kept = _PUBLIC_KEYS.get(cycle.id, load)
    if kept is None:
        key = ensure_election_key(cycle, now)
        kept = (key.sealing_public, key.signing_public)
    return kept


def seal_choices(
    cycle: Cycle, choices: list[tuple[Scope, list[int]]], now: datetime
) -> list[tuple[Scope, bytes]]:
    """Seal each scope's choice to the cycle's election key (made on first need)."""
    sealing_public, _signing = election_public_keys(cycle, now)
    return [
        (
            scope,
            sealing.seal(
                sealing_public,
                sealing.encode_choice(scope.id, project_ids),
                sealing.ballot_context(cycle.id),
            ),
        )
        for scope, project_ids in choices
    ]


def cast_ballots(
    cycle: Cycle,
    token: str | None,
    claim: dict | None,
    form: MultiDict,
    now: datetime,
) -> tuple[list[tuple[Scope, str]], str]:
    """Cast the verified voter's ballots, one per scope, from the submitted ballot
    form (``scope-<id>`` fields), and queue the receipt SMS. Returns the receipts
    and the session's verification token from now on.

    The voter is the session's claim (a right code not yet cast): its attempt and
    code are consumed and its verification recorded here, in the vote's
    transaction; else (a kiosk, a claim already used by this session's first try
    or a copy of it) the verification ``token`` (or the claim's) proves.

    The mark and the voter's sealed ballots go to the holding area (see
    :mod:`pbvote.voting.holding`), never straight to the chain.

    Raises PhaseClosed (outside voting, by server time), NotVerified (and
    VerificationExpired), PhoneLimitReached, BallotInvalid, AlreadyVoted. Nothing
    is written unless everything is: the caller commits, or rolls back on an
    error, which leaves the resident able to vote (the claim too).
    """
    require_voting_open(cycle, now)
    voter, phone, consumed = None, None, None
    if claim:
        consumed = consume_claim(cycle, claim, now)
        token = claim["token"]
    if consumed is not None:
        voter, phone = consumed
    else:
        voter = voter_for(cycle, token)
        if voter is not None and voter.verification.method == "sms":
            phone = voter.verification.phone_enc
            phone = open_secret(PHONE_SEAL, phone) if phone else None
    if voter is None:
        raise NotVerified(
            _(
                "Verify your identity first: your session has ended or "
                "was opened elsewhere."
            )
        )
    if voter.voted:
        raise AlreadyVoted(already_voted_message())
    ballot = district_ballot(cycle, voter.district_id)
    scopes = [scope for scope, _projects in ballot]
    checked = check_ballot(
        scopes,
        parse_form(form, scopes),
        {scope.id: projects for scope, projects in ballot},
    )
    sealed = seal_choices(cycle, [(scope, checked[scope.id]) for scope in scopes], now)
    receipts = [(scope, sealing.receipt_of(s)) for scope, s in sealed]
    # The per-phone limit is decided here, under concurrency, for a claim.
    _record_vote(
        cycle,
        voter.entry_id,
        [s for _scope, s in sealed],
        now,
        verified_phone=phone if consumed is not None else None,
        token=token,
        messages=_receipt_messages(cycle, phone, receipts, now) if phone else [],
    )
    after_commit_without_workers("jobs.voting.mix_ballots", cycle.id)
    return receipts, token


def _record_vote(
    cycle: Cycle,
    entry_id: int,
    sealed: list[bytes],
    now: datetime,
    *,
    verified_phone: str | None,
    token: str,
    messages: list[dict],
) -> None:
    """Write the vote: the claim's verification (with ``verified_phone``: a code
    checked by SMS), the mark, the held ballots and the receipt SMS
    (``messages``: sms_messages rows). Raises AlreadyVoted, PhoneLimitReached;
    the caller's transaction holds them all.

    The mark is the one-vote guarantee: a concurrent cast by the same resident
    waits for this one's transaction, then inserts nothing. The ballots are held,
    not chained: the mixing job appends them later in a shuffled batch."""
    first = (
        first_slot_row(cycle, entry_id, "sms", verified_phone, now, token)
        if verified_phone
        else None
    )
    if verified_phone and (first is None or _dialect() != "postgresql"):
        # SQLite (the embedded first run) has no INSERT inside WITH; a cycle
        # with no phone slot has no first row to try.
        verify_entry(cycle, entry_id, "sms", verified_phone, now, token)
        first = None
    if _dialect() != "postgresql":
        marked = insert_row_or_nothing(VoterMark, _mark_row(cycle, entry_id, now))
        if not marked:
            raise AlreadyVoted(already_voted_message())
        holding.hold_ballots(cycle.id, sealed, now)
        if messages:
            insert_messages(messages)
        return
    parameters = {
        **{
            f"m_{name}": value
            for name, value in _mark_row(cycle, entry_id, now).items()
        },
        **{
            f"h_{name}": value
            for name, value in holding.held_row(cycle.id, sealed, now).items()
        },
        **{f"v_{name}": value for name, value in (first or {}).items()},
        **bound_message_values(messages),
    }
    # Core: no ORM object is pending here (the election key, when this cast
    # made it, was flushed by its savepoint).
    statement = _vote_statement(
        first is not None, len(messages), tuple(messages[0]) if messages else ()
    )
    verified, marked = run_core(statement, parameters).one()
    if not marked:
        raise AlreadyVoted(already_voted_message())
    if messages:
        wake_drain()
    if first is not None and not verified:  # the entry's or the slot's row exists
        verify_entry(
            cycle, entry_id, "sms", verified_phone, now, token, first_tried=True
        )


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _mark_row(cycle: Cycle, entry_id: int, now: datetime) -> dict:
    return {
        "cycle_id": cycle.id,
        "registry_entry_id": entry_id,
        "voted_on": day_of(now),
    }


# A verification row with a phone (verification.first_slot_row's columns).
_VERIFICATION_COLUMNS = (
    "cycle_id",
    "registry_entry_id",
    "token_hash",
    "method",
    "verified_on",
    "phone_enc",
    "phone_hash",
    "phone_slot",
)


def _inserted(
    table, prefix: str, columns, *, or_nothing: bool, name: str, constants=None
):
    """``INSERT INTO table`` of one row from the parameters ``prefix + column``
    (and SQL ``constants``: a CTE's INSERT gets no column default from
    SQLAlchemy), as a CTE returning its first primary key column."""
    statement = postgresql.insert(table).values(
        {
            **{column: bindparam(prefix + column) for column in columns},
            **(constants or {}),
        }
    )
    if or_nothing:
        statement = statement.on_conflict_do_nothing()
    return statement.returning(next(iter(table.primary_key.columns))).cte(name)


@lru_cache(maxsize=8)
def _vote_statement(with_verification: bool, messages: int, message_columns: tuple):
    """PostgreSQL: the verification's INSERT into the phone's first slot (or
    nothing), the mark's (or nothing), the held row's and the ``messages``
    receipt SMS' (one INSERT of their rows in order, so their ids are in that
    order: the drain sends a group in id order), in one statement that returns
    whether the verification and the mark were inserted. Built once per shape."""
    marks, held = VoterMark.__table__, holding.CYCLE_BOX.held.__table__
    marked = _inserted(
        marks,
        "m_",
        ("cycle_id", "registry_entry_id", "voted_on"),
        or_nothing=True,
        name="marked",
    )
    kept = _inserted(
        held, "h_", ("id", "cycle_id", "payload"), or_nothing=False, name="kept"
    )
    if with_verification:
        verified = exists(
            _inserted(
                Verification.__table__,
                "v_",
                _VERIFICATION_COLUMNS,
                or_nothing=True,
                name="verified",
                constants={"profile_given": false()},
            ).select()
        )
    else:
        verified = literal(False)
    statement = select(verified, exists(marked.select())).add_cte(kept)
    if messages:
        statement = statement.add_cte(
            bound_messages(messages, message_columns).cte("receipts")
        )
    return statement


def already_voted_message() -> str:
    return _(
        "You have already voted in this cycle. Each resident votes once; your "
        "first ballot is the one that counts."
    )


def short_receipt(receipt: str) -> str:
    code = receipt[:RECEIPT_SHORT]
    return "-".join(code[i : i + 4] for i in range(0, RECEIPT_SHORT, 4))


def _receipt_messages(cycle: Cycle, phone: str, receipts, now: datetime) -> list:
    """The receipt SMS' rows (sms.services.message_rows), inserted by the vote's
    statement."""
    # The receipts in the ballot's order (commune-wide scope first), without the
    # scopes' names: each SMS fits one segment (tests/notifications/
    # test_sms_segments.py), the key's fingerprint in its own message.
    codes = " ".join(short_receipt(receipt) for _scope, receipt in receipts)
    _sealing, signing_public = election_public_keys(cycle, now)
    # The request's kept translations: Flask-Babel's gettext finds them again
    # for each string (issue 13).
    translations = current_translations()
    texts = (
        translations.ugettext("Ouazzane: vote recorded. Receipts: %(codes)s")
        % {"codes": codes},
        translations.ugettext("Ouazzane: results key %(key)s")
        % {"key": key_fingerprint(signing_public)},
    )
    # Sensitive: phone and body are sealed, and the rows are deleted once sent.
    return message_rows(
        phone,
        list(texts),
        now,
        purpose="vote-receipt",
        commune_id=cycle.commune_id,
        sensitive=True,
    )


# The public ballot box -----------------------------------------------------------


def ballot_box(cycle: Cycle) -> dict:
    """What anyone may see at any time: how many ballots are in the chain, how
    many voters' ballots wait to be mixed into it, and the chain's head."""
    key = db.session.get(ElectionKey, cycle.id)
    return {
        "count": key.ballot_count if key else 0,
        "waiting": holding.held_count(cycle.id) if key else 0,
        "head": key.head_hash if key else sealing.GENESIS,
        "key": key,
    }


def receipt_status(cycle: Cycle, receipt: str) -> Ballot | str | None:
    """Where a full receipt is: its chain ballot, "waiting" (held, not yet
    mixed), or None."""
    ballot = db.session.scalar(
        select(Ballot).where(Ballot.cycle_id == cycle.id, Ballot.receipt == receipt)
    )
    if ballot is not None:
        return ballot
    return "waiting" if receipt in holding.held_receipts(cycle.id) else None


def normalise_receipt(text: str) -> str:
    """Receipts are hex; people may type spaces, dashes, capitals, or the digits
    of an Arabic keyboard (Arabic-Indic or Eastern Arabic-Indic)."""
    typed = (text or "").translate(ARABIC_DIGITS).lower()
    return "".join(c for c in typed if c in "0123456789abcdef")


def find_receipt(cycle: Cycle, text: str) -> Ballot | str | None:
    """The ballot whose receipt starts with the typed code (16 hex digits or more),
    or "waiting" when it is held for the next mixing."""
    code = normalise_receipt(text)
    if len(code) < RECEIPT_SHORT or len(code) > 64:
        return None
    if any(r.startswith(code) for r in holding.held_receipts(cycle.id)):
        return "waiting"
    return db.session.scalars(
        select(Ballot)
        .where(
            Ballot.cycle_id == cycle.id,
            Ballot.receipt >= code,
            Ballot.receipt < code + "g",
        )
        .limit(2)
    ).first()


def verify_chain(cycle: Cycle) -> bool:
    """Recompute the hash chain from GENESIS; True when it matches the head."""
    previous = sealing.GENESIS
    for ballot in db.session.scalars(
        select(Ballot).where(Ballot.cycle_id == cycle.id).order_by(Ballot.position)
    ):
        if ballot.previous_hash != previous or ballot.chain_hash != sealing.chain_link(
            previous, sealing.receipt_of(ballot.sealed)
        ):
            return False
        previous = ballot.chain_hash
    return previous == ballot_box(cycle)["head"]


# Participation profile ------------------------------------------------------------

AGE_BANDS = ("16-17", "18-29", "30-44", "45-59", "60+", "none")
GENDERS = ("woman", "man", "none")
DISABILITY = ("yes", "no", "none")
SUPPRESS_BELOW = 5


def save_profile(
    cycle: Cycle,
    voter: Voter | None,
    *,
    consent: bool,
    age_band: str,
    gender: str,
    disability: str,
    now: datetime,
) -> ParticipationProfile:
    """Store one optional profile per voter who has voted, with no link to them.
    ``voter``: the session's (pbvote.voting.web.verified_voter).

    Raises NotVerified, ProfileInvalid.
    """
    verification = (
        db.session.get(Verification, (cycle.id, voter.entry_id))
        if voter is not None and voter.voted
        else None
    )
    if verification is None:
        raise NotVerified(_("The profile can only be given after voting."))
    if verification.profile_given:
        raise ProfileInvalid(_("You already answered these questions. Thank you."))
    if not consent:
        raise ProfileInvalid(
            _("Tick the consent box to give these answers, or skip this step.")
        )
    if (
        age_band not in AGE_BANDS
        or gender not in GENDERS
        or disability not in DISABILITY
    ):
        raise ProfileInvalid(_("Choose one of the listed answers."))
    verification.profile_given = True
    profile = ParticipationProfile(
        id=secrets.token_hex(16),
        cycle_id=cycle.id,
        age_band=age_band,
        gender=gender,
        disability=disability,
        given_on=day_of(now),
    )
    db.session.add(profile)
    return profile


def profile_counts(cycle: Cycle) -> dict:
    """Counts per answer for each question; cells under 5 are None (suppressed)."""
    total = db.session.scalar(
        select(func.count()).where(ParticipationProfile.cycle_id == cycle.id)
    )
    tables = {}
    for column, values in (
        ("age_band", AGE_BANDS),
        ("gender", GENDERS),
        ("disability", DISABILITY),
    ):
        attribute = getattr(ParticipationProfile, column)
        counts = dict(
            db.session.execute(
                select(attribute, func.count())
                .where(ParticipationProfile.cycle_id == cycle.id)
                .group_by(attribute)
            ).all()
        )
        tables[column] = [
            (value, _suppressed(counts.get(value, 0))) for value in values
        ]
    return {"total": _suppressed(total), "tables": tables}


def _suppressed(count: int) -> int | None:
    # A small cell could single a voter out: below 5 it is shown as "fewer than 5".
    return count if count >= SUPPRESS_BELOW else None


def turnout(cycle: Cycle) -> dict:
    """Registered residents and how many have voted (no choice is ever counted)."""
    registered = db.session.scalar(
        select(func.count()).where(VoterEntry.cycle_id == cycle.id)
    )
    voted = db.session.scalar(
        select(func.count()).where(VoterMark.cycle_id == cycle.id)
    )
    return {"registered": registered, "voted": voted}
