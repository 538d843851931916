"""Building a poll (staff), opening and closing it, and casting a secret ballot.

The secret ballot is the budget vote's machinery (:mod:`pbvote.voting`), reused:
residents verify against a cycle's voter registry (ID number, date of birth, SMS
code: :mod:`pbvote.voting.verification`); a cast writes the voter's
:class:`PollMark` (primary key poll + registry entry: the one-vote rule, however
concurrent the casts) and one held, doubly encrypted ballot in one transaction;
:func:`pbvote.voting.holding.mix_held` later appends held ballots to the poll's
public hash chain in a random order. Services never commit.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from pbvote.audit.services import record_action
from pbvote.core.jobs import after_commit_without_workers, enqueue_after_commit
from pbvote.core.security import open_secret
from pbvote.core.time import day_of
from pbvote.cycles.models import Cycle
from pbvote.extensions import db
from pbvote.polls.errors import (
    InvalidBallot,
    InvalidPoll,
    PollClosed,
    PollLocked,
)
from pbvote.polls.models import (
    Poll,
    PollBallot,
    PollHeldBallot,
    PollKey,
    PollMark,
    PollOption,
    PollQuestion,
    PollResult,
)
from pbvote.voting import holding, sealing
from pbvote.voting.errors import AlreadyVoted, NotVerified
from pbvote.voting.models import Verification, VoterEntry
from pbvote.voting.services import normalise_receipt, short_receipt
from pbvote.voting.verification import PHONE_SEAL, verification_for

POLL_BOX = holding.BoxTables(
    PollKey, PollHeldBallot, PollBallot, "poll_id", "pbvote-poll-held"
)
SEALING_PURPOSE, SIGNING_PURPOSE = "poll-sealing", "poll-signing"
MAX_QUESTIONS, MAX_OPTIONS = 10, 12
BLANK = "blank"  # the form value of "I do not answer this question"
YES_NO = ({"ar": "نعم", "fr": "Oui"}, {"ar": "لا", "fr": "Non"})


@dataclass
class PollInput:
    title_ar: str
    title_fr: str
    intro_ar: str
    intro_fr: str
    registry_cycle_id: int | None
    opens_at_dt: datetime | None
    closes_at_dt: datetime | None


def registry_cycles(commune_id: int) -> list[Cycle]:
    """The commune's cycles whose voter registry a poll may use (newest first)."""
    return list(
        db.session.scalars(
            select(Cycle)
            .where(
                Cycle.commune_id == commune_id,
                Cycle.id.in_(select(VoterEntry.cycle_id).distinct()),
            )
            .order_by(Cycle.id.desc())
        )
    )


def _require_draft(poll: Poll) -> None:
    if poll.status != "draft":
        raise PollLocked(
            _("This poll has opened: its questions and dates can no longer change.")
        )


def save_poll(
    actor, commune_id: int, poll: Poll | None, data: PollInput, now: datetime
) -> Poll:
    """Create or change a draft poll. Raises InvalidPoll, PollLocked."""
    if poll is not None:
        _require_draft(poll)
    if not (data.title_ar.strip() and data.title_fr.strip()):
        raise InvalidPoll(_("Give the title in Arabic and in French."), "title_ar")
    if data.registry_cycle_id not in {c.id for c in registry_cycles(commune_id)}:
        raise InvalidPoll(
            _("Choose the voter registry of one of the commune's cycles."),
            "registry_cycle_id",
        )
    if data.opens_at_dt is None or data.closes_at_dt is None:
        raise InvalidPoll(_("Give the opening and closing date and time."), "opens_at")
    if data.closes_at_dt <= data.opens_at_dt:
        raise InvalidPoll(_("The poll must close after it opens."), "closes_at")
    if poll is None:
        poll = Poll(commune_id=commune_id, created_at_dt=now, created_by_id=actor.id)
        db.session.add(poll)
    poll.title_ar, poll.title_fr = data.title_ar.strip(), data.title_fr.strip()
    poll.intro_ar, poll.intro_fr = data.intro_ar.strip(), data.intro_fr.strip()
    poll.registry_cycle_id = data.registry_cycle_id
    poll.opens_at_dt, poll.closes_at_dt = data.opens_at_dt, data.closes_at_dt
    db.session.flush()
    record_action(actor, "polls.save", "poll", poll.id, now, {"title": poll.title_fr})
    return poll


