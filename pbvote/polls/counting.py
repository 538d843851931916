"""Counting a closed poll and publishing its signed public record, in one
transaction (run by the RQ job ``jobs.polls.count_poll``).

The same steps as the budget count (:mod:`pbvote.results.counting`), on the
poll's tables: mix whatever is still held; check the hash chain (each receipt is
the SHA-256 of its sealed ballot, each link the SHA-256 of the previous link and
the receipt, up to the key's recorded head); open every ballot with the poll's
sealing private key (unwrapped only here); count each question's options, blank
answers and invalid ballots; list the opened ballots in an order keyed by a
secret derived from the private key (:func:`pbvote.results.record.shuffled`), so
that no listed ballot can be linked to its receipt; sign; publish.
"""

import hashlib
import json
from collections import Counter
from datetime import datetime
from typing import NamedTuple

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from pbvote.extensions import db
from pbvote.polls.errors import CountRefused
from pbvote.polls.models import Poll, PollBallot, PollKey, PollResult
from pbvote.polls.services import (
    POLL_BOX,
    SEALING_PURPOSE,
    SIGNING_PURPOSE,
    ballot_context,
)
from pbvote.results import record
from pbvote.voting import holding, sealing

RESULTS_FORMAT = "pbvote-poll-results/1"
RECORD_FORMAT = "pbvote-poll-record/1"


class Opened(NamedTuple):
    receipt: str
    answers: dict | None  # {question id (str): option id or None}; None: invalid


def due_polls(now: datetime, *, retry: bool = False) -> list[int]:
    """Polls whose period has ended (or that staff closed) and are not published;
    those whose count failed only with ``retry``."""
    query = select(Poll.id).where(
        or_(
            Poll.status == "closed",
            and_(Poll.status == "open", Poll.closes_at_dt <= now),
        )
    )
    if not retry:
        query = query.where(Poll.count_error.is_(None))
    return list(db.session.scalars(query.order_by(Poll.id)))


def count_poll(poll_id: int, now: datetime) -> PollResult | None:
    """Count and publish the poll if it is due; returns the result (the existing
    one when already published, None when the poll is not closed yet). Locks the
    poll's key row: one count at a time. The caller commits.

    Raises CountRefused when the chain is broken (nothing is published)."""
    poll = db.session.get(Poll, poll_id)
    if poll is None or poll.status == "draft":
        return None
    existing = db.session.get(PollResult, poll_id)
    if existing is not None:
        return existing
    if poll.status == "open" and now < poll.closes_at_dt:
        return None
    holding.mix_held(poll.id, now, force=True, box=POLL_BOX)  # locks the key row
    existing = db.session.get(PollResult, poll_id, populate_existing=True)
    if existing is not None:  # a concurrent count published while we waited
        return existing
    key = db.session.get(PollKey, poll.id)
    chain = _checked_chain(poll.id, key)
    sealing_private = _private(poll.id, key.sealing_private_wrapped, SEALING_PURPOSE)
    opened = [
        Opened(receipt, _open(poll, sealing_private, sealed))
        for receipt, sealed in db.session.execute(
            select(PollBallot.receipt, PollBallot.sealed).where(
                PollBallot.poll_id == poll.id
            )
        )
    ]
    secret = record.shuffle_secret(sealing_private, poll.id, key.head_hash)
    ordered = record.shuffled(opened, secret)
    ballots = [b.answers for b in ordered]
    poll.status = "published"
    payload = results_payload(poll, key, chain, ballots, now)
    text = record.canonical_json(payload)
    signature = sealing.sign(
        _private(poll.id, key.signing_private_wrapped, SIGNING_PURPOSE),
        text.encode(),
    )
    document = {
        "format": RECORD_FORMAT,
        "signed_results": {"payload": text, "signature": signature.hex()},
        "public_keys": {
            "sealing_x25519": key.sealing_public.hex(),
            "signing_ed25519": key.signing_public.hex(),
        },
        "chain": chain,
        "ballots": [
            {"index": i, "answers": answers}
            for i, answers in enumerate(ballots, start=1)
        ],
    }
    result = PollResult(
        poll_id=poll.id,
        payload=text,
        signature=signature.hex(),
        record=json.dumps(document, ensure_ascii=False),
        published_at_dt=now,
    )
    db.session.add(result)
    db.session.flush()
    return result


def _private(poll_id: int, wrapped: bytes, purpose: str) -> bytes:
    try:
        return sealing.unwrap_key(
            current_app.config["ELECTION_KEY_WRAP"], poll_id, purpose, wrapped
        )
    except sealing.SealError:
        raise CountRefused(
            _(
                "The poll's private key cannot be unwrapped: the server's "
                "ELECTION_KEY_WRAP is not the one it was made with."
            )
        )


def _checked_chain(poll_id: int, key: PollKey) -> list[dict]:
    """The chain in position order, checked; raises CountRefused."""
    chain, previous = [], sealing.GENESIS
    rows = db.session.execute(
        select(
            PollBallot.position,
            PollBallot.sealed,
            PollBallot.receipt,
            PollBallot.previous_hash,
            PollBallot.chain_hash,
        )
        .where(PollBallot.poll_id == poll_id)
        .order_by(PollBallot.position)
    )
    for expected, (position, sealed, receipt, previous_hash, link) in enumerate(
        rows, start=1
    ):
        if (
            position != expected
            or sealing.receipt_of(sealed) != receipt
            or previous_hash != previous
            or sealing.chain_link(previous, receipt) != link
        ):
            raise CountRefused(
                _("The hash chain breaks at position %(position)s.", position=expected)
            )
        chain.append(
            {
                "position": position,
                "receipt": receipt,
                "previous_hash": previous_hash,
                "chain_hash": link,
            }
        )
        previous = link
    if previous != key.head_hash or len(chain) != key.ballot_count:
        raise CountRefused(
            _(
                "The ballot box does not end at its recorded head: ballots were "
                "added or removed."
            )
        )
    return chain


def _open(poll: Poll, private: bytes, sealed: bytes) -> dict | None:
    """The ballot's answers, or None when it cannot be opened or names a question
    or an option that is not the poll's (counted as invalid, listed as such)."""
    try:
        plain = sealing.open_sealed(private, sealed, ballot_context(poll.id))
        answers = sealing.decode_choice(plain)["answers"]
    except (sealing.SealError, ValueError, KeyError, TypeError):
        return None
    allowed = {str(q.id): {o.id for o in q.options} for q in poll.questions}
    if not isinstance(answers, dict) or set(answers) != set(allowed):
        return None
    if any(v is not None and v not in allowed[q] for q, v in answers.items()):
        return None
    return {q: answers[q] for q in sorted(allowed, key=int)}


def ballot_line(answers: dict | None) -> str:
    if answers is None:
        return "invalid"
    return ",".join(
        f"{q}={'blank' if v is None else v}"
        for q, v in sorted(answers.items(), key=lambda kv: int(kv[0]))
    )


def record_digest(ballots: list[dict | None]) -> str:
    """SHA-256 over one line per opened ballot, in published order:
    ``"<question>=<option|blank>,...\\n"`` or ``"invalid\\n"``."""
    digest = hashlib.sha256()
    for answers in ballots:
        digest.update(f"{ballot_line(answers)}\n".encode())
    return digest.hexdigest()


def tally(questions: list[dict], ballots: list[dict | None]) -> list[dict]:
    """Each question with its options' votes and its blank answers, from the
    opened ballots (``questions``: ids and option ids)."""
    counted = []
    for question in questions:
        qid = str(question["id"])
        votes = Counter(b[qid] for b in ballots if b is not None and qid in b)
        counted.append(
            {
                **question,
                "options": [
                    {**option, "votes": votes.get(option["id"], 0)}
                    for option in question["options"]
                ],
                "blank": votes.get(None, 0),
            }
        )
    return counted


def questions_json(poll: Poll) -> list[dict]:
    """The poll's questions and options with both languages' texts (the signed
    payload's and the API's)."""
    return [
        {
            "id": q.id,
            "kind": q.kind,
            "text_ar": q.text_ar,
            "text_fr": q.text_fr,
            "options": [
                {"id": o.id, "text_ar": o.text_ar, "text_fr": o.text_fr}
                for o in q.options
            ],
        }
        for q in poll.questions
    ]


def results_payload(poll, key, chain, ballots, now) -> dict:
    questions = questions_json(poll)
    return {
        "format": RESULTS_FORMAT,
        "commune": poll.registry_cycle.commune.slug,
        "poll": {
            "id": poll.id,
            "title_ar": poll.title_ar,
            "title_fr": poll.title_fr,
            "opens_at": poll.opens_at_dt.isoformat(),
            "closes_at": poll.closes_at_dt.isoformat(),
        },
        "published_at": now.isoformat(timespec="seconds"),
        "chain_head": chain[-1]["chain_hash"] if chain else sealing.GENESIS,
        "ballot_count": len(chain),
        "invalid": sum(1 for b in ballots if b is None),
        "record_digest": record_digest(ballots),
        "sealing_public": key.sealing_public.hex(),
        "questions": tally(questions, ballots),
    }


def count_and_publish(poll_id: int, now: datetime) -> str:
    """The job's step: "published", "not due" or "failed" (a broken chain or an
    unusable key: audited, nothing published). The caller commits."""
    from pbvote.audit.services import record_action

    try:
        with db.session.begin_nested():
            result = count_poll(poll_id, now)
    except CountRefused as error:
        poll = db.session.get(Poll, poll_id)
        poll.count_error = str(error)
        record_action(
            None, "polls.count_failed", "poll", poll_id, now, {"error": str(error)}
        )
        return "failed"
    if result is None:
        return "not due"
    db.session.get(Poll, poll_id).count_error = None
    return "published"