def add_question(
    actor,
    poll: Poll,
    kind: str,
    text_ar: str,
    text_fr: str,
    options: list[dict],
    now: datetime,
) -> PollQuestion:
    """Add a yes/no question (its options are yes and no) or a question with
    options, each in Arabic and French. Raises InvalidPoll, PollLocked."""
    _require_draft(poll)
    if len(poll.questions) >= MAX_QUESTIONS:
        raise InvalidPoll(
            _("A poll has at most %(num)d questions.", num=MAX_QUESTIONS), "kind"
        )
    if kind not in ("yesno", "choice"):
        raise InvalidPoll(_("Choose the kind of question."), "kind")
    if not (text_ar.strip() and text_fr.strip()):
        raise InvalidPoll(_("Give the question in Arabic and in French."), "text_ar")
    if kind == "yesno":
        options = list(YES_NO)
    elif not 2 <= len(options) <= MAX_OPTIONS:
        raise InvalidPoll(
            _("Give between 2 and %(num)d options.", num=MAX_OPTIONS), "options"
        )
    elif not all(o["ar"] and o["fr"] for o in options):
        raise InvalidPoll(
            _("Give every option in Arabic and in French, e.g. نعم | Oui"), "options"
        )
    question = PollQuestion(
        kind=kind,
        text_ar=text_ar.strip(),
        text_fr=text_fr.strip(),
        position=len(poll.questions),
        options=[
            PollOption(position=i, text_ar=o["ar"][:300], text_fr=o["fr"][:300])
            for i, o in enumerate(options)
        ],
    )
    poll.questions.append(question)
    db.session.flush()
    record_action(actor, "polls.question", "poll", poll.id, now, {"kind": kind})
    return question


def remove_question(actor, question: PollQuestion, now: datetime) -> None:
    poll = question.poll
    _require_draft(poll)
    poll.questions.remove(question)
    db.session.flush()
    record_action(actor, "polls.question_remove", "poll", poll.id, now)


def open_poll(actor, poll: Poll, now: datetime) -> PollKey:
    """Open the poll: make its election key (sealing and results-signing keys) and
    accept votes during its period. Raises PollLocked, InvalidPoll."""
    _require_draft(poll)
    if not poll.questions:
        raise InvalidPoll(_("Add at least one question before opening the poll."))
    if poll.closes_at_dt <= now:
        raise InvalidPoll(_("The poll's closing time has passed: change its dates."))
    key = PollKey(
        poll_id=poll.id,
        **sealing.new_wrapped_keys(
            current_app.config["ELECTION_KEY_WRAP"],
            poll.id,
            (SEALING_PURPOSE, SIGNING_PURPOSE),
        ),
        head_hash=sealing.GENESIS,
        ballot_count=0,
        created_at_dt=now,
    )
    db.session.add(key)
    poll.status = "open"
    db.session.flush()
    record_action(
        actor,
        "polls.open",
        "poll",
        poll.id,
        now,
        {"signing_public": key.signing_public.hex()},
    )
    return key


def close_poll(actor, poll: Poll, now: datetime) -> None:
    """Close the poll now (or confirm its end), then count it in a job.
    Raises PollClosed when it is not open."""
    if poll.status != "open":
        raise PollClosed(_("This poll is not open."))
    if poll.opens_at_dt < now < poll.closes_at_dt:
        poll.closes_at_dt = now
    poll.status = "closed"
    record_action(actor, "polls.close", "poll", poll.id, now)
    enqueue_after_commit("jobs.polls.count_poll", poll.id, queue="tally")


def poll_key(poll: Poll) -> PollKey | None:
    return db.session.get(PollKey, poll.id)


def key_fingerprint(poll: Poll) -> str:
    key = poll_key(poll)
    return sealing.fingerprint(key.signing_public) if key else ""


# Casting ---------------------------------------------------------------------


def require_open(poll: Poll, now: datetime) -> None:
    if not poll.accepts_votes(now):
        if poll.status == "open" and now < poll.opens_at_dt:
            raise PollClosed(_("This poll is not open yet."))
        raise PollClosed(_("This poll is closed: votes are no longer accepted."))


def has_voted(poll: Poll, entry_id: int) -> bool:
    return db.session.get(PollMark, (poll.id, entry_id)) is not None


def already_voted_message() -> str:
    return _(
        "You have already voted in this poll. Each resident votes once; your "
        "first ballot is the one that counts."
    )


def voter(poll: Poll, token: str | None) -> Verification:
    """The verification the session's token proves. Raises NotVerified."""
    verification = verification_for(poll.registry_cycle, token)
    if verification is None:
        raise NotVerified(
            _(
                "Verify your identity first: your session has ended or "
                "was opened elsewhere."
            )
        )
    return verification


def read_ballot(poll: Poll, form) -> dict[str, int | None]:
    """The answers sent (``q-<question id>`` = option id or ``blank``), as
    ``{question id: option id or None}``. Raises InvalidBallot naming every
    question left unanswered or answered with something not among its options."""
    answers, problems = {}, {}
    for question in poll.questions:
        values = form.getlist(f"q-{question.id}")
        allowed = {str(o.id): o.id for o in question.options}
        if not values:
            problems[question.id] = _(
                "Choose an answer (or “I do not answer this question”)."
            )
        elif len(values) > 1 or (values[0] != BLANK and values[0] not in allowed):
            problems[question.id] = _("This answer is not one of the options.")
        else:
            answers[str(question.id)] = allowed.get(values[0])
    if problems:
        raise InvalidBallot(_("Some answers are missing or invalid."), problems)
    return answers


def cast(poll: Poll, token: str | None, form, now: datetime) -> str:
    """Cast the verified resident's ballot; returns its receipt.

    Raises PollClosed, NotVerified, InvalidBallot, AlreadyVoted. Nothing is written
    unless everything is (the caller commits, or rolls back on an error)."""
    require_open(poll, now)
    _hold_the_box_open(poll)
    verification = voter(poll, token)
    entry_id = verification.registry_entry_id
    if has_voted(poll, entry_id):
        raise AlreadyVoted(already_voted_message())
    receipt = record_vote(poll, entry_id, read_ballot(poll, form), now)
    after_commit_without_workers("jobs.polls.mix_ballots", poll.id)
    if verification.method == "sms" and verification.phone_enc:
        _queue_receipt_sms(
            poll, open_secret(PHONE_SEAL, verification.phone_enc), receipt, now
        )
    return receipt


def _hold_the_box_open(poll: Poll) -> None:
    """Share-lock the poll's key row until the cast commits: the count (which
    locks it for update) then waits for casts in flight and mixes their ballots,
    and a cast that comes after the count published is refused. Casts do not
    wait for each other. Raises PollClosed."""
    db.session.scalars(
        select(PollKey.poll_id)
        .where(PollKey.poll_id == poll.id)
        .with_for_update(read=True)
    ).one()
    if db.session.get(PollResult, poll.id, populate_existing=True) is not None:
        raise PollClosed(_("This poll is closed: votes are no longer accepted."))


def record_vote(poll: Poll, entry_id: int, answers: dict, now: datetime) -> str:
    """Write the mark and the held, sealed ballot of one registry entry; returns
    the receipt. Raises AlreadyVoted when the mark exists (also when a concurrent
    cast wrote it first: its primary key)."""
    try:
        with db.session.begin_nested():
            db.session.add(
                PollMark(
                    poll_id=poll.id, registry_entry_id=entry_id, voted_on=day_of(now)
                )
            )
    except IntegrityError:  # a concurrent cast by the same resident won
        raise AlreadyVoted(already_voted_message())
    sealed = sealing.seal(
        poll_key(poll).sealing_public,
        sealing.encode_padded({"answers": answers}),
        ballot_context(poll.id),
    )
    holding.hold_ballots(poll.id, [sealed], now, box=POLL_BOX)
    return sealing.receipt_of(sealed)


def ballot_context(poll_id: int) -> bytes:
    """What a poll's sealed ballot is bound to: its poll (never a cycle's)."""
    return f"pbvote:poll:{poll_id}:v1".encode()


def _queue_receipt_sms(poll: Poll, phone: str, receipt: str, now: datetime) -> None:
    from pbvote.sms.services import queue_sms

    # Two messages of one segment each, as for the budget vote.
    texts = (
        _(
            "Ouazzane poll: vote recorded. Receipt: %(code)s",
            code=short_receipt(receipt),
        ),
        _("Ouazzane: results key %(key)s", key=key_fingerprint(poll)),
    )
    for body in texts:  # sealed, and deleted once sent
        queue_sms(
            phone,
            body,
            now,
            purpose="vote-receipt",
            commune_id=poll.commune_id,
            sensitive=True,
        )


# The public ballot box ---------------------------------------------------------


def ballot_box(poll: Poll) -> dict:
    key = poll_key(poll)
    return {
        "count": key.ballot_count if key else 0,
        "waiting": holding.held_count(poll.id, box=POLL_BOX) if key else 0,
        "head": key.head_hash if key else sealing.GENESIS,
        "voted": db.session.scalar(
            select(func.count()).where(PollMark.poll_id == poll.id)
        ),
    }


def find_receipt(poll: Poll, text: str) -> str | None:
    """ "chain" when the typed receipt (16 hex digits or more) is in the poll's
    public chain, "waiting" when it is held for the next mixing, else None."""
    code = normalise_receipt(text)
    if len(code) < 16 or len(code) > 64:
        return None
    if any(r.startswith(code) for r in holding.held_receipts(poll.id, box=POLL_BOX)):
        return "waiting"
    found = db.session.scalar(
        select(PollBallot.id)
        .where(
            PollBallot.poll_id == poll.id,
            PollBallot.receipt >= code,
            PollBallot.receipt < code + "g",
        )
        .limit(1)
    )
    return "chain" if found else None


def open_polls(commune_id: int, now: datetime) -> list[Poll]:
    return list(
        db.session.scalars(
            select(Poll)
            .where(Poll.commune_id == commune_id, Poll.status.in_(("open", "closed")))
            .order_by(Poll.closes_at_dt.desc(), Poll.id.desc())
        )
    )


def published_polls(commune_id: int) -> list[Poll]:
    return list(
        db.session.scalars(
            select(Poll)
            .where(Poll.commune_id == commune_id, Poll.status == "published")
            .order_by(Poll.closes_at_dt.desc(), Poll.id.desc())
        )
    )
